import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '@chatpop/protocol';
import { connectRedis } from './redis';
import { MemoryMessageCache, RedisMessageCache, type MessageCache } from './cache';

const HOUR_MS = 60 * 60 * 1000;

function msg(seq: number, ageMs = 0): Message {
  return {
    id: `id-${seq}`,
    roomId: 'room',
    seq,
    clientId: null,
    memberId: 'm',
    username: 'Someone',
    verified: seq % 2 === 0,
    type: 'normal',
    content: `message ${seq}`,
    replyTo: null,
    createdAt: new Date(Date.now() - ageMs).toISOString(),
    deletedAt: null,
    reactions: [],
  };
}

const redisClients: { disconnect(): void }[] = [];
afterAll(() => redisClients.forEach((c) => c.disconnect()));

const implementations: [string, () => Promise<MessageCache>][] = [
  ['memory', async () => new MemoryMessageCache(5, HOUR_MS)],
];
if (process.env.CHATPOP_TEST_BACKEND === 'networked' && process.env.TEST_REDIS_URL) {
  implementations.push([
    'redis',
    async () => {
      const client = await connectRedis(process.env.TEST_REDIS_URL!, 'cache-test', `cachetest${Date.now()}:`);
      redisClients.push(client);
      return new RedisMessageCache(client, 5, HOUR_MS);
    },
  ]);
}

describe.each(implementations)('%s message cache', (_name, make) => {
  it('keeps messages ordered by seq and replaces a message with the same seq', async () => {
    const cache = await make();
    await cache.put('k1', msg(2));
    await cache.put('k1', msg(1));
    await cache.put('k1', msg(3));
    await cache.put('k1', { ...msg(2), content: 'edited' });
    expect((await cache.latest('k1', 10)).map((m) => [m.seq, m.content])).toEqual([
      [1, 'message 1'],
      [2, 'edited'],
      [3, 'message 3'],
    ]);
    expect(await cache.count('k1')).toBe(3);
  });

  it('keeps the badge flag in the cached copy', async () => {
    const cache = await make();
    await cache.put('k2', msg(2));
    expect((await cache.latest('k2', 1))[0]!.verified).toBe(true);
  });

  it('keeps everything younger than the age limit even past the count limit', async () => {
    const cache = await make();
    for (let seq = 1; seq <= 8; seq++) await cache.put('k3', msg(seq));
    expect(await cache.count('k3')).toBe(8);
  });

  it('trims old messages beyond the newest N', async () => {
    const cache = await make();
    for (let seq = 1; seq <= 8; seq++) await cache.put('k4', msg(seq, 2 * HOUR_MS));
    expect((await cache.latest('k4', 100)).map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);
  });

  it('keeps the newest N plus the young ones when old and young mix', async () => {
    const cache = await make();
    for (let seq = 1; seq <= 6; seq++) await cache.put('k5', msg(seq, 2 * HOUR_MS));
    for (let seq = 7; seq <= 9; seq++) await cache.put('k5', msg(seq));
    expect((await cache.latest('k5', 100)).map((m) => m.seq)).toEqual([5, 6, 7, 8, 9]);
  });

  it('answers ranges by seq and lists keys', async () => {
    const cache = await make();
    await cache.putMany('chat:AAAAAAAA:messages', [msg(1), msg(2), msg(3), msg(4)]);
    expect((await cache.range('chat:AAAAAAAA:messages', 2, 3)).map((m) => m.seq)).toEqual([2, 3]);
    expect(await cache.keys()).toContain('chat:AAAAAAAA:messages');
    await cache.drop('chat:AAAAAAAA:messages');
    expect(await cache.count('chat:AAAAAAAA:messages')).toBe(0);
  });
});

describe.each(implementations)('%s pinned-message cache', (_name, make) => {
  it('keeps pins scored by their end, replaces a re-pinned message, and never returns an expired pin', async () => {
    const cache = await make();
    const key = 'chat:PINPINPI:pinned';
    await cache.putPinned(key, msg(1), Date.now() + 60_000);
    await cache.putPinned(key, msg(2), Date.now() + 30_000);
    await cache.putPinned(key, { ...msg(1), content: 'bumped' }, Date.now() + 90_000);
    await cache.putPinned(key, msg(3), Date.now() - 1);
    expect((await cache.pinned(key)).map((p) => [p.message.seq, p.message.content])).toEqual([
      [2, 'message 2'],
      [1, 'bumped'],
    ]);
    await cache.removePinned(key, 'id-2');
    expect((await cache.pinned(key)).map((p) => p.message.seq)).toEqual([1]);
  });
});

describe.runIf(implementations.length > 1)('redis message cache keys', () => {
  it('refreshes the 24-hour expiry on every message, and lists only its own prefix', async () => {
    const client = await connectRedis(process.env.TEST_REDIS_URL!, 'cache-ttl-test', `cachettl${Date.now()}:`);
    const other = await connectRedis(process.env.TEST_REDIS_URL!, 'cache-ttl-other', `othertenant${Date.now()}:`);
    redisClients.push(client, other);
    const cache = new RedisMessageCache(client);
    await cache.put('chat:TTLTTLTT:messages', msg(1));
    await client.pexpire('chat:TTLTTLTT:messages', 5_000);
    await client.pexpire('chat:TTLTTLTT:messages:times', 5_000);
    expect(await client.pttl('chat:TTLTTLTT:messages')).toBeLessThanOrEqual(5_000);
    await cache.put('chat:TTLTTLTT:messages', msg(2));
    expect(await client.pttl('chat:TTLTTLTT:messages')).toBeGreaterThan(23 * HOUR_MS);
    expect(await client.pttl('chat:TTLTTLTT:messages:times')).toBeGreaterThan(23 * HOUR_MS);
    await new RedisMessageCache(other).put('chat:ELSEWHER:messages', msg(1));
    expect(await cache.keys()).toEqual(['chat:TTLTTLTT:messages']);
  });
});
