import { createHash } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { sql } from 'drizzle-orm';
import { CURRENCY, formatCents, type Earnings, type EarningsTotals, type Payment, type PaymentPurpose } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import { track } from '../../context';
import type { Tx } from '../../db/client';
import { uniqueViolation } from '../../db/errors';
import type { MemberRow, PaymentRow, RoomRow } from '../../db/schema';
import { AppError, conflict } from '../../errors';
import type { StoredMessage } from '../../infra/cache';
import { hideFromBlockers } from '../contacts/hiding';
import { cachePut, paidMessage } from '../messages/service';
import * as backroom from '../backroom/service';
import * as pins from '../pins/service';
import * as tips from '../tips/service';
import { checkDeliverable, type Payer } from './policy';
import * as repo from './repo';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PurchaseSpec {
  purpose: PaymentPurpose;
  amountCents: number;
  /** A tip's note or a new pin's text. */
  note: string | null;
  /** A pin of an existing message. */
  messageId: string | null;
  /** Holds what the payment buys (a seat, a pin's price), inside the purchase transaction; throws to refuse. */
  hold?: (tx: Tx, payment: PaymentRow) => Promise<void>;
}

/** What a status change did, to announce once the transaction has committed. */
export interface Effects {
  messages: StoredMessage[];
  pinsChanged: boolean;
  seatsChanged: boolean;
  /** A Back Room participation that was revoked (its connections are dropped). */
  removed: MemberRow | null;
}
const noEffects = (): Effects => ({ messages: [], pinsChanged: false, seatsChanged: false, removed: null });

function requestHash(roomId: string, spec: PurchaseSpec): string {
  return createHash('sha256')
    .update(JSON.stringify([roomId, spec.purpose, spec.amountCents, spec.note, spec.messageId]))
    .digest('base64url');
}

export function describe(purpose: PaymentPurpose, chatName: string): string {
  if (purpose === 'seat') return `Back Room seat in ${chatName}`;
  if (purpose === 'pin') return `Paid pin in ${chatName}`;
  return `Tip to the host of ${chatName}`;
}

/**
 * A purchase (docs/payments.md): the idempotency key first (the same key and
 * body give the same payment back); then, in one transaction under the chat's
 * and the payer's locks, the daily spending cap, the ledger row and the hold
 * (a seat, a pin's price); then the provider's intent. Nothing is charged
 * before every rule has passed.
 */
export async function purchase(ctx: AppContext, payer: Payer, idempotencyKey: string, spec: PurchaseSpec): Promise<{ payment: PaymentRow; created: boolean }> {
  const hash = requestHash(payer.room.id, spec);
  const existing = await repo.findByIdempotencyKey(ctx.db, payer.key, idempotencyKey);
  if (existing) return { payment: sameRequest(existing, hash), created: false };
  await ctx.limits.consume('purchases', payer.key);
  const [cap, feeBps] = await Promise.all([ctx.settings.get('dailySpendingCapCents'), ctx.settings.get('platformFeeBasisPoints')]);
  const feeCents = Math.floor((spec.amountCents * feeBps) / 10_000);
  let payment: PaymentRow;
  let fresh = true;
  try {
    payment = await ctx.db.transaction(async (tx) => {
      await repo.lockScope(tx, `purchase:${payer.room.id}`);
      await repo.lockScope(tx, `payer:${payer.key}`);
      const again = await repo.findByIdempotencyKey(tx, payer.key, idempotencyKey);
      if (again) {
        fresh = false;
        return again;
      }
      const spent = await repo.spentSince(tx, payer.key, new Date(Date.now() - DAY_MS));
      if (spent + spec.amountCents > cap) {
        throw new AppError(
          403,
          'SPENDING_CAP_REACHED',
          `You can spend at most ${formatCents(cap)} a day; ${formatCents(Math.max(0, cap - spent))} is left today.`,
          { capCents: cap, spentCents: spent },
        );
      }
      const created = await repo.insertPayment(tx, {
        id: uuidv7(),
        roomId: payer.room.id,
        payerMemberId: payer.member.id,
        payerUserId: payer.member.userId,
        payerDeviceId: payer.member.userId ? null : payer.member.deviceId,
        payerKey: payer.key,
        purpose: spec.purpose,
        amountCents: spec.amountCents,
        currency: CURRENCY,
        feeCents,
        netCents: spec.amountCents - feeCents,
        status: 'pending',
        provider: ctx.payments.name,
        idempotencyKey,
        requestHash: hash,
        note: spec.note,
        messageId: spec.messageId,
        expiresAt: new Date(Date.now() + ctx.config.paymentHoldSeconds * 1000),
      });
      await spec.hold?.(tx, created);
      return created;
    });
  } catch (err) {
    if (uniqueViolation(err) === 'payments_payer_idempotency_key') {
      const first = await repo.findByIdempotencyKey(ctx.db, payer.key, idempotencyKey);
      if (first) return { payment: sameRequest(first, hash), created: false };
    }
    throw err;
  }
  if (!fresh) return { payment: sameRequest(payment, hash), created: false };

  try {
    const intent = await ctx.payments.create({
      paymentId: payment.id,
      amountCents: payment.amountCents,
      currency: payment.currency,
      description: describe(payment.purpose, payer.room.name),
    });
    payment = (await repo.setIntent(ctx.db, payment.id, intent.ref, intent.clientSecret)) ?? payment;
  } catch (err) {
    // The provider refused or was unreachable: nothing was charged, and nothing stays held.
    await fail(ctx, payment.id, 'The payment provider could not start this payment.');
    throw err;
  }
  await announce(ctx, payer.room, payment, { ...noEffects(), seatsChanged: spec.purpose === 'seat', pinsChanged: spec.purpose === 'pin' });
  return { payment, created: true };
}

