import { describe, expect, it } from 'vitest';
import { MUTE_DURATION_MS, PRESENCE_QUERY_MAX_USERS, muteBodySchema, presenceQuerySchema } from './presence';

const id = (n: number) => `0190a1b2-c3d4-7e5f-8a9b-${String(n).padStart(12, '0')}`;

describe('presence query', () => {
  it('takes a comma-separated list of user ids, each once', () => {
    expect(presenceQuerySchema.parse({ userIds: `${id(1)}, ${id(2)},${id(1)},` }).userIds).toEqual([id(1), id(2)]);
  });

  it('refuses none, malformed ids and more than the limit', () => {
    for (const userIds of [undefined, '', ',', 'not-an-id', `${id(1)},nope`, Array.from({ length: PRESENCE_QUERY_MAX_USERS + 1 }, (_, i) => id(i)).join(',')]) {
      expect(presenceQuerySchema.safeParse({ userIds }).success, String(userIds)).toBe(false);
    }
    expect(presenceQuerySchema.safeParse({ userIds: Array.from({ length: PRESENCE_QUERY_MAX_USERS }, (_, i) => id(i)).join(',') }).success).toBe(true);
  });
});

describe('mute', () => {
  it('lasts 8 hours, a week, or until unmuted, and nothing else', () => {
    expect(MUTE_DURATION_MS).toEqual({ '8h': 28_800_000, '1w': 604_800_000 });
    for (const duration of ['8h', '1w', 'always']) expect(muteBodySchema.parse({ duration })).toEqual({ duration });
    for (const body of [{}, { duration: '1d' }, { duration: 8 }, { duration: '8h', until: 'tomorrow' }]) {
      expect(muteBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });
});
