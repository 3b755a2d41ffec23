import type { ClientToServerEvents, Message, Member, ServerToClientEvents } from '@chatpop/protocol';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HISTORY_PAGE_SIZE } from '@chatpop/protocol';
import { ChatRoom, RANGE_RETRIES, type ChatRoomSnapshot } from './chat-room';

/**
 * The chat store against a small in-process Socket.IO server that speaks the
 * docs/api.md protocol (join + replay, send with clientId, range), so the
 * replay, gap and resend rules run over a real connection.
 */

const ROOM = '0190c2a4-0000-7000-8000-000000000001';
const TOKEN = 'good-token';
const ME: Member = { id: 'member-me', roomId: ROOM, username: 'Robert', role: 'member', verified: false, anonymous: true, joinedAt: new Date().toISOString() };

interface FakeServer {
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  messages: Message[];
  sends: string[];
  typing: boolean[];
  /** clientIds whose next send is refused once. */
  refuseOnce: Set<string>;
  /** When set, sends get no ack at all (a server that hangs). */
  silent: boolean;
  /** How many message:range requests to answer with nothing (a server whose cache wrongly says there is nothing). */
  rangeEmpty: number;
  rangeCalls: number;
  /** Seqs the server names as not for this reader. */
  withheld: number[];
  /** Beyond this many missed messages, room:join answers with the newest page and the count (a partial replay). */
  replayLimit: number;
  /** REST history URLs asked for, and how many of them fail before one answers. */
  historyCalls: string[];
  historyFailures: number;
  /** Connections refused at the handshake (a network that blocks the socket). */
  blocked: boolean;
  add(content: string, opts?: { broadcast?: boolean; memberId?: string }): Message;
}

let server: FakeServer;
let port = 0;

function makeMessage(seq: number, content: string, memberId = 'member-alice', clientId: string | null = null): Message {
  return {
    id: `msg-${seq}`,
    roomId: ROOM,
    seq,
    clientId,
    memberId,
    username: memberId === ME.id ? ME.username : 'Alice',
    verified: false,
    type: 'normal',
    content,
    replyTo: null,
    createdAt: new Date().toISOString(),
    deletedAt: null,
    reactions: [],
  };
}

beforeAll(async () => {
  const http = createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { cors: { origin: true, credentials: true } });
  const state: FakeServer = {
    io,
    messages: [],
    sends: [],
    typing: [],
    refuseOnce: new Set(),
    blocked: false,
    silent: false,
    rangeEmpty: 0,
    rangeCalls: 0,
    withheld: [],
    replayLimit: Infinity,
    historyCalls: [],
    historyFailures: 0,
    add(content, opts = {}) {
      const message = makeMessage(state.messages.length + 1, content, opts.memberId);
      state.messages.push(message);
      if (opts.broadcast !== false) io.to(ROOM).emit('message:new', message);
      return message;
    },
  };
  io.use((socket, next) => {
    if (state.blocked) return next(new Error('BLOCKED'));
    const tokens = (socket.handshake.auth as { chatTokens?: string[] }).chatTokens ?? [];
    next(tokens.includes(TOKEN) ? undefined : new Error('TOKEN_INVALID'));
  });
  io.on('connection', (socket) => {
    socket.on('room:join', ({ roomId, afterSeq = 0 }, ack) => {
      void socket.join(roomId);
      const missed = state.messages.filter((m) => m.seq > afterSeq);
      const lastSeq = state.messages.length;
      if (missed.length > state.replayLimit) {
        const newest = state.messages.slice(-50);
        ack({ ok: true, roomId, messages: newest, lastSeq, hasMore: true, replay: 'partial', missed: newest[0]!.seq - 1 - afterSeq, withheld: [] });
        return;
      }
      ack({ ok: true, roomId, messages: missed, lastSeq, hasMore: false, replay: 'complete', missed: 0, withheld: [] });
    });
    socket.on('message:range', ({ afterSeq, beforeSeq }, ack) => {
      state.rangeCalls++;
      if (state.rangeEmpty > 0) {
        state.rangeEmpty--;
        ack({ ok: true, messages: [], hasMore: false, withheld: [] });
        return;
      }
      const inRange = (seq: number) => seq > afterSeq && (beforeSeq === undefined || seq < beforeSeq);
      const messages = state.messages.filter((m) => inRange(m.seq) && !state.withheld.includes(m.seq));
      ack({ ok: true, messages, hasMore: false, withheld: state.withheld.filter(inRange) });
    });
    socket.on('message:send', ({ clientId, content }, ack) => {
      state.sends.push(clientId);
      if (state.silent) return;
      if (state.refuseOnce.delete(clientId)) {
        ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'Slow down a little.' } });
        return;
      }
      const existing = state.messages.find((m) => m.clientId === clientId);
      if (existing) {
        ack({ ok: true, message: existing });
        return;
      }
      const message = makeMessage(state.messages.length + 1, content, ME.id, clientId);
      state.messages.push(message);
      ack({ ok: true, message });
      socket.to(ROOM).emit('message:new', message);
    });
    socket.on('reaction:set', ({ messageId, emoji, on }, ack) => {
      if (emoji === '🚫') return ack({ ok: false, error: { code: 'TIMED_OUT', message: 'You are timed out.' } });
      ack({ ok: true, messageId, reactions: on ? [{ emoji, count: 1, members: [{ id: ME.id, username: ME.username }] }] : [] });
    });
    socket.on('typing', ({ typing }) => {
      state.typing.push(typing);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  server = state;
});

