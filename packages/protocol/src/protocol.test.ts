import { describe, expect, it } from 'vitest';
import { checkUsernameFormat, passwordProblems, chatCodeSchema, createChatBodySchema, historyQuerySchema } from './index';

describe('username format (SPEC §2.3)', () => {
  it.each([
    ['Robert', true, undefined],
    ['a_b_c', true, undefined],
    ['_____', true, undefined],
    ['12345', true, undefined],
    ['ABCDEFGHIJKLMNO', true, undefined],
    ['  padded  ', true, undefined],
    ['abcd', false, 'too_short'],
    ['ABCDEFGHIJKLMNOP', false, 'too_long'],
    ['has space', false, 'characters'],
    ['dash-name', false, 'characters'],
    ['émile', false, 'characters'],
    ['emoji😀x', false, 'characters'],
    ['', false, 'required'],
    ['   ', false, 'required'],
  ])('%j → ok %s (%s)', (input, ok, rule) => {
    const check = checkUsernameFormat(input);
    expect(check.ok).toBe(ok);
    expect(check.rule).toBe(rule);
    if (!ok) expect(check.message).toMatch(/username|Choose/i);
  });

  it('trims and preserves case', () => {
    expect(checkUsernameFormat('  SwiftWolf123 ').username).toBe('SwiftWolf123');
  });

  it('treats a non-string as missing', () => {
    expect(checkUsernameFormat(42).rule).toBe('required');
  });
});

describe('password rules (SPEC §3)', () => {
  it('names every missing rule', () => {
    expect(passwordProblems('short')).toEqual(['at least 8 characters', 'an upper-case letter', 'a digit']);
    expect(passwordProblems('Passw0rd')).toEqual([]);
  });
});

describe('chat codes and bodies', () => {
  it('accepts only 8 Crockford characters', () => {
    expect(chatCodeSchema.safeParse('0AG9Q5P1').success).toBe(true);
    expect(chatCodeSchema.safeParse('0AG9Q5PI').success).toBe(false);
    expect(chatCodeSchema.safeParse('0AG9Q5P').success).toBe(false);
  });

  it('fills the settings a host leaves out with defaults', () => {
    const body = createChatBodySchema.parse({ name: 'x' });
    expect(body).toMatchObject({ access: 'public', description: '', settings: {} });
  });

  it('refuses a history query with both cursors', () => {
    expect(historyQuerySchema.safeParse({ before: '5', after: '2' }).success).toBe(false);
    expect(historyQuerySchema.parse({ before: '5' })).toEqual({ before: 5, limit: 50 });
  });
});
