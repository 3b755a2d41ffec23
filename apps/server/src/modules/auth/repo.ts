import { and, eq, isNull, ne } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { passwordResets, sessions, users, type SessionRow, type UserRow } from '../../db/schema';

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

/** Marks the email confirmed; returns the account only if this call did it (a link works once). */
export async function confirmEmail(db: DbExecutor, userId: string): Promise<UserRow | null> {
  const [row] = await db
    .update(users)
    .set({ emailConfirmedAt: new Date() })
    .where(and(eq(users.id, userId), isNull(users.emailConfirmedAt)))
    .returning();
  return row ?? null;
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

export async function revokeSession(db: DbExecutor, id: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
}

export async function revokeAllSessions(db: DbExecutor, userId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

export async function listActiveSessions(db: DbExecutor, userId: string): Promise<SessionRow[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
  const now = Date.now();
  return rows.filter((s) => s.expiresAt.getTime() > now).sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
}

export async function revokeOtherSessions(db: DbExecutor, userId: string, keepSessionId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), ne(sessions.id, keepSessionId)));
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