afterAll(async () => {
  await server.io.close();
});

let room: ChatRoom | null = null;

beforeEach(() => {
  server.messages.length = 0;
  server.sends.length = 0;
  server.typing.length = 0;
  server.refuseOnce.clear();
  server.silent = false;
  server.rangeEmpty = 0;
  server.rangeCalls = 0;
  server.withheld = [];
  server.replayLimit = Infinity;
  server.historyCalls = [];
  server.historyFailures = 0;
  server.blocked = false;
  vi.stubEnv('NEXT_PUBLIC_SOCKET_URL', `http://127.0.0.1:${port}`);
  // REST history: the newest page of what the fake server holds, or the page after a seq.
  vi.stubGlobal('fetch', async (input: string | URL) => {
    const url = new URL(String(input), 'http://localhost');
    server.historyCalls.push(`${url.pathname}${url.search}`);
    if (server.historyFailures > 0) {
      server.historyFailures--;
      return new Response(JSON.stringify({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. Try again.' } }), { status: 500, headers: { 'content-type': 'application/json' } });
    }
    const after = url.searchParams.get('after');
    const before = url.searchParams.get('before');
    // The seqs of the page, as the server's history windows them; withheld ones named, not sent.
    const all = server.messages.map((m) => m.seq);
    const window =
      after !== null ? all.filter((seq) => seq > Number(after)).slice(0, 50) : before !== null ? all.filter((seq) => seq < Number(before)).slice(-50) : all.slice(-50);
    const messages = server.messages.filter((m) => window.includes(m.seq) && !server.withheld.includes(m.seq));
    const withheld = window.filter((seq) => server.withheld.includes(seq));
    const hasMore = after !== null ? server.messages.length > Number(after) + 50 : (window[0] ?? 1) > 1;
    const hostMessages = after === null && before === null ? server.messages.filter((m) => m.type === 'host' && !m.deletedAt && !server.withheld.includes(m.seq)).slice(-20) : undefined;
    return new Response(JSON.stringify({ messages, hasMore, source: 'cache', withheld, hostMessages }), { status: 200, headers: { 'content-type': 'application/json' } });
  });
});

afterEach(() => {
  room?.dispose();
  room = null;
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 4_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function joinedRoom(options: { sendTimeoutMs?: number; gapRetryBaseMs?: number; unreachableAfterMs?: number } = {}): Promise<ChatRoom> {
  room = new ChatRoom({ code: 'ABCDEFGH', roomId: ROOM, refreshToken: async () => TOKEN, ...options });
  room.setMember(ME, TOKEN);
  await room.start();
  await waitFor(() => room!.getSnapshot().joined, 'the room to be joined');
  return room;
}

const seqs = (s: ChatRoomSnapshot) => s.items.filter((i) => i.status === 'sent').map((i) => i.message.seq);

describe('ChatRoom', () => {
  it('says the chat cannot be reached when the connection stays lost, and joins again on "Try again"', async () => {
    const r = await joinedRoom({ unreachableAfterMs: 300 });
    server.blocked = true;
    for (const s of await server.io.fetchSockets()) s.disconnect(true);
    await waitFor(() => !r.getSnapshot().joined, 'the connection to drop');
    expect(r.getSnapshot().unreachable).toBe(false);
    await waitFor(() => r.getSnapshot().unreachable, 'the chat to say it cannot be reached');
    server.blocked = false;
    r.retryNow();
    await waitFor(() => r.getSnapshot().joined, 'the room to be joined again');
    expect(r.getSnapshot().unreachable).toBe(false);
  });

  it('keeps the host messages the server lists in the sticky section, however far back, until one is deleted', async () => {
    const welcome = server.add('Welcome to the show', { broadcast: false, memberId: 'member-host' });
    welcome.type = 'host';
    for (let i = 0; i < HISTORY_PAGE_SIZE + 10; i++) server.add(`crowd ${i}`, { broadcast: false });
    const r = await joinedRoom();
    expect(r.getSnapshot().items.some((i) => i.message.id === welcome.id)).toBe(false);
    expect(r.getSnapshot().hostMessages.map((m) => m.content)).toEqual(['Welcome to the show']);
    server.io.emit('message:deleted', { roomId: ROOM, id: welcome.id, seq: welcome.seq, deletedAt: new Date().toISOString() });
    await waitFor(() => r.getSnapshot().hostMessages.length === 0, 'the deleted host message to leave the sticky section');
  });

  it('shows a send at once as pending, then as sent with its seq', async () => {
    server.add('hello from Alice', { broadcast: false });
    const r = await joinedRoom();
    r.send('hi Alice', null);
    // Synchronously queued, visible on the next notification.
    await waitFor(() => r.getSnapshot().items.some((i) => i.message.content === 'hi Alice'), 'the pending copy');
    await waitFor(() => r.getSnapshot().items.at(-1)?.status === 'sent', 'the ack');
    const last = r.getSnapshot().items.at(-1);
    expect(last?.message.seq).toBe(2);
    expect(last?.message.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(r.getSnapshot().items).toHaveLength(2);
  });

  it('asks message:range for a hole in seq and ends up with every message in order', async () => {
    server.add('one', { broadcast: false });
    const r = await joinedRoom();
    server.add('two (never broadcast to us)', { broadcast: false });
    server.add('three');
    await waitFor(() => seqs(r.getSnapshot()).length === 3, 'the gap to be filled');
    expect(seqs(r.getSnapshot())).toEqual([1, 2, 3]);
  });

  it('never steps over a hole the server answered with nothing: asks again with backoff, then over HTTP, showing missed messages loading until it is filled', async () => {
    server.add('one', { broadcast: false });
    const r = await joinedRoom({ gapRetryBaseMs: 20 });
    // The server's gap fill keeps answering nothing, and its HTTP history fails twice before it answers.
    server.rangeEmpty = Infinity;
    server.historyFailures = 2;
    const historyBefore = server.historyCalls.length;
    server.add('two (never broadcast to us)', { broadcast: false });
    server.add('three');
    await waitFor(() => seqs(r.getSnapshot()).includes(3), 'the live message');
    expect(seqs(r.getSnapshot())).toEqual([1, 3]);
    expect(r.getSnapshot().catchingUp).toBe(true);
    await waitFor(() => seqs(r.getSnapshot()).length === 3, 'the hole to be filled over HTTP');
    expect(seqs(r.getSnapshot())).toEqual([1, 2, 3]);
    expect(server.rangeCalls).toBe(RANGE_RETRIES);
    expect(server.historyCalls.slice(historyBefore)).toEqual(Array(3).fill(`/api/chats/ABCDEFGH/messages?after=1&limit=${HISTORY_PAGE_SIZE}`));
    await waitFor(() => !r.getSnapshot().catchingUp, 'the loading sign to go');
  });

  it('asks the gap fill again when it first answers with nothing, and steps over the seqs the server withholds', async () => {
    server.add('one', { broadcast: false });
    const r = await joinedRoom({ gapRetryBaseMs: 20 });
    server.rangeEmpty = 1;
    server.add('two', { broadcast: false });
    server.add('hidden from us', { broadcast: false });
    server.withheld = [3];
    server.add('four');
    await waitFor(() => seqs(r.getSnapshot()).length === 3 && !r.getSnapshot().catchingUp, 'the hole to be filled');
    expect(seqs(r.getSnapshot())).toEqual([1, 2, 4]);
    expect(server.rangeCalls).toBe(2);
    expect(server.historyCalls.filter((u) => u.includes('after='))).toEqual([]);
  });

  it('beyond the replay limit, shows the newest page and a divider with the count, and loads the missed ones when asked', async () => {
    for (let i = 1; i <= 5; i++) server.add(`early ${i}`, { broadcast: false });
    const r = await joinedRoom();
    for (const socket of server.io.sockets.sockets.values()) socket.conn.close();
    await waitFor(() => !r.getSnapshot().joined, 'the disconnect');
    for (let i = 6; i <= 85; i++) server.add(`while away ${i}`, { broadcast: false });
    server.replayLimit = 20;
    await waitFor(() => r.getSnapshot().joined, 'the reconnect', 8_000);
    await waitFor(() => r.getSnapshot().missed.length === 1, 'the divider');
    expect(r.getSnapshot().missed).toEqual([{ afterSeq: 5, beforeSeq: 36, count: 30, loading: false, error: null }]);
    expect(seqs(r.getSnapshot())).toEqual([...[1, 2, 3, 4, 5], ...Array.from({ length: 50 }, (_, i) => 36 + i)]);
    // Not a silent hole, and not fetched behind the reader's back either.
    expect(r.getSnapshot().catchingUp).toBe(false);
    expect(server.rangeCalls).toBe(0);
    await r.loadMissed(5);
    await waitFor(() => r.getSnapshot().missed.length === 0, 'the missed messages');
    expect(seqs(r.getSnapshot())).toEqual(Array.from({ length: 85 }, (_, i) => i + 1));
  }, 15_000);

  it('after a dropped connection, replays what it missed and sends what was typed meanwhile', async () => {
    server.add('before the drop', { broadcast: false });
    const r = await joinedRoom();
    for (const socket of server.io.sockets.sockets.values()) socket.conn.close();
    await waitFor(() => !r.getSnapshot().joined, 'the disconnect');
    r.send('typed while offline', null);
    server.add('missed one', { broadcast: false });
    server.add('missed two', { broadcast: false });
    await waitFor(() => r.getSnapshot().joined, 'the reconnect', 8_000);
    await waitFor(() => r.getSnapshot().items.every((i) => i.status === 'sent') && r.getSnapshot().items.length === 4, 'replay + queued send');
    expect(seqs(r.getSnapshot())).toEqual([1, 2, 3, 4]);
    expect(new Set(r.getSnapshot().items.map((i) => i.message.id)).size).toBe(4);
  }, 15_000);

  it('marks a send failed when no ack comes in time', async () => {
    const r = await joinedRoom({ sendTimeoutMs: 300 });
    server.silent = true;
    r.send('into the void', null);
    await waitFor(() => r.getSnapshot().items.at(-1)?.status === 'failed', 'the timeout');
    expect(r.getSnapshot().items.at(-1)?.error).toMatch(/no answer/i);
  });

  it('keeps the clientId across a failure and a retry', async () => {
    const r = await joinedRoom({ sendTimeoutMs: 300 });
    server.silent = true;
    r.send('refused once', null);
    await waitFor(() => server.sends.length === 1, 'the send');
    const clientId = server.sends[0]!;
    await waitFor(() => r.getSnapshot().items.at(-1)?.status === 'failed', 'the timeout');
    server.silent = false;
    server.refuseOnce.add(clientId);
    // The first attempt never got an answer; a retry is refused, the next one goes through.
    r.retry(clientId);
    await waitFor(() => server.sends.length === 2, 'the first retry');
    await waitFor(() => r.getSnapshot().items.at(-1)?.error === 'Slow down a little.', 'the refusal');
    expect(r.getSnapshot().items.at(-1)?.error).toBe('Slow down a little.');
    r.retry(clientId);
    await waitFor(() => r.getSnapshot().items.at(-1)?.status === 'sent', 'the retry');
    expect(server.sends).toEqual([clientId, clientId, clientId]);
    expect(server.messages.filter((m) => m.clientId === clientId)).toHaveLength(1);
  });

  it('applies deletes, reactions and skips from the server, and stops when banned', async () => {
    const first = server.add('soon deleted', { broadcast: false });
    const heard: string[] = [];
    room = new ChatRoom({ code: 'ABCDEFGH', roomId: ROOM, refreshToken: async () => TOKEN, onLive: (m) => heard.push(m.content) });
    room.setMember(ME, TOKEN);
    await room.start();
    await waitFor(() => room!.getSnapshot().joined, 'the join');
    const r = room;
    server.io.to(ROOM).emit('reaction:updated', { roomId: ROOM, messageId: first.id, seq: 1, reactions: [{ emoji: '🔥', count: 2, members: [] }] });
    await waitFor(() => r.getSnapshot().items[0]?.message.reactions[0]?.count === 2, 'the reaction');
    server.io.to(ROOM).emit('message:deleted', { roomId: ROOM, id: first.id, seq: 1, deletedAt: new Date().toISOString() });
    await waitFor(() => r.getSnapshot().items[0]?.message.deletedAt !== null, 'the delete');
    expect(r.getSnapshot().items[0]?.message.content).toBe('');
    // Seq 2 belongs to someone hidden: a skip, then seq 3 arrives with no range request for 2.
    server.messages.push({ ...first, id: 'hidden', seq: 2, content: 'hidden from us' });
    server.io.to(ROOM).emit('message:skip', { roomId: ROOM, seq: 2 });
    server.add('after the skip');
    await waitFor(() => seqs(r.getSnapshot()).includes(3), 'the message after the skip');
    expect(seqs(r.getSnapshot())).toEqual([1, 3]);
    expect(heard).toEqual(['after the skip']);
    server.io.to(ROOM).emit('member:updated', { roomId: ROOM, member: { ...ME, banned: true } });
    await waitFor(() => r.getSnapshot().fatal !== null, 'the ban');
    expect(r.getSnapshot().fatal).toMatch(/banned/);
  });

  it('reveals a message older than the pages loaded: reads the range back to it, and nothing it already holds', async () => {
    for (let i = 1; i <= 120; i++) server.add(`old ${i}`, { broadcast: false });
    const r = await joinedRoom();
    expect(seqs(r.getSnapshot())[0]).toBe(71);
    server.withheld = [6];
    expect(await r.reveal(5)).toBe(true);
    expect(seqs(r.getSnapshot())).toEqual(Array.from({ length: 116 }, (_, i) => i + 5).filter((seq) => seq !== 6));
    expect(server.rangeCalls).toBe(1);
    // Held already (or withheld): no request at all.
    expect(await r.reveal(80)).toBe(true);
    expect(await r.reveal(6)).toBe(true);
    expect(server.rangeCalls).toBe(1);
    expect(r.getSnapshot().history.hasMore).toBe(true);
  });

  it('pages on past a history page that holds nothing for this reader', async () => {
    for (let i = 1; i <= 120; i++) server.add(`m ${i}`, { broadcast: false });
    // The newest page and the one before it are all deleted for me.
    server.withheld = Array.from({ length: 100 }, (_, i) => i + 21);
    const r = await joinedRoom();
    expect(seqs(r.getSnapshot())).toEqual([]);
    await r.loadOlder();
    await r.loadOlder();
    expect(seqs(r.getSnapshot())).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(r.getSnapshot().history.hasMore).toBe(false);
  });

  it('drops a message deleted for me when the server says so, and a late copy never brings it back', async () => {
    server.add('one', { broadcast: false });
    const secret = server.add('two', { broadcast: false });
    server.add('three', { broadcast: false });
    const r = await joinedRoom();
    expect(seqs(r.getSnapshot())).toEqual([1, 2, 3]);
    server.io.to(ROOM).emit('message:hidden', { roomId: 'another-room', id: secret.id, seq: 2 });
    server.io.to(ROOM).emit('message:hidden', { roomId: ROOM, id: secret.id, seq: 2 });
    await waitFor(() => seqs(r.getSnapshot()).length === 2, 'the hidden message to go');
    expect(seqs(r.getSnapshot())).toEqual([1, 3]);
    server.io.to(ROOM).emit('message:updated', { ...secret, content: 'two, edited' });
    server.add('four');
    await waitFor(() => seqs(r.getSnapshot()).includes(4), 'the next message');
    expect(seqs(r.getSnapshot())).toEqual([1, 3, 4]);
    expect(r.getSnapshot().catchingUp).toBe(false);
    // This device's own delete-for-me leaves at once, before the server's event.
    r.forget('msg-3');
    await waitFor(() => !seqs(r.getSnapshot()).includes(3), 'the forgotten message to go');
  });

  it('hides a participant just blocked: their messages go, their reactions come off the rest, and a late copy never brings one back', async () => {
    server.add('from alice', { broadcast: false });
    const bob = server.add('from bob', { broadcast: false, memberId: 'member-bob' });
    const liked = server.add('alice again', { broadcast: false });
    liked.reactions = [
      { emoji: '👍', count: 2, members: [{ id: 'member-bob', username: 'Bob' }, { id: 'member-carol', username: 'Carol' }] },
      { emoji: '🎉', count: 1, members: [{ id: 'member-bob', username: 'Bob' }] },
    ];
    const r = await joinedRoom();
    expect(seqs(r.getSnapshot())).toEqual([1, 2, 3]);
    r.hideMember('member-bob');
    await waitFor(() => !seqs(r.getSnapshot()).includes(2), 'Bob’s message to go');
    expect(seqs(r.getSnapshot())).toEqual([1, 3]);
    expect(r.getSnapshot().items.find((i) => i.message.seq === 3)?.message.reactions).toEqual([
      { emoji: '👍', count: 1, members: [{ id: 'member-carol', username: 'Carol' }] },
    ]);
    server.io.to(ROOM).emit('message:updated', { ...bob, content: 'from bob, edited' });
    server.add('four');
    await waitFor(() => seqs(r.getSnapshot()).includes(4), 'the next message');
    expect(seqs(r.getSnapshot())).toEqual([1, 3, 4]);
  });

  it('reacts over the socket and shows the answer, or rejects with the server error', async () => {
    const m = server.add('react to me', { broadcast: false });
    const r = await joinedRoom();
    await r.react(m.id, '👍', true);
    expect(r.getSnapshot().items[0]?.message.reactions).toEqual([{ emoji: '👍', count: 1, members: [{ id: ME.id, username: ME.username }] }]);
    await expect(r.react(m.id, '🚫', true)).rejects.toMatchObject({ code: 'TIMED_OUT', message: 'You are timed out.' });
  });

  it('throttles typing: one signal while typing on, and one when it stops', async () => {
    const r = await joinedRoom();
    for (let i = 0; i < 20; i++) r.typingInput(true);
    r.typingStop();
    await waitFor(() => server.typing.length === 2, 'two typing signals');
    expect(server.typing).toEqual([true, false]);
  });

  it('says typing that began before the room was joined once it is, but not typing that stopped meanwhile', async () => {
    room = new ChatRoom({ code: 'ABCDEFGH', roomId: ROOM, refreshToken: async () => TOKEN });
    room.setMember(ME, TOKEN);
    room.typingInput(true);
    await room.start();
    await waitFor(() => room!.getSnapshot().joined, 'the room to be joined');
    await waitFor(() => server.typing.length === 1, 'the typing signal after the join');
    expect(server.typing).toEqual([true]);
    room.typingStop();
    await waitFor(() => server.typing.length === 2, 'the stop');
    room.dispose();

    const again = new ChatRoom({ code: 'ABCDEFGH', roomId: ROOM, refreshToken: async () => TOKEN });
    room = again;
    again.setMember(ME, TOKEN);
    again.typingInput(true);
    again.typingInput(false);
    await again.start();
    await waitFor(() => again.getSnapshot().joined, 'the room to be joined again');
    again.send('a message, so the server has seen this connection at work', null);
    await waitFor(() => server.sends.length > 0, 'the send');
    expect(server.typing).toEqual([true, false]);
  });
});

describe('ChatRoom money', () => {
  const money = {
    currency: 'usd',
    provider: 'test',
    backroom: { enabled: true, seatPriceCents: 500, seatLimit: 10, seatsTaken: 3, full: false, isMember: false, pendingPaymentId: null, roomId: null },
    pins: { enabled: true, basePriceCents: 100, quoteCents: 100, pins: [] },
    tips: { enabled: true, minCents: 100, maxCents: 50_000 },
    refundPolicy: 'No refunds for moderated pins.',
  };
  const pinOf = (message: Message, amountCents: number) => ({
    id: `pin-${message.id}`,
    roomId: ROOM,
    amountCents,
    pinnedAt: new Date().toISOString(),
    pinnedUntil: new Date(Date.now() + 600_000).toISOString(),
    message,
  });

  it('loads the money state and keeps it live from pins:updated and backroom:updated, for its own room only', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      const body = url.endsWith('/money') ? money : { messages: server.messages, hasMore: false, source: 'cache' };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    room = new ChatRoom({ code: 'ABCDEFGH', roomId: ROOM, refreshToken: async () => TOKEN, money: true });
    room.setMember(ME, TOKEN);
    await room.start();
    const r = room;
    await waitFor(() => r.getSnapshot().joined && r.getSnapshot().money !== null, 'the money state');
    expect(r.getSnapshot().money?.backroom.seatsTaken).toBe(3);
    expect(asked).toContain('/api/chats/ABCDEFGH/money');

    const pinned = server.add('pin me', { broadcast: false });
    server.io.to(ROOM).emit('pins:updated', { roomId: ROOM, quoteCents: 1_100, pins: [pinOf(pinned, 1_000)] });
    // Another room's pins (a Back Room on the same connection) are not this room's.
    server.io.to(ROOM).emit('pins:updated', { roomId: 'another-room', quoteCents: 9_900, pins: [] });
    server.io.to(ROOM).emit('backroom:updated', { roomId: ROOM, seatsTaken: 4, seatLimit: 10, full: false });
    await waitFor(() => r.getSnapshot().money?.backroom.seatsTaken === 4, 'the seat count');
    await waitFor(() => r.getSnapshot().money?.pins.pins.length === 1, 'the pin');
    expect(r.getSnapshot().money?.pins.quoteCents).toBe(1_100);
    expect(r.getSnapshot().money?.pins.pins[0]?.message.content).toBe('pin me');

    // An unpin answered with the new list.
    r.setPins([]);
    await waitFor(() => r.getSnapshot().money?.pins.pins.length === 0, 'the unpin');
  });

  it('reads a Back Room history from its own path and keeps no money state', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ messages: [], hasMore: false, source: 'database' }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    room = new ChatRoom({ code: 'ABCDEFGH', roomId: ROOM, refreshToken: async () => TOKEN, historyPath: '/api/chats/ABCDEFGH/backroom/messages' });
    await room.start();
    expect(asked).toEqual(['/api/chats/ABCDEFGH/backroom/messages']);
    expect(room.getSnapshot().money).toBeNull();
  });
});
