import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '@chatpop/protocol';
import { backend, call, collect, connectSocket, freshDatabase, rollAndJoin, sleep, until, type ClientSocket } from './harness';
import { randomSecret, signUpThroughMail, startServerProcess, type ServerProcess } from './process';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// A rolling restart stops one node at a time: the clients of the other nodes,
// and of another deployment sharing the same Redis, must not notice.
describe.runIf(backend === 'networked')('a node that shuts down', () => {
  it('closes only its own connections, not those of the other nodes or of another deployment on the same Redis', async () => {
    const [db, otherDb] = await Promise.all([freshDatabase(), freshDatabase()]);
    cleanups.push(() => db.drop(), () => otherDb.drop());
    const env = { DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL, REDIS_PREFIX: `rolling${Date.now()}:`, JWT_SECRET: randomSecret() };
    const otherEnv = { DATABASE_URL: otherDb.url, REDIS_URL: process.env.TEST_REDIS_URL, REDIS_PREFIX: `other${Date.now()}:`, JWT_SECRET: randomSecret() };
    const [a, b, other] = (await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(otherEnv)])) as [
      ServerProcess,
      ServerProcess,
      ServerProcess,
    ];
    cleanups.push(
      () => void a.stop('SIGKILL'),
      () => void b.stop('SIGKILL'),
      () => void other.stop('SIGKILL'),
    );

    const host = a.client();
    await signUpThroughMail(host, { email: 'rolling@example.com', password: 'Passw0rd!', username: 'RollingHost' });
    const chat = (await host.post('/api/chats', { name: 'Rolling restart' })).body.chat;
    const onA = await rollAndJoin(a.client(), chat.code);
    const onB = await rollAndJoin(b.client(), chat.code);
    const stayer: ClientSocket = await connectSocket(a.url, [onA.body.token]);
    const leaver: ClientSocket = await connectSocket(b.url, [onB.body.token]);
    await call(stayer, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    await call(leaver, 'room:join', { roomId: chat.roomId, afterSeq: 0 });

    const otherHost = other.client();
    await signUpThroughMail(otherHost, { email: 'other@example.com', password: 'Passw0rd!', username: 'OtherHost' });
    const otherChat = (await otherHost.post('/api/chats', { name: 'Other deployment' })).body.chat;
    const onOther = await rollAndJoin(other.client(), otherChat.code);
    const otherSocket: ClientSocket = await connectSocket(other.url, [onOther.body.token]);
    await call(otherSocket, 'room:join', { roomId: otherChat.roomId, afterSeq: 0 });

    // Each deployment's adapter channels carry its own prefix.
    const redis = new Redis(process.env.TEST_REDIS_URL!);
    cleanups.push(() => void redis.disconnect());
    const channels = (await redis.call('PUBSUB', 'SHARDCHANNELS')) as string[];
    expect(channels.filter((c) => c.startsWith(`${env.REDIS_PREFIX}socket.io#`)).length).toBeGreaterThan(0);
    expect(channels.filter((c) => c.startsWith(`${otherEnv.REDIS_PREFIX}socket.io#`)).length).toBeGreaterThan(0);

    const disconnects: string[] = [];
    stayer.on('disconnect', (reason) => disconnects.push(`stayer: ${reason}`));
    const leaverGone = new Promise<string>((resolve) => leaver.once('disconnect', (reason) => resolve(reason)));

    // Node B and the other deployment stop gracefully, as in a rolling restart.
    expect(await b.stop('SIGTERM')).toBe(0);
    expect(await leaverGone).toBeTruthy();
    expect(await other.stop('SIGTERM')).toBe(0);
    await sleep(500);
    expect(disconnects).toEqual([]);
    expect(stayer.connected).toBe(true);

    // The connection on A still works: it sends and hears its own message.
    const received = collect<Message>(stayer, 'message:new');
    const sent = await call<{ message: Message }>(stayer, 'message:send', { roomId: chat.roomId, clientId: 'rolling-00001', content: 'still here' });
    expect(sent.ok).toBe(true);
    await until(() => received.some((m) => m.content === 'still here'), 5_000, 'live delivery on A after B stopped');
    stayer.close();
    otherSocket.close();
  });
});
