import type { MessageType } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import { AppError } from '../../errors';
import type { MemberRow, RoomRow } from '../../db/schema';

/** Host and moderators are never held back by slow mode, blocked terms or lockdown (SPEC §2.4). */
export const isModerator = (member: Pick<MemberRow, 'role'> | null | undefined) =>
  member?.role === 'host' || member?.role === 'moderator' || member?.role === 'admin';

/** Paid messages (tips, pins) bypass slow mode and lockdown's waits. */
const PAID_TYPES: ReadonlySet<MessageType> = new Set(['tip', 'pin']);

const LINK_PATTERN = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|gg|tv|me|app|dev|ly|xyz|info|biz|us|uk|de|ru|cn)\b(?:\/\S*)?/i;

export function containsLink(text: string): boolean {
  return LINK_PATTERN.test(text);
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const termCache = new Map<string, RegExp | null>();

/**
 * The first blocked term a text contains, compared without case or accents,
 * as a whole word or phrase ("ass" blocks "ass" but not "class").
 */
export function findBlockedTerm(text: string, terms: readonly string[]): string | null {
  if (terms.length === 0) return null;
  const cacheKey = terms.join('\u0000');
  let pattern = termCache.get(cacheKey);
  if (pattern === undefined) {
    const parts = terms.map((t) => fold(t.trim()).split(/\s+/).map(escape).join('\\s+')).filter(Boolean);
    pattern = parts.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${parts.join('|')})(?![\\p{L}\\p{N}])`, 'u') : null;
    if (termCache.size > 1_000) termCache.clear();
    termCache.set(cacheKey, pattern);
  }
  const hit = pattern?.exec(fold(text));
  if (!hit) return null;
  return terms.find((t) => fold(t.trim()).split(/\s+/).join(' ') === hit[0].replace(/\s+/g, ' ')) ?? hit[0];
}

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
  const term = findBlockedTerm(content, settings.blockedTerms ?? []);
  if (term) throw new AppError(400, 'BLOCKED_TERM', `The host does not allow "${term}" in this chat.`, { term });
  const lockdown = settings.lockdown;
  if (!lockdown?.active) return;
  if (lockdown.blockLinks && containsLink(content)) {
    throw new AppError(400, 'LINKS_BLOCKED', 'Links are turned off in this chat for now.');
  }
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
