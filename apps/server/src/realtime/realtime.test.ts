import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { REPLAY_MAX_MESSAGES, type Message, type PresencePayload, type RoomJoinResult, type RoomRangeResult, type TypingPayload } from '@chatpop/protocol';
import { insertNext } from '../modules/messages/repo';
import {
  backend,
  call,
  collect,
  connectSocket,
  guestJoins,
  hostWithChat,
  seedMessages,
  sleep,
  startApp,
  until,
  type ClientSocket,
  type TestApp,
} from '../../test/harness';

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

async function connect(tokens: string[]) {
  const s = await connectSocket(t.url, tokens);
  sockets.push(s);
  return s;
}

/** A chat with a host and two guests, each connected and joined. */
async function busyChat() {
  const host = await hostWithChat(t);
  const hostToken = (await host.client.get(`/api/chats/${host.chat.code}/me`)).body.token as string;
  const alice = await guestJoins(t, host.chat.code);
  const bob = await guestJoins(t, host.chat.code);
  const [hs, as, bs] = await Promise.all([connect([hostToken]), connect([alice.token]), connect([bob.token])]);
  for (const s of [hs, as, bs]) expect(await call(s, 'room:join', { roomId: host.chat.roomId, afterSeq: 0 })).toMatchObject({ ok: true });
  return { roomId: host.chat.roomId, code: host.chat.code, host: { ...host, socket: hs }, alice: { ...alice, socket: as }, bob: { ...bob, socket: bs } };
}

const send = (s: ClientSocket, roomId: string, content: string, extra: Record<string, unknown> = {}) =>
  call<{ message: Message }>(s, 'message:send', { roomId, clientId: `c${crypto.randomUUID().replaceAll('-', '')}`, content, ...extra });

describe(`handshake (${backend})`, () => {
  async function expectRefused(tokens: unknown, code: string) {
    const err = await connectSocket(t.url, tokens as string[]).then(
      (s) => {
        s.close();
        return null;
      },
      (e: Error & { data?: { code: string } }) => e,
    );
    expect(err, `tokens ${JSON.stringify(tokens)}`).not.toBeNull();
    expect(err!.message).toBe(code);
    expect(err!.data?.code).toBe(code);
  }

  async function signed(payload: Record<string, unknown>, opts: { secret?: string; iat?: number; exp?: number; aud?: string } = {}) {
    const key = new TextEncoder().encode(opts.secret ?? t.config.jwtSecret);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('chatpop')
      .setAudience(opts.aud ?? 'chat')
      .setIssuedAt(opts.iat ?? now)
      .setExpirationTime(opts.exp ?? now + 60)
      .sign(key);
  }

  it('accepts a valid chat session token', async () => {
    const { chat } = await hostWithChat(t);
    const g = await guestJoins(t, chat.code);
    const s = await connect([g.token]);
    expect(s.connected).toBe(true);
  });

  it('refuses forged, tampered, expired, future-dated, wrong-key, wrong-kind and empty tokens', async () => {
    const { chat } = await hostWithChat(t);
    const g = await guestJoins(t, chat.code);
    const claims = { sub: g.member.id, rid: chat.roomId, usr: g.member.username };
    const now = Math.floor(Date.now() / 1000);
    const [head, body, sig] = g.token.split('.');
    const tamperedBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), usr: 'Someone' })).toString('base64url');

    await expectRefused(['not.a.token'], 'TOKEN_INVALID');
    await expectRefused([''], 'TOKEN_INVALID');
    await expectRefused([`${head}.${tamperedBody}.${sig}`], 'TOKEN_INVALID');
    await expectRefused([await signed(claims, { secret: 'x'.repeat(64) })], 'TOKEN_INVALID');
    await expectRefused([await signed(claims, { iat: now - 7200, exp: now - 3600 })], 'TOKEN_EXPIRED');
    await expectRefused([await signed(claims, { iat: now + 3600, exp: now + 7200 })], 'TOKEN_INVALID');
    await expectRefused([await signed(claims, { aud: 'access' })], 'TOKEN_INVALID');
    await expectRefused({ chatTokens: 'nope' }, 'TOKEN_INVALID');
  });

  it('refuses a token of another chat, and a room with no token at all', async () => {
    const one = await hostWithChat(t);
    const two = await hostWithChat(t);
    const g = await guestJoins(t, one.chat.code);
    const s = await connect([g.token]);
    const noToken = await call(s, 'room:join', { roomId: two.chat.roomId, afterSeq: 0 });
    expect(noToken).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    const otherChat = await call(s, 'room:join', { roomId: two.chat.roomId, afterSeq: 0, token: g.token });
    expect(otherChat).toMatchObject({ ok: false, error: { code: 'TOKEN_INVALID' } });
  });
});

