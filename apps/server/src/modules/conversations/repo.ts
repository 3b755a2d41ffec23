import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { MEMBERS_PREVIEW_MAX, MENTION_COUNT_MAX, UNREAD_COUNT_MAX } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { members, messages, rooms, users, type MemberRow, type RoomRow, type UserRow } from '../../db/schema';
import { recountedCounters } from '../messages/repo';

export const CONVERSATION_KINDS = ['direct', 'group'] as const;

/** The pair key of a direct conversation: both ids, smaller first (uuid order equals the order of their lower-case text). */
export function directKey(a: string, b: string): string {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `${x}:${y}`;
}

/**
 * Unread messages and @mentions of one membership: its counters
 * (docs/decisions.md, "Unread counters"), shown at most UNREAD_COUNT_MAX and
 * MENTION_COUNT_MAX.
 */
const unreadExpr = sql<number>`least(${members.unreadCount}, ${UNREAD_COUNT_MAX})::int`.mapWith(Number);
const mentionExpr = sql<number>`least(${members.mentionCount}, ${MENTION_COUNT_MAX})::int`.mapWith(Number);

const activityExpr = sql<Date>`coalesce(${rooms.lastMessageAt}, ${rooms.createdAt})`;
const pinnedExpr = sql<number>`(${members.pinnedAt} is not null)::int`;
const memberCountExpr = sql<number>`(select count(*)::int from members o where o.room_id = ${rooms.id} and o.removed_at is null)`.mapWith(Number);

export interface ListCursor {
  pinned: number;
  activity: string;
  id: string;
}

export interface ConversationRow {
  room: RoomRow;
  member: MemberRow;
  unread: number;
  mentions: number;
  memberCount: number;
  activity: Date;
  /** The activity time in full (microsecond) precision, for a cursor: a JS Date would round it. */
  activityKey: string;
  pinned: number;
}

const live = (userId: string) =>
  and(eq(members.userId, userId), isNull(members.removedAt), inArray(rooms.kind, [...CONVERSATION_KINDS]));

/**
 * One page of a user's conversations: pinned first, then by last activity
 * (newest first), ties by id; or exactly the conversations named by `ids`.
 */
export async function listForUser(
  db: DbExecutor,
  userId: string,
  opts: { archived?: boolean; cursor?: ListCursor; limit?: number; ids?: string[] },
): Promise<ConversationRow[]> {
  const where: (SQL | undefined)[] = [live(userId)];
  if (opts.ids) where.push(inArray(rooms.id, opts.ids));
  if (opts.archived !== undefined) where.push(opts.archived ? isNotNull(members.archivedAt) : isNull(members.archivedAt));
  if (opts.cursor) {
    const c = opts.cursor;
    where.push(
      or(
        sql`${pinnedExpr} < ${c.pinned}`,
        and(sql`${pinnedExpr} = ${c.pinned}`, sql`(${activityExpr}, ${rooms.id}) < (${c.activity}::timestamptz, ${c.id}::uuid)`),
      ),
    );
  }
  // The page first, from narrow rows (the sort keys and the membership's id): the user's 1,000
  // memberships are sorted without carrying every column of every room and membership along.
  const keys = db
    .select({ memberId: members.id, activity: activityExpr, activityKey: sql<string>`${activityExpr}::text`, pinned: pinnedExpr })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .where(and(...where))
    .orderBy(desc(pinnedExpr), desc(activityExpr), desc(rooms.id));
  const page = opts.limit ? await keys.limit(opts.limit) : await keys;
  if (page.length === 0) return [];
  // Then the page's rows in full, with their counters and member counts: a few dozen rows.
  const full = await db
    .select({ room: rooms, member: members, unread: unreadExpr, mentions: mentionExpr, memberCount: memberCountExpr })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .where(inArray(members.id, page.map((k) => k.memberId)));
  const byMember = new Map(full.map((r) => [r.member.id, r]));
  return page.flatMap((k) => {
    const r = byMember.get(k.memberId);
    if (!r) return [];
    return [
      {
        ...r,
        activity: new Date(k.activity),
        activityKey: k.activityKey,
        pinned: Number(k.pinned),
        unread: Number(r.unread),
        mentions: Number(r.mentions),
      },
    ];
  });
}

/** Not muted now: a muted conversation's unread messages stay in its own row but leave the totals. */
const audibleExpr = sql`(${members.notificationsMutedUntil} is null or ${members.notificationsMutedUntil} <= now())`;

