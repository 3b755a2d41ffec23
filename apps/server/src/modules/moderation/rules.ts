import type { MessageType } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import { AppError } from '../../errors';
import type { MemberRow, RoomRow } from '../../db/schema';
import { containsLink, findBlockedTerm, readableText } from './matching';

/** Host and moderators are never held back by slow mode, blocked terms or lockdown (SPEC §2.4). */
export const isModerator = (member: Pick<MemberRow, 'role'> | null | undefined) =>
  member?.role === 'host' || member?.role === 'moderator' || member?.role === 'admin';

/** Paid messages (tips, pins) bypass slow mode and lockdown's waits. */
const PAID_TYPES: ReadonlySet<MessageType> = new Set(['tip', 'pin']);

/** A banned or timed-out participant may not take part (send, react). */
export function checkParticipation(member: MemberRow, now = Date.now()): void {
  if (member.bannedAt) throw new AppError(403, 'BANNED', 'You have been banned from this chat.');
  if (member.mutedUntil && member.mutedUntil.getTime() > now) {
    const until = member.mutedUntil.toISOString();
    throw new AppError(403, 'TIMED_OUT', `You are timed out until ${until.slice(11, 16)} UTC. You can read but not send.`, { until });
  }
}

/** Blocked terms and lockdown, for a participant who is not a moderator. */
export function checkContentRules(room: RoomRow, member: MemberRow, type: MessageType, content: string, now = Date.now()): void {
  if (isModerator(member) || type === 'system') return;
  const settings = room.settings;
  const terms = settings.blockedTerms ?? [];
  const lockdown = settings.lockdown;
  const linksOff = Boolean(lockdown?.active && lockdown.blockLinks);
  if (terms.length > 0 || linksOff) {
    const text = readableText(content);
    const term = findBlockedTerm(text, terms);
    if (term) throw new AppError(400, 'BLOCKED_TERM', `The host does not allow "${term}" in this chat.`, { term });
    if (linksOff && containsLink(text)) throw new AppError(400, 'LINKS_BLOCKED', 'Links are turned off in this chat for now.');
  }
  if (!lockdown?.active) return;
  if (!PAID_TYPES.has(type) && lockdown.newcomerMinutes > 0) {
    const allowedAt = member.joinedAt.getTime() + lockdown.newcomerMinutes * 60_000;
    if (allowedAt > now) {
      const seconds = Math.ceil((allowedAt - now) / 1000);
      throw new AppError(
        403,
        'NEWCOMER_WAIT',
        `The chat is in lockdown: newcomers can send in ${seconds >= 60 ? `${Math.ceil(seconds / 60)} min` : `${seconds} s`}.`,
        { retryAfterSeconds: seconds },
      );
    }
  }
}

/** The slow mode in force: the chat's, or lockdown's when that is longer. */
export function effectiveSlowModeSeconds(room: RoomRow): number {
  const lockdown = room.settings.lockdown;
  return Math.max(room.settings.slowModeSeconds ?? 0, lockdown?.active ? lockdown.slowModeSeconds : 0);
}

/** Slow mode (SPEC §2.4): one message per N seconds per participant; host, moderators and paid messages pass. */
export async function consumeSlowMode(ctx: AppContext, room: RoomRow, member: MemberRow, type: MessageType): Promise<void> {
  const seconds = effectiveSlowModeSeconds(room);
  if (seconds <= 0 || isModerator(member) || PAID_TYPES.has(type) || type === 'system') return;
  const leftMs = await ctx.limits.cooldown(`slow:${room.id}:${member.id}`, seconds * 1000);
  if (leftMs > 0) {
    const wait = Math.ceil(leftMs / 1000);
    throw new AppError(429, 'SLOW_MODE', `Slow mode is on: you can send again in ${wait} s.`, { retryAfterSeconds: wait }, {
      'retry-after': String(wait),
    });
  }
}
