import { and, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { auditLog, bans, members, reactions, reports, rooms, type AuditRow, type MemberRow, type ReportRow } from '../../db/schema';

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

/** An active ban of this room matching the account, the device or the IP. */
export async function findActiveBan(db: DbExecutor, roomId: string, who: { userId?: string | null; deviceId?: string | null; ip?: string | null }) {
  const matches: SQL[] = [];
  if (who.userId) matches.push(eq(bans.userId, who.userId));
  if (who.deviceId) matches.push(eq(bans.deviceId, who.deviceId));
  if (who.ip) matches.push(eq(bans.ip, who.ip));
  if (matches.length === 0) return undefined;
  const [row] = await db
    .select()
    .from(bans)
    .where(and(eq(bans.roomId, roomId), isNull(bans.liftedAt), or(...matches)))
    .limit(1);
  return row;
}

export async function insertBan(db: DbExecutor, row: typeof bans.$inferInsert) {
  await db.insert(bans).values(row);
}

export async function liftBans(db: DbExecutor, roomId: string, memberId: string) {
  await db
    .update(bans)
    .set({ liftedAt: new Date() })
    .where(and(eq(bans.roomId, roomId), eq(bans.memberId, memberId), isNull(bans.liftedAt)));
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
