import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '@chatpop/protocol';
import { backend, call, connectSocket, freshDatabase, rollAndJoin, sleep, type ClientSocket } from './harness';
import { randomSecret, signUpThroughMail, startServerProcess, type ServerProcess } from './process';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function backendEnv(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { JWT_SECRET: randomSecret() };
  if (backend === 'networked') {
    const db = await freshDatabase();
    cleanups.push(() => db.drop());
    env.DATABASE_URL = db.url;
    env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_PREFIX = `restart${Date.now()}:`;
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatpop-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    env.DATA_DIR = dir;
  }
  return env;
}

describe(`stopping and starting the server (${backend})`, () => {
  it('keeps every acknowledged message through a SIGTERM sent while messages are flowing', async () => {
    const env = await backendEnv();
    let server: ServerProcess = await startServerProcess(env);
    cleanups.push(() => void server.stop('SIGKILL'));

    const host = server.client();
    await signUpThroughMail(host, { email: 'restart@example.com', password: 'Passw0rd!', username: 'RestartHost' });
    const chat = (await host.post('/api/chats', { name: 'Survives restarts' })).body.chat;
    const senders: { socket: ClientSocket; name: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const join = await rollAndJoin(server.client(), chat.code);
      const socket = await connectSocket(server.url, [join.body.token]);
      await call(socket, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
      senders.push({ socket, name: join.body.member.username });
    }

    const acked: Message[] = [];
    let stop = false;
    const loops = senders.map(async ({ socket }, s) => {
      for (let i = 0; !stop; i++) {
        // A send in flight when the server closes the connection gets no ack (the client would resend it): not acknowledged.
        const res = await Promise.race([
          call<{ message: Message }>(socket, 'message:send', { roomId: chat.roomId, clientId: `restart-${s}-${i}-abcdef`, content: `from ${s} #${i}` }).catch(() => null),
          sleep(3_000).then(() => null),
        ]);
        if (res?.ok) acked.push(res.message);
        if (!socket.connected) return;
        await sleep(220); // under 5 per second per sender
      }
    });
    await sleep(1_500);
    const exitCode = await server.stop('SIGTERM');
    stop = true;
    await Promise.all(loops);
    senders.forEach((s) => s.socket.close());
    expect(exitCode).toBe(0);
    expect(acked.length).toBeGreaterThan(10);

    server = await startServerProcess(env);
    const reader = server.client();
    const all: Message[] = [];
    let page = await reader.get(`/api/chats/${chat.code}/messages`);
    all.unshift(...page.body.messages);
    while (page.body.hasMore) {
      page = await reader.get(`/api/chats/${chat.code}/messages?before=${all[0]!.seq}`);
      all.unshift(...page.body.messages);
    }
    const stored = new Map(all.map((m) => [m.id, m]));
    for (const m of acked) expect(stored.get(m.id), `acked message ${m.content}`).toMatchObject({ seq: m.seq, content: m.content });
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));

    // And the chat goes on where it stopped.
    const join = await rollAndJoin(server.client(), chat.code);
    const socket = await connectSocket(server.url, [join.body.token]);
    await call(socket, 'room:join', { roomId: chat.roomId, afterSeq: all.length });
    const res = await call<{ message: Message }>(socket, 'message:send', { roomId: chat.roomId, clientId: 'after-restart-1', content: 'still here' });
    socket.close();
    expect(res.ok && res.message.seq).toBe(all.length + 2); // the join notice took one seq
    await server.stop('SIGTERM');
  }, 120_000);
});
