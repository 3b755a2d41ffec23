import type { TipBody } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { ChatAccess } from '../chats/policy';
import { checkDeliverable, requirePayer } from '../payments/policy';
import { purchase } from '../payments/service';

/** A tip (SPEC §2.7): $1–$500 with an optional note that passes the chat's rules before any charge. */
export async function tip(ctx: AppContext, access: ChatAccess, body: TipBody) {
  const payer = requirePayer(access);
  const note = body.note && body.note.length > 0 ? body.note : null;
  await checkDeliverable(ctx.db, { purpose: 'tip', room: payer.room, payer: payer.member, text: note, messageId: null });
  return purchase(ctx, payer, body.idempotencyKey, { purpose: 'tip', amountCents: body.amountCents, note, messageId: null });
}
