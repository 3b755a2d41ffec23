import { and, asc, desc, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import { pinDurationSeconds, pinQuoteCents, type PinView, type PinsState } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { DbExecutor, Tx } from '../../db/client';
import { messages, payments, pins, type MemberRow, type PaymentRow, type PinRow, type RoomRow } from '../../db/schema';
import { notFound } from '../../errors';
import type { StoredMessage } from '../../infra/cache';
import { insertPaidMessage, pinnedKey, withReplies } from '../messages/service';
import { publicMessage } from '../messages/visibility';
import { requireModerator, type RoomActor } from '../moderation/policy';

/** The highest pin in force or held by a pending payment: what the next pin must beat. */
async function topAmount(db: DbExecutor, roomId: string): Promise<number | null> {
  const [row] = await db
    .select({ top: sql<number | null>`max(${pins.amountCents})` })
    .from(pins)
    .where(
      and(
        eq(pins.roomId, roomId),
        or(
          and(eq(pins.status, 'active'), sql`${pins.pinnedUntil} > now()`),
          and(eq(pins.status, 'pending'), sql`${pins.heldUntil} > now()`),
        ),
      ),
    );
  return row?.top === null || row?.top === undefined ? null : Number(row.top);
}

export async function quote(db: DbExecutor, room: RoomRow): Promise<number> {
  return pinQuoteCents(room.settings.pins.basePriceCents, await topAmount(db, room.id));
}

/**
 * Fulfilment of a pin: a new text becomes a `pin` message; the pin is in
 * force from now for its tier's time. Returns the new message, if any.
 */
export async function activatePin(ctx: AppContext, tx: Tx, room: RoomRow, payment: PaymentRow, payer: MemberRow): Promise<StoredMessage | null> {
  let messageId = payment.messageId;
  let created: StoredMessage | null = null;
  if (!messageId) {
    created = await insertPaidMessage(tx, room, payment, payer, 'pin', payment.note ?? '');
    messageId = created.id;
  }
  const now = Date.now();
  const seconds = pinDurationSeconds(payment.amountCents) * ctx.config.pinDurationScale;
  await tx
    .update(pins)
    .set({ status: 'active', messageId, pinnedAt: new Date(now), pinnedUntil: new Date(now + Math.round(seconds * 1000)) })
    .where(and(eq(pins.paymentId, payment.id), eq(pins.status, 'pending')));
  return created;
}

export async function releasePins(tx: Tx, paymentIds: string[]) {
  await tx
    .update(pins)
    .set({ status: 'released', endedAt: new Date() })
    .where(and(inArray(pins.paymentId, paymentIds), eq(pins.status, 'pending')));
}

/** A refunded pin comes down. True when one was in force. */
export async function refundPin(tx: Tx, payment: PaymentRow): Promise<boolean> {
  const rows = await tx
    .update(pins)
    .set({ status: 'refunded', endedAt: new Date(), endReason: 'refunded' })
    .where(and(eq(pins.paymentId, payment.id), eq(pins.status, 'active')))
    .returning({ id: pins.id });
  return rows.length > 0;
}

/** Active pins, highest amount first (then the earlier), each with its message as everyone sees it. */
export async function activePins(ctx: AppContext, room: RoomRow): Promise<PinView[]> {
  const rows = await ctx.db
    .select()
    .from(pins)
    .where(and(eq(pins.roomId, room.id), eq(pins.status, 'active'), isNotNull(pins.messageId), sql`${pins.pinnedUntil} > now()`))
    .orderBy(desc(pins.amountCents), asc(pins.pinnedAt));
  if (rows.length === 0) return [];
  const messageRows = await ctx.db
    .select()
    .from(messages)
    .where(inArray(messages.id, rows.map((r) => r.messageId!)));
  const byId = new Map((await withReplies(ctx, messageRows)).map((m) => [m.id, m]));
  const out: PinView[] = [];
  for (const pin of rows) {
    const message = byId.get(pin.messageId!);
    // A silently hidden participant's pin is theirs alone, like their messages; a deleted one is gone.
    if (!message || message.hidden || message.deletedAt) continue;
    out.push(pinView(pin, message));
  }
  return out;
}

function pinView(pin: PinRow, message: StoredMessage): PinView {
  return {
    id: pin.id,
    roomId: pin.roomId,
    amountCents: pin.amountCents,
    pinnedAt: pin.pinnedAt!.toISOString(),
    pinnedUntil: pin.pinnedUntil!.toISOString(),
    message: { ...publicMessage(message), amountCents: pin.amountCents },
  };
}

export async function state(ctx: AppContext, room: RoomRow): Promise<PinsState> {
  const [list, price] = await Promise.all([activePins(ctx, room), quote(ctx.db, room)]);
  return { enabled: room.settings.pins.enabled, basePriceCents: room.settings.pins.basePriceCents, quoteCents: price, pins: list };
}

/**
 * Tells the chat the full ordered list and rewrites the seed's pinned cache
 * (`chat:{CODE}:pinned`, scored by pinned_until) to match.
 */
export async function broadcastPins(ctx: AppContext, room: RoomRow) {
  const current = await state(ctx, room);
  ctx.broadcast.pins({ roomId: room.id, quoteCents: current.quoteCents, pins: current.pins });
  if (!room.code) return;
  const key = pinnedKey(room.code);
  try {
    const cached = await ctx.cache.pinned(key);
    const keep = new Set(current.pins.map((p) => p.message.id));
    for (const c of cached) if (!keep.has(c.message.id)) await ctx.cache.removePinned(key, c.message.id);
    for (const p of current.pins) await ctx.cache.putPinned(key, p.message, Date.parse(p.pinnedUntil));
  } catch (err) {
    ctx.log.warn({ err, roomId: room.id }, 'pinned cache not updated');
  }
}

/** Pins whose time is up: one conditional update per node sweep, so each expiry is announced once. */
export async function sweepExpiredPins(ctx: AppContext): Promise<number> {
  const rows = await ctx.db
    .update(pins)
    .set({ status: 'expired', endedAt: new Date(), endReason: 'expired' })
    .where(and(eq(pins.status, 'active'), sql`${pins.pinnedUntil} <= now()`))
    .returning({ roomId: pins.roomId });
  for (const roomId of new Set(rows.map((r) => r.roomId))) {
    const room = await ctx.rooms.byRoomId(roomId);
    if (room) await broadcastPins(ctx, room);
  }
  return rows.length;
}

/** Takes down pins of a participant (banned, timed out) or of a message (deleted). No refund (shown at checkout). */
export async function takeDownPins(ctx: AppContext, room: RoomRow, which: { memberId: string } | { messageId: string }, reason: string) {
  const rows = await ctx.db
    .update(pins)
    .set({ status: 'removed', endedAt: new Date(), endReason: reason })
    .where(and(eq(pins.roomId, room.id), eq(pins.status, 'active'), 'memberId' in which ? eq(pins.memberId, which.memberId) : eq(pins.messageId, which.messageId)))
    .returning({ id: pins.id });
  if (rows.length > 0) await broadcastPins(ctx, room);
}

/** The host or a moderator unpins one pin (SPEC §7). */
export async function unpin(ctx: AppContext, actor: RoomActor, pinId: string): Promise<PinView[]> {
  requireModerator(actor);
  const rows = await ctx.db
    .update(pins)
    .set({ status: 'removed', endedAt: new Date(), endReason: 'unpinned' })
    .where(and(eq(pins.id, pinId), eq(pins.roomId, actor.room.id), eq(pins.status, 'active'), sql`${pins.pinnedUntil} > now()`))
    .returning({ id: pins.id });
  if (rows.length === 0) throw notFound('PIN_NOT_FOUND', 'That pin is not in force.');
  await broadcastPins(ctx, actor.room);
  return activePins(ctx, actor.room);
}

/**
 * Whose pin a newly active one outbid: the top pin in force besides it, when
 * the new one is higher, and its payer had an account (only accounts are
 * notified). Null when nobody was outbid.
 */
export async function outbidBy(db: DbExecutor, room: RoomRow, payment: PaymentRow): Promise<{ userId: string; messageId: string | null } | null> {
  const [top] = await db
    .select({ userId: payments.payerUserId, amountCents: pins.amountCents, messageId: pins.messageId })
    .from(pins)
    .innerJoin(payments, eq(payments.id, pins.paymentId))
    .where(and(eq(pins.roomId, room.id), eq(pins.status, 'active'), sql`${pins.pinnedUntil} > now()`, sql`${pins.paymentId} <> ${payment.id}`))
    .orderBy(desc(pins.amountCents), asc(pins.pinnedAt))
    .limit(1);
  if (!top?.userId || top.amountCents >= payment.amountCents) return null;
  return { userId: top.userId, messageId: top.messageId };
}
