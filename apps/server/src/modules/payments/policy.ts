import { AppError, forbidden } from '../../errors';
import type { MemberRow, PaymentRow, RoomRow, UserRow } from '../../db/schema';
import type { ChatAccess } from '../chats/policy';

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
 * The one check before any purchase (seat, pin, tip): a participant in good
 * standing who is not the host. Pins and tips put words in the chat, so a
 * timed-out participant may not buy them.
 */
export function requirePayer(access: ChatAccess, opts: { allowTimedOut: boolean }): Payer {
  const { room, member } = access;
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  if (!member) throw new AppError(403, 'NOT_A_MEMBER', 'Join this chat first.');
  if (member.bannedAt) throw new AppError(403, 'BANNED', 'You have been banned from this chat.');
  if (access.isHost || member.role === 'host') throw forbidden('You host this chat: there is nothing to buy from yourself.');
  if (!opts.allowTimedOut && member.mutedUntil && member.mutedUntil.getTime() > Date.now()) {
    const until = member.mutedUntil.toISOString();
    throw new AppError(403, 'TIMED_OUT', `You are timed out until ${until.slice(11, 16)} UTC.`, { until });
  }
  return { room, member, key: payerKeyOf(member) };
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
