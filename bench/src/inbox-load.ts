/**
 * The Inbox scenario's clients: one real `socket.io-client` connection per
 * user, signed in with the user's access token, joined to every conversation
 * of theirs. Each user sends at a chat app's pace to one of their
 * conversations at a time; every message carries its scheduled send time, so
 * delivery latency is receive time − scheduled time (open loop). With receipts
 * on, a user who receives messages in a conversation sends one `receipt:read`
 * for the newest seq a moment later (as the web app does while the
 * conversation is open), never one per message.
 */
import { io as ioClient, type Socket } from 'socket.io-client';
import { newHistogram, record, summarize } from './hist';
import { serveRequests } from './proc';

interface InboxUserSpec {
  userId: string;
  token: string;
}
interface InboxRoomSpec {
  roomId: string;
  userIds: string[];
}
interface Client {
  userId: string;
  socket: Socket;
  rooms: string[];
  /** Newest seq heard per conversation, and whether a read for it is pending. */
  newest: Map<string, number>;
  pendingRead: Set<string>;
}

const clients: Client[] = [];
let url = '';

/** The web app's presence heartbeat: without it the server sweeps an idle connection's user offline after 60 s. */
const HEARTBEAT_MS = 25_000;
const JOIN_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 120_000;
const PROGRESS_MS = 10_000;

async function connect(msg: { url: string; users: InboxUserSpec[]; rooms: InboxRoomSpec[]; concurrency: number }) {
  url = msg.url;
  const roomsOf = new Map<string, string[]>();
  for (const r of msg.rooms) for (const u of r.userIds) roomsOf.set(u, [...(roomsOf.get(u) ?? []), r.roomId]);
  const joinMs = newHistogram();
  let next = 0;
  let failed = 0;
  let timedOut = 0;
  let dropped = 0;
  let connectFailed = 0;
  let joins = 0;
  const errors: Record<string, number> = {};
  const started = performance.now();
  // A line every 10 s, so a slow or stuck ramp shows where it is.
  const progress = setInterval(() => {
    const s = Math.round((performance.now() - started) / 1000);
    console.log(`[inbox-load ${s}s] ${clients.length}/${msg.users.length} users connected (${connectFailed} failed), ${joins} joins (${failed} refused, ${timedOut} timed out), ${dropped} connections dropped`);
  }, PROGRESS_MS);
  const one = async (u: InboxUserSpec) => {
    const socket = ioClient(url, { path: '/socket.io', transports: ['websocket'], auth: { chatTokens: [], accessToken: u.token }, reconnection: false, forceNew: true, timeout: 120_000 });
    // A handshake the server gave up on (Socket.IO closes a connection that has not joined its namespace within
    // 45 s) ends with no `connect_error`: without the close and the timer, this user's worker would wait forever.
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('connect_error', (err) => {
        const code = err.message || 'connect_error';
        errors[code] = (errors[code] ?? 0) + 1;
        done(false);
      });
      socket.io.once('close', () => done(false));
    });
    if (!connected) {
      connectFailed++;
      socket.close();
      return;
    }
    let gone = false;
    socket.once('disconnect', () => {
      gone = true;
      dropped++;
    });
    const heartbeat = setInterval(() => socket.emit('presence:heartbeat', () => undefined), HEARTBEAT_MS);
    socket.once('disconnect', () => clearInterval(heartbeat));
    const c: Client = { userId: u.userId, socket, rooms: roomsOf.get(u.userId) ?? [], newest: new Map(), pendingRead: new Set() };
    // One join at a time per connection, as a device opening its conversations would, well under the
    // per-connection event budget (60 at once, 20/s); a refused or unanswered join is counted, not fatal.
    for (const roomId of c.rooms) {
      if (gone) break;
      const t0 = performance.now();
      try {
        const res = (await socket.timeout(JOIN_TIMEOUT_MS).emitWithAck('room:join', { roomId, afterSeq: 0 })) as { ok: boolean; error?: { code: string } };
        record(joinMs, (performance.now() - t0) * 1000);
        joins++;
        if (!res.ok) {
          failed++;
          const code = res.error?.code ?? 'unknown';
          errors[code] = (errors[code] ?? 0) + 1;
        }
      } catch {
        timedOut++;
      }
    }
    clients.push(c);
  };
  try {
    await Promise.all(
      Array.from({ length: msg.concurrency }, async () => {
        while (next < msg.users.length) await one(msg.users[next++]!);
      }),
    );
  } finally {
    clearInterval(progress);
  }
  return {
    clients: clients.length,
    joins: clients.reduce((a, c) => a + c.rooms.length, 0),
    joinFailed: failed + timedOut,
    joinErrors: { ...errors, ...(timedOut ? { timeout: timedOut } : {}) },
    dropped,
    connectFailed,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    join: summarize(joinMs),
  };
}

