import { and, count, desc, eq, gt, inArray, isNull, lt, min, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { DbExecutor } from '../../db/client';
import { devices, members, usernameRolls, usernames, users, type UsernameRollRow, type UsernameRow } from '../../db/schema';

/** Whose a name or a roll is: a signed-in user, or an anonymous device (SPEC §2.2: separate identities). */
export type Identity = { userId: string; deviceId?: string | null } | { userId?: undefined; deviceId: string };

const isUser = (who: Identity): who is { userId: string; deviceId?: string | null } => typeof who.userId === 'string';

export async function findClaim(db: DbExecutor, nameLower: string): Promise<UsernameRow | undefined> {
  const [row] = await db.select().from(usernames).where(eq(usernames.nameLower, nameLower)).limit(1);
  return row;
}

export function ownsClaim(claim: UsernameRow, who: Identity): boolean {
  return isUser(who) ? claim.userId === who.userId : claim.userId === null && claim.deviceId === who.deviceId;
}

/**
 * Claims a name for `who`, or refreshes their own claim. Held by the primary
 * key: of two racing claims for one name, one inserts and the other meets the
 * conflict and gets nothing back. A user may also adopt a name held by the
 * device they are on (the upgrade path of SPEC §2.3). True when `who` holds it now.
 */
export async function claim(db: DbExecutor, name: string, who: Identity, opts: { adoptFromDevice?: string | null } = {}): Promise<boolean> {
  const userId = isUser(who) ? who.userId : null;
  const deviceId = isUser(who) ? null : who.deviceId;
  const mayTake = isUser(who)
    ? opts.adoptFromDevice
      ? sql`${usernames.userId} = excluded.user_id or (${usernames.userId} is null and ${usernames.deviceId} = ${opts.adoptFromDevice})`
      : sql`${usernames.userId} = excluded.user_id`
    : sql`${usernames.userId} is null and ${usernames.deviceId} = excluded.device_id`;
  const rows = await db
    .insert(usernames)
    .values({ nameLower: name.toLowerCase(), name, userId, deviceId })
    .onConflictDoUpdate({
      target: usernames.nameLower,
      // The holder's own spelling stays; a name that changes hands takes the new holder's.
      set: { name: sql`case when ${usernames.userId} is not distinct from excluded.user_id then ${usernames.name} else excluded.name end`, userId: sql`excluded.user_id`, deviceId: sql`excluded.device_id`, lastUsedAt: sql`now()` },
      setWhere: mayTake,
    })
    .returning({ nameLower: usernames.nameLower });
  return rows.length === 1;
}

/** Gives up every name an account holds (a registration replaced before anyone confirmed it). */
export async function releaseClaims(db: DbExecutor, userId: string): Promise<void> {
  await db.delete(usernames).where(eq(usernames.userId, userId));
}

/** The name this identity used most recently, other than a user's reserved one. */
export async function latestOwnedName(db: DbExecutor, who: Identity, exceptLower?: string | null): Promise<string | null> {
  const where = isUser(who) ? eq(usernames.userId, who.userId) : and(eq(usernames.deviceId, who.deviceId), isNull(usernames.userId));
  const rows = await db.select({ name: usernames.name, nameLower: usernames.nameLower }).from(usernames).where(where).orderBy(desc(usernames.lastUsedAt)).limit(2);
  return rows.find((r) => r.nameLower !== exceptLower)?.name ?? null;
}

const rollsOf = (who: Identity) =>
  isUser(who) ? eq(usernameRolls.userId, who.userId) : and(eq(usernameRolls.deviceId, who.deviceId), isNull(usernameRolls.userId));

/** The rolls counted against this hour's allowance, and when the oldest of them stops counting. */
export async function rollsSince(db: DbExecutor, who: Identity, since: Date): Promise<{ count: number; oldest: Date | null }> {
  const [row] = await db
    .select({ n: count(), oldest: min(usernameRolls.createdAt) })
    .from(usernameRolls)
    .where(and(rollsOf(who), gt(usernameRolls.createdAt, since)));
  const oldest = row?.oldest ?? null;
  return { count: Number(row?.n ?? 0), oldest: oldest ? new Date(oldest) : null };
}

export async function latestRoll(db: DbExecutor, who: Identity, since: Date): Promise<UsernameRollRow | undefined> {
  const [row] = await db
    .select()
    .from(usernameRolls)
    .where(and(rollsOf(who), gt(usernameRolls.createdAt, since)))
    .orderBy(desc(usernameRolls.createdAt))
    .limit(1);
  return row;
}

export async function wasRolledFor(db: DbExecutor, who: Identity, nameLower: string, since: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: usernameRolls.id })
    .from(usernameRolls)
    .where(and(rollsOf(who), eq(usernameRolls.nameLower, nameLower), gt(usernameRolls.createdAt, since)))
    .limit(1);
  return Boolean(row);
}

/** Of these names, the ones claimed by anyone or offered to anyone since `since`. */
export async function unavailableNames(db: DbExecutor, lowerNames: string[], since: Date): Promise<Set<string>> {
  if (lowerNames.length === 0) return new Set();
  const [claimed, rolled] = await Promise.all([
    db.select({ n: usernames.nameLower }).from(usernames).where(inArray(usernames.nameLower, lowerNames)),
    db
      .select({ n: usernameRolls.nameLower })
      .from(usernameRolls)
      .where(and(inArray(usernameRolls.nameLower, lowerNames), gt(usernameRolls.createdAt, since))),
  ]);
  return new Set([...claimed, ...rolled].map((r) => r.n));
}

export async function insertRoll(db: DbExecutor, row: { who: Identity; roomId: string; name: string }): Promise<void> {
  await db.insert(usernameRolls).values({
    id: uuidv7(),
    userId: isUser(row.who) ? row.who.userId : null,
    deviceId: row.who.deviceId ?? null,
    roomId: row.roomId,
    name: row.name,
    nameLower: row.name.toLowerCase(),
  });
}

/**
 * Serialises one identity's rolls (count, then insert) so two parallel rolls
 * cannot both take the last one: the identity's row is locked until commit.
 */
export async function lockIdentity(db: DbExecutor, who: Identity): Promise<void> {
  if (isUser(who)) await db.select({ id: users.id }).from(users).where(eq(users.id, who.userId)).for('update');
  else await db.select({ id: devices.id }).from(devices).where(eq(devices.id, who.deviceId)).for('update');
}

/** Rolls older than this can no longer be joined with, counted, or block a suggestion. */
export async function deleteRollsBefore(db: DbExecutor, before: Date): Promise<void> {
  await db.delete(usernameRolls).where(lt(usernameRolls.createdAt, before));
}

/** New anonymous participants this IP has added to a room (SPEC §2.2: at most 3). */
export async function countAnonymousFromIp(db: DbExecutor, roomId: string, ip: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(members)
    .where(and(eq(members.roomId, roomId), eq(members.ip, ip), isNull(members.userId)));
  return Number(row?.n ?? 0);
}

/** Serialises the anonymous joins of one IP in one room until commit, so the per-IP count cannot be overrun. */
export async function lockRoomIp(db: DbExecutor, roomId: string, ip: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`anon-join:${roomId}:${ip}`}))`);
}

