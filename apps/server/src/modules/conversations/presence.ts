import { and, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { PresenceList, UserPresence } from '@chatpop/protocol';
import { track, type AppContext } from '../../context';
import type { DbExecutor } from '../../db/client';
import { members, rooms, users, type UserRow } from '../../db/schema';
import type { AccountPresence } from '../../ports';
import { notBlockedSql } from '../contacts/blocks';
import { accessConversation, requireInboxUser } from './policy';
import { CONVERSATION_KINDS } from './repo';

/**
 * Account presence (SPEC §4; docs/api.md, "Presence"). The presence store
 * counts each account's live connections on every node; what a partner sees
 * follows from that, the status the person chose and both sides' privacy:
 *
 * - connected and `online`, `away` or `busy`: that status;
 * - not connected, or "appear offline" (`status: offline`): `offline`, with
 *   the last time they were visibly online, unless either side hides last
 *   seen (both ways, as in WhatsApp).
 *
 * Only conversation partners (people who share a direct or group
 * conversation, both still in it, with no block either way) ever hear of it. Changes are announced a
 * moment after they happen, read afresh from the shared store, so two nodes
 * seeing one person's devices come and go at once both send the final state.
 */

/** Changes to one person's presence gather this long before one announcement. */
export const PRESENCE_ANNOUNCE_DELAY_MS = 250;

type Subject = Pick<UserRow, 'id' | 'status' | 'lastSeenAt' | 'hideLastSeen'>;
type Viewer = Pick<UserRow, 'id' | 'hideLastSeen'>;

/** One person's presence as `viewer` may see it. */
export function presenceAs(subject: Subject, connected: boolean, viewer: Viewer): UserPresence {
  const status = connected && subject.status !== 'offline' ? subject.status : 'offline';
  const lastSeenShown = viewer.id === subject.id || (!viewer.hideLastSeen && !subject.hideLastSeen);
  return {
    userId: subject.id,
    status,
    lastSeenAt: status === 'offline' && lastSeenShown && subject.lastSeenAt ? subject.lastSeenAt.toISOString() : null,
  };
}

export class PresenceService implements AccountPresence {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly ctx: AppContext) {}

  connected(userId: string, connectionId: string) {
    return track(
      this.ctx,
      (async () => {
        if (!(await this.ctx.presence.touchUser(userId, connectionId))) return;
        // Written as it comes online too: if this process dies without a goodbye, last seen is still close.
        await recordLastSeen(this.ctx.db, userId, new Date());
        this.changed(userId);
      })(),
    );
  }

  heartbeat(userId: string, connectionId: string) {
    return this.connected(userId, connectionId);
  }

  disconnected(userId: string, connectionId: string) {
    return track(
      this.ctx,
      (async () => {
        const lastSeen = await this.ctx.presence.removeUser(userId, connectionId);
        if (!lastSeen) return;
        await recordLastSeen(this.ctx.db, userId, lastSeen);
        this.changed(userId);
      })(),
    );
  }

  async sweep() {
    for (const { userId, lastSeenAt } of await this.ctx.presence.sweepUsers()) {
      await recordLastSeen(this.ctx.db, userId, lastSeenAt);
      this.changed(userId);
    }
  }

  async profileChanged(before: UserRow, after: UserRow) {
    if (before.status === after.status && before.hideLastSeen === after.hideLastSeen && before.hideReadReceipts === after.hideReadReceipts) return;
    await this.ctx.userSync.changed({ id: after.id, status: after.status, hideLastSeen: after.hideLastSeen, hideReadReceipts: after.hideReadReceipts });
    if (before.status !== after.status || before.hideLastSeen !== after.hideLastSeen) this.changed(after.id);
  }

  close() {
    this.closed = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  /** Announces the person's presence to their partners (and their own devices) shortly. */
  changed(userId: string) {
    if (this.closed || this.pending.has(userId)) return;
    this.pending.set(
      userId,
      setTimeout(() => {
        this.pending.delete(userId);
        void track(this.ctx, this.announce(userId)).catch((err: unknown) => this.ctx.log.warn({ err, userId }, 'presence not announced'));
      }, PRESENCE_ANNOUNCE_DELAY_MS),
    );
  }

  private async announce(userId: string) {
    const [subject] = await this.ctx.db.select(subjectColumns).from(users).where(eq(users.id, userId)).limit(1);
    if (!subject) return;
    const [connected, partners] = await Promise.all([this.ctx.presence.usersOnline([userId]), partnersOf(this.ctx.db, userId)]);
    const full = presenceAs(subject, connected.has(userId), subject);
    const seeing = [userId];
    const blind: string[] = [];
    for (const p of partners) (subject.hideLastSeen || p.hideLastSeen ? blind : seeing).push(p.userId);
    this.ctx.broadcast.userPresence(seeing, full);
    if (blind.length > 0) this.ctx.broadcast.userPresence(blind, { ...full, lastSeenAt: null });
  }
}

/** `GET /api/presence?userIds=`: the presence of those of these people who are your partners (or you). */
export async function presenceOf(ctx: AppContext, viewer: UserRow, userIds: string[]): Promise<PresenceList> {
  requireInboxUser(viewer);
  const wanted = new Set(userIds);
  const people = await partnersAmong(ctx.db, viewer.id, userIds.filter((id) => id !== viewer.id));
  if (wanted.has(viewer.id)) people.push(viewer);
  return { presence: await withConnections(ctx, viewer, people) };
}

/** `GET /api/conversations/:id/presence`: the other members of one of your conversations. */
export async function conversationPresence(ctx: AppContext, viewer: UserRow, roomId: string): Promise<PresenceList> {
  requireInboxUser(viewer);
  const { room } = await accessConversation(ctx, viewer, roomId);
  const people = await ctx.db
    .select(subjectColumns)
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.roomId, room.id), isNull(members.removedAt), ne(members.userId, viewer.id), notBlockedSql(users.id, sql`${viewer.id}::uuid`)));
  return { presence: await withConnections(ctx, viewer, people) };
}

