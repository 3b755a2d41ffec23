import { containsProfanity, type PaymentPurpose } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { AppError, badRequest, forbidden, notFound } from '../../errors';
import type { MemberRow, PaymentRow, RoomRow, UserRow } from '../../db/schema';
import type { ChatAccess } from '../chats/policy';
import * as messagesRepo from '../messages/repo';
import { requireNotBanned } from '../moderation/bans';
import { checkContentRules } from '../moderation/rules';

/** Who pays: a participation of the chat, under its identity (the user's, else the device's). */
export interface Payer {
  room: RoomRow;
  member: MemberRow;
  /** `u:<user id>` or `d:<device id>`. */
  key: string;
}

export const payerKeyOf = (member: Pick<MemberRow, 'userId' | 'deviceId'>) =>
  member.userId ? `u:${member.userId}` : `d:${member.deviceId}`;

/** The receipts a viewer may read: the signed-in user's, else this device's (dual sessions: no fallback). */
export function viewerPayerKeys(viewer: { user: UserRow | null; deviceId: string | null }): string[] {
  if (viewer.user) return [`u:${viewer.user.id}`];
  return viewer.deviceId ? [`d:${viewer.deviceId}`] : [];
}

/**
 * Who may buy at all: a participant of the chat, not its host. Whether what
 * they buy can be delivered is `checkDeliverable`'s question.
 */
export function requirePayer(access: ChatAccess): Payer {
  const { room, member } = access;
  if (!member) throw new AppError(403, 'NOT_A_MEMBER', 'Join this chat first.');
  if (access.isHost || member.role === 'host') throw forbidden('You host this chat: there is nothing to buy from yourself.');
  return { room, member, key: payerKeyOf(member) };
}

/** What a payment buys, to be checked for delivery. */
export interface Purchase {
  purpose: PaymentPurpose;
  room: RoomRow;
  payer: MemberRow;
  /** A new pin's text or a tip's note. */
  text: string | null;
  /** The message a pin is for. */
  messageId: string | null;
}

/**
 * The one check of whether what a payment buys can be delivered (SPEC §7;
 * docs/payments.md, "Deliverable"), for seats, pins and tips alike: before
 * any charge (a refusal is the purchase's answer), and again when the money
 * arrives, inside the fulfilment's transaction with the chat and the payer
 * locked (a refusal then refunds the payment in full). Throws the refusal.
 *
 * Always: the chat has not ended, the payer's person is not banned
 * (moderation/bans.ts), the host has the feature on. Pins and tips put words
 * in the chat, so also: the chat is not locked, the payer is not timed out,
 * a pinned message is still the payer's own and there, and the text passes
 * the chat's blocked terms, lockdown's link rule and the profanity check
 * (paid messages skip slow mode and the newcomer wait only).
 */
export async function checkDeliverable(db: DbExecutor, what: Purchase, now = Date.now()): Promise<void> {
  const { room, payer, purpose } = what;
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  await requireNotBanned(db, room, { member: payer });
  const settings = room.settings;
  if (purpose === 'seat') return requireFeature(settings.backroom.enabled, 'the Back Room');
  requireFeature(purpose === 'pin' ? settings.pins.enabled : settings.tips.enabled, purpose === 'pin' ? 'paid pins' : 'tips');
  if (settings.locked) throw new AppError(403, 'CHAT_LOCKED', 'The host has locked this chat: nothing can be posted now, paid messages included.');
  if (payer.mutedUntil && payer.mutedUntil.getTime() > now) {
    const until = payer.mutedUntil.toISOString();
    throw new AppError(403, 'TIMED_OUT', `You are timed out until ${until.slice(11, 16)} UTC.`, { until });
  }
  let text = what.text;
  if (what.messageId) {
    const target = await messagesRepo.findInRoom(db, room.id, what.messageId);
    if (!target || target.deletedAt || (target.hidden && target.memberId !== payer.id)) {
      throw notFound('MESSAGE_NOT_FOUND', 'That message is not in this chat.');
    }
    if (target.memberId !== payer.id) throw forbidden('You can only pin your own messages.');
    if (target.type === 'system' || target.type === 'tip') throw forbidden('That message cannot be pinned.');
    text = target.content;
  }
  if (text) {
    checkContentRules(room, payer, purpose, text, now);
    if (containsProfanity(text)) throw badRequest('CONTENT_PROFANE', 'Paid messages cannot contain profanity. Change the text and try again.');
  }
}

export function requireFeature(enabled: boolean, what: string): void {
  if (!enabled) throw new AppError(403, 'FEATURE_DISABLED', `The host has not turned on ${what} in this chat.`);
}

/** A payment is visible to its payer and to the host of its chat; to anyone else it does not exist. */
export function canView(payment: PaymentRow, room: RoomRow | undefined, viewerKeys: string[], userId: string | null): 'payer' | 'host' | null {
  if (viewerKeys.includes(payment.payerKey)) return 'payer';
  if (userId && room?.hostUserId === userId) return 'host';
  return null;
}

export const paymentNotFound = () => new AppError(404, 'PAYMENT_NOT_FOUND', 'There is no such payment of yours.');
