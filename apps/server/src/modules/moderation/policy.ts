import type { ModerationAction } from '@chatpop/protocol';
import { AppError, forbidden } from '../../errors';
import type { MemberRow, RoomRow } from '../../db/schema';
import { isModerator } from './rules';

/**
 * Who is acting in a room: over HTTP, the viewer's participation and whether
 * they host it; over a socket, the participation the connection joined with.
 */
export interface RoomActor {
  room: RoomRow;
  member: MemberRow | null;
  isHost: boolean;
  userId: string | null;
}

const notMember = () => new AppError(403, 'NOT_A_MEMBER', 'Join this chat first.');

/** A participant in good standing: joined and not banned. */
export function requireParticipant(actor: RoomActor): MemberRow {
  if (!actor.member) throw notMember();
  if (actor.member.bannedAt) throw new AppError(403, 'BANNED', 'You have been banned from this chat.');
  return actor.member;
}

/** The host, or a moderator the host appointed (SPEC §2.4). */
export function requireModerator(actor: RoomActor): void {
  if (actor.isHost) return;
  if (actor.member?.bannedAt) throw new AppError(403, 'BANNED', 'You have been banned from this chat.');
  if (!isModerator(actor.member)) throw forbidden('Only the host and moderators can do that.');
}

export function requireHostActor(actor: RoomActor): void {
  if (!actor.isHost) throw forbidden('Only the host can do that.');
}

const HOST_ONLY: ReadonlySet<ModerationAction> = new Set(['promote', 'demote']);

/**
 * One check for every action on a participant: moderators act on ordinary
 * participants, only the host on moderators, nobody on the host or themselves.
 */
export function checkModerateMember(actor: RoomActor, target: MemberRow, action: ModerationAction): void {
  if (HOST_ONLY.has(action)) requireHostActor(actor);
  else requireModerator(actor);
  if (target.role === 'host') throw forbidden('Nobody can moderate the host.');
  if (actor.member && target.id === actor.member.id) throw forbidden('You cannot moderate yourself.');
  if (target.role === 'moderator' && !actor.isHost) throw forbidden('Only the host can act on a moderator.');
}

/** The author may delete their own message; the host and moderators any. */
export function checkDeleteMessage(actor: RoomActor, authorId: string | null): MemberRow | null {
  if (actor.isHost || isModerator(actor.member)) {
    requireModerator(actor);
    return actor.member;
  }
  const member = requireParticipant(actor);
  if (authorId !== member.id) throw forbidden('You can only delete your own messages.');
  return member;
}
