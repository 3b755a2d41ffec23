/**
 * Server B: plain Socket.IO 4 with the product's settings and event shapes
 * (rooms + acks), no auth and no persistence: the cost of the framework alone.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Server } from 'socket.io';
import { fakeSeed, serveBenchIpc } from './common';
import type { RoomPlan } from '../src/types';

type Ack = (res: unknown) => void;
const seqs = new Map<string, number>();

const httpServer = http.createServer();
const io = new Server(httpServer, {
  path: '/socket.io',
  serveClient: false,
  cors: { origin: '*' },
  pingInterval: 25_000,
  pingTimeout: 20_000,
  maxHttpBufferSize: 64 * 1024,
});

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { chatTokens?: unknown } | undefined;
  const memberId = Array.isArray(auth?.chatTokens) && typeof auth.chatTokens[0] === 'string' ? auth.chatTokens[0] : socket.id;
  const joined = new Set<string>();
  socket.on('room:join', (payload: { roomId?: unknown }, ack?: Ack) => {
    const roomId = String(payload?.roomId);
    void socket.join(roomId);
    joined.add(roomId);
    ack?.({ ok: true, roomId, messages: [], lastSeq: seqs.get(roomId) ?? 0, hasMore: false });
  });
  socket.on('message:send', (payload: { roomId?: unknown; clientId?: unknown; content?: unknown }, ack?: Ack) => {
    const roomId = String(payload?.roomId);
    if (!joined.has(roomId)) return ack?.({ ok: false, error: { code: 'NOT_A_MEMBER', message: 'join first' } });
    const seq = (seqs.get(roomId) ?? 0) + 1;
    seqs.set(roomId, seq);
    const message = {
      id: randomUUID(),
      roomId,
      seq,
      clientId: typeof payload.clientId === 'string' ? payload.clientId : null,
      memberId,
      username: 'member',
      verified: false,
      type: 'normal',
      content: String(payload.content ?? ''),
      replyTo: null,
      createdAt: new Date().toISOString(),
      deletedAt: null,
    };
    io.to(roomId).emit('message:new', message);
    ack?.({ ok: true, message });
  });
  socket.on('room:leave', (payload: { roomId?: unknown }, ack?: Ack) => {
    void socket.leave(String(payload?.roomId));
    ack?.({ ok: true });
  });
  socket.on('presence:heartbeat', (ack?: Ack) => ack?.({ ok: true }));
});

serveBenchIpc(
  (msg) => {
    if (msg.cmd === 'seed') return fakeSeed(msg.rooms as RoomPlan[]);
    throw new Error(`unknown command ${String(msg.cmd)}`);
  },
  async () => {
    io.disconnectSockets(true);
    await new Promise<void>((r) => io.close(() => r()));
  },
);

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0, kind: 'socket.io' });
});
