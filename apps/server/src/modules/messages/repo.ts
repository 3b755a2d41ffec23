import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { REACTION_NAMES_MAX, type Reaction } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { members, messages, reactions, rooms, type MessageRow } from '../../db/schema';

export async function findByClientId(db: DbExecutor, roomId: string, clientId: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.clientId, clientId)))
    .limit(1);
  return row;
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

/** Takes the room's next seq; the row lock it holds until commit keeps seq gap-free and ordered. */
export async function nextSeq(db: DbExecutor, roomId: string): Promise<number> {
  const [row] = await db
    .update(rooms)
    .set({ lastSeq: sql`${rooms.lastSeq} + 1` })
    .where(eq(rooms.id, roomId))
    .returning({ lastSeq: rooms.lastSeq });
  if (!row) throw new Error(`room ${roomId} vanished during a send`);
  return row.lastSeq;
}

export async function insertMessage(db: DbExecutor, row: typeof messages.$inferInsert): Promise<MessageRow> {
  const [created] = await db.insert(messages).values(row).returning();
  return created!;
}

export async function latest(db: DbExecutor, roomId: string, limit: number): Promise<MessageRow[]> {
  const rows = await db.select().from(messages).where(eq(messages.roomId, roomId)).orderBy(desc(messages.seq)).limit(limit);
  return rows.reverse();
}

export async function before(db: DbExecutor, roomId: string, seq: number, limit: number): Promise<MessageRow[]> {
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), lt(messages.seq, seq)))
    .orderBy(desc(messages.seq))
    .limit(limit);
  return rows.reverse();
}

export async function after(db: DbExecutor, roomId: string, seq: number, limit: number, beforeSeq?: number): Promise<MessageRow[]> {
  const where =
    beforeSeq === undefined
      ? and(eq(messages.roomId, roomId), gt(messages.seq, seq))
      : and(eq(messages.roomId, roomId), gt(messages.seq, seq), lt(messages.seq, beforeSeq));
  return db.select().from(messages).where(where).orderBy(asc(messages.seq)).limit(limit);
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
