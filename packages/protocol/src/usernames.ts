import { z } from 'zod';

export const USERNAME_MIN_CHARS = 5;
export const USERNAME_MAX_CHARS = 15;
const USERNAME_PATTERN = /^[A-Za-z0-9_]+$/;

export type UsernameRule = 'too_short' | 'too_long' | 'characters' | 'required';

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

export const usernameSchema = z.string().transform((value, ctx) => {
  const check = checkUsernameFormat(value);
  if (!check.ok) {
    ctx.addIssue({ code: 'custom', message: check.message ?? 'Invalid username.', params: { rule: check.rule } });
    return z.NEVER;
  }
  return check.username;
});
