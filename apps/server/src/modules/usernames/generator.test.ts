import { describe, expect, it } from 'vitest';
import { USERNAME_MAX_CHARS, checkUsername, containsProfanity } from '@chatpop/protocol';
import { CANDIDATES_PER_ROUND, candidateName, generateUsername } from './generator';
import { ADJECTIVES, NOUNS } from './words';

describe('generated usernames', () => {
  it('are Adjective + Noun + digits, at most 15 characters, and pass every username rule', () => {
    for (let i = 0; i < 500; i++) {
      for (const digits of [3, 4, 5]) {
        const name = candidateName(digits);
        expect(name).toMatch(new RegExp(`^[A-Z][a-z]+[A-Z][a-z]+[1-9][0-9]{${digits - 1}}$`));
        expect(name.length).toBeLessThanOrEqual(USERNAME_MAX_CHARS);
        expect(checkUsername(name)).toMatchObject({ ok: true, username: name });
      }
    }
  });

  it('are always clean: every adjective and noun pairing passes the profanity check', () => {
    const flagged: string[] = [];
    for (const adjective of ADJECTIVES) {
      for (const noun of NOUNS) {
        if (containsProfanity(`${adjective}${noun}`)) flagged.push(`${adjective}${noun}`);
      }
    }
    expect(flagged).toEqual([]);
  });

  it('never come out with digits that spell something rude', () => {
    // A fixed draw that would give "BubblyRaven664" (6 and 4 read as g and a): the generator draws again.
    const draws = [ADJECTIVES.indexOf('Bubbly'), NOUNS.indexOf('Raven'), 664, ADJECTIVES.indexOf('Calm'), NOUNS.indexOf('Otter'), 123];
    const name = candidateName(3, () => draws.shift()!);
    expect(containsProfanity('BubblyRaven664')).toBe(true);
    expect(name).toBe('CalmOtter123');
  });

  it('use at least a thousand word pairings that fit with five digits', () => {
    const fitting = ADJECTIVES.flatMap((a) => NOUNS.filter((n) => a.length + n.length + 5 <= USERNAME_MAX_CHARS));
    expect(fitting.length).toBeGreaterThan(1000);
  });

  it('grow from 3 to 4 to 5 digits as collisions pile up', async () => {
    const asked: number[] = [];
    // Every 3-digit name is taken: the next rounds move on to 4 digits.
    const name = await generateUsername(async (names) => {
      asked.push(...names.map((n) => n.match(/\d+$/)![0].length));
      return new Set(names.filter((n) => /[a-z]\d{3}$/.test(n)));
    });
    expect(name).toMatch(/[a-z]\d{4}$/);
    expect(new Set(asked)).toEqual(new Set([3, 4]));

    const five = await generateUsername(async (names) => new Set(names.filter((n) => !/[a-z]\d{5}$/.test(n))));
    expect(five).toMatch(/[a-z]\d{5}$/);
  });

  it('give up (null) when every round collides, asking in batches rather than one name at a time', async () => {
    let calls = 0;
    const name = await generateUsername(async (names) => {
      calls++;
      expect(names.length).toBeLessThanOrEqual(CANDIDATES_PER_ROUND);
      return new Set(names);
    });
    expect(name).toBeNull();
    expect(calls).toBe(6);
  });
});
