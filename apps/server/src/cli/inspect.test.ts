import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Message } from '@chatpop/protocol';
import { REPO_ROOT } from '../config';
import { connectRedis } from '../infra/redis';
import { backend, call, connectSocket, guestJoins, hostWithChat, seedMessages, startApp, type TestApp } from '../../test/harness';
import { runInspect, type InspectOptions } from './inspect';

let t: TestApp;
let redis: Redis | null = null;
beforeAll(async () => {
  t = await startApp();
  if (backend === 'networked') redis = await connectRedis(process.env.TEST_REDIS_URL!, 'inspect-test', t.config.redisPrefix);
});
afterAll(async () => {
  redis?.disconnect();
  await t.destroy();
});

async function inspect(opts: InspectOptions, extra: { confirm?: boolean; sleep?: (ms: number) => Promise<void> } = {}) {
  const lines: string[] = [];
  const code = await runInspect(opts, {
    redis,
    db: t.app.ctx.db,
    out: (l) => lines.push(l),
    confirm: async () => extra.confirm ?? false,
    sleep: extra.sleep,
  });
  return { code, text: lines.join('\n') };
}

async function chatWithMessages(n: number) {
  const host = await hostWithChat(t, { name: 'Inspected chat' });
  const g = await guestJoins(t, host.chat.code);
  const sent = await seedMessages(t, host.chat.roomId, g.member.id, n, 'line');
  return { ...host.chat, guest: g, sent };
}