describe(`messages in real time (${backend})`, () => {
  it('delivers a message to every member with the ack, and to no outsider', async () => {
    const c = await busyChat();
    const outsiderChat = await hostWithChat(t);
    const outsider = await guestJoins(t, outsiderChat.chat.code);
    const os = await connect([outsider.token]);
    await call(os, 'room:join', { roomId: outsiderChat.chat.roomId, afterSeq: 0 });
    const lurker = await connect([]); // connected, in no room
    const seen = [c.host.socket, c.alice.socket, c.bob.socket, os, lurker].map((s) => collect<Message>(s, 'message:new'));

    const ack = await send(c.alice.socket, c.roomId, 'hello everyone');
    expect(ack).toMatchObject({ ok: true, message: { content: 'hello everyone', username: c.alice.member.username, type: 'normal', verified: false } });
    await until(() => seen.slice(0, 3).every((s) => s.some((m) => m.content === 'hello everyone')), 3000, 'delivery');
    await sleep(200);
    expect(seen[3]!.filter((m) => m.roomId === c.roomId)).toHaveLength(0);
    expect(seen[4]).toHaveLength(0);
  });

  it('marks host messages and orders every message by a gap-free seq', async () => {
    const c = await busyChat();
    const received = collect<Message>(c.bob.socket, 'message:new');
    const sends = [];
    // Five each: the most one sender may send in a second.
    for (let i = 0; i < 15; i++) {
      const who = [c.host.socket, c.alice.socket, c.bob.socket][i % 3]!;
      sends.push(send(who, c.roomId, `m${i}`));
    }
    const acks = await Promise.all(sends);
    expect(acks.every((a) => a.ok)).toBe(true);
    const seqs = acks.map((a) => (a.ok ? a.message.seq : 0)).sort((a, b) => a - b);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    const hostAck = acks[0]!;
    expect(hostAck.ok && hostAck.message.type).toBe('host');
    await until(() => received.filter((m) => /^m\d+$/.test(m.content)).length === 15, 3000, 'all 15');
    const history = await t.client().get(`/api/chats/${c.code}/messages`);
    const historySeqs = history.body.messages.map((m: Message) => m.seq);
    expect(historySeqs).toEqual([...historySeqs].sort((a: number, b: number) => a - b));
    expect(new Set(historySeqs).size).toBe(historySeqs.length);
  });

  it('a resend with the same client id is harmless: one message, the same ack, the same seq however often it is broadcast', async () => {
    const c = await busyChat();
    const received = collect<Message>(c.bob.socket, 'message:new');
    const payload = { roomId: c.roomId, clientId: 'retry-0001-abcd', content: 'only once' };
    const [a, b] = await Promise.all([call<{ message: Message }>(c.alice.socket, 'message:send', payload), call<{ message: Message }>(c.alice.socket, 'message:send', payload)]);
    const again = await call<{ message: Message }>(c.alice.socket, 'message:send', payload);
    expect(a.ok && b.ok && again.ok).toBe(true);
    if (!a.ok || !b.ok || !again.ok) return;
    expect(b.message.id).toBe(a.message.id);
    expect(again.message).toEqual(a.message);
    // Every resend is broadcast again (its first attempt may have died before its broadcast); clients drop duplicates by seq.
    await until(() => received.filter((m) => m.content === 'only once').length === 3, 3000, 'three broadcasts');
    expect(new Set(received.filter((m) => m.content === 'only once').map((m) => `${m.seq}:${m.id}`))).toEqual(new Set([`${a.message.seq}:${a.message.id}`]));
    const history = await t.client().get(`/api/chats/${c.code}/messages`);
    expect(history.body.messages.filter((m: Message) => m.content === 'only once')).toHaveLength(1);
  });

  it('carries replies with the quoted original', async () => {
    const c = await busyChat();
    const first = await send(c.alice.socket, c.roomId, 'What time is it?');
    if (!first.ok) throw new Error('send failed');
    const reply = await send(c.bob.socket, c.roomId, 'Noon', { replyToId: first.message.id });
    expect(reply).toMatchObject({ ok: true, message: { replyTo: { id: first.message.id, username: c.alice.member.username, content: 'What time is it?' } } });
    const other = await hostWithChat(t);
    const g = await guestJoins(t, other.chat.code);
    const os = await connect([g.token]);
    await call(os, 'room:join', { roomId: other.chat.roomId, afterSeq: 0 });
    const crossRoom = await send(os, other.chat.roomId, 'sneaky', { replyToId: first.message.id });
    expect(crossRoom).toMatchObject({ ok: false, error: { code: 'REPLY_NOT_FOUND' } });
  });

  it('refuses bad sends with a clear error and stores nothing', async () => {
    const c = await busyChat();
    const before = (await t.client().get(`/api/chats/${c.code}/messages`)).body.messages.length;
    expect(await send(c.alice.socket, c.roomId, 'x'.repeat(10_001))).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LONG' } });
    expect(await send(c.alice.socket, c.roomId, '   ')).toMatchObject({ ok: false, error: { code: 'MESSAGE_EMPTY' } });
    expect(await call(c.alice.socket, 'message:send', { roomId: c.roomId, clientId: 'short', content: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await call(c.alice.socket, 'message:send', { roomId: 'nope', clientId: 'abcdefgh1', content: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await call(c.alice.socket, 'message:send', 'garbage')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const other = await hostWithChat(t);
    expect(await send(c.alice.socket, other.chat.roomId, 'not my room')).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await send(c.alice.socket, c.roomId, 'x'.repeat(10_000))).toMatchObject({ ok: true });
    const after = (await t.client().get(`/api/chats/${c.code}/messages`)).body.messages.length;
    expect(after).toBe(before + 1);
  });

  it('refuses sends to a room the connection has not joined', async () => {
    const { chat } = await hostWithChat(t);
    const g = await guestJoins(t, chat.code);
    const s = await connect([g.token]);
    expect(await send(s, chat.roomId, 'hi')).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
  });

  it('refuses sends in a locked chat except from the host', async () => {
    const c = await busyChat();
    await c.host.client.patch(`/api/chats/${c.code}`, { settings: { locked: true } });
    await sleep(50);
    // The room row is cached briefly on each node; the host's change drops it at once.
    expect(await send(c.alice.socket, c.roomId, 'hello?')).toMatchObject({ ok: false, error: { code: 'CHAT_LOCKED' } });
    expect(await send(c.host.socket, c.roomId, 'announcement')).toMatchObject({ ok: true });
  });

  it('limits a sender to 5 messages a second', async () => {
    const c = await busyChat();
    const acks = await Promise.all(Array.from({ length: 7 }, (_, i) => send(c.bob.socket, c.roomId, `fast ${i}`)));
    expect(acks.filter((a) => a.ok)).toHaveLength(5);
    expect(acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED')).toHaveLength(2);
  });
});

describe(`typing and presence (${backend})`, () => {
  it('shows typing to the others, not to the typist', async () => {
    const c = await busyChat();
    const bobSees = collect<TypingPayload>(c.bob.socket, 'typing');
    const aliceSees = collect<TypingPayload>(c.alice.socket, 'typing');
    c.alice.socket.emit('typing', { roomId: c.roomId, typing: true });
    await until(() => bobSees.length > 0, 3000, 'typing');
    expect(bobSees[0]).toMatchObject({ roomId: c.roomId, username: c.alice.member.username, typing: true });
    await sleep(100);
    expect(aliceSees).toHaveLength(0);
  });

  it('counts connections: a member with two tabs stays online when one closes', async () => {
    const c = await busyChat();
    const updates = collect<PresencePayload>(c.host.socket, 'presence');
    const secondTab = await connect([c.alice.token]);
    await call(secondTab, 'room:join', { roomId: c.roomId, afterSeq: 0 });
    await until(() => updates.at(-1)?.count === 3, 3000, 'three online');
    secondTab.close();
    await sleep(600);
    expect(updates.at(-1)?.count).toBe(3);
    expect(updates.at(-1)?.online.map((o) => o.username)).toContain(c.alice.member.username);
    c.alice.socket.close();
    await until(() => updates.at(-1)?.count === 2, 3000, 'alice offline');
    expect(updates.at(-1)?.online.some((o) => o.username === c.alice.member.username)).toBe(false);
    const members = await t.client().get(`/api/chats/${c.code}/members`);
    const alice = members.body.members.find((m: { username: string }) => m.username === c.alice.member.username);
    expect(alice.online).toBe(false);
    expect((await t.client().get(`/api/chats/${c.code}`)).body.chat.onlineCount).toBe(2);
  });
});

describe(`missed messages (${backend})`, () => {
  it('replays everything sent while a member was away, in order, none twice', async () => {
    const c = await busyChat();
    const first = await send(c.bob.socket, c.roomId, 'before the tunnel');
    if (!first.ok) throw new Error('send failed');
    c.bob.socket.close();
    await seedMessages(t, c.roomId, c.alice.member.id, 30, 'while away');
    const back = await connect([c.bob.token]);
    const live = collect<Message>(back, 'message:new');
    const res = await call<{ messages: Message[]; lastSeq: number; hasMore: boolean }>(back, 'room:join', { roomId: c.roomId, afterSeq: first.message.seq });
    if (!res.ok) throw new Error('join failed');
    expect(res.messages.map((m) => m.content)).toEqual(Array.from({ length: 30 }, (_, i) => `while away ${i}`));
    expect(res.messages.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => first.message.seq + 1 + i));
    expect(res.lastSeq).toBe(first.message.seq + 30);
    expect(res.hasMore).toBe(false);
    await send(c.alice.socket, c.roomId, 'welcome back');
    await until(() => live.length === 1, 3000, 'live after replay');
    expect(live[0]!.seq).toBe(res.lastSeq + 1);
  });

  it('fills a gap on request with message:range', async () => {
    const c = await busyChat();
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await send(c.alice.socket, c.roomId, `r${i}`));
    const seqs = acks.map((a) => (a.ok ? a.message.seq : -1));
    const res = await call<{ messages: Message[] }>(c.bob.socket, 'message:range', { roomId: c.roomId, afterSeq: seqs[0]!, beforeSeq: seqs[4]! });
    expect(res.ok && res.messages.map((m) => m.content)).toEqual(['r1', 'r2', 'r3']);
  });
});

describe(`replay beyond its limit (${backend})`, () => {
  it('says how many were missed and gives the newest page instead of a partial replay; the missed ones load on request', async () => {
    const c = await busyChat();
    const away = await guestJoins(t, c.code);
    const awaySince = (await seedMessages(t, c.roomId, c.alice.member.id, 1, 'before')).at(-1)!.seq;
    const sent = await seedMessages(t, c.roomId, c.alice.member.id, REPLAY_MAX_MESSAGES + 60, 'gone');
    const lastSeq = sent.at(-1)!.seq;
    const s = await connect([away.token]);
    const joined = await call<RoomJoinResult>(s, 'room:join', { roomId: c.roomId, afterSeq: awaySince });
    expect(joined.ok).toBe(true);
    if (!joined.ok) return;
    expect([joined.replay, joined.missed, joined.hasMore, joined.lastSeq]).toEqual(['partial', lastSeq - 50 - awaySince, true, lastSeq]);
    expect(joined.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => lastSeq - 49 + i));
    // The missed seqs, asked for: every one of them, in pages of the replay limit.
    const loaded: Message[] = [];
    let hasMore = true;
    while (hasMore) {
      const res = await call<RoomRangeResult>(s, 'message:range', { roomId: c.roomId, afterSeq: loaded.at(-1)?.seq ?? awaySince, beforeSeq: awaySince + joined.missed + 1 });
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      loaded.push(...res.messages);
      hasMore = res.hasMore;
    }
    expect(loaded.map((m) => m.seq)).toEqual(Array.from({ length: joined.missed }, (_, i) => awaySince + 1 + i));
    // Just under the limit, the replay is whole.
    const close = await call<RoomJoinResult>(s, 'room:join', { roomId: c.roomId, afterSeq: lastSeq - REPLAY_MAX_MESSAGES });
    expect(close.ok && [close.replay, close.missed, close.messages.length]).toEqual(['complete', 0, REPLAY_MAX_MESSAGES]);
  });
});

describe(`an incomplete cache (${backend})`, () => {
  it('is logged as a warning with the room and the ranges, and the read comes from the database', async () => {
    const c = await busyChat();
    const sent = await seedMessages(t, c.roomId, c.alice.member.id, 5, 'w');
    // A message committed long enough ago whose cache write never happened (a crash between the two).
    const lost = await insertNext(t.app.ctx.db, {
      id: uuidv7(),
      roomId: c.roomId,
      clientId: 'lost-write-0001',
      memberId: c.alice.member.id,
      username: c.alice.member.username,
      verified: false,
      type: 'normal',
      content: 'never cached',
      replyToId: null,
      hidden: false,
    });
    await t.app.ctx.db.execute(sql`update messages set created_at = now() - interval '1 minute' where id = ${lost.row.id}::uuid`);
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const log = t.app.ctx.log;
    const warn = log.warn.bind(log);
    log.warn = ((fields: Record<string, unknown>, message: string) => {
      warnings.push({ fields, message });
      warn(fields, message);
    }) as typeof log.warn;
    try {
      const page = await t.client().get(`/api/chats/${c.code}/messages?after=${sent[0]!.seq}`);
      expect(page.body.source).toBe('database');
      expect(page.body.messages.at(-1).content).toBe('never cached');
    } finally {
      log.warn = warn;
    }
    expect(warnings).toEqual([
      {
        fields: { roomId: c.roomId, key: `chat:${c.code}:messages`, held: `1-${sent.at(-1)!.seq}`, wanted: `${sent[0]!.seq + 1}-${lost.row.seq}`, lastSeq: lost.row.seq },
        message: expect.stringMatching(/message cache is incomplete/),
      },
    ]);
    // Filled in by that read: the next one is the cache's.
    await until(async () => (await t.client().get(`/api/chats/${c.code}/messages`)).body.source === 'cache', 3000, 'the refill');
  });
});

describe(`history pages (${backend})`, () => {
  it('serves cursor pages of 50, newest first page, from the cache, and older pages back to the start', async () => {
    const c = await busyChat();
    await seedMessages(t, c.roomId, c.alice.member.id, 120, 'h');
    const reader = t.client();
    const newest = await reader.get(`/api/chats/${c.code}/messages`);
    expect(newest.status).toBe(200);
    expect(newest.body.source).toBe('cache');
    expect(newest.body.messages).toHaveLength(50);
    expect(newest.body.hasMore).toBe(true);
    expect(newest.body.messages.at(-1).content).toBe('h 119');
    const all: Message[] = [...newest.body.messages];
    let before = all[0]!.seq;
    for (;;) {
      const page = await reader.get(`/api/chats/${c.code}/messages?before=${before}`);
      all.unshift(...page.body.messages);
      if (!page.body.hasMore) break;
      before = page.body.messages[0].seq;
    }
    const seqs = all.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(all.filter((m) => m.content.startsWith('h '))).toHaveLength(120);
    const after = await reader.get(`/api/chats/${c.code}/messages?after=${seqs.length - 10}&limit=5`);
    expect(after.body.messages.map((m: Message) => m.seq)).toEqual([seqs.length - 9, seqs.length - 8, seqs.length - 7, seqs.length - 6, seqs.length - 5]);
    expect(after.body.hasMore).toBe(true);
  });

  it('pages across the cache/database boundary without a gap or a duplicate', async () => {
    const c = await busyChat();
    await seedMessages(t, c.roomId, c.alice.member.id, 180, 'b');
    // An emptied cache refills from reads: the newest page lands in it, older pages do not yet.
    await t.app.ctx.cache.drop(`chat:${c.code}:messages`);
    const reader = t.client();
    const first = await reader.get(`/api/chats/${c.code}/messages`);
    expect(first.body.source).toBe('database');
    await until(async () => (await reader.get(`/api/chats/${c.code}/messages`)).body.source === 'cache', 3000, 'backfill');
    const all: Message[] = [...first.body.messages];
    const sources: string[] = ['database'];
    let before = all[0]!.seq;
    for (;;) {
      const page = await reader.get(`/api/chats/${c.code}/messages?before=${before}&limit=40`);
      sources.push(page.body.source);
      all.unshift(...page.body.messages);
      if (!page.body.hasMore) break;
      before = page.body.messages[0].seq;
    }
    const seqs = all.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(sources).toContain('database');
    // Read once, the older pages come from the cache the second time.
    const again = await reader.get(`/api/chats/${c.code}/messages?before=${seqs.length - 100}&limit=40`);
    expect(again.body.source).toBe('cache');
    expect(again.body.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => seqs.length - 140 + i));
  });

  it('answers from the database when the cache has nothing, then fills the cache', async () => {
    const c = await busyChat();
    await send(c.alice.socket, c.roomId, 'cached?');
    await t.app.ctx.cache.drop(`chat:${c.code}:messages`);
    const cold = await t.client().get(`/api/chats/${c.code}/messages`);
    expect(cold.body.source).toBe('database');
    expect(cold.body.messages.some((m: Message) => m.content === 'cached?')).toBe(true);
    await until(async () => (await t.client().get(`/api/chats/${c.code}/messages`)).body.source === 'cache', 3000, 'backfill');
  });

  it('refuses bad cursors', async () => {
    const { chat } = await hostWithChat(t);
    for (const q of ['before=0', 'limit=51', 'after=-1', 'before=5&after=2', 'before=abc']) {
      const res = await t.client().get(`/api/chats/${chat.code}/messages?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});
