import { and, asc, between, desc, eq, gte, inArray, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import { MENTION_COUNT_MAX, REACTION_NAMES_MAX, UNREAD_COUNT_MAX, type Attachment, type Reaction } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { members, messageEdits, messages, reactions, rooms, type MessageEditRow, type MessageRow } from '../../db/schema';

/** The message a sender (or, with no member, the server) stored under a client id: client ids are per sender. */
export async function findByClientId(db: DbExecutor, roomId: string, memberId: string | null, clientId: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), memberId ? eq(messages.memberId, memberId) : isNull(messages.memberId), eq(messages.clientId, clientId)))
    .limit(1);
  return row;
}

/**
 * The room's committed last seq. Every seq from 1 to it is a stored message
 * (seqs are gap-free and taken in the insert's statement), so it bounds what
 * any read must return; read fresh, never from the room directory.
 */
export async function lastSeq(db: DbExecutor, roomId: string): Promise<number> {
  const [row] = await db.select({ lastSeq: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId)).limit(1);
  return row?.lastSeq ?? 0;
}

/** The newest `limit` host messages that stand (not deleted), ascending by seq. */
export async function newestHostMessages(db: DbExecutor, roomId: string, limit: number): Promise<MessageRow[]> {
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.type, 'host'), isNull(messages.deletedAt)))
    .orderBy(desc(messages.seq))
    .limit(limit);
  return rows.reverse();
}

/** Messages with fromSeq ≤ seq ≤ toSeq, ascending. */
export async function inSeqRange(db: DbExecutor, roomId: string, fromSeq: number, toSeq: number): Promise<MessageRow[]> {
  if (toSeq < fromSeq) return [];
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), between(messages.seq, fromSeq, toSeq)))
    .orderBy(asc(messages.seq));
}

export async function findInRoom(db: DbExecutor, roomId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.id, id)))
    .limit(1);
  return row;
}

export async function findByIds(db: DbExecutor, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(messages).where(inArray(messages.id, ids));
}

export interface NewMessage {
  id: string;
  roomId: string;
  clientId: string | null;
  memberId: string | null;
  username: string | null;
  verified: boolean;
  type: MessageRow['type'];
  content: string;
  replyToId: string | null;
  /** Sent by a silently hidden participant. */
  hidden: boolean;
  /** What a paid message (tip, pin) cost. */
  amountCents?: number | null;
  /** A forwarded copy (Inbox): the message it copies. */
  forwardedFromId?: string | null;
  /** The message's photos, as clients draw them. */
  attachments?: Attachment[] | null;
}

/**
 * Inserts a message with the room's next seq in one statement (one round trip,
 * atomic), counting it unread for the conversation's other members: a message this sender already stored under this client id is
 * returned instead and no seq is taken. The room row's lock orders concurrent senders, so seq
 * is gap-free and follows commit order; two racing resends of one client id
 * meet the unique index and the loser's statement rolls back whole.
 */
export async function insertNext(db: DbExecutor, m: NewMessage): Promise<{ row: MessageRow; created: boolean }> {
  const result = await db.execute(sql`
    with existing as (
      select * from messages
      where room_id = ${m.roomId}::uuid and client_id = ${m.clientId}::text and member_id is not distinct from ${m.memberId}::uuid
    ), next as (
      update rooms set last_seq = last_seq + 1, last_message_at = now()
      where id = ${m.roomId}::uuid and not exists (select 1 from existing)
      returning last_seq, kind
    ), bumped as (
      -- A conversation member's unread counter (docs/decisions.md, "Unread counters"): one more for
      -- everyone else still behind this seq; a system message counts for no one.
      update members set unread_count = unread_count + 1
      from next
      where members.room_id = ${m.roomId}::uuid and next.kind in ('direct', 'group') and ${m.type}::text <> 'system'
        and members.removed_at is null and members.id is distinct from ${m.memberId}::uuid and members.last_read_seq < next.last_seq
    ), counted as (
      -- …and one more written by its author (the dashboard's "messages sent").
      update members set sent_count = sent_count + 1
      from next
      where members.id = ${m.memberId}::uuid and next.kind in ('direct', 'group') and ${m.type}::text <> 'system'
    ), inserted as (
      insert into messages (id, room_id, seq, client_id, member_id, username, verified, type, content, reply_to_id, hidden, amount_cents, forwarded_from_id, attachments)
      select ${m.id}::uuid, ${m.roomId}::uuid, next.last_seq, ${m.clientId}::text, ${m.memberId}::uuid, ${m.username}::text,
             ${m.verified}::boolean, ${m.type}::text, ${m.content}::text, ${m.replyToId}::uuid, ${m.hidden}::boolean, ${m.amountCents ?? null}::integer,
             ${m.forwardedFromId ?? null}::uuid, ${m.attachments ? JSON.stringify(m.attachments) : null}::jsonb
      from next
      returning *
    )
    select true as created, * from inserted
    union all
    select false as created, * from existing
  `);
  const raw = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
  if (!raw) throw new Error(`room ${m.roomId} vanished during a send`);
  return { row: fromRaw(raw), created: raw.created === true };
}

