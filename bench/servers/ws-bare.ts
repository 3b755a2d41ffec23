/**
 * Server A: the physical limit. A bare `ws` server that speaks just enough of
 * the Engine.IO/Socket.IO v4 wire format for the same clients to talk to it:
 * `room:join` adds the connection to a room, `message:send` builds a message
 * of the product's shape, serializes it once and writes the same bytes to
 * every connection in the room, then acks the sender. No auth, no persistence.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { fakeSeed, serveBenchIpc } from './common';
import type { RoomPlan } from '../src/types';

interface Conn {
  ws: WebSocket;
  memberId: string;
  rooms: Set<Room>;
}
interface Room {
  id: string;
  seq: number;
  conns: Set<Conn>;
}

const rooms = new Map<string, Room>();
const OPEN = `0${JSON.stringify({ sid: 'bare', upgrades: [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 65_536 })}`;
const TEXT = { binary: false } as const;

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, path: '/socket.io/', perMessageDeflate: false, maxPayload: 65_536 });

wss.on('connection', (ws) => {
  const conn: Conn = { ws, memberId: '', rooms: new Set() };
  ws.send(OPEN);
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text.startsWith('40')) {
      try {
        const auth = text.length > 2 ? (JSON.parse(text.slice(2)) as { chatTokens?: string[] }) : {};
        conn.memberId = auth.chatTokens?.[0] ?? '';
      } catch {
        // keep going without a member id
      }
      ws.send('40{"sid":"bare"}');
      return;
    }
    if (!text.startsWith('42')) return; // '3' pongs and anything else
    let i = 2;
    while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const ackId = text.slice(2, i);
    let name: string;
    let payload: Record<string, unknown>;
    try {
      [name, payload] = JSON.parse(text.slice(i)) as [string, Record<string, unknown>];
    } catch {
      return;
    }
    const ack = (body: string) => {
      if (ackId) ws.send(`43${ackId}[${body}]`);
    };
    if (name === 'room:join') {
      const id = String(payload.roomId);
      let room = rooms.get(id);
      if (!room) rooms.set(id, (room = { id, seq: 0, conns: new Set() }));
      room.conns.add(conn);
      conn.rooms.add(room);
      ack(`{"ok":true,"roomId":${JSON.stringify(id)},"messages":[],"lastSeq":${room.seq},"hasMore":false}`);
    } else if (name === 'message:send') {
      const room = rooms.get(String(payload.roomId));
      if (!room || !conn.rooms.has(room)) return ack('{"ok":false,"error":{"code":"NOT_A_MEMBER","message":"join first"}}');
      const json = JSON.stringify({
        id: randomUUID(),
        roomId: room.id,
        seq: ++room.seq,
        clientId: payload.clientId ?? null,
        memberId: conn.memberId,
        username: 'member',
        verified: false,
        type: 'normal',
        content: String(payload.content ?? ''),
        replyTo: null,
        createdAt: new Date().toISOString(),
        deletedAt: null,
      });
      const frame = Buffer.from(`42["message:new",${json}]`);
      for (const c of room.conns) c.ws.send(frame, TEXT);
      ack(`{"ok":true,"message":${json}}`);
    } else {
      ack('{"ok":true}');
    }
  });
  ws.on('close', () => {
    for (const room of conn.rooms) room.conns.delete(conn);
    conn.rooms.clear();
  });
  ws.on('error', () => undefined);
});

serveBenchIpc(
  (msg) => {
    if (msg.cmd === 'seed') return fakeSeed(msg.rooms as RoomPlan[]);
    throw new Error(`unknown command ${String(msg.cmd)}`);
  },
  async () => {
    wss.clients.forEach((c) => c.terminate());
    await new Promise<void>((r) => server.close(() => r()));
  },
);

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0, kind: 'ws' });
});
