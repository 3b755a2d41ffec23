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
    // Later seqs are later in time, as stored messages are.
    createdAt: new Date(Date.now() - ageMs + seq).toISOString(),
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
    expect((await cache.range('chat:AAAAAAAA:messages', 2, 3)).messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(await cache.keys()).toContain('chat:AAAAAAAA:messages');
    await cache.drop('chat:AAAAAAAA:messages');
    expect(await cache.count('chat:AAAAAAAA:messages')).toBe(0);
  });
});

describe.each(implementations)('%s message cache held run', (_name, make) => {
  const heldOf = async (cache: MessageCache, key: string) => cache.held(key);

  it('holds the run of consecutive seqs the write path put, and nothing when cold', async () => {
    const cache = await make();
    expect(await heldOf(cache, 'h1')).toBeNull();
    expect(await cache.range('h1', 1, 10)).toEqual({ held: null, messages: [] });
    for (let seq = 1; seq <= 3; seq++) await cache.put('h1', msg(seq));
    expect(await heldOf(cache, 'h1')).toEqual({ from: 1, to: 3 });
    const read = await cache.range('h1', 2, 3);
    expect(read.held).toEqual({ from: 1, to: 3 });
    expect(read.messages.map((m) => m.seq)).toEqual([2, 3]);
  });

  it('does not stretch the run over a seq still missing, and heals when it arrives', async () => {
    const cache = await make();
    await cache.put('h2', msg(1));
    await cache.put('h2', msg(2));
    await cache.put('h2', msg(4));
    await cache.put('h2', msg(5));
    // 4 and 5 are the newest run: the older one is not vouched for past its hole either way.
    expect(await heldOf(cache, 'h2')).toEqual({ from: 4, to: 5 });
    await cache.put('h2', msg(3));
    expect(await heldOf(cache, 'h2')).toEqual({ from: 1, to: 5 });
  });

  it('keeps the newer run when an old page is filled in below it, and joins them once they touch', async () => {
    const cache = await make();
    for (let seq = 10; seq <= 12; seq++) await cache.put('h3', msg(seq));
    await cache.putMany('h3', [msg(1), msg(2), msg(3)]);
    expect(await heldOf(cache, 'h3')).toEqual({ from: 10, to: 12 });
    await cache.putMany('h3', [4, 5, 6, 7, 8, 9].map((seq) => msg(seq)));
    expect(await heldOf(cache, 'h3')).toEqual({ from: 1, to: 12 });
  });

  it('an old page filled into a cold cache holds just that page', async () => {
    const cache = await make();
    await cache.putMany('h4', [msg(1), msg(2), msg(3)]);
    expect(await heldOf(cache, 'h4')).toEqual({ from: 1, to: 3 });
    expect((await cache.range('h4', 1, 50)).messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('a backfill never replaces the copy the write path put', async () => {
    const cache = await make();
    await cache.put('h5', { ...msg(1), content: '', deletedAt: new Date().toISOString() });
    await cache.putMany('h5', [msg(1), msg(2)]);
    expect((await cache.range('h5', 1, 2)).messages.map((m) => [m.seq, m.content])).toEqual([
      [1, ''],
      [2, 'message 2'],
    ]);
    expect(await heldOf(cache, 'h5')).toEqual({ from: 1, to: 2 });
  });

  it('raises the start of the run when the retention trims old messages', async () => {
    const cache = await make();
    for (let seq = 1; seq <= 8; seq++) await cache.put('h6', msg(seq, 2 * HOUR_MS));
    expect(await heldOf(cache, 'h6')).toEqual({ from: 4, to: 8 });
  });

  it('forgets the run when the room is dropped', async () => {
    const cache = await make();
    await cache.putMany('h7', [msg(1), msg(2)]);
    await cache.drop('h7');
    expect(await heldOf(cache, 'h7')).toBeNull();
  });
});

describe.runIf(implementations.length > 1)('redis message cache held run when keys vanish', () => {
  it('vouches for nothing when the messages are gone but the run key is left, and rebuilds from the next writes', async () => {
    const client = await connectRedis(process.env.TEST_REDIS_URL!, 'cache-vanish-test', `cachevanish${Date.now()}:`);
    redisClients.push(client);
    const cache = new RedisMessageCache(client, 500, HOUR_MS);
    for (let seq = 1; seq <= 5; seq++) await cache.put('chat:VANISHED:messages', msg(seq));
    expect(await cache.held('chat:VANISHED:messages')).toEqual({ from: 1, to: 5 });
    await client.del('chat:VANISHED:messages');
    expect(await client.exists('chat:VANISHED:messages:held')).toBe(1);
    expect(await cache.range('chat:VANISHED:messages', 1, 5)).toEqual({ held: null, messages: [] });
    await cache.put('chat:VANISHED:messages', msg(6));
    expect(await cache.held('chat:VANISHED:messages')).toEqual({ from: 6, to: 6 });
    await client.zremrangebyscore('chat:VANISHED:messages', 6, 6);
    await cache.putMany('chat:VANISHED:messages', [msg(3), msg(4)]);
    expect(await cache.held('chat:VANISHED:messages')).toEqual({ from: 3, to: 4 });
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