/** The jsonb column as the driver gives it: parsed already (pg, PGlite) or, defensively, as text. */
function parseAttachments(v: unknown): MessageRow['attachments'] {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as MessageRow['attachments'];
}

const asDate = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

function fromRaw(r: Record<string, unknown>): MessageRow {
  return {
    id: r.id as string,
    roomId: r.room_id as string,
    seq: Number(r.seq),
    clientId: (r.client_id as string | null) ?? null,
    memberId: (r.member_id as string | null) ?? null,
    username: (r.username as string | null) ?? null,
    verified: r.verified === true,
    type: r.type as MessageRow['type'],
    content: r.content as string,
    replyToId: (r.reply_to_id as string | null) ?? null,
    forwardedFromId: (r.forwarded_from_id as string | null) ?? null,
    editedAt: asDate(r.edited_at),
    deletedAt: asDate(r.deleted_at),
    hidden: r.hidden === true,
    amountCents: r.amount_cents === null || r.amount_cents === undefined ? null : Number(r.amount_cents),
    attachments: parseAttachments(r.attachments),
    createdAt: asDate(r.created_at)!,
    search: (r.search as string | null) ?? null,
    hasLink: r.has_link === true,
  };
}

/** Reactions of many messages at once, grouped per message and emoji, oldest first. */
export async function reactionsFor(db: DbExecutor, messageIds: string[]): Promise<Map<string, Reaction[]>> {
  const out = new Map<string, Reaction[]>();
  if (messageIds.length === 0) return out;
  const rows = await db
    .select({ messageId: reactions.messageId, emoji: reactions.emoji, memberId: reactions.memberId, username: members.username })
    .from(reactions)
    .innerJoin(members, eq(members.id, reactions.memberId))
    .where(inArray(reactions.messageId, messageIds))
    .orderBy(asc(reactions.createdAt), asc(reactions.memberId));
  for (const r of rows) {
    let list = out.get(r.messageId);
    if (!list) out.set(r.messageId, (list = []));
    let reaction = list.find((x) => x.emoji === r.emoji);
    if (!reaction) list.push((reaction = { emoji: r.emoji, count: 0, members: [] }));
    reaction.count++;
    if (reaction.members.length < REACTION_NAMES_MAX) reaction.members.push({ id: r.memberId, username: r.username });
  }
  return out;
}

/** Messages quoting this one, so their quote can show it was deleted. */
export async function repliesTo(db: DbExecutor, roomId: string, id: string): Promise<MessageRow[]> {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.replyToId, id)));
}

export async function softDelete(db: DbExecutor, id: string): Promise<void> {
  await db.update(messages).set({ deletedAt: new Date() }).where(eq(messages.id, id));
}

/**
 * Soft-deletes the not yet deleted messages of these participations sent
 * since `since` (a ban's "also delete their recent messages"); answers them.
 * The host's messages and system lines are never among them.
 */
