import { randomInt } from 'node:crypto';
import { USERNAME_MAX_CHARS, containsProfanity } from '@chatpop/protocol';
import { ADJECTIVES, NOUNS } from './words';

/**
 * Digits per round of candidates: a round whose every candidate is taken or
 * was offered lately moves on, so the digits grow 3 → 4 → 5 as collisions pile
 * up (SPEC §2.3).
 */
export const DIGIT_ROUNDS = [3, 3, 4, 4, 5, 5] as const;
export const CANDIDATES_PER_ROUND = 8;

export type Random = (minInclusive: number, maxExclusive: number) => number;

/**
 * One Adjective + Noun + `digits` digits name that fits 15 characters. The
 * words are clean, but digits read as letters can spell something that is not
 * (`n664`), so each whole name still passes the profanity check.
 */
export function candidateName(digits: number, random: Random = randomInt): string {
  for (;;) {
    const adjective = ADJECTIVES[random(0, ADJECTIVES.length)]!;
    const noun = NOUNS[random(0, NOUNS.length)]!;
    if (adjective.length + noun.length + digits > USERNAME_MAX_CHARS) continue;
    const name = `${adjective}${noun}${random(10 ** (digits - 1), 10 ** digits)}`;
    if (!containsProfanity(name)) return name;
  }
}

/**
 * A free generated name, or null when every round collided. `unavailable`
 * answers, for a batch of lower-cased candidates, which ones may not be
 * offered (claimed by someone, or offered within the hour).
 */
export async function generateUsername(
  unavailable: (lowerNames: string[]) => Promise<Set<string>>,
  random: Random = randomInt,
): Promise<string | null> {
  for (const digits of DIGIT_ROUNDS) {
    const candidates = [...new Set(Array.from({ length: CANDIDATES_PER_ROUND }, () => candidateName(digits, random)))];
    const blocked = await unavailable(candidates.map((c) => c.toLowerCase()));
    const free = candidates.find((c) => !blocked.has(c.toLowerCase()));
    if (free) return free;
  }
  return null;
}