describe(`inspect-cache (${backend})`, () => {
  it('prints its usage and refuses options that need a chat', async () => {
    expect((await inspect({})).code).toBe(2);
    expect((await inspect({})).text).toContain('--chat CODE --compare');
    const res = await inspect({ compare: true });
    expect(res.code).toBe(2);
    expect(res.text).toContain('need --chat CODE');
  });

  it.runIf(backend === 'embedded')('says plainly that an in-process cache cannot be read, and shows the database side', async () => {
    const c = await chatWithMessages(3);
    const stats = await inspect({ stats: true });
    expect(stats.code).toBe(0);
    expect(stats.text).toContain('The message cache is in-process');
    expect(stats.text).toContain('database side only');
    const chat = await inspect({ chat: c.code });
    expect(chat.text).toContain(`🔍 Chat: ${c.code} (Inspected chat)`);
    expect(chat.text).toMatch(/Database: 4 messages, newest #4/);
    expect((await inspect({ chat: 'ZZZZZZZZ' })).code).toBe(1);
  });

  it.runIf(backend === 'networked')('lists chats, shows one chat with its keys, its newest messages, and Redis figures', async () => {
    const c = await chatWithMessages(5);
    const list = await inspect({ list: true });
    expect(list.text).toMatch(new RegExp(`chat:${c.code}:messages\\s+6 messages\\s+TTL 2[34]h`));
    expect(list.text).toContain('Inspected chat');
    const chat = await inspect({ chat: c.code.toLowerCase(), showMessages: true, limit: 2 });
    expect(chat.code).toBe(0);
    expect(chat.text).toContain(`🔍 Chat: ${c.code} (Inspected chat)`);
    expect(chat.text).toContain('📨 Main Messages (6 cached)');
    expect(chat.text).toContain(`Key: chat:${c.code}:messages`);
    expect(chat.text).toContain('Seqs: #1 – #6');
    expect(chat.text).toContain(`📌 Pinned Messages (0 cached)`);
    expect(chat.text).toContain(`🏠 Backroom Messages (0 cached)\n  Key: chat:${c.code}:backroom:messages\n  [Empty]`);
    expect(chat.text).toContain('Newest 2 messages:');
    expect(chat.text).toMatch(/#5 .* \(normal\): line 3/);
    expect(chat.text).toMatch(/#6 .* \(normal\): line 4/);
    expect(chat.text).not.toContain('line 2');
    const stats = await inspect({ stats: true });
    expect(stats.text).toMatch(/Redis \d+\.\d+/);
    expect(stats.text).toMatch(/Messages cached: \d+/);
  });

  it.runIf(backend === 'networked')('compares the cache with the database and names every difference', async () => {
    const c = await chatWithMessages(4);
    const key = `chat:${c.code}:messages`;
    const same = await inspect({ chat: c.code, compare: true });
    expect(same.code).toBe(0);
    expect(same.text).toContain('✅ In sync: the 5 cached messages match the database');
    // Tamper with the cache: change one message's text, drop another.
    const victim = c.sent[1]!;
    await redis!.zremrangebyscore(key, victim.seq, victim.seq);
    await redis!.zadd(key, victim.seq, JSON.stringify({ ...victim, content: 'forged' }));
    await redis!.zremrangebyscore(key, c.sent[2]!.seq, c.sent[2]!.seq);
    const diff = await inspect({ chat: c.code, compare: true });
    expect(diff.code).toBe(3);
    expect(diff.text).toContain(`#${victim.seq} differs in content`);
    expect(diff.text).toContain(`#${c.sent[2]!.seq} is missing from the cache`);
    const one = await inspect({ message: c.sent[0]!.id });
    expect(one.text).toContain('✅ The cached copy matches the database.');
    expect((await inspect({ message: victim.id })).text).toContain('⚠️  The cached copy differs from the database.');
  });

  it.runIf(backend === 'networked')('monitors a chat as messages arrive, and clears only when told to', async () => {
    const c = await chatWithMessages(2);
    const socket = await connectSocket(t.url, [c.guest.token]);
    await call(socket, 'room:join', { roomId: c.roomId, afterSeq: 0 });
    let n = 0;
    const watched = await inspect(
      { chat: c.code, monitor: true, interval: 1, count: 3 },
      { sleep: async () => void (await call<{ message: Message }>(socket, 'message:send', { roomId: c.roomId, clientId: `mon-${++n}-${c.roomId.slice(0, 8)}`, content: `live ${n}` })) },
    );
    socket.close();
    expect(watched.text).toContain(`👀 Watching chat:${c.code}:messages`);
    expect(watched.text).toMatch(/3 cached, newest #3/);
    expect(watched.text).toMatch(/4 cached \(\+1\), newest #4 \(\+1 new\): live 1/);
    expect(watched.text).toMatch(/5 cached \(\+1\), newest #5 \(\+1 new\): live 2/);
    const refused = await inspect({ chat: c.code, clear: true }, { confirm: false });
    expect(refused.code).toBe(1);
    expect(refused.text).toContain('Nothing cleared');
    expect(await redis!.zcard(`chat:${c.code}:messages`)).toBe(5);
    const cleared = await inspect({ chat: c.code, clear: true, force: true });
    expect(cleared.text).toContain(`🧹 Cleared ${c.code}`);
    expect(await redis!.zcard(`chat:${c.code}:messages`)).toBe(0);
    // The database still has everything, and the next read refills the cache.
    const history = await t.client().get(`/api/chats/${c.code}/messages`);
    expect(history.body.source).toBe('database');
    expect(history.body.messages).toHaveLength(5);
  });

  it('runs as `npm run inspect-cache` from the repository root', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: 'memory://', npm_config_loglevel: 'silent' };
    delete env.REDIS_URL;
    delete env.DATABASE_URL;
    if (backend === 'networked') {
      env.REDIS_URL = process.env.TEST_REDIS_URL;
      env.REDIS_PREFIX = t.config.redisPrefix;
    }
    const res = spawnSync('npm', ['run', '--silent', 'inspect-cache', '--', '--stats'], { cwd: path.resolve(REPO_ROOT), env, encoding: 'utf8', timeout: 60_000 });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(backend === 'networked' ? '📊 Message cache (Redis)' : 'The message cache is in-process');
    const bad = spawnSync('npm', ['run', '--silent', 'inspect-cache', '--', '--bogus'], { cwd: path.resolve(REPO_ROOT), env, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Usage: npm run inspect-cache');
  }, 120_000);
});
