import { describe, expect, it } from 'vitest';
import { checkUsername, checkUsernameFormat, containsProfanity, usernameSchema } from './index';

// The seed's test inventory, "Username Validation" and "Profanity Filter": written for this stack.

describe('username format: length', () => {
  it('takes 5 to 15 characters and refuses 4 and 16', () => {
    expect(checkUsernameFormat('abcde').ok).toBe(true);
    expect(checkUsernameFormat('a'.repeat(15)).ok).toBe(true);
    expect(checkUsernameFormat('abcd')).toMatchObject({ ok: false, rule: 'too_short', message: 'A username needs at least 5 characters.' });
    expect(checkUsernameFormat('a'.repeat(16))).toMatchObject({ ok: false, rule: 'too_long', message: 'A username can have at most 15 characters.' });
  });

  it('counts the length after trimming', () => {
    expect(checkUsernameFormat('   abcd   ').rule).toBe('too_short');
    expect(checkUsernameFormat(`  ${'a'.repeat(15)}  `).ok).toBe(true);
  });
});

describe('username format: characters', () => {
  it('allows letters, digits and underscores only', () => {
    for (const ok of ['Robert', 'robert_99', 'ROBERT', 'R0b3rt']) expect(checkUsernameFormat(ok).ok, ok).toBe(true);
    for (const bad of ['rob ert', 'rob-ert', 'rob.ert', "rob'ert", 'rob@ert', 'robert!', '<script>', "x' OR 1=1--", 'a;drop']) {
      expect(checkUsernameFormat(bad), bad).toMatchObject({ ok: false, rule: 'characters' });
    }
  });

  it('refuses unicode letters and emoji', () => {
    for (const bad of ['émile', 'Ünsal', 'Ровер', '名前名前名前', 'wolf😀pack', '😀😀😀😀😀', 'ｆｕｌｌｗｉｄｔｈ']) {
      expect(checkUsernameFormat(bad), bad).toMatchObject({ ok: false, rule: 'characters' });
    }
  });

  it('allows underscores anywhere, even only underscores', () => {
    for (const ok of ['_robert', 'robert_', 'ro_be_rt', '__x__', '_____']) expect(checkUsernameFormat(ok).ok, ok).toBe(true);
  });

  it('allows a name of digits only', () => {
    expect(checkUsernameFormat('12345').ok).toBe(true);
    expect(checkUsernameFormat('000000000000000').ok).toBe(true);
  });
});

describe('username format: whitespace, case and missing values', () => {
  it('trims surrounding whitespace and refuses inner whitespace', () => {
    expect(checkUsernameFormat('  SwiftWolf123\t\n')).toMatchObject({ ok: true, username: 'SwiftWolf123' });
    expect(checkUsernameFormat('Swift Wolf').rule).toBe('characters');
    expect(checkUsernameFormat('Swift\tWolf').rule).toBe('characters');
  });

  it('preserves case for display', () => {
    expect(checkUsernameFormat('MiXeD_CaSe').username).toBe('MiXeD_CaSe');
    expect(usernameSchema.parse(' CamelCase ')).toBe('CamelCase');
  });

  it('asks for a name when it is empty, blank, or not a string', () => {
    for (const missing of ['', '   ', null, undefined, 42, {}]) {
      expect(checkUsernameFormat(missing), String(missing)).toMatchObject({ ok: false, rule: 'required', message: 'Choose a username.' });
    }
  });
});

describe('profanity checker', () => {
  it('passes clean names', () => {
    for (const clean of ['SwiftWolf123', 'hello_world', 'Robert', 'NightOwl', 'GamerGirl99']) expect(containsProfanity(clean), clean).toBe(false);
  });

  it('catches obvious profanity, in any case', () => {
    for (const bad of ['fuck', 'FUCKER', 'ShitHead', 'bitch', 'cunt']) expect(containsProfanity(bad), bad).toBe(true);
  });

  it('catches leet-speak and separators', () => {
    for (const bad of ['sh!t', 'a$$', 'sh1t', 'b1tch', 'p0rn', 'c0ck', 'a55', 'f_u_c_k', 'S_h_1_t']) expect(containsProfanity(bad), bad).toBe(true);
  });

  it('allows legitimate words that contain risky letters', () => {
    for (const word of ['password', 'assistant', 'classic', 'Scunthorpe', 'assassin', 'bass_player', 'cocktail', 'Dickens', 'analysis', 'therapist', 'Cumberland', 'Hancock', 'grape', 'shitake', 'peacock']) {
      expect(containsProfanity(word), word).toBe(false);
    }
  });
});

describe('username validator with the profanity check', () => {
  it('gives a clean name back, trimmed and with its case', () => {
    expect(checkUsername('  Classic_Pass ')).toEqual({ ok: true, username: 'Classic_Pass' });
  });

  it('refuses a profane name with the profanity rule and a sentence', () => {
    const check = checkUsername('Sh1tLord');
    expect(check).toMatchObject({ ok: false, rule: 'profanity', username: 'Sh1tLord' });
    expect(check.message).toBe('That username is not allowed. Try another one.');
  });

  it('checks the format first: a name that breaks a format rule says so', () => {
    expect(checkUsername('sh!t').rule).toBe('too_short');
    expect(checkUsername('sh!t_happens').rule).toBe('characters');
  });

  it('skips the profanity check when asked (generated names)', () => {
    expect(checkUsername('Sh1tLord', { profanity: false }).ok).toBe(true);
    expect(checkUsername('bad name', { profanity: false }).rule).toBe('characters');
  });

  it('lets legitimate words through the full validator', () => {
    for (const word of ['password', 'assistant', 'classic', 'Scunthorpe']) expect(checkUsername(word).ok, word).toBe(true);
  });

  it('is the rule of the shared schema too', () => {
    expect(usernameSchema.safeParse('Sh1tLord').success).toBe(false);
    expect(usernameSchema.safeParse('assistant').success).toBe(true);
  });
});

describe('profanity behind invisible characters and look-alike forms', () => {
  it('is found once format characters are removed and compatibility forms folded', async () => {
    const { normalizeForRules } = await import('./index');
    expect(normalizeForRules('s\u200bh\u00adi\u2060t\ufeff')).toBe('shit');
    expect(normalizeForRules('ｓｈｉｔ')).toBe('shit');
    for (const text of ['sh\u200bit', 'f\u00adu\u2060c\u200bk', 'ｆｕｃｋ']) expect(containsProfanity(text), JSON.stringify(text)).toBe(true);
    expect(containsProfanity('pass\u200bword')).toBe(false);
  });
});
