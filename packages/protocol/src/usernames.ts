import { z } from 'zod';
import { containsProfanity } from './profanity';

export const USERNAME_MIN_CHARS = 5;
export const USERNAME_MAX_CHARS = 15;
const USERNAME_PATTERN = /^[A-Za-z0-9_]+$/;

export type UsernameRule = 'too_short' | 'too_long' | 'characters' | 'required' | 'profanity';
export const USERNAME_RULES = ['required', 'too_short', 'too_long', 'characters', 'profanity'] as const;

export interface UsernameCheck {
  ok: boolean;
  /** The name as it will be stored and shown: trimmed, case preserved. */
  username: string;
  rule?: UsernameRule;
  message?: string;
}

/**
 * The format rules of a username (SPEC §2.3), shared by the server and the web
 * forms so that both say the same thing about the same input.
 */
export function checkUsernameFormat(input: unknown): UsernameCheck {
  const username = typeof input === 'string' ? input.trim() : '';
  if (username.length === 0) {
    return { ok: false, username, rule: 'required', message: 'Choose a username.' };
  }
  if ([...username].length < USERNAME_MIN_CHARS) {
    return {
      ok: false,
      username,
      rule: 'too_short',
      message: `A username needs at least ${USERNAME_MIN_CHARS} characters.`,
    };
  }
  if ([...username].length > USERNAME_MAX_CHARS) {
    return {
      ok: false,
      username,
      rule: 'too_long',
      message: `A username can have at most ${USERNAME_MAX_CHARS} characters.`,
    };
  }
  if (!USERNAME_PATTERN.test(username)) {
    return {
      ok: false,
      username,
      rule: 'characters',
      message: 'A username may only use letters, digits and underscores.',
    };
  }
  return { ok: true, username };
}

/**
 * Every rule a typed username must pass (SPEC §2.3): the format, then
 * profanity. Generated names skip the profanity check (`profanity: false`):
 * their word lists are clean by construction, and a test proves it.
 */
export function checkUsername(input: unknown, opts: { profanity?: boolean } = {}): UsernameCheck {
  const format = checkUsernameFormat(input);
  if (!format.ok || opts.profanity === false) return format;
  if (containsProfanity(format.username)) {
    return { ok: false, username: format.username, rule: 'profanity', message: 'That username is not allowed. Try another one.' };
  }
  return format;
}

export const usernameSchema = z.string().transform((value, ctx) => {
  const check = checkUsername(value);
  if (!check.ok) {
    ctx.addIssue({ code: 'custom', message: check.message ?? 'Invalid username.', params: { rule: check.rule } });
    return z.NEVER;
  }
  return check.username;
});

/** `GET /api/usernames/check?username=` */
export const usernameCheckQuerySchema = z.object({ username: z.string().max(100, 'That username is far too long.') });

export const usernameCheckResponseSchema = z.object({
  /** The name as it would be stored: trimmed, case preserved. */
  username: z.string(),
  available: z.boolean(),
  /**
   * Why not (or `null` when available): a format rule, `profanity`, or
   * `taken` (someone else's reserved username or another device's name).
   */
  reason: z.enum([...USERNAME_RULES, 'taken']).nullable(),
  /** The asker already holds it (their device's chat name, or their own account's): theirs to register. */
  yours: z.boolean(),
  message: z.string(),
});
export type UsernameCheckResponse = z.infer<typeof usernameCheckResponseSchema>;

/** Dice rolls left for the asking device (or signed-in user) in the current hour. */
export const rollAllowanceSchema = z.object({
  limit: z.number().int(),
  remaining: z.number().int(),
  /** When the oldest roll of the hour stops counting; null when none counts. */
  resetsAt: z.string().nullable(),
});
export type RollAllowance = z.infer<typeof rollAllowanceSchema>;

/** `POST /api/chats/:code/usernames/roll` */
export const rollResponseSchema = z.object({
  username: z.string(),
  /** Rolls left this hour, this one counted. */
  remaining: z.number().int(),
  rolls: rollAllowanceSchema,
});
export type RollResponse = z.infer<typeof rollResponseSchema>;

/** `GET /api/chats/:code/usernames`: what the join dialog opens with. */
export const joinOptionsSchema = z.object({
  /** A name this device (or signed-in user) already holds from other chats, most recently used first. */
  owned: z.string().nullable(),
  /** The latest name rolled within the hour that is still free, to pick up where the dialog left off. */
  rolled: z.string().nullable(),
  rolls: rollAllowanceSchema,
});
export type JoinOptions = z.infer<typeof joinOptionsSchema>;

/** A roll or a roll-based join past the hour's allowance: how long to wait. */
export const rollsExhaustedDetailsSchema = z.object({ limit: z.number().int(), retryAfterSeconds: z.number().int() });

/** `GET /api/usernames/mine`: the name this browser's device (or the signed-in user) chats under, to offer at registration. */
export const ownedNameSchema = z.object({ owned: z.string().nullable() });
export type OwnedName = z.infer<typeof ownedNameSchema>;
