import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryPresence, RedisPresence, type Presence } from './presence';
import { connectRedis } from './redis';

const TTL_MS = 50;
const redisClients: { disconnect(): void }[] = [];
afterAll(() => redisClients.forEach((c) => c.disconnect()));

const implementations: [string, () => Promise<Presence>][] = [['memory', async () => new MemoryPresence(TTL_MS)]];
if (process.env.CHATPOP_TEST_BACKEND === 'networked' && process.env.TEST_REDIS_URL) {
  implementations.push([
    'redis',
    async () => {
      const client = await connectRedis(process.env.TEST_REDIS_URL!, 'presence-test', `presencetest${Date.now()}${Math.random()}:`);
      redisClients.push(client);
      return new RedisPresence(client, TTL_MS);
    },
  ]);
}

describe.each(implementations)('presence by counted connections (%s)', (_name, make) => {
  // The clock is the test's: a loaded machine cannot make an entry expire early or late. Only Date
  // is faked, so a Redis client's own timers and sockets run as usual.
  afterEach(() => vi.useRealTimers());
  const clock = () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    return { at: (ms: number) => vi.setSystemTime(start + ms), start };
  };

  it('keeps a member online while any of their connections lives, and expires silent ones', async () => {
    const { at } = clock();
    const presence = await make();
    await presence.touch('r', 'tab1', { memberId: 'alice', username: 'Alice' });
    await presence.touch('r', 'tab2', { memberId: 'alice', username: 'Alice' });
    await presence.touch('r', 'tab3', { memberId: 'bob', username: 'Bob' });
    expect((await presence.online('r')).map((o) => o.username).sort()).toEqual(['Alice', 'Bob']);
    await presence.remove('r', 'tab1', 'alice');
    expect(await presence.online('r')).toHaveLength(2);
    at(30);
    await presence.touch('r', 'tab3', { memberId: 'bob', username: 'Bob' }); // Bob heartbeats, Alice's tab2 does not
    at(60);
    expect((await presence.online('r')).map((o) => o.username)).toEqual(['Bob']);
    expect(await presence.sweep()).toEqual(['r']);
  });

  it('says when an account comes online and when its last device goes, not in between', async () => {
    const { at, start } = clock();
    const presence = await make();
    expect(await presence.touchUser('ann', 'phone')).toBe(true);
    expect(await presence.touchUser('ann', 'laptop')).toBe(false);
    expect(await presence.touchUser('ann', 'phone')).toBe(false); // a heartbeat
    expect([...(await presence.usersOnline(['ann', 'bob']))]).toEqual(['ann']);
    at(10);
    expect(await presence.removeUser('ann', 'phone')).toBeNull();
    expect((await presence.usersOnline(['ann'])).has('ann')).toBe(true);
    at(20);
    expect((await presence.removeUser('ann', 'laptop'))?.getTime()).toBe(start + 20);
    expect((await presence.usersOnline(['ann'])).size).toBe(0);
    // Removing again, or a connection never seen, changes nothing.
    expect(await presence.removeUser('ann', 'laptop')).toBeNull();
    expect(await presence.removeUser('bob', 'tab')).toBeNull();
  });

  it('expires an account whose devices stop heartbeating, with its last heartbeat as last seen, once', async () => {
    const { at, start } = clock();
    const presence = await make();
    await presence.touchUser('cy', 'tab1');
    await presence.touchUser('dee', 'tab1');
    at(20);
    await presence.touchUser('cy', 'tab2');
    at(40);
    await presence.touchUser('dee', 'tab1'); // Dee heartbeats
    at(60);
    // Cy's tab1 is stale, tab2 is not: Cy stays online.
    expect(await presence.sweepUsers()).toEqual([]);
    expect([...(await presence.usersOnline(['cy', 'dee']))].sort()).toEqual(['cy', 'dee']);
    at(75);
    expect(await presence.sweepUsers()).toEqual([{ userId: 'cy', lastSeenAt: new Date(start + 20) }]);
    expect(await presence.sweepUsers()).toEqual([]);
    expect([...(await presence.usersOnline(['cy', 'dee']))]).toEqual(['dee']);
    // A stale connection that closes before the sweep finds it reports its last heartbeat, not the close.
    at(100);
    expect((await presence.removeUser('dee', 'tab1'))?.getTime()).toBe(start + 40);
    expect(await presence.sweepUsers()).toEqual([]);
    // Back after going stale: online again.
    expect(await presence.touchUser('cy', 'tab2')).toBe(true);
  });
});
