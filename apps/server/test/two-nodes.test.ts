import { afterAll, describe, expect, it } from 'vitest';
import type { Message, PresencePayload } from '@chatpop/protocol';
import { backend, call, collect, connectSocket, rollAndJoin, sleep, until, type ClientSocket } from './harness';
import { signUpThroughMail, startTwoNodes } from './process';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Two server processes on one PostgreSQL and one Redis, as behind a load balancer.
describe.runIf(backend === 'networked')('two nodes on one PostgreSQL and one Redis', () => {
  it('delivers across nodes, replays across nodes, and shares presence', async () => {
    // Both start at once: the migration advisory lock lets one migrate while the other waits.
    const [a, b] = await startTwoNodes('twonode', cleanups);

    const host = a.client();
    await signUpThroughMail(host, { email: 'nodes@example.com', password: 'Passw0rd!', username: 'NodeHost' });
    const chat = (await host.post('/api/chats', { name: 'Across nodes' })).body.chat;
    // Created on A, visible on B.
    expect((await b.client().get(`/api/chats/${chat.code}`)).body.chat.name).toBe('Across nodes');

    const onA = await rollAndJoin(a.client(), chat.code);
    const onB = await rollAndJoin(b.client(), chat.code);
    const reader: ClientSocket = await connectSocket(a.url, [onA.body.token]);
    const writer: ClientSocket = await connectSocket(b.url, [onB.body.token]);
    const received = collect<Message>(reader, 'message:new');
    const presence = collect<PresencePayload>(reader, 'presence');
    await call(reader, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    await call(writer, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    await until(() => presence.at(-1)?.count === 2, 5_000, 'presence across nodes');

    const sent = await call<{ message: Message }>(writer, 'message:send', { roomId: chat.roomId, clientId: 'node-b-00001', content: 'sent on B' });
    expect(sent.ok).toBe(true);
    await until(() => received.some((m) => m.content === 'sent on B'), 5_000, 'delivery A←B');

    // The reader drops off A; messages go on through B; it comes back to A and gets them all.
    const lastSeen = received.at(-1)!.seq;
    reader.close();
    for (let i = 0; i < 4; i++) {
      await call(writer, 'message:send', { roomId: chat.roomId, clientId: `node-b-gap-${i}`, content: `missed ${i}` });
    }
    await sleep(100);
    const back = await connectSocket(a.url, [onA.body.token]);
    const replay = await call<{ messages: Message[] }>(back, 'room:join', { roomId: chat.roomId, afterSeq: lastSeen });
    expect(replay.ok && replay.messages.map((m) => m.content)).toEqual(['missed 0', 'missed 1', 'missed 2', 'missed 3']);

    // History read on A of what B wrote, from the shared cache.
    const history = await a.client().get(`/api/chats/${chat.code}/messages`);
    expect(history.body.source).toBe('cache');
    expect(history.body.messages.at(-1).content).toBe('missed 3');
    // Moderation made on A reaches B's connection at once: a time-out, then a ban.
    const writerId = onB.body.member.id as string;
    const timedOut = await host.post(`/api/chats/${chat.code}/members/${writerId}/moderate`, { action: 'timeout', seconds: 60 });
    expect(timedOut.status).toBe(200);
    await until(
      async () => {
        const res = await call(writer, 'message:send', { roomId: chat.roomId, clientId: `node-b-mod-${Date.now()}`, content: 'still talking?' });
        return !res.ok && res.error.code === 'TIMED_OUT';
      },
      5_000,
      'time-out on the other node',
    );
    const notices = collect<{ member: { banned?: boolean } }>(writer, 'member:updated');
    await host.post(`/api/chats/${chat.code}/members/${writerId}/moderate`, { action: 'ban' });
    await until(() => notices.some((n) => n.member.banned === true), 5_000, 'ban notice on the other node');
    const afterBan = await call(writer, 'message:send', { roomId: chat.roomId, clientId: 'node-b-banned-1', content: 'let me in' });
    expect(afterBan).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });

    back.close();
    writer.close();
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 120_000);
});
