import { and, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { contacts, members, type MemberRow, type RoomRow, type UserRow } from '../../db/schema';
import { AppError } from '../../errors';
import { blockedEitherWay } from './blocks';

/**
 * Who may reach whom (SPEC §4): the one place that says whether one account
 * may message, add to a group, invite or ask another. A block either way
 * refuses everything; "contacts only" refuses a new conversation or a group
 * add by anyone the person has not added to their contacts.
 *
 * Every refusal is the same PERSON_UNAVAILABLE with the same sentence, so the
 * person refused cannot tell a block from a privacy setting (docs/security.md).
 */

export const personUnavailable = (message = 'You can’t do that with this person.') => new AppError(403, 'PERSON_UNAVAILABLE', message);

/** Whether `ownerId` has `otherId` in their contacts. */
export async function hasContact(db: DbExecutor, ownerId: string, otherId: string): Promise<boolean> {
  const rows = await db
    .select({ ownerId: contacts.ownerId })
    .from(contacts)
    .where(and(eq(contacts.ownerId, ownerId), eq(contacts.contactId, otherId)))
    .limit(1);
  return rows.length > 0;
}

/** Messaging, contact requests, invites: refused when either has blocked the other. */
export async function requireNotBlocked(db: DbExecutor, actorId: string, otherId: string, message?: string): Promise<void> {
  if (await blockedEitherWay(db, actorId, otherId)) throw personUnavailable(message);
}

/**
 * Starting a direct conversation with `target`, or adding them to a group:
 * no block either way, and their "who can message me" lets `actorId` in.
 */
export async function mayStartWith(db: DbExecutor, actorId: string, target: Pick<UserRow, 'id' | 'whoCanMessage'>): Promise<boolean> {
  if (actorId === target.id) return true;
  if (await blockedEitherWay(db, actorId, target.id)) return false;
  if (target.whoCanMessage === 'contacts' && !(await hasContact(db, target.id, actorId))) return false;
  return true;
}

/**
 * Whether a direct conversation is closed by a block either way between its
 * two people: nothing more goes into it (messages, forwards, reactions,
 * typing). Other rooms are never closed this way.
 */
export async function directClosed(db: DbExecutor, room: Pick<RoomRow, 'id' | 'kind'>, member: Pick<MemberRow, 'id' | 'userId'>): Promise<boolean> {
  if (room.kind !== 'direct' || !member.userId) return false;
  const [other] = await db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.roomId, room.id), ne(members.id, member.id), isNull(members.removedAt), isNotNull(members.userId)))
    .limit(1);
  return Boolean(other?.userId && (await blockedEitherWay(db, member.userId, other.userId)));
}

/** The same as a refusal, for sending and reacting. */
export async function requireDirectOpen(db: DbExecutor, room: Pick<RoomRow, 'id' | 'kind'>, member: Pick<MemberRow, 'id' | 'userId'>): Promise<void> {
  if (await directClosed(db, room, member)) throw personUnavailable('You can’t send messages to this person.');
}
