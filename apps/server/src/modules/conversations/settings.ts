import { and, count, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { CONVERSATION_PIN_LIMIT, MUTE_DURATION_MS, type ConversationSummary, type MuteDuration } from '@chatpop/protocol';
import { track, type AppContext } from '../../context';
import type { DbExecutor } from '../../db/client';
import { members, rooms, users, type MemberRow, type UserRow } from '../../db/schema';
import { AppError } from '../../errors';
import { accessConversation, conversationNotFound, requireInboxUser } from './policy';
import { CONVERSATION_KINDS } from './repo';
import { MUTED_FOREVER, summaryFor } from './summaries';

/**
 * Each person's own settings for a conversation (SPEC §4): mute, archive, pin
 * to the top of the list. They change nothing for the other members; the
 * person's devices hear of them as `conversation:updated`, and the totals
 * (muted conversations leave them) as `inbox:unread`.
 */

const pinLimitReached = () =>
  new AppError(409, 'CONVERSATION_PIN_LIMIT', `You can pin up to ${CONVERSATION_PIN_LIMIT} conversations. Unpin one first.`, { limit: CONVERSATION_PIN_LIMIT });
const archivedCannotPin = () =>
  new AppError(409, 'CONVERSATION_ARCHIVED', 'An archived conversation cannot be pinned. Move it out of the archive first.');

/** Applies a change to the member row and answers with the summary as it now is. */
async function change(
  ctx: AppContext,
  user: UserRow,
  roomId: string,
  work: (db: DbExecutor, member: MemberRow) => Promise<boolean>,
  opts: { totals?: boolean; inTransaction?: boolean } = {},
): Promise<ConversationSummary> {
  requireInboxUser(user);
  const { room, member } = await accessConversation(ctx, user, roomId);
  const changed = await track(ctx, opts.inTransaction ? ctx.db.transaction((tx) => work(tx, member)) : work(ctx.db, member));
  if (changed) ctx.inboxEvents.changed([user.id], room.id, { totals: opts.totals ?? false });
  const summary = await summaryFor(ctx, user.id, room.id);
  if (!summary) throw conversationNotFound();
  return summary;
}

async function updated(db: DbExecutor, memberId: string, patch: Partial<MemberRow>, when: SQL | undefined) {
  const rows = await db
    .update(members)
    .set(patch)
    .where(and(eq(members.id, memberId), when))
    .returning({ id: members.id });
  return rows.length > 0;
}

/** Mutes for 8 hours, a week, or until unmuted; muting again replaces the time. */
export function mute(ctx: AppContext, user: UserRow, roomId: string, duration: MuteDuration) {
  const until = duration === 'always' ? MUTED_FOREVER : new Date(Date.now() + MUTE_DURATION_MS[duration] * ctx.config.muteDurationScale);
  return change(ctx, user, roomId, (db, m) => updated(db, m.id, { notificationsMutedUntil: until }, undefined), { totals: true });
}

export function unmute(ctx: AppContext, user: UserRow, roomId: string) {
  return change(ctx, user, roomId, (db, m) => updated(db, m.id, { notificationsMutedUntil: null }, isNotNull(members.notificationsMutedUntil)), {
    totals: true,
  });
}

/** Into the archive, and off the pinned places (an archived conversation is not pinned, as in WhatsApp). */
export function archive(ctx: AppContext, user: UserRow, roomId: string) {
  return change(ctx, user, roomId, (db, m) => updated(db, m.id, { archivedAt: new Date(), pinnedAt: null }, isNull(members.archivedAt)));
}

export function unarchive(ctx: AppContext, user: UserRow, roomId: string) {
  return change(ctx, user, roomId, (db, m) => updated(db, m.id, { archivedAt: null }, isNotNull(members.archivedAt)));
}

/**
 * Pins to the top of the list, at most CONVERSATION_PIN_LIMIT. The count is
 * taken under the account's row lock, so two pins at once cannot both take the
 * last place.
 */
export function pin(ctx: AppContext, user: UserRow, roomId: string) {
  return change(
    ctx,
    user,
    roomId,
    async (tx, member) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for('update');
      const [current] = await tx.select().from(members).where(eq(members.id, member.id));
      if (!current || current.removedAt) throw conversationNotFound();
      if (current.pinnedAt) return false;
      if (current.archivedAt) throw archivedCannotPin();
      if ((await pinnedCount(tx, user.id)) >= CONVERSATION_PIN_LIMIT) throw pinLimitReached();
      return updated(tx, member.id, { pinnedAt: new Date() }, isNull(members.pinnedAt));
    },
    { inTransaction: true },
  );
}

export function unpin(ctx: AppContext, user: UserRow, roomId: string) {
  return change(ctx, user, roomId, (db, m) => updated(db, m.id, { pinnedAt: null }, isNotNull(members.pinnedAt)));
}

async function pinnedCount(db: DbExecutor, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .where(and(eq(members.userId, userId), isNull(members.removedAt), isNotNull(members.pinnedAt), inArray(rooms.kind, [...CONVERSATION_KINDS])));
  return Number(row?.n ?? 0);
}

/**
 * A new message brings the conversation back from the archive of every member
 * who has not muted it (SPEC §4). Returns whose archive it left.
 */
export async function unarchiveOnMessage(db: DbExecutor, roomId: string): Promise<string[]> {
  const rows = await db
    .update(members)
    .set({ archivedAt: null })
    .where(
      and(
        eq(members.roomId, roomId),
        isNotNull(members.archivedAt),
        isNull(members.removedAt),
        or(isNull(members.notificationsMutedUntil), sql`${members.notificationsMutedUntil} <= now()`),
      ),
    )
    .returning({ userId: members.userId });
  return rows.map((r) => r.userId).filter((id): id is string => id !== null);
}

/**
 * Ends the timed mutes whose time is up and tells each owner's devices
 * (`conversation:updated` without the muted mark, and `inbox:unread`, whose
 * totals count the conversation again). The expired time is cleared by one
 * conditional update, so when several nodes sweep at once each mute is ended,
 * and announced, by exactly one of them; a mute set again meanwhile is in the
 * future and stays. Returns how many ended.
 */
export async function endExpiredMutes(ctx: AppContext): Promise<number> {
  const rows = await ctx.db
    .update(members)
    .set({ notificationsMutedUntil: null })
    .where(and(isNotNull(members.notificationsMutedUntil), sql`${members.notificationsMutedUntil} <= now()`))
    .returning({ userId: members.userId, roomId: members.roomId, removedAt: members.removedAt });
  for (const row of rows) {
    if (row.userId && !row.removedAt) ctx.inboxEvents.changed([row.userId], row.roomId, { totals: true });
  }
  return rows.length;
}

/** Starts this node's sweep of timed mutes (MUTE_SWEEP_MS). */
export function startMuteSweeper(ctx: AppContext): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    track(ctx, endExpiredMutes(ctx))
      .catch((err: unknown) => ctx.log.warn({ err }, 'mute sweep failed'))
      .finally(() => {
        running = false;
      });
  }, ctx.config.muteSweepMs);
  timer.unref();
  return timer;
}
