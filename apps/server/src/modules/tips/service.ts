import type { TipBody } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import type { MemberRow, PaymentRow, RoomRow } from '../../db/schema';
import type { StoredMessage } from '../../infra/cache';
import type { ChatAccess } from '../chats/policy';
import { insertPaidMessage } from '../messages/service';
import { requireFeature, requirePayer } from '../payments/policy';
import { purchase } from '../payments/service';
import { checkPaidText } from '../pins/service';

export const TIP_DEFAULT_TEXT = 'Tipped the host';

/** A tip (SPEC §2.7): $1–$500 with an optional note that passes the safety rules before any charge. */
export async function tip(ctx: AppContext, access: ChatAccess, body: TipBody) {
  const payer = requirePayer(access, { allowTimedOut: false });
  requireFeature(payer.room.settings.tips.enabled, 'tips');
  const note = body.note && body.note.length > 0 ? body.note : null;
  if (note) checkPaidText(payer.room, payer.member, note);
  return purchase(ctx, payer, body.idempotencyKey, { purpose: 'tip', amountCents: body.amountCents, note, messageId: null });
}

/**
 * Fulfilment of a tip: a `tip` message from the payer, in the same
 * transaction as the payment's status. Its client id is the payment's, so it
 * can never be written twice.
 */
export function writeTipMessage(tx: Tx, room: RoomRow, payment: PaymentRow, payer: MemberRow): Promise<StoredMessage> {
  return insertPaidMessage(tx, room, payment, payer, 'tip', payment.note ?? TIP_DEFAULT_TEXT);
}
