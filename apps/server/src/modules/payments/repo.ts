import { and, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { members, payments, rooms, type MemberRow, type PaymentRow, type RoomRow } from '../../db/schema';

export async function findPayment(db: DbExecutor, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id)).limit(1);
  return row;
}

export async function findByIdempotencyKey(db: DbExecutor, payerKey: string, key: string): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.payerKey, payerKey), eq(payments.idempotencyKey, key)))
    .limit(1);
  return row;
}

export async function insertPayment(db: DbExecutor, row: typeof payments.$inferInsert): Promise<PaymentRow> {
  const [created] = await db.insert(payments).values(row).returning();
  return created!;
}

/**
 * Serializes the purchases of one scope (a chat's seats and pins, one payer's
 * spending) for the rest of the transaction, on every node: a transaction-level
 * advisory lock that PostgreSQL releases at commit or rollback.
 */
export async function lockScope(db: DbExecutor, scope: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${scope}::text, 0))`);
}

/** What a payer has spent, or holds in pending payments, since `since`. */
export async function spentSince(db: DbExecutor, payerKey: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ total: sql<string | null>`sum(${payments.amountCents})` })
    .from(payments)
    .where(and(eq(payments.payerKey, payerKey), inArray(payments.status, ['pending', 'succeeded']), gt(payments.createdAt, since)));
  return Number(row?.total ?? 0);
}

/** The one status move: only from `from`, so two racing moves make one change. */
export async function moveStatus(
  db: DbExecutor,
  id: string,
  from: PaymentRow['status'][],
  patch: Partial<typeof payments.$inferInsert> & { status: PaymentRow['status'] },
  opts: { unexpired?: boolean } = {},
): Promise<PaymentRow | undefined> {
  const conditions = [eq(payments.id, id), inArray(payments.status, from)];
  if (opts.unexpired) conditions.push(sql`${payments.expiresAt} > now()`);
  const [row] = await db
    .update(payments)
    .set(patch)
    .where(and(...conditions))
    .returning();
  return row;
}

export async function setIntent(db: DbExecutor, id: string, ref: string, clientSecret: string | null): Promise<PaymentRow | undefined> {
  const [row] = await db.update(payments).set({ providerRef: ref, clientSecret }).where(eq(payments.id, id)).returning();
  return row;
}

export async function setFailureReason(db: DbExecutor, id: string, reason: string): Promise<void> {
  await db
    .update(payments)
    .set({ failureReason: reason })
    .where(and(eq(payments.id, id), eq(payments.status, 'pending')));
}

/** Pending payments whose hold ran out: expired in one statement, so each is expired by one node. */
export async function expireDue(db: DbExecutor): Promise<PaymentRow[]> {
  return db
    .update(payments)
    .set({ status: 'expired', failureReason: 'The payment was not completed in time; what it held was released.' })
    .where(and(eq(payments.status, 'pending'), sql`${payments.expiresAt} <= now()`))
    .returning();
}

export async function listForPayer(db: DbExecutor, payerKeys: string[], limit = 200): Promise<PaymentRow[]> {
  if (payerKeys.length === 0) return [];
  return db
    .select()
    .from(payments)
    .where(inArray(payments.payerKey, payerKeys))
    .orderBy(desc(payments.createdAt))
    .limit(limit);
}

/** Succeeded and refunded payments of the host's pop chats, newest first, with the payer's name. */
export async function listForHost(db: DbExecutor, hostUserId: string, limit = 500) {
  return db
    .select({ payment: payments, payerName: members.username })
    .from(payments)
    .innerJoin(rooms, eq(rooms.id, payments.roomId))
    .innerJoin(members, eq(members.id, payments.payerMemberId))
    .where(and(eq(rooms.hostUserId, hostUserId), or(eq(payments.status, 'succeeded'), eq(payments.status, 'refunded'))))
    .orderBy(desc(payments.createdAt))
    .limit(limit);
}

export async function payerName(db: DbExecutor, memberId: string): Promise<string | null> {
  const [row] = await db.select({ username: members.username }).from(members).where(eq(members.id, memberId)).limit(1);
  return row?.username ?? null;
}

export async function setMessage(db: DbExecutor, id: string, messageId: string): Promise<PaymentRow | undefined> {
  const [row] = await db.update(payments).set({ messageId }).where(eq(payments.id, id)).returning();
  return row;
}

/**
 * Fulfilment's reads, under row locks for the rest of its transaction: the
 * payment while still pending and unexpired (a second fulfilment waits, then
 * finds it settled), and the chat and the payer as they are now, shared, so a
 * ban, a lock or an end that commits meanwhile waits for the fulfilment, or the
 * fulfilment for it, never half of each.
 */
export async function lockPending(db: DbExecutor, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.id, id), eq(payments.status, 'pending'), sql`${payments.expiresAt} > now()`))
    .for('update');
  return row;
}

export async function lockRoom(db: DbExecutor, id: string): Promise<RoomRow | undefined> {
  const [row] = await db.select().from(rooms).where(eq(rooms.id, id)).for('share');
  return row;
}

export async function lockMember(db: DbExecutor, id: string): Promise<MemberRow | undefined> {
  const [row] = await db.select().from(members).where(eq(members.id, id)).for('share');
  return row;
}