/** The dashboard's counts, in one statement over the user's memberships (never over all messages). */
export async function totalsForUser(db: DbExecutor, userId: string) {
  const [row] = await db
    .select({
      conversations: sql<number>`count(*)::int`.mapWith(Number),
      archived: sql<number>`count(*) filter (where ${members.archivedAt} is not null)::int`.mapWith(Number),
      unread: sql<number>`coalesce(sum(${unreadExpr}) filter (where ${audibleExpr}), 0)::int`.mapWith(Number),
      unreadConversations: sql<number>`count(*) filter (where ${audibleExpr} and (${unreadExpr} > 0 or ${members.markedUnreadAt} is not null))::int`.mapWith(
        Number,
      ),
      mentions: sql<number>`coalesce(sum(${mentionExpr}) filter (where ${audibleExpr}), 0)::int`.mapWith(Number),
    })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .where(live(userId));
  return row ?? { conversations: 0, archived: 0, unread: 0, unreadConversations: 0, mentions: 0 };
}

/**
 * Messages the user wrote in their conversations, those of conversations they
 * left included: the sum of their memberships' `sent_count`, which the send
 * statement keeps (docs/decisions.md, "Unread counters").
 */
export async function messagesSentBy(db: DbExecutor, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${members.sentCount}), 0)::int`.mapWith(Number) })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .where(and(eq(members.userId, userId), inArray(rooms.kind, [...CONVERSATION_KINDS])));
  return row?.n ?? 0;
}

export interface PersonRow {
  roomId: string;
  memberId: string;
  userId: string;
  username: string;
  role: MemberRow['role'];
  joinedAt: Date;
  lastReadSeq: number;
  lastDeliveredSeq: number;
  displayName: string | null;
  avatarKey: string | null;
  hideReadReceipts: boolean;
}

const personColumns = {
  roomId: members.roomId,
  memberId: members.id,
  userId: sql<string>`${members.userId}`.as('person_user_id'),
  username: members.username,
  role: members.role,
  joinedAt: members.joinedAt,
  lastReadSeq: members.lastReadSeq,
  lastDeliveredSeq: members.lastDeliveredSeq,
  displayName: users.displayName,
  avatarKey: users.avatarKey,
  hideReadReceipts: users.hideReadReceipts,
};

/** Every live member of one conversation with their account's public face, oldest first. */
export async function membersOf(db: DbExecutor, roomId: string): Promise<PersonRow[]> {
  return db
    .select(personColumns)
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.roomId, roomId), isNull(members.removedAt)))
    .orderBy(asc(members.joinedAt), asc(members.id));
}

/** Up to MEMBERS_PREVIEW_MAX members other than `userId` of each room, oldest first: one query for a page. */
export async function previewMembers(db: DbExecutor, roomIds: string[], userId: string): Promise<Map<string, PersonRow[]>> {
  const out = new Map<string, PersonRow[]>();
  if (roomIds.length === 0) return out;
  const ranked = db
    .select({
      ...personColumns,
      rank: sql<number>`row_number() over (partition by ${members.roomId} order by ${members.joinedAt}, ${members.id})`.as('rank'),
    })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(inArray(members.roomId, roomIds), isNull(members.removedAt), ne(members.userId, userId)))
    .as('ranked');
  const rows = await db.select().from(ranked).where(lte(ranked.rank, MEMBERS_PREVIEW_MAX)).orderBy(asc(ranked.rank));
  for (const r of rows) {
    let list = out.get(r.roomId);
    if (!list) out.set(r.roomId, (list = []));
    list.push({ ...r, joinedAt: new Date(r.joinedAt) });
  }
  return out;
}

/**
 * The newest message of each membership's room as that member sees it: the
 * one at the room's last seq, unless they deleted it for themselves, then the
 * newest before it they did not (one backward step of the `(room_id, seq)`
 * index per message they hid there). Keyed by room.
 */
export async function lastMessages(db: DbExecutor, memberIds: string[]) {
  if (memberIds.length === 0) return new Map<string, typeof messages.$inferSelect>();
  const newestSeen = sql`(
    select x.seq from messages x
    where x.room_id = ${rooms.id} and x.seq <= ${rooms.lastSeq}
      and not exists (select 1 from message_hides h where h.member_id = ${members.id} and h.seq = x.seq)
    order by x.seq desc limit 1
  )`;
  const rows = await db
    .select({ message: messages })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .innerJoin(messages, and(eq(messages.roomId, rooms.id), eq(messages.seq, newestSeen)))
    .where(inArray(members.id, memberIds));
  return new Map(rows.map((r) => [r.message.roomId, r.message]));
}

export async function findDirect(db: DbExecutor, key: string): Promise<RoomRow | undefined> {
  const [row] = await db
    .select()
    .from(rooms)
    .where(and(eq(rooms.kind, 'direct'), eq(rooms.directKey, key)))
    .limit(1);
  return row;
}

/**
 * Inserts a direct conversation unless its pair already has one: the unique
 * index on the pair key settles two people creating it at once (the second
 * insert waits for the first to commit, then does nothing).
 */
export async function insertDirectUnlessExists(db: DbExecutor, row: typeof rooms.$inferInsert): Promise<RoomRow | undefined> {
  const [created] = await db
    .insert(rooms)
    .values(row)
    .onConflictDoNothing({ target: rooms.directKey, where: sql`kind = 'direct'` })
    .returning();
  return created;
}

export async function insertMembers(db: DbExecutor, rows: (typeof members.$inferInsert)[]): Promise<MemberRow[]> {
  return db.insert(members).values(rows).returning();
}

export async function findUsersByIds(db: DbExecutor, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(users).where(inArray(users.id, ids));
}

export async function findUsersByUsernames(db: DbExecutor, names: string[]): Promise<UserRow[]> {
  if (names.length === 0) return [];
  return db
    .select()
    .from(users)
    .where(inArray(users.usernameLower, names.map((n) => n.toLowerCase())));
}

/** LIKE treats `_` and `%` as wildcards, and `_` is common in usernames. */
/** The room's newest seq, read from the row (the room directory's copy of it is stale by design). */
export async function currentLastSeq(db: DbExecutor, roomId: string): Promise<number> {
  const [row] = await db.select({ lastSeq: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId)).limit(1);
  return row?.lastSeq ?? 0;
}

export interface WatermarkMove {
  readSeq: number;
  deliveredSeq: number;
  readMoved: boolean;
  deliveredMoved: boolean;
  /** "Marked unread" was on and the read cleared it. */
  unmarked: boolean;
}

/**
 * Moves a member's watermarks forward to `seq` (reading implies delivery)
 * and clears "marked unread" on a read, under the row's lock, so concurrent
 * receipts from several devices each see what they themselves moved. A read
 * counts the member's unread messages and mentions afresh from the new
 * watermark (in a statement after the lock, so it sees every send that held
 * it; docs/decisions.md, "Unread counters"). A watermark never moves back;
 * null when nothing changed.
 */
export async function advanceWatermarks(db: DbExecutor, memberId: string, seq: number, read: boolean): Promise<WatermarkMove | null> {
  return db.transaction(async (tx) => {
    const [old] = await tx
      .select({ read: members.lastReadSeq, delivered: members.lastDeliveredSeq, marked: members.markedUnreadAt })
      .from(members)
      .where(eq(members.id, memberId))
      .for('update');
    if (!old) return null;
    const readMoved = read && seq > old.read;
    const deliveredMoved = seq > old.delivered;
    const unmarked = read && old.marked !== null;
    if (!readMoved && !deliveredMoved && !unmarked) return null;
    const readSeq = readMoved ? seq : old.read;
    const deliveredSeq = Math.max(old.delivered, seq);
    await tx.execute(sql`
      update members m set
        last_read_seq = ${readSeq}::int,
        last_delivered_seq = ${deliveredSeq}::int,
        marked_unread_at = ${read ? sql`null` : sql`m.marked_unread_at`}
        ${readMoved ? sql`, ${recountedCounters(sql`${readSeq}::int`)}` : sql``}
      where m.id = ${memberId}::uuid
    `);
    return { readSeq, deliveredSeq, readMoved, deliveredMoved, unmarked };
  });
}

export async function markUnread(db: DbExecutor, memberId: string): Promise<MemberRow | undefined> {
  const [row] = await db
    .update(members)
    .set({ markedUnreadAt: new Date() })
    .where(and(eq(members.id, memberId), isNull(members.markedUnreadAt)))
    .returning();
  return row;
}

/** The user ids of a conversation's live members. */
export async function memberUserIds(db: DbExecutor, roomId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.roomId, roomId), isNull(members.removedAt), isNotNull(members.userId)));
  return rows.map((r) => r.userId!);
}

/**
 * Takes the conversation's row lock for a membership change: changes to one
 * group's members and roles run one after another, which is what makes the
 * last-admin rule hold when two admins leave at once.
 */
export async function lockRoom(tx: DbExecutor, roomId: string): Promise<RoomRow | undefined> {
  const [row] = await tx.select().from(rooms).where(eq(rooms.id, roomId)).for('update');
  return row;
}

/** Live members, longest-standing first. */
export async function liveMembers(db: DbExecutor, roomId: string): Promise<MemberRow[]> {
  return db
    .select()
    .from(members)
    .where(and(eq(members.roomId, roomId), isNull(members.removedAt)))
    .orderBy(asc(members.joinedAt), asc(members.id));
}

/** The user's member row in a room, removed or not. */
export async function memberRowOf(db: DbExecutor, roomId: string, userId: string): Promise<MemberRow | undefined> {
  const [row] = await db
    .select()
    .from(members)
    .where(and(eq(members.roomId, roomId), eq(members.userId, userId)))
    .limit(1);
  return row;
}

export async function updateMember(db: DbExecutor, id: string, patch: Partial<typeof members.$inferInsert>): Promise<MemberRow> {
  const [row] = await db.update(members).set(patch).where(eq(members.id, id)).returning();
  return row!;
}
