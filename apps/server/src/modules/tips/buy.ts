import type { TipBody } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { ChatAccess } from '../chats/policy';
import { requireFeature, requirePayer } from '../payments/policy';
import { purchase } from '../payments/service';
import { checkPaidText } from '../pins/service';

/** A tip (SPEC §2.7): $1–$500 with an optional note that passes the safety rules before any charge. */
export async function tip(ctx: AppContext, access: ChatAccess, body: TipBody) {
  const payer = requirePayer(access, { allowTimedOut: false });
  requireFeature(payer.room.settings.tips.enabled, 'tips');
  const note = body.note && body.note.length > 0 ? body.note : null;
  if (note) checkPaidText(payer.room, payer.member, note);
  return purchase(ctx, payer, body.idempotencyKey, { purpose: 'tip', amountCents: body.amountCents, note, messageId: null });
}
