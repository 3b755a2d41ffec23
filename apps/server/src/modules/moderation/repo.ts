import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import {
  auditLog,
  bans,
  members,
  participationDevices,
  reactions,
  reports,
  rooms,
  type AuditRow,
  type BanRow,
  type MemberRow,
  type ReportRow,
} from '../../db/schema';

export async function updateMember(db: DbExecutor, id: string, patch: Partial<typeof members.$inferInsert>): Promise<MemberRow> {
  const [row] = await db.update(members).set(patch).where(eq(members.id, id)).returning();
  return row!;
}

/** The same person's participation in the Back Room of a pop chat, if they have one. */
export async function backroomParticipationOf(db: DbExecutor, popRoomId: string, target: MemberRow): Promise<MemberRow | undefined> {
  const identity = target.userId ? eq(members.userId, target.userId) : and(eq(members.deviceId, target.deviceId!), isNull(members.userId));
  const [row] = await db
    .select({ member: members })
    .from(members)
    .innerJoin(rooms, eq(rooms.id, members.roomId))
    .where(and(eq(rooms.parentRoomId, popRoomId), eq(rooms.kind, 'backroom'), identity))
    .limit(1);
  return row?.member;
}

/** Who a ban lookup asks about: any of these participations, accounts, devices or networks. */
export interface BanQuery {
  memberIds?: string[];
  userIds?: string[];
  deviceIds?: string[];
  ips?: string[];
}

/** The active bans of this room (a pop chat) that name any of these identities. */
export async function findActiveBans(db: DbExecutor, roomId: string, who: BanQuery, limit = 1): Promise<BanRow[]> {
  const matches: SQL[] = [];
  if (who.memberIds?.length) matches.push(inArray(bans.memberId, who.memberIds));
  if (who.userIds?.length) matches.push(inArray(bans.userId, who.userIds));
  if (who.deviceIds?.length) matches.push(inArray(bans.deviceId, who.deviceIds));
  if (who.ips?.length) matches.push(inArray(bans.ip, who.ips));
  if (matches.length === 0) return [];
  return db
    .select()
    .from(bans)
    .where(and(eq(bans.roomId, roomId), isNull(bans.liftedAt), or(...matches)))
    .orderBy(bans.createdAt)
    .limit(limit);
}

export async function insertBans(db: DbExecutor, rows: (typeof bans.$inferInsert)[]) {
  if (rows.length > 0) await db.insert(bans).values(rows);
}

/** Lifts every active ban of the room that names any of these identities. */
export async function liftBans(db: DbExecutor, roomId: string, who: BanQuery) {
  const matches: SQL[] = [];
  if (who.memberIds?.length) matches.push(inArray(bans.memberId, who.memberIds));
  if (who.userIds?.length) matches.push(inArray(bans.userId, who.userIds));
  if (who.deviceIds?.length) matches.push(inArray(bans.deviceId, who.deviceIds));
  if (matches.length === 0) return;
  await db
    .update(bans)
    .set({ liftedAt: new Date() })
    .where(and(eq(bans.roomId, roomId), isNull(bans.liftedAt), or(...matches)));
}

/** The devices signed-in participations were entered from (participation_devices). */
export async function devicesOf(db: DbExecutor, memberIds: string[]): Promise<string[]> {
  if (memberIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ deviceId: participationDevices.deviceId })
    .from(participationDevices)
    .where(inArray(participationDevices.memberId, memberIds));
  return rows.map((r) => r.deviceId);
}

/**
 * The participations in a room of the accounts and devices given: each
 * account's own, each device's anonymous one, and every signed-in one that was
 * entered from one of the devices.
 */
export async function participationsOf(db: DbExecutor, roomId: string, userIds: string[], deviceIds: string[]): Promise<MemberRow[]> {
  const matches: SQL[] = [];
  if (userIds.length > 0) matches.push(inArray(members.userId, userIds));
  if (deviceIds.length > 0) {
    matches.push(and(isNull(members.userId), inArray(members.deviceId, deviceIds))!);
    matches.push(
      inArray(
        members.id,
        db.select({ id: participationDevices.memberId }).from(participationDevices).where(inArray(participationDevices.deviceId, deviceIds)),
      ),
    );
  }
  if (matches.length === 0) return [];
  return db
    .select()
    .from(members)
    .where(and(eq(members.roomId, roomId), or(...matches)));
}

/** Marks participations banned (a date) or lifts it (null); returns them as they are now. */
export async function setBanned(db: DbExecutor, ids: string[], bannedAt: Date | null): Promise<MemberRow[]> {
  if (ids.length === 0) return [];
  return db.update(members).set({ bannedAt }).where(inArray(members.id, ids)).returning();
}

export async function setReaction(db: DbExecutor, messageId: string, memberId: string, emoji: string, on: boolean) {
  if (on) await db.insert(reactions).values({ messageId, memberId, emoji }).onConflictDoNothing();
  else await db.delete(reactions).where(and(eq(reactions.messageId, messageId), eq(reactions.memberId, memberId), eq(reactions.emoji, emoji)));
}

export async function distinctEmoji(db: DbExecutor, messageId: string): Promise<string[]> {
  const rows = await db.selectDistinct({ emoji: reactions.emoji }).from(reactions).where(eq(reactions.messageId, messageId));
  return rows.map((r) => r.emoji);
}

/** Reporting a message twice is the same report. */
export async function insertReport(db: DbExecutor, row: typeof reports.$inferInsert): Promise<{ report: ReportRow; created: boolean }> {
  const [created] = await db.insert(reports).values(row).onConflictDoNothing().returning();
  if (created) return { report: created, created: true };
  const [existing] = await db
    .select()
    .from(reports)
    .where(and(eq(reports.messageId, row.messageId), eq(reports.reporterMemberId, row.reporterMemberId)))
    .limit(1);
  return { report: existing!, created: false };
}

export async function listReports(db: DbExecutor, roomId: string, onlyOpen: boolean) {
  return db
    .select({ report: reports, reporter: { id: members.id, username: members.username } })
    .from(reports)
    .innerJoin(members, eq(members.id, reports.reporterMemberId))
    .where(onlyOpen ? and(eq(reports.roomId, roomId), eq(reports.status, 'open')) : eq(reports.roomId, roomId))
    .orderBy(desc(reports.createdAt))
    .limit(200);
}

export async function findReport(db: DbExecutor, roomId: string, id: string): Promise<ReportRow | undefined> {
  const [row] = await db
    .select()
    .from(reports)
    .where(and(eq(reports.roomId, roomId), eq(reports.id, id)))
    .limit(1);
  return row;
}

export async function updateReport(db: DbExecutor, id: string, patch: Partial<typeof reports.$inferInsert>): Promise<ReportRow> {
  const [row] = await db.update(reports).set(patch).where(eq(reports.id, id)).returning();
  return row!;
}

export async function insertAudit(db: DbExecutor, row: typeof auditLog.$inferInsert) {
  await db.insert(auditLog).values(row);
}

export async function listAudit(db: DbExecutor, roomId: string): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(eq(auditLog.roomId, roomId))
    .orderBy(desc(auditLog.createdAt), desc(sql`${auditLog.id}`))
    .limit(200);
}
