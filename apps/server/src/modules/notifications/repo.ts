import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { NOTIFICATION_GROUP_WINDOW_MS, NOTIFICATION_UNREAD_MAX } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { members, messages, notifications, pushSubscriptions, userBlocks, type NotificationRow, type PushSubscriptionRow } from '../../db/schema';

export type NewNotification = Omit<NotificationRow, 'count' | 'createdAt' | 'updatedAt'>;

/**
 * Stores a notification. One with a group key gathers into the user's open
 * (unread) one of the same key while that is younger than the group window:
 * one upsert on the partial unique index, so a hundred at once are still one.
 * An open group past its window is closed (its key dropped) and a new one
 * started. Times come from here, in milliseconds, so the list's cursor
 * compares exactly.
 */
export async function store(db: DbExecutor, row: NewNotification, now = new Date()): Promise<NotificationRow> {
  const insert = () =>
    db
      .insert(notifications)
      .values({ ...row, count: 1, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [notifications.userId, notifications.groupKey],
        targetWhere: sql`${notifications.readAt} is null and ${notifications.groupKey} is not null`,
        set: {
          count: sql`${notifications.count} + 1`,
          messageId: sql`excluded.message_id`,
          seq: sql`excluded.seq`,
          actorUserId: sql`excluded.actor_user_id`,
          actorName: sql`excluded.actor_name`,
          preview: sql`excluded.preview`,
          amountCents: sql`excluded.amount_cents`,
          updatedAt: now,
        },
        setWhere: sql`${notifications.createdAt} > ${new Date(now.getTime() - NOTIFICATION_GROUP_WINDOW_MS)}`,
      })
      .returning();
  const [first] = await insert();
  if (first) return first;
  // The open group is older than the window: it stays as it is, and a new one starts.
  await db
    .update(notifications)
    .set({ groupKey: null })
    .where(and(eq(notifications.userId, row.userId), eq(notifications.groupKey, row.groupKey!), isNull(notifications.readAt)));
  const [second] = await insert();
  if (!second) throw new Error(`notification group ${row.groupKey} neither joined nor started`);
  return second;
}

export interface ListCursor {
  updatedAt: Date;
  id: string;
}

export async function listForUser(db: DbExecutor, userId: string, opts: { cursor?: ListCursor; unread?: boolean; limit: number }) {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        opts.unread ? isNull(notifications.readAt) : undefined,
        opts.cursor
          ? or(
              lt(notifications.updatedAt, opts.cursor.updatedAt),
              and(eq(notifications.updatedAt, opts.cursor.updatedAt), lt(notifications.id, opts.cursor.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(notifications.updatedAt), desc(notifications.id))
    .limit(opts.limit);
}

/** The user's unread notifications, counted up to NOTIFICATION_UNREAD_MAX. */
export async function unreadCount(db: DbExecutor, userId: string): Promise<number> {
  const result = await db.execute(sql`
    select count(*)::int as n from (
      select 1 from ${notifications} where ${notifications.userId} = ${userId} and ${notifications.readAt} is null limit ${NOTIFICATION_UNREAD_MAX}
    ) u`);
  const rows = (result as unknown as { rows: { n: number }[] }).rows;
  return Number(rows[0]?.n ?? 0);
}

export async function findOwn(db: DbExecutor, userId: string, ids: string[]): Promise<NotificationRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), inArray(notifications.id, ids)));
}

/** Marks these (all when `ids` is null) read; returns the ids that were unread. */
export async function markRead(db: DbExecutor, userId: string, ids: string[] | null, now = new Date()): Promise<string[]> {
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
    .returning({ id: notifications.id });
  return rows.map((r) => r.id);
}

/**
 * Marks read the user's unread notifications that point into a room at or
 * before `uptoSeq` (one about a message the user has now read), and those
 * about the room itself with no message (being added to a group); returns
 * their ids. Unread notifications are few per user: the partial unread index
 * finds them.
 */
