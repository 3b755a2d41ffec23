import { and, between, eq, isNull } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { members, messageHides, pinnedMessages, type MessageRow, type PinnedMessageRow } from '../../db/schema';

// ---- delete for me ------------------------------------------------------------

/** Hides a message from one member; false when it was hidden already. */
export async function hide(db: DbExecutor, memberId: string, message: Pick<MessageRow, 'id' | 'seq'>): Promise<boolean> {
  const rows = await db
    .insert(messageHides)
    .values({ memberId, seq: message.seq, messageId: message.id })
    .onConflictDoNothing()
    .returning({ seq: messageHides.seq });
  return rows.length > 0;
}

export async function isHidden(db: DbExecutor, memberId: string, seq: number): Promise<boolean> {
  const [row] = await db
    .select({ seq: messageHides.seq })
    .from(messageHides)
    .where(and(eq(messageHides.memberId, memberId), eq(messageHides.seq, seq)))
    .limit(1);
  return row !== undefined;
}

/** The seqs from..to a member deleted for themselves: one range of the table's key. */
export async function hiddenSeqs(db: DbExecutor, memberId: string, from: number, to: number): Promise<Set<number>> {
  if (to < from) return new Set();
  const rows = await db
    .select({ seq: messageHides.seq })
    .from(messageHides)
    .where(and(eq(messageHides.memberId, memberId), between(messageHides.seq, from, to)));
  return new Set(rows.map((r) => r.seq));
}

/** The accounts (live members) that deleted this message for themselves. */
export async function hiddenByUsers(db: DbExecutor, messageId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: members.userId })
    .from(messageHides)
    .innerJoin(members, eq(members.id, messageHides.memberId))
    .where(and(eq(messageHides.messageId, messageId), isNull(members.removedAt)));
  return rows.map((r) => r.userId).filter((id): id is string => id !== null);
}

// ---- pinned message -------------------------------------------------------------

export async function pinnedOf(db: DbExecutor, roomId: string): Promise<(PinnedMessageRow & { pinnedByUsername: string }) | undefined> {
  const [row] = await db
    .select({ pin: pinnedMessages, pinnedByUsername: members.username })
    .from(pinnedMessages)
    .innerJoin(members, eq(members.id, pinnedMessages.pinnedByMemberId))
    .where(eq(pinnedMessages.roomId, roomId))
    .limit(1);
  return row ? { ...row.pin, pinnedByUsername: row.pinnedByUsername } : undefined;
}

/** Pins a message in its room, in place of the one pinned before. */
export async function setPin(db: DbExecutor, roomId: string, messageId: string, memberId: string): Promise<void> {
  const now = new Date();
  await db
    .insert(pinnedMessages)
    .values({ roomId, messageId, pinnedByMemberId: memberId, pinnedAt: now })
    .onConflictDoUpdate({ target: pinnedMessages.roomId, set: { messageId, pinnedByMemberId: memberId, pinnedAt: now } });
}

/** Unpins the room's message (only `messageId`, when given); true when one was pinned. */
export async function clearPin(db: DbExecutor, roomId: string, messageId?: string): Promise<boolean> {
  const rows = await db
    .delete(pinnedMessages)
    .where(and(eq(pinnedMessages.roomId, roomId), messageId ? eq(pinnedMessages.messageId, messageId) : undefined))
    .returning({ roomId: pinnedMessages.roomId });
  return rows.length > 0;
}
