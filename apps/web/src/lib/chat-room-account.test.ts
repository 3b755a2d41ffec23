import type { ClientToServerEvents, Member, ReceiptPayload, ServerToClientEvents } from '@chatpop/protocol';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatRoom } from './chat-room';
import { createAccountSocket } from './socket';

/**
 * The room client as an Inbox conversation uses it: a connection opened on the
 * account (no chat session token), and a join refused as UNAUTHENTICATED when
 * the account's access ran out before the handshake, which a refresh and a
 * new handshake must cure. Against a small in-process Socket.IO server.
 */

const ROOM = '0190c2a4-0000-7000-8000-0000000000aa';
const ME: Member = { id: 'member-me', roomId: ROOM, username: 'robert', role: 'member', verified: true, anonymous: false, joinedAt: new Date().toISOString() };

let io: Server<ClientToServerEvents, ServerToClientEvents>;
let port = 0;
/** Whether the next handshake carries a live account session. */
let sessionFresh = false;
const handshakes: Array<{ auth: unknown; fresh: boolean }> = [];

beforeAll(async () => {
  const http = createServer();
  io = new Server(http, { cors: { origin: true, credentials: true } });
  io.on('connection', (socket) => {
    const fresh = sessionFresh;
    handshakes.push({ auth: socket.handshake.auth, fresh });
    socket.on('room:join', ({ roomId }, ack) => {
      if (!fresh) return ack({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Sign in to open your conversations.' } });
      void socket.join(roomId);
      ack({ ok: true, roomId, messages: [], lastSeq: 0, hasMore: false, replay: 'complete', missed: 0, withheld: [] });
      socket.emit('receipt', { roomId, userId: 'user-ann', memberId: 'member-ann', readSeq: 0, deliveredSeq: 0 });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
});

afterAll(async () => {
  await io.close();
});

let room: ChatRoom | null = null;
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

describe('ChatRoom on an account connection', () => {
  it('joins on the connection it is given, and after an UNAUTHENTICATED join refreshes the session and shakes hands again', async () => {
    vi.stubEnv('NEXT_PUBLIC_SOCKET_URL', `http://127.0.0.1:${port}`);
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ messages: [], hasMore: false, source: 'cache' }), { status: 200, headers: { 'content-type': 'application/json' } }));
    sessionFresh = false;
    handshakes.length = 0;
    const receipts: ReceiptPayload[] = [];
    let refreshes = 0;
    room = new ChatRoom({
      code: ROOM,
      roomId: ROOM,
      historyPath: `/api/conversations/${ROOM}/messages`,
      refreshToken: async () => {
        refreshes++;
        sessionFresh = true;
        return 'account';
      },
      openSocket: () => {
        const socket = createAccountSocket();
        socket.on('receipt', (r) => receipts.push(r));
        return socket;
      },
      socketAuth: () => ({ chatTokens: [] }),
    });
    room.setMember(ME, 'account');
    await room.start();

    await waitFor(() => room!.getSnapshot().joined, 'the join after the refresh');
    expect(refreshes).toBe(1);
    expect(handshakes.map((h) => h.fresh)).toEqual([false, true]);
    // No chat session token in either handshake: the account is the credential.
    expect(handshakes.map((h) => h.auth)).toEqual([{ chatTokens: [] }, { chatTokens: [] }]);
    expect(room.getSnapshot().fatal).toBeNull();
    await waitFor(() => receipts.length === 1, 'the receipt on the given connection');
    expect(receipts[0]).toMatchObject({ roomId: ROOM, memberId: 'member-ann' });
  }, 10_000);
});
