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

describe('moderation schemas', () => {
  it('merges a settings patch field by field, keeping what it does not name', async () => {
    const { chatSettingsSchema, chatSettingsPatchSchema, mergeChatSettings } = await import('./index');
    const current = chatSettingsSchema.parse({ theme: 'ocean-blue', slowModeSeconds: 10, lockdown: { newcomerMinutes: 5 } });
    const next = mergeChatSettings(current, chatSettingsPatchSchema.parse({ lockdown: { active: true }, media: { photo: true } }));
    expect(next).toMatchObject({ theme: 'ocean-blue', slowModeSeconds: 10, media: { photo: true, voice: false }, lockdown: { active: true, newcomerMinutes: 5, slowModeSeconds: 30 } });
    expect(chatSettingsPatchSchema.safeParse({ lockdown: { newcomerMinutes: 2000 } }).success).toBe(false);
    expect(chatSettingsPatchSchema.safeParse({ surprise: 1 }).success).toBe(false);
  });

  it('keeps blocked terms unique without regard to case', async () => {
    const { blockedTermsSchema } = await import('./index');
    expect(blockedTermsSchema.parse([' Spam ', 'spam', 'scam'])).toEqual(['spam', 'scam']);
    expect(blockedTermsSchema.safeParse(['']).success).toBe(false);
  });

  it('takes one emoji, with skin tones and sequences, and no text', async () => {
    const { emojiSchema } = await import('./index');
    for (const ok of ['👍', '👍🏽', '❤️', '🏳️‍🌈', '👨‍👩‍👧', '🇫🇷']) expect(emojiSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['a', ':)', '12', '#', '', 'hello👍']) expect(emojiSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('allows only the time-out presets', async () => {
    const { moderateMemberBodySchema } = await import('./index');
    for (const seconds of [10, 60, 300, 600, 1800, 86_400]) expect(moderateMemberBodySchema.safeParse({ action: 'timeout', seconds }).success).toBe(true);
    expect(moderateMemberBodySchema.safeParse({ action: 'timeout', seconds: 42 }).success).toBe(false);
    expect(moderateMemberBodySchema.safeParse({ action: 'ban' }).success).toBe(true);
    expect(moderateMemberBodySchema.safeParse({ action: 'ban', seconds: 10 }).success).toBe(false);
    expect(moderateMemberBodySchema.safeParse({ action: 'ban', deleteRecent: true }).success).toBe(true);
    expect(moderateMemberBodySchema.safeParse({ action: 'ban', deleteRecent: 'yes' }).success).toBe(false);
    expect(moderateMemberBodySchema.safeParse({ action: 'unban', deleteRecent: true }).success).toBe(false);
  });

  it('takes a return address only as a path on this site', async () => {
    const { returnPathSchema } = await import('./index');
    for (const ok of ['/', '/create', '/chat/ABCD2345', '/chat/ABCD2345?x=1']) expect(returnPathSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'create', '/a b', '']) {
      expect(returnPathSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('room:join and message:range answers', () => {
  it('say whether the replay is whole or how many seqs it left out, and which seqs are withheld', async () => {
    const { roomJoinResultSchema, roomRangeResultSchema } = await import('./index');
    const base = { roomId: 'r', messages: [], lastSeq: 812, hasMore: true };
    expect(roomJoinResultSchema.parse({ ...base, replay: 'partial', missed: 712, withheld: [700] })).toMatchObject({ replay: 'partial', missed: 712, withheld: [700] });
    expect(roomJoinResultSchema.parse({ ...base, hasMore: false, replay: 'complete', missed: 0 }).withheld).toEqual([]);
    for (const bad of [{ ...base, replay: 'some', missed: 0 }, { ...base, replay: 'partial', missed: -1 }, { ...base, replay: 'complete', missed: 0, withheld: [0] }]) {
      expect(roomJoinResultSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(roomRangeResultSchema.parse({ messages: [], hasMore: false }).withheld).toEqual([]);
  });
});

describe('seqs and cursors a client sends', () => {
  it('are integers from 0 (or 1) to 2^31 − 1, in query strings and socket payloads alike', async () => {
    const { SEQ_MAX, historyQuerySchema, roomJoinSchema, roomRangeSchema } = await import('./index');
    const roomId = '0190b6a1-7c1e-7000-8000-000000000000';
    expect(SEQ_MAX).toBe(2 ** 31 - 1);
    expect(historyQuerySchema.safeParse({ before: String(SEQ_MAX) }).success).toBe(true);
    for (const bad of [String(SEQ_MAX + 1), '1e300', '0', '-1', '1.5', 'abc']) expect(historyQuerySchema.safeParse({ before: bad }).success, bad).toBe(false);
    for (const bad of [String(SEQ_MAX + 1), '-1']) expect(historyQuerySchema.safeParse({ after: bad }).success, bad).toBe(false);
    expect(roomJoinSchema.safeParse({ roomId, afterSeq: SEQ_MAX }).success).toBe(true);
    for (const bad of [SEQ_MAX + 1, Number.MAX_SAFE_INTEGER, Infinity, -1]) {
      expect(roomJoinSchema.safeParse({ roomId, afterSeq: bad }).success, String(bad)).toBe(false);
      expect(roomRangeSchema.safeParse({ roomId, afterSeq: 0, beforeSeq: bad }).success, String(bad)).toBe(false);
    }
  });
});
