import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@chatpop/protocol';
import type { GuardedMessageCache, MessageCache } from '../src/infra/cache';
import { backend, call, connectSocket, guestJoins, hostWithChat, seedMessages, startApp, until, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

/** Stands in for a cache server that has gone away: every call fails, as Redis's client does when it is down. */
class UnreachableCache implements MessageCache {
  readonly kind = 'redis' as const;
  private fail = (): never => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  };
  put = async () => this.fail();
  putMany = async () => this.fail();
  range = async () => this.fail();
  held = async () => this.fail();
  latest = async () => this.fail();
  count = async () => this.fail();
  drop = async () => this.fail();
  keys = async () => this.fail();
  putPinned = async () => this.fail();
  removePinned = async () => this.fail();
  pinned = async () => this.fail();
  close = async () => {};
}

describe(`when the message cache fails (${backend})`, () => {
  it('sends still succeed, history and replay come from the database, and nothing is lost', async () => {
    const { chat } = await hostWithChat(t);
    const g = await guestJoins(t, chat.code);
    const before = await seedMessages(t, chat.roomId, g.member.id, 5, 'healthy');
    const guarded = t.app.ctx.cache as GuardedMessageCache;
    const real = guarded.inner;
    guarded.inner = new UnreachableCache();
    try {
      const socket = await connectSocket(t.url, [g.token]);
      const joined = await call<{ messages: Message[] }>(socket, 'room:join', { roomId: chat.roomId, afterSeq: before[1]!.seq });
      expect(joined.ok && joined.messages.map((m) => m.content)).toEqual(['healthy 2', 'healthy 3', 'healthy 4']);
      const sent = await call<{ message: Message }>(socket, 'message:send', { roomId: chat.roomId, clientId: 'no-cache-001', content: 'still delivered' });
      expect(sent.ok).toBe(true);
      const history = await t.client().get(`/api/chats/${chat.code}/messages`);
      expect(history.status).toBe(200);
      expect(history.body.source).toBe('database');
      expect(history.body.messages.at(-1).content).toBe('still delivered');
      const health = await t.client().get('/api/health');
      expect(health.body.status).toBe('degraded');
      socket.close();
    } finally {
      guarded.inner = real;
    }
    // Back up: the message written while the cache was down is not hidden by a stale cache.
    const healed = await t.client().get(`/api/chats/${chat.code}/messages`);
    expect(healed.body.source).toBe('database');
    expect(healed.body.messages.at(-1).content).toBe('still delivered');
    await until(() => guarded.pendingRepairs.length === 0, 5_000, 'cache repair');
    await until(async () => (await t.client().get(`/api/chats/${chat.code}/messages`)).body.source === 'cache', 5_000, 'refill');
    const refilled = await t.client().get(`/api/chats/${chat.code}/messages`);
    expect(refilled.body.source).toBe('cache');
    expect(refilled.body.messages.at(-1).content).toBe('still delivered');
  });
});

describe.runIf(backend === 'networked')('when Redis goes down in the middle of a conversation', () => {
  it('the database answers, sends go on, and after Redis is back nothing is missing', async () => {
    const { chat } = await hostWithChat(t);
    const g = await guestJoins(t, chat.code);
    const socket = await connectSocket(t.url, [g.token]);
    await call(socket, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    const sendOne = (i: number) => call<{ message: Message }>(socket, 'message:send', { roomId: chat.roomId, clientId: `drop-${i}-${chat.roomId.slice(0, 8)}`, content: `m${i}` });
    for (let i = 0; i < 3; i++) expect((await sendOne(i)).ok).toBe(true);
    const guarded = t.app.ctx.cache as GuardedMessageCache;
    const client = (guarded.inner as unknown as { redis: { disconnect(): void; connect(): Promise<void>; status: string } }).redis;
    client.disconnect();
    try {
      for (let i = 3; i < 6; i++) expect((await sendOne(i)).ok).toBe(true);
      const down = await t.client().get(`/api/chats/${chat.code}/messages`);
      expect(down.status).toBe(200);
      expect(down.body.source).toBe('database');
      expect(down.body.messages.map((m: Message) => m.content).filter((c: string) => c.startsWith('m'))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    } finally {
      await client.connect();
    }
    await until(() => guarded.pendingRepairs.length === 0, 5_000, 'cache repair');
    for (let i = 6; i < 8; i++) expect((await sendOne(i)).ok).toBe(true);
    await until(async () => (await t.client().get(`/api/chats/${chat.code}/messages`)).body.source === 'cache', 5_000, 'refill');
    const healed = await t.client().get(`/api/chats/${chat.code}/messages`);
    expect(healed.body.messages.map((m: Message) => m.content).filter((c: string) => c.startsWith('m'))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    socket.close();
  });
});
