import { and, eq, or, sql } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { userBlocks } from '../../db/schema';

/**
 * Blocks between accounts (SPEC §4): the queries every feature asks. A block
 * made by either side stops messaging, group adds, invites, contact requests,
 * mentions, presence and people search between the two ("either way"); in pop
 * chats only the blocker stops seeing the blocked person ("blocked by").
 */

/** Whether either of the two accounts has blocked the other. */
export async function blockedEitherWay(db: DbExecutor, a: string, b: string): Promise<boolean> {
  if (a === b) return false;
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(userBlocks)
    .where(
      or(
        and(eq(userBlocks.blockerId, a), eq(userBlocks.blockedId, b)),
        and(eq(userBlocks.blockerId, b), eq(userBlocks.blockedId, a)),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** The accounts `userId` has blocked. */
export async function blockedBy(db: DbExecutor, userId: string): Promise<string[]> {
  const rows = await db.select({ id: userBlocks.blockedId }).from(userBlocks).where(eq(userBlocks.blockerId, userId));
  return rows.map((r) => r.id);
}

/** Every account with a block between it and `userId`, whichever side made it. */
export async function blockedEitherWayWith(db: DbExecutor, userId: string): Promise<string[]> {
  const rows = await db
    .select({ blocker: userBlocks.blockerId, blocked: userBlocks.blockedId })
    .from(userBlocks)
    .where(or(eq(userBlocks.blockerId, userId), eq(userBlocks.blockedId, userId)));
  return [...new Set(rows.map((r) => (r.blocker === userId ? r.blocked : r.blocker)))];
}