function sameRequest(payment: PaymentRow, hash: string): PaymentRow {
  if (payment.requestHash !== hash) {
    throw conflict('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for a different purchase. Start a new purchase.');
  }
  return payment;
}

/**
 * The one fulfilment path, for the test provider's confirm, Stripe's webhook
 * and a server-side check of the intent alike: the status moves from pending
 * (and unexpired) to succeeded in the same transaction as the effect, so the
 * effect happens exactly once however often this is called.
 */
export function succeed(ctx: AppContext, paymentId: string): Promise<PaymentRow | undefined> {
  return track(ctx, doSucceed(ctx, paymentId));
}

async function doSucceed(ctx: AppContext, paymentId: string): Promise<PaymentRow | undefined> {
  const done = await ctx.db.transaction(async (tx) => {
    const pending = await repo.lockPending(tx, paymentId);
    if (!pending) return null;
    const room = await repo.lockRoom(tx, pending.roomId);
    const member = await repo.lockMember(tx, pending.payerMemberId);
    if (!member || !room) throw new Error(`payment ${pending.id} lost its chat or payer`);
    const effects = noEffects();
    // The rules again, as they stand now: what can no longer be delivered is not, and its money goes back (below).
    const refusal = await undeliverable(tx, pending, room, member);
    if (refusal) {
      const failed = (await repo.moveStatus(tx, pending.id, ['pending'], { status: 'failed', failureReason: `Not delivered: ${refusal}` }))!;
      await release(tx, [failed]);
      return { payment: failed, room, effects: { ...effects, seatsChanged: failed.purpose === 'seat', pinsChanged: failed.purpose === 'pin' }, delivered: false };
    }
    const payment = (await repo.moveStatus(tx, pending.id, ['pending'], { status: 'succeeded', completedAt: new Date(), failureReason: null }))!;
    if (payment.purpose === 'seat') {
      await backroom.activateSeat(ctx, tx, room, payment, member);
      effects.seatsChanged = true;
    } else if (payment.purpose === 'pin') {
      const message = await pins.activatePin(ctx, tx, room, payment, member);
      if (message) effects.messages.push(message);
      effects.pinsChanged = true;
    } else {
      effects.messages.push(await tips.writeTipMessage(tx, room, payment, member));
    }
    const final = effects.messages[0] && payment.purpose !== 'seat' ? await repo.setMessage(tx, payment.id, effects.messages[0].id) : payment;
    return { payment: final ?? payment, room, effects, delivered: true };
  });
  if (done) {
    await announce(ctx, done.room, done.payment, done.effects);
    if (done.delivered) await notifyPaid(ctx, done.room, done.payment, done.effects);
    return done.delivered ? done.payment : refundLate(ctx, paymentId);
  }
  let current = await repo.findPayment(ctx.db, paymentId);
  if (current?.status === 'succeeded') await announcePaidMessageAgain(ctx, current);
  if (current?.status === 'pending') {
    // Its hold ran out before the sweeper came by: expire it now, then treat the money as late.
    await expire(ctx, [current]);
    current = await repo.findPayment(ctx.db, paymentId);
  }
  return current;
}