export async function markReadInRoom(db: DbExecutor, userId: string, roomId: string, uptoSeq: number, now = new Date()): Promise<string[]> {
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        eq(notifications.roomId, roomId),
        or(isNull(notifications.seq), lte(notifications.seq, uptoSeq)),
      ),
    )
    .returning({ id: notifications.id });
  return rows.map((r) => r.id);
}

// ---- who is told ------------------------------------------------------------------

/** Account participations of a room named by these lower-cased usernames: live, not banned. */
export async function accountsNamed(db: DbExecutor, roomId: string, names: string[]): Promise<{ userId: string }[]> {
  if (names.length === 0) return [];
  const rows = await db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.roomId, roomId), inArray(members.usernameLower, names), isNull(members.removedAt), isNull(members.bannedAt)));
  return rows.filter((r): r is { userId: string } => r.userId !== null);
}

/** The account that wrote a message, if an account did. */
export async function authorAccount(db: DbExecutor, messageId: string): Promise<string | null> {
  const [row] = await db
    .select({ userId: members.userId, hidden: messages.hidden, deletedAt: messages.deletedAt })
    .from(messages)
    .innerJoin(members, eq(members.id, messages.memberId))
    .where(eq(messages.id, messageId))
    .limit(1);
  if (!row || row.hidden || row.deletedAt) return null;
  return row.userId;
}

/** The other live account members of a room (a direct conversation's partner). */
export async function otherAccounts(db: DbExecutor, roomId: string, exceptUserId: string | null): Promise<string[]> {
  const rows = await db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.roomId, roomId), isNull(members.removedAt)));
  return rows.map((r) => r.userId).filter((id): id is string => id !== null && id !== exceptUserId);
}

/** These users' live participations in a room: the member id (presence), the conversation mute and the read watermark. */
export async function participations(db: DbExecutor, roomId: string, userIds: string[]) {
  if (userIds.length === 0) return [];
  const rows = await db
    .select({ userId: members.userId, memberId: members.id, mutedUntil: members.notificationsMutedUntil, lastReadSeq: members.lastReadSeq })
    .from(members)
    .where(and(eq(members.roomId, roomId), inArray(members.userId, userIds), isNull(members.removedAt)));
  return rows as { userId: string; memberId: string; mutedUntil: Date | null; lastReadSeq: number }[];
}

/** Those of `userIds` with a block between them and `actor`, whichever side made it. */
export async function blockedWith(db: DbExecutor, actor: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ blocker: userBlocks.blockerId, blocked: userBlocks.blockedId })
    .from(userBlocks)
    .where(
      or(
        and(eq(userBlocks.blockerId, actor), inArray(userBlocks.blockedId, userIds)),
        and(eq(userBlocks.blockedId, actor), inArray(userBlocks.blockerId, userIds)),
      ),
    );
  return new Set(rows.map((r) => (r.blocker === actor ? r.blocked : r.blocker)));
}

// ---- push subscriptions -------------------------------------------------------------

/** Saves a device's subscription for this user; the same endpoint (the same browser) moves to them. */
export async function saveSubscription(db: DbExecutor, row: Omit<PushSubscriptionRow, 'createdAt'>): Promise<PushSubscriptionRow> {
  const [saved] = await db
    .insert(pushSubscriptions)
    .values(row)
    .onConflictDoUpdate({
      target: pushSubscriptions.endpoint,
      set: { userId: row.userId, p256dh: row.p256dh, auth: row.auth, userAgent: row.userAgent, createdAt: new Date() },
    })
    .returning();
  return saved!;
}

export async function subscriptionsOf(db: DbExecutor, userId: string): Promise<PushSubscriptionRow[]> {
  return db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)).orderBy(pushSubscriptions.createdAt);
}

export async function deleteSubscription(db: DbExecutor, where: { id: string } | { userId: string; endpoint: string }): Promise<number> {
  const rows = await db
    .delete(pushSubscriptions)
    .where('id' in where ? eq(pushSubscriptions.id, where.id) : and(eq(pushSubscriptions.userId, where.userId), eq(pushSubscriptions.endpoint, where.endpoint)))
    .returning({ id: pushSubscriptions.id });
  return rows.length;
}