interface RunSpec {
  durationMs: number;
  /** Each user sends one message this often (spread evenly over users). */
  perUserIntervalMs: number;
  receipts: boolean;
  /** How long after a message a reader's watermark goes out (one per conversation meanwhile). */
  readDelayMs: number;
  drainMs: number;
}

async function run(spec: RunSpec) {
  const ack = newHistogram();
  const delivery = newHistogram();
  let sent = 0;
  let acked = 0;
  let ackErrors = 0;
  const errors: Record<string, number> = {};
  let delivered = 0;
  let reads = 0;
  let readErrors = 0;
  const runId = Math.random().toString(36).slice(2, 8);
  const handlers: (() => void)[] = [];
  for (const c of clients) {
    const onMessage = (m: { roomId: string; seq: number; content: string }) => {
      const parts = m.content.split('|');
      if (parts[0] !== 'ib' || parts[1] !== runId) return;
      const sentFrom = parts[2];
      if (sentFrom !== c.userId) {
        delivered++;
        record(delivery, (performance.timeOrigin + performance.now() - Number(parts[3])) * 1000);
      }
      c.newest.set(m.roomId, Math.max(c.newest.get(m.roomId) ?? 0, m.seq));
      if (!spec.receipts || sentFrom === c.userId || c.pendingRead.has(m.roomId)) return;
      c.pendingRead.add(m.roomId);
      setTimeout(() => {
        c.pendingRead.delete(m.roomId);
        reads++;
        c.socket
          .timeout(20_000)
          .emitWithAck('receipt:read', { roomId: m.roomId, seq: c.newest.get(m.roomId) })
          .then((res: { ok: boolean }) => {
            if (!res.ok) readErrors++;
          })
          .catch(() => readErrors++);
      }, spec.readDelayMs);
    };
    c.socket.on('message:new', onMessage);
    handlers.push(() => c.socket.off('message:new', onMessage));
  }
  const start = performance.timeOrigin + performance.now() + 200;
  const timers: NodeJS.Timeout[] = [];
  clients.forEach((c, i) => {
    if (c.rooms.length === 0) return;
    // User i first sends at an even offset within the interval, then every interval.
    for (let at = (spec.perUserIntervalMs * i) / clients.length; at < spec.durationMs; at += spec.perUserIntervalMs) {
      const scheduled = start + at;
      timers.push(
        setTimeout(
          () => {
            const roomId = c.rooms[Math.floor(Math.random() * c.rooms.length)]!;
            sent++;
            c.socket
              .timeout(20_000)
              .emitWithAck('message:send', { roomId, clientId: `ib-${runId}-${c.userId.slice(-8)}-${sent}`, content: `ib|${runId}|${c.userId}|${scheduled}` })
              .then((res: { ok: boolean; error?: { code: string } }) => {
                if (res.ok) {
                  acked++;
                  record(ack, (performance.timeOrigin + performance.now() - scheduled) * 1000);
                } else {
                  ackErrors++;
                  const code = res.error?.code ?? 'unknown';
                  errors[code] = (errors[code] ?? 0) + 1;
                }
              })
              .catch(() => {
                ackErrors++;
                errors.timeout = (errors.timeout ?? 0) + 1;
              });
          },
          Math.max(0, scheduled - (performance.timeOrigin + performance.now())),
        ),
      );
    }
  });
  await new Promise((r) => setTimeout(r, spec.durationMs + 200 + spec.drainMs + spec.readDelayMs));
  timers.forEach(clearTimeout);
  handlers.forEach((off) => off());
  return { sent, acked, ackErrors, errors, delivered, reads, readErrors, ack: summarize(ack), delivery: summarize(delivery) };
}

serveRequests(async (msg) => {
  switch (msg.cmd) {
    case 'connect':
      return connect(msg as never);
    case 'run':
      return run(msg as never);
    case 'disconnect':
      for (const c of clients.splice(0)) c.socket.close();
      return {};
    case 'exit':
      for (const c of clients.splice(0)) c.socket.close();
      setTimeout(() => process.exit(0), 50);
      return {};
    default:
      throw new Error(`unknown command ${String(msg.cmd)}`);
  }
});
process.send?.({ type: 'ready' });
