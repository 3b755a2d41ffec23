import { and, eq, gt, isNull, lt, ne, notExists, or, sql } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { members, passwordResets, rooms, sessions, usernames, users, type SessionRow, type UserRow } from '../../db/schema';

export async function findUserByEmail(db: DbExecutor, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

export async function findUserById(db: DbExecutor, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function findUserByUsername(db: DbExecutor, username: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.usernameLower, username.toLowerCase())).limit(1);
  return row;
}

export async function insertUser(db: DbExecutor, row: typeof users.$inferInsert): Promise<UserRow> {
  const [created] = await db.insert(users).values(row).returning();
  return created!;
}

/** Inserts the account unless its email has one already (then null: the caller answers the same either way). */
export async function insertUserUnlessEmailTaken(db: DbExecutor, row: typeof users.$inferInsert): Promise<UserRow | null> {
  const [created] = await db.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning();
  return created ?? null;
}

/** The account of an email, its row locked until the transaction ends (a re-registration against a confirmation or another one). */
export async function lockUserByEmail(db: DbExecutor, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1).for('update');
  return row;
}

/**
 * Marks the email confirmed; returns the account only if this call did it (a
 * link works once). With `registration`, only while that is the account's
 * latest registration and it started after `registeredAfter`.
 */
export async function confirmEmail(
  db: DbExecutor,
  userId: string,
  registration?: { registrationId: string; registeredAfter: Date },
): Promise<UserRow | null> {
  const [row] = await db
    .update(users)
    .set({ emailConfirmedAt: new Date() })
    .where(
      and(
        eq(users.id, userId),
        isNull(users.emailConfirmedAt),
        registration ? eq(users.registrationId, registration.registrationId) : undefined,
        registration ? gt(users.registeredAt, registration.registeredAfter) : undefined,
      ),
    )
    .returning();
  return row ?? null;
}

/** A new registration of an unconfirmed address takes the account over whole: password, username, link, and a week from now. */
export async function replaceRegistration(
  db: DbExecutor,
  userId: string,
  patch: { passwordHash: string; username: string | null; usernameLower: string | null; registrationId: string },
): Promise<UserRow | null> {
  const [row] = await db
    .update(users)
    .set({ ...patch, registeredAt: new Date() })
    .where(and(eq(users.id, userId), isNull(users.emailConfirmedAt)))
    .returning();
  return row ?? null;
}

/**
 * Deletes unconfirmed accounts registered before `before` (their username
 * claims, rolls and reset links go with them), only those `among` picks when
 * given: an email, a username. An account that somehow has chats is left.
 * Returns how many went.
 */
export async function deletePendingRegistrations(db: DbExecutor, before: Date, among?: { email?: string; usernameLower?: string | null }): Promise<number> {
  const picks = among
    ? or(
        among.email !== undefined ? eq(users.email, among.email) : undefined,
        among.usernameLower ? eq(users.usernameLower, among.usernameLower) : undefined,
        among.usernameLower
          ? sql`${users.id} in (select ${usernames.userId} from ${usernames} where ${usernames.nameLower} = ${among.usernameLower})`
          : undefined,
      )
    : undefined;
  if (among && !picks) return 0;
  const rows = await db
    .delete(users)
    .where(
      and(
        isNull(users.emailConfirmedAt),
        lt(users.registeredAt, before),
        picks,
        notExists(db.select({ one: sql`1` }).from(members).where(eq(members.userId, users.id))),
        notExists(db.select({ one: sql`1` }).from(rooms).where(eq(rooms.hostUserId, users.id))),
      ),
    )
    .returning({ id: users.id });
  return rows.length;
}

export async function insertSession(db: DbExecutor, row: typeof sessions.$inferInsert): Promise<SessionRow> {
  const [created] = await db.insert(sessions).values(row).returning();
  return created!;
}

export async function findSession(db: DbExecutor, id: string): Promise<SessionRow | undefined> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id)).limit(1);
  return row;
}

/** Swaps the stored hash only if it is still the one presented: two racing refreshes cannot both win. */
export async function rotateSession(db: DbExecutor, id: string, fromHash: string, toHash: string): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ tokenHash: toHash, lastUsedAt: new Date() })
    .where(and(eq(sessions.id, id), eq(sessions.tokenHash, fromHash), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length === 1;
}

/* Each revoke returns the sessions it ended, whose live connections the caller then ends (ports.ts, SessionSockets). */

export async function revokeSession(db: DbExecutor, id: string): Promise<string[]> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function revokeAllSessions(db: DbExecutor, userId: string): Promise<string[]> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function listActiveSessions(db: DbExecutor, userId: string): Promise<SessionRow[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
  const now = Date.now();
  return rows.filter((s) => s.expiresAt.getTime() > now).sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
}

export async function revokeOtherSessions(db: DbExecutor, userId: string, keepSessionId: string): Promise<string[]> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), ne(sessions.id, keepSessionId)))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function setPassword(db: DbExecutor, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

/** A new reset link makes the user's earlier unused ones void. */
export async function replaceResetToken(db: DbExecutor, row: typeof passwordResets.$inferInsert): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(passwordResets).set({ usedAt: new Date() }).where(and(eq(passwordResets.userId, row.userId), isNull(passwordResets.usedAt)));
    await tx.insert(passwordResets).values(row);
  });
}

export async function findResetToken(db: DbExecutor, tokenHash: string) {
  const [row] = await db.select().from(passwordResets).where(eq(passwordResets.tokenHash, tokenHash)).limit(1);
  return row;
}

export async function useResetToken(db: DbExecutor, id: string): Promise<boolean> {
  const rows = await db
    .update(passwordResets)
    .set({ usedAt: new Date() })
    .where(and(eq(passwordResets.id, id), isNull(passwordResets.usedAt)))
    .returning({ id: passwordResets.id });
  if (rows.length === 1) {
    // Every other open link of the account goes with it.
    const [used] = await db.select({ userId: passwordResets.userId }).from(passwordResets).where(eq(passwordResets.id, id));
    if (used) await db.update(passwordResets).set({ usedAt: new Date() }).where(and(eq(passwordResets.userId, used.userId), isNull(passwordResets.usedAt)));
  }
  return rows.length === 1;
}

export async function updateUser(db: DbExecutor, id: string, patch: Partial<typeof users.$inferInsert>): Promise<UserRow> {
  const [row] = await db.update(users).set(patch).where(eq(users.id, id)).returning();
  return row!;
}
