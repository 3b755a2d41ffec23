import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from '../errors';

/** Every rate limit of SPEC §3 and §6, in one table. */
export const LIMIT_RULES = {
  register: { points: 3, durationSeconds: 60 * 60, message: 'Too many accounts were created from your network. Try again later.' },
  loginIp: { points: 5, durationSeconds: 15 * 60, message: 'Too many sign-in attempts. Try again in a few minutes.' },
  loginAccount: { points: 5, durationSeconds: 15 * 60, message: 'Too many sign-in attempts. Try again in a few minutes.' },
  accessCode: { points: 10, durationSeconds: 15 * 60, message: 'Too many wrong access codes. Try again in a few minutes.' },
  messagesPerMinute: { points: 30, durationSeconds: 60, message: 'You are sending messages too fast. Slow down a little.' },
  messagesPerSecond: { points: 5, durationSeconds: 1, message: 'You are sending messages too fast. Slow down a little.' },
  /** Reactions per participant, like messages (the socket's `reaction:set` and the HTTP route alike). */
  reactionsPerMinute: { points: 60, durationSeconds: 60, message: 'You are reacting too fast. Slow down a little.' },
  reactionsPerSecond: { points: 5, durationSeconds: 1, message: 'You are reacting too fast. Slow down a little.' },
  joinPerIp: { points: 30, durationSeconds: 60, message: 'Too many joins from your network. Try again in a minute.' },
  /** Username dice rolls per device and per IP per chat: SPEC §2.2, with the network always counted (docs/security.md). */
  usernameSuggestions: { points: 20, durationSeconds: 60 * 60, message: 'Too many username suggestions for this chat. Try again later.' },
  usernameCheck: { points: 120, durationSeconds: 60, message: 'Too many username checks. Wait a moment.' },
  passwordResetIp: { points: 5, durationSeconds: 60 * 60, message: 'Too many password reset requests. Try again later.' },
  passwordResetEmail: { points: 3, durationSeconds: 60 * 60, message: 'Too many password reset requests. Try again later.' },
  passwordResetConfirm: { points: 10, durationSeconds: 15 * 60, message: 'Too many attempts. Try again in a few minutes.' },
  emailConfirm: { points: 10, durationSeconds: 15 * 60, message: 'Too many attempts. Try again in a few minutes.' },
  passwordChange: { points: 5, durationSeconds: 15 * 60, message: 'Too many attempts. Try again in a few minutes.' },
  /** Purchases (seats, pins, tips) per payer. */
  purchases: { points: 30, durationSeconds: 60, message: 'Too many purchases at once. Wait a minute.' },
  /** Photos uploaded per person (account, else device) per day: the daily media quota. */
  mediaUploadsPerDay: { points: 200, durationSeconds: 24 * 60 * 60, message: 'You have uploaded the most photos allowed in a day. Try again tomorrow.' },
  avatarUpload: { points: 20, durationSeconds: 60 * 60, message: 'Too many avatar uploads. Try again later.' },
  /** Message searches per account: each one reads an index, so a script cannot make the database do nothing else. */
  search: { points: 60, durationSeconds: 60, message: 'Too many searches at once. Wait a moment and search again.' },
} as const;
export type LimitRule = keyof typeof LIMIT_RULES;

export interface Limits {
  readonly kind: 'memory' | 'redis';
  /** Counts one attempt; throws RATE_LIMITED (429 with retry-after) past the rule's limit. */
  consume(rule: LimitRule, key: string): Promise<void>;
  reset(rule: LimitRule, key: string): Promise<void>;
  /**
   * Starts a wait of `ms` for `key` unless one is running; returns 0 when it
   * started, else the milliseconds left (slow mode). Shared by every node
   * through Redis when it is configured.
   */
  cooldown(key: string, ms: number): Promise<number>;
  /** Gives back one attempt counted for work that then failed (SPEC: only successful suggestions count). */
  refund(rule: LimitRule, key: string): Promise<void>;
}

export function createLimits(redis?: Redis): Limits {
  const limiters = new Map<LimitRule, RateLimiterAbstract>();
  for (const [rule, cfg] of Object.entries(LIMIT_RULES) as [LimitRule, (typeof LIMIT_RULES)[LimitRule]][]) {
    const base = { keyPrefix: `limit:${rule}`, points: cfg.points, duration: cfg.durationSeconds };
    limiters.set(
      rule,
      redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: redis,
            // Redis unreachable: keep limiting on this node rather than letting everything through.
            insuranceLimiter: new RateLimiterMemory(base),
          })
        : new RateLimiterMemory(base),
    );
  }
  const waits = new Map<string, number>();
  let sweptAt = Date.now();
  return {
    kind: redis ? 'redis' : 'memory',
    async cooldown(key, ms) {
      const k = `cooldown:${key}`;
      if (redis) {
        // SET NX PX is atomic: two sends racing on two nodes start one wait.
        const set = await redis.set(k, '1', 'PX', ms, 'NX');
        if (set === 'OK') return 0;
        return Math.max(1, await redis.pttl(k));
      }
      const now = Date.now();
      if (now - sweptAt > 60_000) {
        for (const [key2, until] of waits) if (until <= now) waits.delete(key2);
        sweptAt = now;
      }
      const until = waits.get(k);
      if (until !== undefined && until > now) return until - now;
      waits.set(k, now + ms);
      return 0;
    },
    async consume(rule, key) {
      try {
        await limiters.get(rule)!.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          throw rateLimited(Math.ceil(err.msBeforeNext / 1000), LIMIT_RULES[rule].message);
        }
        throw err;
      }
    },
    async reset(rule, key) {
      await limiters.get(rule)!.delete(key);
    },
    async refund(rule, key) {
      await limiters.get(rule)!.reward(key, 1);
    },
  };
}