/** Why what this payment buys can no longer be delivered (payments/policy.ts), or null when it can. */
async function undeliverable(tx: Tx, payment: PaymentRow, room: RoomRow, payer: MemberRow): Promise<string | null> {
  try {
    await checkDeliverable(tx, { purpose: payment.purpose, room, payer, text: payment.note, messageId: payment.messageId });
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
}

/** A provider declined it (or it was canceled): nothing happens, and what it held is released. */
export async function fail(ctx: AppContext, paymentId: string, reason: string): Promise<PaymentRow | undefined> {
  const done = await ctx.db.transaction(async (tx) => {
    const payment = await repo.moveStatus(tx, paymentId, ['pending'], { status: 'failed', failureReason: reason });
    if (!payment) return null;
    await release(tx, [payment]);
    return payment;
  });
  if (!done) return repo.findPayment(ctx.db, paymentId);
  const room = await ctx.rooms.byRoomId(done.roomId);
  if (room) await announce(ctx, room, done, { ...noEffects(), seatsChanged: done.purpose === 'seat', pinsChanged: done.purpose === 'pin' });
  return done;
}

async function release(tx: Tx, released: PaymentRow[]) {
  const ids = released.map((p) => p.id);
  if (ids.length === 0) return;
  await backroom.releaseSeats(tx, ids);
  await pins.releasePins(tx, ids);
}

/**
 * Pending payments whose time is up (each node sweeps; one conditional update
 * expires each payment once). What they held is released; a Stripe intent is
 * canceled, and if it turns out to have been paid meanwhile, refunded.
 */
export async function sweepExpired(ctx: AppContext): Promise<number> {
  const expired = await ctx.db.transaction(async (tx) => {
    const rows = await repo.expireDue(tx);
    await release(tx, rows);
    return rows;
  });
  await afterExpiry(ctx, expired);
  return expired.length;
}

async function expire(ctx: AppContext, due: PaymentRow[]) {
  const expired = await ctx.db.transaction(async (tx) => {
    const rows: PaymentRow[] = [];
    for (const p of due) {
      const row = await repo.moveStatus(tx, p.id, ['pending'], {
        status: 'expired',
        failureReason: 'The payment was not completed in time; what it held was released.',
      });
      if (row) rows.push(row);
    }
    await release(tx, rows);
    return rows;
  });
  await afterExpiry(ctx, expired);
}

async function afterExpiry(ctx: AppContext, expired: PaymentRow[]) {
  for (const payment of expired) {
    const room = await ctx.rooms.byRoomId(payment.roomId);
    if (room) await announce(ctx, room, payment, { ...noEffects(), seatsChanged: payment.purpose === 'seat', pinsChanged: payment.purpose === 'pin' });
    if (payment.provider === 'stripe' && payment.providerRef && ctx.payments.name === 'stripe') {
      try {
        await ctx.payments.cancel(payment.providerRef);
        const intent = await ctx.payments.retrieve(payment.providerRef);
        if (intent?.state === 'succeeded') await refundLate(ctx, payment.id);
      } catch (err) {
        ctx.log.warn({ err, paymentId: payment.id }, 'could not cancel an expired payment intent');
      }
    }
  }
}

/**
 * Money that arrived for a payment that had already expired or failed — or
 * whose effect could no longer be delivered when it came (fulfilment marks
 * those failed with the reason): all of it goes back through the provider,
 * then the ledger says refunded, and the payer is told.
 */
export async function refundLate(ctx: AppContext, paymentId: string): Promise<PaymentRow | undefined> {
  const payment = await repo.findPayment(ctx.db, paymentId);
  if (!payment || (payment.status !== 'expired' && payment.status !== 'failed')) return payment;
  if (payment.provider === 'stripe') {
    if (!payment.providerRef) return payment;
    if (ctx.payments.name !== 'stripe') {
      throw new AppError(502, 'PAYMENT_PROVIDER_FAILED', 'This payment was made through Stripe, which is not configured on this server now.');
    }
  }
  if (payment.providerRef && payment.provider === ctx.payments.name) await ctx.payments.refund(payment.providerRef, payment.id);
  const reason =
    payment.status === 'expired' ? 'Paid after the payment had expired; refunded in full.' : `${payment.failureReason ?? 'The payment failed.'} Refunded in full.`;
  const row = await repo.moveStatus(ctx.db, payment.id, ['expired', 'failed'], { status: 'refunded', refundedAt: new Date(), failureReason: reason });
  if (!row) return repo.findPayment(ctx.db, paymentId);
  const room = await ctx.rooms.byRoomId(row.roomId);
  if (room) await announce(ctx, room, row, noEffects());
  return row;
}

/**
 * A host's refund: the provider gives the money back first (idempotent per
 * payment), then one conditional update marks it refunded and reverses the
 * effect where that makes sense (a seat is revoked, a pin taken down; a tip's
 * message stays).
 */
export async function refund(ctx: AppContext, payment: PaymentRow): Promise<PaymentRow> {
  if (payment.status !== 'succeeded') {
    throw new AppError(409, 'PAYMENT_STATE', payment.status === 'refunded' ? 'This payment was already refunded.' : 'Only a completed payment can be refunded.');
  }
  if (payment.providerRef && payment.provider === ctx.payments.name) await ctx.payments.refund(payment.providerRef, payment.id);
  else if (payment.provider === 'stripe') {
    throw new AppError(502, 'PAYMENT_PROVIDER_FAILED', 'This payment was made through Stripe, which is not configured on this server now.');
  }
  const done = await ctx.db.transaction(async (tx) => {
    const row = await repo.moveStatus(tx, payment.id, ['succeeded'], { status: 'refunded', refundedAt: new Date() });
    if (!row) return null;
    const effects = noEffects();
    if (row.purpose === 'seat') {
      effects.removed = await backroom.revokeSeat(tx, row);
      effects.seatsChanged = true;
    } else if (row.purpose === 'pin') {
      effects.pinsChanged = await pins.refundPin(tx, row);
    }
    return { row, effects };
  });
  if (!done) throw new AppError(409, 'PAYMENT_STATE', 'This payment was already refunded.');
  const room = await ctx.rooms.byRoomId(done.row.roomId);
  if (done.effects.removed) await ctx.memberSync.changed(done.effects.removed);
  if (room) await announce(ctx, room, done.row, done.effects);
  return done.row;
}

/**
 * A fulfilment asked for again (a webhook delivered twice, confirm pressed
 * twice, or the node that committed it died before announcing): the message
 * it wrote is cached and broadcast again, so it cannot stay unseen; clients
 * drop the duplicate by seq.
 */
async function announcePaidMessageAgain(ctx: AppContext, payment: PaymentRow) {
  if (payment.purpose === 'seat') return;
  const message = await paidMessage(ctx, payment);
  const room = message ? await ctx.rooms.byRoomId(payment.roomId) : undefined;
  if (!message || !room) return;
  await cachePut(ctx, room, message);
  ctx.broadcast.message(room, message, await hideFromBlockers(ctx.db, room, payment.payerUserId));
}

/** A delivered tip tells the host; a delivered pin tells the payer of the top pin it outbid. */
async function notifyPaid(ctx: AppContext, room: RoomRow, payment: PaymentRow, effects: Effects) {
  try {
    const actorName = await repo.payerName(ctx.db, payment.payerMemberId);
    const message = effects.messages[0];
    const about = { actorUserId: payment.payerUserId, actorName, roomId: room.id, amountCents: payment.amountCents };
    if (payment.purpose === 'tip' && room.hostUserId) {
      ctx.notifications.notify(room.hostUserId, { ...about, kind: 'tip_received', messageId: message?.id, seq: message?.seq, preview: message?.content ?? '' });
    } else if (payment.purpose === 'pin') {
      const outbid = await pins.outbidBy(ctx.db, room, payment);
      if (outbid && outbid.userId !== payment.payerUserId) {
        ctx.notifications.notify(outbid.userId, { ...about, kind: 'pin_outbid', messageId: message?.id, seq: message?.seq, preview: message?.content ?? '' });
      }
    }
  } catch (err) {
    ctx.log.warn({ err, paymentId: payment.id }, 'payment notification not queued');
  }
}

/** After a commit: the cache, then every broadcast the change calls for. */
async function announce(ctx: AppContext, room: RoomRow, payment: PaymentRow, effects: Effects) {
  for (const message of effects.messages) {
    await cachePut(ctx, room, message);
    ctx.broadcast.message(room, message, await hideFromBlockers(ctx.db, room, payment.payerUserId));
  }
  try {
    if (effects.pinsChanged) await pins.broadcastPins(ctx, room);
    if (effects.seatsChanged) await backroom.broadcastSeats(ctx, room);
    ctx.broadcast.payment(payment.payerMemberId, { roomId: room.id, payment: await paymentView(ctx, payment, 'payer') });
  } catch (err) {
    ctx.log.warn({ err, paymentId: payment.id }, 'payment change not announced');
  }
}

/** The payment as its payer (with the checkout while pending) or the chat's host (with the payer's name) sees it. */
export async function paymentView(ctx: AppContext, p: PaymentRow, as: 'payer' | 'host', payerName?: string | null): Promise<Payment> {
  const room = await ctx.rooms.byRoomId(p.roomId);
  const chatName = room?.name ?? '';
  let checkout: Payment['checkout'] = null;
  if (as === 'payer' && p.status === 'pending') {
    if (p.provider === 'test') checkout = { provider: 'test', path: `/pay/${p.id}` };
    else if (p.clientSecret) checkout = { provider: 'stripe', clientSecret: p.clientSecret, publishableKey: ctx.payments.publishableKey };
  }
  return {
    id: p.id,
    status: p.status,
    purpose: p.purpose,
    amountCents: p.amountCents,
    currency: p.currency,
    feeCents: p.feeCents,
    netCents: p.netCents,
    provider: p.provider,
    description: describe(p.purpose, chatName),
    chat: { code: room?.code ?? '', name: chatName },
    note: p.note,
    messageId: p.messageId,
    checkout,
    failureReason: p.failureReason,
    createdAt: p.createdAt.toISOString(),
    expiresAt: p.expiresAt.toISOString(),
    completedAt: p.completedAt?.toISOString() ?? null,
    refundedAt: p.refundedAt?.toISOString() ?? null,
    ...(as === 'host' ? { payer: { username: payerName ?? (await repo.payerName(ctx.db, p.payerMemberId)) ?? '' } } : {}),
  };
}

/**
 * The host's earnings over every pop chat they host: gross counts every
 * completed payment (refunded ones too), refunded what went back; fee and net
 * count only the payments that stand.
 */
export async function earnings(ctx: AppContext, hostUserId: string): Promise<Earnings> {
  const result = await ctx.db.execute(sql`
    select r.code, r.name,
      count(*)::int as count,
      coalesce(sum(p.amount_cents), 0)::int as gross,
      coalesce(sum(p.fee_cents) filter (where p.status = 'succeeded'), 0)::int as fee,
      coalesce(sum(p.net_cents) filter (where p.status = 'succeeded'), 0)::int as net,
      coalesce(sum(p.amount_cents) filter (where p.status = 'refunded'), 0)::int as refunded
    from payments p join rooms r on r.id = p.room_id
    where r.host_user_id = ${hostUserId}::uuid and p.status in ('succeeded', 'refunded')
    group by r.id, r.code, r.name
    order by max(p.created_at) desc
  `);
  const rows = (result as unknown as { rows: Record<string, unknown>[] }).rows;
  const chats = rows.map((r) => ({
    code: String(r.code ?? ''),
    name: String(r.name ?? ''),
    count: Number(r.count),
    grossCents: Number(r.gross),
    feeCents: Number(r.fee),
    netCents: Number(r.net),
    refundedCents: Number(r.refunded),
  }));
  const total: EarningsTotals = { count: 0, grossCents: 0, feeCents: 0, netCents: 0, refundedCents: 0 };
  for (const c of chats) {
    total.count += c.count;
    total.grossCents += c.grossCents;
    total.feeCents += c.feeCents;
    total.netCents += c.netCents;
    total.refundedCents += c.refundedCents;
  }
  const list = await repo.listForHost(ctx.db, hostUserId);
  const payments = await Promise.all(list.map((r) => paymentView(ctx, r.payment, 'host', r.payerName)));
  return { currency: CURRENCY, total, chats, payments };
}

/** Starts the per-node sweeper of pending payments and pins whose time is up. */
export function startPaymentSweeper(ctx: AppContext): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    track(ctx, Promise.all([sweepExpired(ctx), pins.sweepExpiredPins(ctx)]))
      .catch((err) => ctx.log.warn({ err }, 'payment sweep failed'))
      .finally(() => {
        running = false;
      });
  }, ctx.config.paymentsSweepMs);
  timer.unref();
  return timer;
}
