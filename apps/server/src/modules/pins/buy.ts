import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { PinPurchaseBody } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import { pins } from '../../db/schema';
import { AppError, conflict } from '../../errors';
import type { ChatAccess } from '../chats/policy';
import { checkDeliverable, requirePayer } from '../payments/policy';
import { purchase } from '../payments/service';
import { quote } from './service';

/**
 * Buys a pin (SPEC §2.6): what it pins passes the chat's rules first; then, under
 * the chat's purchase lock, the quote the client saw must still be the price
 * (a pending pin holds its price, so of two bids on one quote the second is
 * told the new one), and the pin is held until the payment completes.
 */
export async function buyPin(ctx: AppContext, access: ChatAccess, body: PinPurchaseBody) {
  const payer = requirePayer(access);
  const { room, member } = payer;
  await checkDeliverable(ctx.db, { purpose: 'pin', room, payer: member, text: body.text ?? null, messageId: body.messageId ?? null });
  return purchase(ctx, payer, body.idempotencyKey, {
    purpose: 'pin',
    amountCents: body.amountCents,
    note: body.text ?? null,
    messageId: body.messageId ?? null,
    hold: async (tx, payment) => {
      const current = await quote(tx, room);
      if (body.quotedCents !== current) {
        throw new AppError(409, 'PIN_QUOTE_STALE', `The price of a pin is now $${(current / 100).toFixed(2)}.`, { quoteCents: current });
      }
      if (body.amountCents < current) {
        throw new AppError(409, 'PIN_QUOTE_STALE', `A pin costs at least $${(current / 100).toFixed(2)}.`, { quoteCents: current });
      }
      if (body.messageId) {
        const [live] = await tx
          .select({ id: pins.id })
          .from(pins)
          .where(
            and(
              eq(pins.messageId, body.messageId),
              or(and(eq(pins.status, 'active'), sql`${pins.pinnedUntil} > now()`), and(eq(pins.status, 'pending'), sql`${pins.heldUntil} > now()`)),
            ),
          )
          .limit(1);
        if (live) throw conflict('MESSAGE_ALREADY_PINNED', 'That message is already pinned.');
        // A pin whose time is up but not yet swept gives way (the unique index counts it as live).
        await tx
          .update(pins)
          .set({ status: 'expired', endedAt: new Date() })
          .where(and(eq(pins.messageId, body.messageId), inArray(pins.status, ['active', 'pending'])));
      }
      await tx.insert(pins).values({
        id: uuidv7(),
        roomId: room.id,
        memberId: member.id,
        paymentId: payment.id,
        messageId: body.messageId ?? null,
        amountCents: body.amountCents,
        status: 'pending',
        heldUntil: payment.expiresAt,
      });
    },
  });
}
