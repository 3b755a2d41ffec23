import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryResponse, Message, RoomJoinResult, RoomRangeResult } from '@chatpop/protocol';
import {
  backend,
  call,
  collect,
  connectSocket,
  freshDatabase,
  guestJoins,
  hostWithChat,
  rollAndJoin,
  seedMessages,
  sleep,
  startApp,
  until,
  type ClientSocket,
  type HttpClient,
} from './harness';
import { randomSecret, signUpThroughMail, startServerProcess, type ServerProcess } from './process';
import { deleteCacheKeys, storedMessages, storedVia, view, type StoredRow } from './stored';

/**
 * The product's first promise, checked from outside against real server
 * processes and real Socket.IO clients: after a restart, a crash between a
 * commit and its cache write, or lost Redis keys, history, gap fill and replay
 * return exactly what the database holds.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** What each scenario measured, printed once at the end for the record. */
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`nothing lost (${backend}):\n  ${figures.join('\n  ')}`);
});

async function backendEnv(tag: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { JWT_SECRET: randomSecret() };
  if (backend === 'networked') {
    const db = await freshDatabase();
    cleanups.push(() => db.drop());
    env.DATABASE_URL = db.url;
    env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_PREFIX = `${tag}${Date.now()}:`;
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), `chatpop-${tag}-`));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    env.DATA_DIR = dir;
  }
  return env;
}

async function start(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  cleanups.push(() => void server.stop('SIGKILL'));
  return server;
}

const page = async (client: HttpClient, code: string, query = '') => {
  const res = await client.get<HistoryResponse>(`/api/chats/${code}/messages${query}`);
  expect(res.status).toBe(200);
  return res.body;
};

/** Every page forwards from seq 0, as a client catching up from the start reads them. */
async function readForwards(client: HttpClient, code: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const res = await page(client, code, `?after=${all.at(-1)?.seq ?? 0}`);
    all.push(...res.messages);
    if (!res.hasMore) return all;
  }
}

type ReadKind = 'newest' | 'older' | 'forwards';

/** One read of a kind, compared with the database's rows; returns how many messages it saw. */
async function checkRead(kind: ReadKind, client: HttpClient, code: string, truth: StoredRow[]): Promise<number> {
  if (kind === 'newest') {
    const res = await page(client, code);
    expect(view(res.messages), 'the newest page').toEqual(view(truth.slice(-50)));
    expect(res.hasMore).toBe(truth.length > 50);
    return res.messages.length;
  }
  if (kind === 'older') {
    const res = await page(client, code, `?before=${truth.at(-50)!.seq}`);
    expect(view(res.messages), 'the page before the newest').toEqual(view(truth.slice(-100, -50)));
    expect(res.hasMore).toBe(truth.length > 100);
    return res.messages.length;
  }
  const all = await readForwards(client, code);
  expect(view(all), 'every page forwards from 0').toEqual(view(truth));
  return all.length;
}

function orders(kinds: ReadKind[]): ReadKind[][] {
  if (kinds.length <= 1) return [kinds];
  return kinds.flatMap((k, i) => orders([...kinds.slice(0, i), ...kinds.slice(i + 1)]).map((rest) => [k, ...rest]));
}

