import { and, eq, inArray, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { members, userBlocks } from '../../db/schema';

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

/** The accounts that have blocked `userId`. */
export async function blockersOf(db: DbExecutor, userId: string): Promise<string[]> {
  const rows = await db.select({ id: userBlocks.blockerId }).from(userBlocks).where(eq(userBlocks.blockedId, userId));
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

/**
 * SQL for "no block either way between these two accounts", to put in the
 * WHERE of a query that pairs people (presence partners, people search,
 * mentions). Each side is a column or a uuid parameter.
 */
export function notBlockedSql(a: SQL | AnyColumn, b: SQL | AnyColumn): SQL {
  return sql`not exists (select 1 from ${userBlocks} where (${userBlocks.blockerId} = ${a} and ${userBlocks.blockedId} = ${b}) or (${userBlocks.blockerId} = ${b} and ${userBlocks.blockedId} = ${a}))`;
}

/**
 * The participations in `roomId` whose accounts blocked any of `userIds`:
 * the readers who must not see what those people write, react or type in a
 * pop chat. Empty (one index probe) for people nobody blocked.
 */
export async function blockerMembersIn(db: DbExecutor, roomId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ id: members.id })
    .from(userBlocks)
    .innerJoin(members, and(eq(members.userId, userBlocks.blockerId), eq(members.roomId, roomId)))
    .where(inArray(userBlocks.blockedId, userIds));
  return rows.map((r) => r.id);
}

/** The participations in `roomId` of the accounts `userId` blocked: whose messages this reader does not see. */
export async function blockedMembersIn(db: DbExecutor, roomId: string, userId: string): Promise<Set<string>> {
  const rows = await db
    .select({ id: members.id })
    .from(userBlocks)
    .innerJoin(members, and(eq(members.userId, userBlocks.blockedId), eq(members.roomId, roomId)))
    .where(eq(userBlocks.blockerId, userId));
  return new Set(rows.map((r) => r.id));
}
