import type { Tx } from '../../db/client';
import type { MemberRow, PaymentRow, RoomRow } from '../../db/schema';
import type { StoredMessage } from '../../infra/cache';
import { insertPaidMessage } from '../messages/service';

export const TIP_DEFAULT_TEXT = 'Tipped the host';

/**
 * Fulfilment of a tip: a `tip` message from the payer, in the same
 * transaction as the payment's status. Its client id is the payment's, so it
 * can never be written twice.
 */
export function writeTipMessage(tx: Tx, room: RoomRow, payment: PaymentRow, payer: MemberRow): Promise<StoredMessage> {
  return insertPaidMessage(tx, room, payment, payer, 'tip', payment.note ?? TIP_DEFAULT_TEXT);
}