describe(`nothing lost after a restart (${backend})`, () => {
  it('history read in every order of newest, older and forwards pages, then replay and gap fill, equal the database', async () => {
    const env = await backendEnv('nlrestart');
    // The history is written through the real write path by an app on the same data, without the per-sender rate limits.
    const writer = await startApp({
      dataDir: env.DATA_DIR,
      databaseUrl: env.DATABASE_URL,
      redisPrefix: env.REDIS_PREFIX,
      jwtSecret: env.JWT_SECRET,
    });
    const rooms = [];
    for (const order of orders(['newest', 'older', 'forwards'])) {
      const { chat } = await hostWithChat(writer);
      const author = await guestJoins(writer, chat.code);
      const away = await guestJoins(writer, chat.code);
      const early = await seedMessages(writer, chat.roomId, author.member.id, 30, 'early');
      await seedMessages(writer, chat.roomId, author.member.id, 100, 'late');
      rooms.push({ order, chat, away, awaySince: early.at(-1)!.seq, truth: await storedVia(writer.app.ctx.db, chat.roomId) });
    }
    await writer.stop();
    // On Redis the cache outlives the restart: lose it too, as the quiet room's keys expiring or a Redis restart would.
    const deletedKeys = backend === 'networked' ? await deleteCacheKeys(env.REDIS_PREFIX!) : 0;

    const server = await start(env);
    const resumes: unknown[] = [];
    for (const room of rooms) {
      const client = server.client();
      const seen: Record<string, number> = {};
      for (const kind of room.order) seen[kind] = await checkRead(kind, client, room.chat.code, room.truth);

      // The member who dropped off before the restart comes back: replay, then a gap fill of the same range.
      const socket = await connectSocket(server.url, [room.away.token]);
      const joined = await call<RoomJoinResult>(socket, 'room:join', { roomId: room.chat.roomId, afterSeq: room.awaySince });
      const missed = room.truth.filter((m) => m.seq > room.awaySince);
      expect(joined.ok && view(joined.messages), 'the replay').toEqual(view(missed));
      resumes.push(joined.ok && [joined.lastSeq, joined.replay, joined.missed]);
      const range = await call<RoomRangeResult>(socket, 'message:range', { roomId: room.chat.roomId, afterSeq: room.awaySince, beforeSeq: room.truth.at(-1)!.seq + 1 });
      expect(range.ok && view(range.messages), 'the gap fill').toEqual(view(missed));
      const open = await call<RoomRangeResult>(socket, 'message:range', { roomId: room.chat.roomId, afterSeq: room.awaySince });
      expect(open.ok && view(open.messages), 'the open-ended gap fill').toEqual(view(missed));
      socket.close();

      // Again, now that the reads have filled the cache: the same answers, whichever store gives them.
      for (const kind of room.order) await checkRead(kind, client, room.chat.code, room.truth);
      figures.push(
        `restart, reads ${room.order.join(' → ')}: ${room.truth.length} stored; newest ${seen.newest}/50, older ${seen.older}/50, forwards ${seen.forwards}/${room.truth.length}; replay ${joined.ok ? joined.messages.length : 0}/${missed.length}, gap fill ${range.ok ? range.messages.length : 0}/${missed.length}`,
      );
    }
    // Each replay was whole, and said so, with the committed last seq.
    expect(resumes).toEqual(rooms.map((r) => [r.truth.at(-1)!.seq, 'complete', 0]));
    if (backend === 'networked') figures.push(`restart: ${deletedKeys} Redis cache keys deleted before the reads`);
    await server.stop('SIGTERM');
  }, 180_000);
});

