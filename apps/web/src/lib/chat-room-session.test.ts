import type { ClientToServerEvents, Member, ServerToClientEvents } from '@chatpop/protocol';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { ChatRoom, SIGNED_OUT_MESSAGE } from './chat-room';

/**
 * The room client when the account session behind a participation ends
 * (docs/api.md, "Socket.IO"): whether the server says so on a live
 * connection, refuses the handshake or the join, or a fresh token cannot be
 * had, the client stops for good with a sentence — no silent reconnect loop.
 * Against a small in-process Socket.IO server.
 */

const ROOM = '0190c2a4-0000-7000-8000-0000000000bb';
const GOOD = 'good-token';
const ENDED = 'ended-token';
const SERVER_SENTENCE = 'You were signed out, on this device or another. Sign in again to keep chatting.';
const ME: Member = { id: 'member-me', roomId: ROOM, username: 'robert', role: 'member', verified: true, anonymous: false, joinedAt: new Date().toISOString() };

let io: Server<ClientToServerEvents, ServerToClientEvents>;
let port = 0;
/** Handshakes the server saw, by token. */
const handshakes: string[] = [];
/** Answer room:join with SESSION_REVOKED. */
let refuseJoin = false;

beforeAll(async () => {
  const http = createServer();
  io = new Server(http, { cors: { origin: true, credentials: true } });
  io.use((socket, next) => {
    const token = ((socket.handshake.auth as { chatTokens?: string[] }).chatTokens ?? [])[0] ?? '';
    handshakes.push(token);
    if (token === ENDED) {
      const err = new Error('SESSION_REVOKED') as Error & { data?: unknown };
      err.data = { code: 'SESSION_REVOKED', message: SERVER_SENTENCE };
      return next(err);
    }
    next(token === GOOD ? undefined : new Error('TOKEN_INVALID'));
  });
  io.on('connection', (socket) => {
    socket.on('room:join', ({ roomId }, ack) => {
      if (refuseJoin) return ack({ ok: false, error: { code: 'SESSION_REVOKED', message: SERVER_SENTENCE } });
      void socket.join(roomId);
      ack({ ok: true, roomId, messages: [], lastSeq: 0, hasMore: false, replay: 'complete', missed: 0, withheld: [] });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
});

afterAll(async () => {
  await io.close();
});

let room: ChatRoom | null = null;
let refreshes = 0;

beforeEach(() => {
  handshakes.length = 0;
  refuseJoin = false;
  refreshes = 0;
  vi.stubEnv('NEXT_PUBLIC_SOCKET_URL', `http://127.0.0.1:${port}`);
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ messages: [], hasMore: false, source: 'cache', withheld: [] }), { status: 200, headers: { 'content-type': 'application/json' } }));
});

afterEach(() => {
  room?.dispose();
  room = null;
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 6_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Longer than Socket.IO's first reconnection delay (500 ms) and the client's own retries: had it meant to reconnect, it would have by then. */
const quietPeriod = () => new Promise((r) => setTimeout(r, 1_500));

function openRoom(token: string, refreshToken: () => Promise<string | null> = async () => (refreshes++, GOOD)): ChatRoom {
  room = new ChatRoom({ code: 'ABCDEFGH', roomId: ROOM, refreshToken });
  room.setMember(ME, token);
  void room.start();
  return room;
}

describe('ChatRoom when the session ends', () => {
  it('a live connection the server ends with session:revoked: says so, and neither reconnects nor asks for a token', async () => {
    const r = openRoom(GOOD);
    await waitFor(() => r.getSnapshot().joined, 'the join');
    const sockets = await io.fetchSockets();
    for (const s of sockets) {
      s.emit('session:revoked', { code: 'SESSION_REVOKED', message: SERVER_SENTENCE });
      s.disconnect(true);
    }
    await waitFor(() => r.getSnapshot().signedOut, 'the sign-out');
    expect(r.getSnapshot()).toMatchObject({ fatal: SERVER_SENTENCE, joined: false, connection: 'idle' });
    await quietPeriod();
    expect(handshakes).toEqual([GOOD]);
    expect(refreshes).toBe(0);
  });

  it('a handshake refused with SESSION_REVOKED: says so once, and does not try again', async () => {
    const r = openRoom(ENDED);
    await waitFor(() => r.getSnapshot().signedOut, 'the sign-out');
    expect(r.getSnapshot().fatal).toBe(SERVER_SENTENCE);
    await quietPeriod();
    expect(handshakes).toEqual([ENDED]);
    expect(refreshes).toBe(0);
  });

  it('a join refused with SESSION_REVOKED: says so and lets go of the connection', async () => {
    refuseJoin = true;
    const r = openRoom(GOOD);
    await waitFor(() => r.getSnapshot().signedOut, 'the sign-out');
    expect(r.getSnapshot().fatal).toBe(SERVER_SENTENCE);
    await waitFor(() => io.of('/').sockets.size === 0, 'the connection to close');
    await quietPeriod();
    expect(handshakes).toEqual([GOOD]);
  });

  it('a closed connection whose fresh token cannot be had because the session is gone: signed out, not retried', async () => {
    const r = openRoom(GOOD, async () => {
      refreshes++;
      throw new ApiError(401, 'SESSION_REVOKED', 'This session has ended. Sign in again.');
    });
    await waitFor(() => r.getSnapshot().joined, 'the join');
    // The server closes the connection without saying why (an older server, or a lost event).
    for (const s of await io.fetchSockets()) s.disconnect(true);
    await waitFor(() => r.getSnapshot().signedOut, 'the sign-out');
    expect(r.getSnapshot().fatal).toBe(SIGNED_OUT_MESSAGE);
    await quietPeriod();
    expect(refreshes).toBe(1);
    expect(handshakes).toEqual([GOOD]);
  });

  it('other refusals still reconnect: a closed connection with a fresh token comes back', async () => {
    const r = openRoom(GOOD);
    await waitFor(() => r.getSnapshot().joined, 'the join');
    for (const s of await io.fetchSockets()) s.disconnect(true);
    await waitFor(() => handshakes.length === 2 && r.getSnapshot().joined, 'the reconnection');
    expect(r.getSnapshot()).toMatchObject({ signedOut: false, fatal: null });
    expect(refreshes).toBe(1);
  });
});