export async function softDeleteRecentOf(db: DbExecutor, roomId: string, memberIds: string[], since: Date): Promise<MessageRow[]> {
  if (memberIds.length === 0) return [];
  return db
    .update(messages)
    .set({ deletedAt: new Date() })
    .where(
      and(
        eq(messages.roomId, roomId),
        inArray(messages.memberId, memberIds),
        isNull(messages.deletedAt),
        gte(messages.createdAt, since),
        notInArray(messages.type, ['host', 'system']),
      ),
    )
    .returning();
}

/** The message, locked for a change of its text. */
export async function lockInRoom(db: DbExecutor, roomId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.id, id)))
    .for('update');
  return row;
}

/** Keeps the text being replaced as an earlier version, and writes the new one. */
export async function replaceContent(db: DbExecutor, row: MessageRow, content: string, editId: string): Promise<void> {
  const now = new Date();
  await db.insert(messageEdits).values({ id: editId, messageId: row.id, content: row.content, editedAt: now });
  await db.update(messages).set({ content, editedAt: now }).where(eq(messages.id, row.id));
}

export async function editsOf(db: DbExecutor, messageId: string): Promise<MessageEditRow[]> {
  return db.select().from(messageEdits).where(eq(messageEdits.messageId, messageId)).orderBy(asc(messageEdits.editedAt), asc(messageEdits.id));
}

// ---- unread counters (conversations) ------------------------------------------

/**
 * A conversation member's unread messages after `watermark`, as SQL over
 * `members m`: messages others wrote, system and deleted ones (for everyone,
 * or by this member for themselves) not counted, at most UNREAD_COUNT_MAX.
 * The `messages (room_id, seq)` index bounds the work by what is unread.
 */
const unreadAfter = (watermark: SQL) => sql`(select count(*)::int from (
  select 1 from messages x
  where x.room_id = m.room_id and x.seq > ${watermark}
    and x.member_id is distinct from m.id and x.type <> 'system' and x.deleted_at is null
    and not exists (select 1 from message_hides h where h.member_id = m.id and h.seq = x.seq)
  limit ${UNREAD_COUNT_MAX}
) u)`;

/** Unread @mentions of `members m` after `watermark`: a range of `message_mentions`' key, at most MENTION_COUNT_MAX. */
const mentionsAfter = (watermark: SQL) => sql`(select count(*)::int from (
  select 1 from message_mentions mm where mm.member_id = m.id and mm.seq > ${watermark} limit ${MENTION_COUNT_MAX}
) mn)`;

/** The counter columns' new values for `members m` once its read watermark is `watermark`. */
export const recountedCounters = (watermark: SQL) => sql`unread_count = ${unreadAfter(watermark)}, mention_count = ${mentionsAfter(watermark)}`;

/** The room row's lock, which every send takes: changes to several members' counters take it first. */
export async function lockRoomRow(tx: DbExecutor, roomId: string): Promise<void> {
  await tx.execute(sql`select 1 from rooms where id = ${roomId}::uuid for update`);
}

/**
 * Counts these members' unread messages and mentions afresh. Takes their row
 * locks first, in a statement of its own, so that the count's snapshot
 * follows every send, read and delete that held them (a send's `+1` is never
 * overwritten by a count that could not see its message); with several
 * members, the room's lock first, the order senders take them in. Must run
 * in a transaction.
 */
export async function recountUnread(tx: DbExecutor, roomId: string, memberIds: string[]): Promise<void> {
  if (memberIds.length === 0) return;
  if (memberIds.length > 1) await lockRoomRow(tx, roomId);
  const ids = sql.join(memberIds.map((id) => sql`${id}::uuid`), sql`, `);
  await tx.execute(sql`select 1 from members where id in (${ids}) order by id for update`);
  await tx.execute(sql`update members m set ${recountedCounters(sql`m.last_read_seq`)} where m.id in (${ids}) and m.room_id = ${roomId}::uuid`);
}

/** The live members still behind `seq`: those whose counters a change to that message can move. */
export async function membersBehind(db: DbExecutor, roomId: string, seq: number): Promise<string[]> {
  const rows = await db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.roomId, roomId), isNull(members.removedAt), sql`${members.lastReadSeq} < ${seq}`));
  return rows.map((r) => r.id);
}