describe(`a crash between a commit and its cache write (${backend})`, () => {
  it('the resend of the message is acknowledged, broadcast to the others and replayable, and stored once', async () => {
    const env = await backendEnv('nlcrash');
    const marker = 'HOLD-BEFORE-CACHE';
    let server = await start({ ...env, TEST_HOLD_CACHE_WRITE: marker });
    const host = server.client();
    await signUpThroughMail(host, { email: 'crash@example.com', password: 'Passw0rd!', username: 'CrashHost' });
    const chat = (await host.post('/api/chats', { name: 'Crash between commit and cache' })).body.chat;
    const alice = await rollAndJoin(server.client(), chat.code);
    const bob = await rollAndJoin(server.client(), chat.code);
    let aliceSocket: ClientSocket = await connectSocket(server.url, [alice.body.token]);
    let bobSocket: ClientSocket = await connectSocket(server.url, [bob.body.token]);
    await call(aliceSocket, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    await call(bobSocket, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    let lastAcked = 0;
    for (let i = 0; i < 3; i++) {
      const res = await call<{ message: Message }>(aliceSocket, 'message:send', { roomId: chat.roomId, clientId: `before-crash-${i}`, content: `before ${i}` });
      if (res.ok) lastAcked = res.message.seq;
    }
    expect(lastAcked).toBeGreaterThan(0);

    // Committed, then held before the cache write: no ack, no broadcast. Then the process dies.
    const payload = { roomId: chat.roomId, clientId: 'crash-resend-0001', content: `${marker} the last words` };
    aliceSocket.emit('message:send', payload, () => undefined);
    await until(() => server.output().includes('holding a committed message before its cache write'), 10_000, 'the held write');
    await server.stop('SIGKILL');
    aliceSocket.close();
    bobSocket.close();

    server = await start(env);
    bobSocket = await connectSocket(server.url, [bob.body.token]);
    const bobLive = collect<Message>(bobSocket, 'message:new');
    const bobBack = await call<RoomJoinResult>(bobSocket, 'room:join', { roomId: chat.roomId, afterSeq: lastAcked });
    expect(bobBack.ok && view(bobBack.messages), 'the replay holds the committed message').toEqual([`${lastAcked + 1}:${payload.content}`]);

    aliceSocket = await connectSocket(server.url, [alice.body.token]);
    await call(aliceSocket, 'room:join', { roomId: chat.roomId, afterSeq: lastAcked });
    const resent = await call<{ message: Message }>(aliceSocket, 'message:send', payload);
    expect(resent.ok && [resent.message.seq, resent.message.content]).toEqual([lastAcked + 1, payload.content]);
    await until(() => bobLive.some((m) => m.seq === lastAcked + 1), 5_000, 'the resend broadcast to Bob');

    const carol = await rollAndJoin(server.client(), chat.code);
    const carolSocket = await connectSocket(server.url, [carol.body.token]);
    const carolJoin = await call<RoomJoinResult>(carolSocket, 'room:join', { roomId: chat.roomId, afterSeq: lastAcked });
    expect(carolJoin.ok && carolJoin.messages.map((m) => m.seq)).toContain(lastAcked + 1);
    const newest = await page(server.client(), chat.code);
    expect(newest.messages.filter((m) => m.clientId === payload.clientId).map((m) => m.seq)).toEqual([lastAcked + 1]);
    [aliceSocket, bobSocket, carolSocket].forEach((s) => s.close());
    await server.stop('SIGTERM');

    const truth = await storedMessages(env, chat.roomId);
    expect(truth.map((m) => m.seq)).toEqual(truth.map((_, i) => i + 1));
    expect(truth.filter((m) => m.content === payload.content)).toHaveLength(1);
    figures.push(
      `crash before the cache write: ${truth.length} stored; Bob's replay after the restart ${bobBack.ok ? bobBack.messages.length : 0}/1, the resend broadcast to Bob ${bobLive.filter((m) => m.seq === lastAcked + 1).length} time(s), Carol's replay held it: ${carolJoin.ok && carolJoin.messages.some((m) => m.seq === lastAcked + 1)}`,
    );
  }, 120_000);
});

describe(`client ids belong to their sender (${backend})`, () => {
  it('two members sending with the same client id each get their own message, both stored', async () => {
    const env = await backendEnv('nlclient');
    const server = await start(env);
    const host = server.client();
    await signUpThroughMail(host, { email: 'ids@example.com', password: 'Passw0rd!', username: 'IdsHost' });
    const chat = (await host.post('/api/chats', { name: 'Same client id' })).body.chat;
    const [alice, bob] = [await rollAndJoin(server.client(), chat.code), await rollAndJoin(server.client(), chat.code)];
    const sockets = [await connectSocket(server.url, [alice.body.token]), await connectSocket(server.url, [bob.body.token])] as const;
    for (const s of sockets) await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    const clientId = 'same-client-id-0001';
    const fromAlice = await call<{ message: Message }>(sockets[0], 'message:send', { roomId: chat.roomId, clientId, content: 'from Alice' });
    const fromBob = await call<{ message: Message }>(sockets[1], 'message:send', { roomId: chat.roomId, clientId, content: 'from Bob' });
    expect(fromAlice.ok && [fromAlice.message.memberId, fromAlice.message.content]).toEqual([alice.body.member.id, 'from Alice']);
    expect(fromBob.ok && [fromBob.message.memberId, fromBob.message.content]).toEqual([bob.body.member.id, 'from Bob']);
    // Each one's resend still returns its own message.
    const bobAgain = await call<{ message: Message }>(sockets[1], 'message:send', { roomId: chat.roomId, clientId, content: 'from Bob' });
    expect(bobAgain.ok && fromBob.ok && bobAgain.message.id).toBe(fromBob.ok && fromBob.message.id);
    const newest = await page(server.client(), chat.code);
    expect(newest.messages.filter((m) => m.clientId === clientId).map((m) => m.content)).toEqual(['from Alice', 'from Bob']);
    sockets.forEach((s) => s.close());
    await server.stop('SIGTERM');
    figures.push(`same client id from two members: ${newest.messages.filter((m) => m.clientId === clientId).length}/2 stored, each ack its sender's own`);
  }, 60_000);
});

// Redis only: the embedded cache lives in the server's process, where a restart is its only loss (above).
describe.runIf(backend === 'networked')('Redis keys lost on two nodes, while the room is busy and while it is quiet', () => {
  it('every read during and after the losses equals the database', async () => {
    const env = await backendEnv('nlkeys');
    const [a, b] = (await Promise.all([start(env), start(env)])) as [ServerProcess, ServerProcess];
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    cleanups.push(() => db.end());
    const lastSeq = async (roomId: string) => Number((await db.query('select last_seq from rooms where id = $1', [roomId])).rows[0].last_seq);

    const host = a.client();
    await signUpThroughMail(host, { email: 'keys@example.com', password: 'Passw0rd!', username: 'KeysHost' });
    const chat = (await host.post('/api/chats', { name: 'Lost keys' })).body.chat;
    const nodes = [a, b, a, b, a, b, a, b];
    const senders: ClientSocket[] = [];
    for (const node of nodes) {
      const join = await rollAndJoin(node.client(), chat.code);
      const socket = await connectSocket(node.url, [join.body.token]);
      await call(socket, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
      senders.push(socket);
    }
    const away = await rollAndJoin(b.client(), chat.code);
    const awaySince = await lastSeq(chat.roomId);

    // Busy: eight senders on two nodes (24 each, under 30 a minute) while the keys keep vanishing, and reads race every loss.
    let sending = true;
    const loops = senders.map(async (socket, s) => {
      for (let i = 0; i < 24; i++) {
        await call(socket, 'message:send', { roomId: chat.roomId, clientId: `busy-${s}-${i}-xyz`, content: `busy ${s}.${i}` });
        await sleep(210); // under 5 a second per sender
      }
    });
    void Promise.all(loops).then(() => (sending = false));
    let checks = 0;
    const reader = a.client();
    const readerB = b.client();
    while (sending) {
      await sleep(150);
      const committed = await lastSeq(chat.roomId);
      await deleteCacheKeys(env.REDIS_PREFIX!);
      // An old page first (it is written back into the cold cache), then the newest page: it must reach what was committed.
      const first = await page(readerB, chat.code, '?after=0');
      const newest = await page(reader, chat.code);
      const seqs = newest.messages.map((m) => m.seq);
      expect(seqs.at(-1)!, 'the newest page reaches every committed message').toBeGreaterThanOrEqual(committed);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      expect(first.messages[0]?.seq).toBe(1);
      checks++;
    }
    await Promise.all(loops);
    senders.forEach((s) => s.close());

    // Quiet: the keys go once more, then every kind of read, on both nodes.
    const truth = await storedMessages(env, chat.roomId);
    await deleteCacheKeys(env.REDIS_PREFIX!);
    const forwards = await checkRead('forwards', readerB, chat.code, truth);
    await checkRead('newest', reader, chat.code, truth);
    await checkRead('older', readerB, chat.code, truth);
    const socket = await connectSocket(b.url, [away.body.token]);
    const joined = await call<RoomJoinResult>(socket, 'room:join', { roomId: chat.roomId, afterSeq: awaySince });
    const missed = truth.filter((m) => m.seq > awaySince);
    expect(joined.ok && view(joined.messages), 'the replay').toEqual(view(missed));
    const range = await call<RoomRangeResult>(socket, 'message:range', { roomId: chat.roomId, afterSeq: awaySince });
    expect(range.ok && view(range.messages), 'the gap fill').toEqual(view(missed));
    socket.close();
    figures.push(
      `Redis keys lost ${checks + 1} times on two nodes: ${truth.length} stored; ${checks} busy-time read pairs all reached the committed seq; quiet reads forwards ${forwards}/${truth.length}; replay ${joined.ok ? joined.messages.length : 0}/${missed.length}; gap fill ${range.ok ? range.messages.length : 0}/${missed.length}`,
    );
    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
  }, 120_000);
});
