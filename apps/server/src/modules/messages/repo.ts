import { and, asc, between, desc, eq, gte, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { REACTION_NAMES_MAX, type Attachment, type Reaction } from '@chatpop/protocol';
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
 * atomic): a message this sender already stored under this client id is
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
      returning last_seq
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
