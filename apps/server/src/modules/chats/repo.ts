import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { devices, members, participationDevices, roomAccessGrants, rooms, users, type MemberRow, type RoomRow } from '../../db/schema';

export async function insertRoom(db: DbExecutor, row: typeof rooms.$inferInsert): Promise<RoomRow> {
  const [created] = await db.insert(rooms).values(row).returning();
  return created!;
}

export async function updateRoom(db: DbExecutor, id: string, patch: Partial<typeof rooms.$inferInsert>): Promise<RoomRow> {
  const [updated] = await db.update(rooms).set(patch).where(eq(rooms.id, id)).returning();
  return updated!;
}

/** Dual sessions (SPEC §2.2): a signed-in request sees only the user's participation, a visitor only the device's. */
export async function findParticipation(
  db: DbExecutor,
  roomId: string,
  who: { userId: string } | { deviceId: string },
): Promise<MemberRow | undefined> {
  const where =
    'userId' in who
      ? and(eq(members.roomId, roomId), eq(members.userId, who.userId))
      : and(eq(members.roomId, roomId), eq(members.deviceId, who.deviceId), isNull(members.userId));
  const [row] = await db.select().from(members).where(where).limit(1);
  return row;
}

export async function findMember(db: DbExecutor, id: string): Promise<MemberRow | undefined> {
  const [row] = await db.select().from(members).where(eq(members.id, id)).limit(1);
  return row;
}

export async function findMemberByName(db: DbExecutor, roomId: string, usernameLower: string): Promise<MemberRow | undefined> {
  const [row] = await db
    .select()
    .from(members)
    .where(and(eq(members.roomId, roomId), eq(members.usernameLower, usernameLower)))
    .limit(1);
  return row;
}

export async function insertMember(db: DbExecutor, row: typeof members.$inferInsert): Promise<MemberRow> {
  const [created] = await db.insert(members).values(row).returning();
  return created!;
}

export async function listMembers(db: DbExecutor, roomId: string): Promise<MemberRow[]> {
  return db.select().from(members).where(eq(members.roomId, roomId)).orderBy(members.joinedAt);
}

export async function countMembers(db: DbExecutor, roomIds: string[]): Promise<Map<string, number>> {
  if (roomIds.length === 0) return new Map();
  const rows = await db
    .select({ roomId: members.roomId, n: count() })
    .from(members)
    .where(inArray(members.roomId, roomIds))
    .groupBy(members.roomId);
  return new Map(rows.map((r) => [r.roomId, Number(r.n)]));
}

export async function hostUsernames(db: DbExecutor, userIds: string[]): Promise<Map<string, string | null>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, userIds));
  return new Map(rows.map((r) => [r.id, r.username]));
}

export async function ensureDevice(db: DbExecutor, id: string): Promise<void> {
  await db.insert(devices).values({ id }).onConflictDoUpdate({ target: devices.id, set: { lastSeenAt: new Date() } });
}

/** Notes that a signed-in participation was entered from this device (a ban of either reaches the other). */
export async function noteDevice(db: DbExecutor, memberId: string, deviceId: string): Promise<void> {
  await db
    .insert(participationDevices)
    .values({ memberId, deviceId })
    .onConflictDoUpdate({ target: [participationDevices.memberId, participationDevices.deviceId], set: { lastSeenAt: new Date() } });
}

export async function hasGrant(db: DbExecutor, roomId: string, deviceId: string): Promise<boolean> {
  const [row] = await db
    .select({ roomId: roomAccessGrants.roomId })
    .from(roomAccessGrants)
    .where(and(eq(roomAccessGrants.roomId, roomId), eq(roomAccessGrants.deviceId, deviceId)))
    .limit(1);
  return Boolean(row);
}

export async function insertGrant(db: DbExecutor, roomId: string, deviceId: string): Promise<void> {
  await db.insert(roomAccessGrants).values({ roomId, deviceId }).onConflictDoNothing();
}

export async function roomsHostedBy(db: DbExecutor, userId: string): Promise<RoomRow[]> {
  return db
    .select()
    .from(rooms)
    .where(and(eq(rooms.hostUserId, userId), eq(rooms.kind, 'pop')))
    .orderBy(desc(rooms.createdAt));
}

export async function roomsJoinedBy(db: DbExecutor, userId: string): Promise<RoomRow[]> {
  const rows = await db
    .select({ room: rooms })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .where(and(eq(members.userId, userId), eq(rooms.kind, 'pop')))
    .orderBy(desc(members.joinedAt));
  return rows.map((r) => r.room).filter((r) => r.hostUserId !== userId);
}