async function withConnections(ctx: AppContext, viewer: UserRow, people: Subject[]): Promise<UserPresence[]> {
  const online = await ctx.presence.usersOnline(people.map((p) => p.id));
  return people.map((p) => presenceAs(p, online.has(p.id), viewer));
}

// ---- queries ------------------------------------------------------------------

const subjectColumns = { id: users.id, status: users.status, lastSeenAt: users.lastSeenAt, hideLastSeen: users.hideLastSeen };

/**
 * Stores when someone was last visibly online. Not while they appear offline:
 * their last seen stays at the moment they chose to. Never moves back.
 */
export async function recordLastSeen(db: DbExecutor, userId: string, at: Date): Promise<void> {
  await db
    .update(users)
    .set({ lastSeenAt: at })
    .where(and(eq(users.id, userId), ne(users.status, 'offline'), or(isNull(users.lastSeenAt), lt(users.lastSeenAt, at))));
}

const me = alias(members, 'me');

/** Everyone who shares a live conversation with `userId`, with their privacy. */
export async function partnersOf(db: DbExecutor, userId: string): Promise<{ userId: string; hideLastSeen: boolean }[]> {
  return db
    .selectDistinct({ userId: users.id, hideLastSeen: users.hideLastSeen })
    .from(me)
    .innerJoin(rooms, and(eq(rooms.id, me.roomId), inArray(rooms.kind, [...CONVERSATION_KINDS])))
    .innerJoin(members, and(eq(members.roomId, me.roomId), isNull(members.removedAt), ne(members.userId, userId)))
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(me.userId, userId), isNull(me.removedAt), notBlockedSql(users.id, sql`${userId}::uuid`)));
}

/** Those of `userIds` who share a live conversation with `viewerId`. */
export async function partnersAmong(db: DbExecutor, viewerId: string, userIds: string[]): Promise<Subject[]> {
  if (userIds.length === 0) return [];
  return db
    .selectDistinct(subjectColumns)
    .from(me)
    .innerJoin(rooms, and(eq(rooms.id, me.roomId), inArray(rooms.kind, [...CONVERSATION_KINDS])))
    .innerJoin(members, and(eq(members.roomId, me.roomId), isNull(members.removedAt), inArray(members.userId, userIds)))
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(me.userId, viewerId), isNull(me.removedAt), sql`${users.id} <> ${viewerId}::uuid`, notBlockedSql(users.id, sql`${viewerId}::uuid`)));
}

/** Whether this account chose to appear offline (read when one of its participations joins a room). */
export async function appearsOffline(db: DbExecutor, userId: string): Promise<boolean> {
  const [row] = await db.select({ status: users.status }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.status === 'offline';
}

/** The ids of an account's live participations in any room (pop chats and conversations). */
export async function participationsOf(db: DbExecutor, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.userId, userId), isNull(members.removedAt)));
  return rows.map((r) => r.id);
}
