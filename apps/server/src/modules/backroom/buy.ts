import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../../context';
import { seats } from '../../db/schema';
import { conflict } from '../../errors';
import type { ChatAccess } from '../chats/policy';
import { checkDeliverable, requirePayer } from '../payments/policy';
import { purchase } from '../payments/service';
import { liveSeat, seatsTaken } from './service';

/**
 * Buys a seat: under the chat's purchase lock the database counts sold and
 * held seats and refuses the one past the limit, so concurrent buyers never
 * oversell; the seat is held until the payment completes, fails or expires.
 */
export async function buySeat(ctx: AppContext, access: ChatAccess, idempotencyKey: string) {
  const payer = requirePayer(access);
  const settings = access.room.settings.backroom;
  await checkDeliverable(ctx.db, { purpose: 'seat', room: payer.room, payer: payer.member, text: null, messageId: null });
  return purchase(ctx, payer, idempotencyKey, {
    purpose: 'seat',
    amountCents: settings.seatPriceCents,
    note: null,
    messageId: null,
    hold: async (tx, payment) => {
      // A hold of mine that ran out but was not swept yet gives way.
      await tx
        .update(seats)
        .set({ status: 'released', endedAt: new Date() })
        .where(and(eq(seats.roomId, payer.room.id), eq(seats.memberId, payer.member.id), eq(seats.status, 'held'), sql`${seats.heldUntil} <= now()`));
      const mine = await liveSeat(tx, payer.room.id, payer.member.id);
      if (mine) {
        throw conflict(
          'ALREADY_A_MEMBER',
          mine.status === 'active' ? 'You already have a seat in the Back Room.' : 'You already hold a seat: finish that payment first.',
        );
      }
      if ((await seatsTaken(tx, payer.room.id)) >= settings.seatLimit) {
        throw conflict('BACKROOM_FULL', 'The Back Room is full.');
      }
      await tx.insert(seats).values({
        id: uuidv7(),
        roomId: payer.room.id,
        memberId: payer.member.id,
        paymentId: payment.id,
        status: 'held',
        heldUntil: payment.expiresAt,
      });
    },
  });
}
