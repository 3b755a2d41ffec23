/**
 * The load generator: its own process, pinned to its own core. Holds groups
 * of thin Socket.IO connections and runs open-loop steps on them: every
 * message carries its *scheduled* send time, and latency is receive time minus
 * scheduled time, so a server (or a generator) that falls behind shows it in
 * the tail instead of hiding it.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import { io as ioClient, type Socket } from 'socket.io-client';
import { newHistogram, record, summarize } from './hist';
import { serveRequests } from './proc';
import { ThinConn, closeStats, readSeq, setDeliveryHandler, type BudgetRule, type RoomState } from './thin';
import type { ConnectResult, HistoryResult, ProcessLoad, RoomSpec, StepResult, StormResult, StreamResult, VerifyResult } from './types';

interface Group {
  urls: string[];
  rooms: RoomState[];
  heartbeat: boolean;
}

const groups = new Map<string, Group>();
const nowUs = () => performance.now() * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RUN = process.pid.toString(36);

// ---------------------------------------------------------------- deliveries

interface Stream {
  label: string;
  rooms: RoomState[];
  rate: number;
  total: number;
  next: number;
  t0Us: number;
  intervalUs: number;
  expected: Uint32Array;
  got: Uint32Array;
  expectedTotal: number;
  gotTotal: number;
  sent: number;
  acked: number;
  failed: number;
  budgetSkipped: number;
  errors: Record<string, number>;
  hist: Histogram;
  ackHist: Histogram;
}

interface Step {
  tag: number;
  streams: Stream[];
  deadlineUs: number;
  closed: boolean;
  late: number;
  lastArrivalUs: number;
  budget: BudgetRule | null;
}

const steps = new Map<number, Step>();
let stepCounter = 0;
const CONTENT_MARK = Buffer.from('"content":"b|');

function onDelivery(conn: ThinConn, buf: Buffer) {
  const counts = conn.seqCounts;
  if (counts) {
    const seq = readSeq(buf, 16);
    if (seq >= 0) {
      counts.set(seq, (counts.get(seq) ?? 0) + 1);
      if (seq > conn.maxSeq) conn.maxSeq = seq;
    }
  }
  const j = buf.indexOf(CONTENT_MARK, 16);
  if (j < 0) return;
  // content = b|<step>|<stream>|<k>|<scheduled µs>
  let p = j + CONTENT_MARK.length;
  const f = [0, 0, 0, 0];
  for (let n = 0; n < 4; n++) {
    let v = 0;
    let c = buf[p]!;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = buf[++p]!;
    }
    f[n] = v;
    p++;
  }
  const step = steps.get(f[0]!);
  if (!step) return;
  const now = nowUs();
  step.lastArrivalUs = now;
  if (step.closed) {
    step.late++;
    return;
  }
  const s = step.streams[f[1]!];
  if (!s || f[2]! >= s.total) return;
  s.got[f[2]!]!++;
  s.gotTotal++;
  record(s.hist, now - f[3]!);
}
setDeliveryHandler(onDelivery);

/** A sender with budget left, 'none' when no sender of the room is connected at all, null when all are out of budget. */
function pickSender(room: RoomState, nowMs: number, budget: BudgetRule | null): ThinConn | null | 'none' {
  const n = room.senders.length;
  let connected = false;
  for (let tries = 0; tries < n; tries++) {
    const c = room.senders[room.ptr]!;
    room.ptr = (room.ptr + 1) % n;
    if (!c.joined || !c.ws) continue;
    connected = true;
    if (c.hasBudget(nowMs, budget)) return c;
  }
  return connected ? null : 'none';
}

function sendScheduled(step: Step, si: number, k: number) {
  const s = step.streams[si]!;
  const room = s.rooms[k % s.rooms.length]!;
  const sched = s.t0Us + k * s.intervalUs;
  const sender = pickSender(room, sched / 1000, step.budget);
  if (sender === 'none') {
    s.errors.NO_CONNECTED_SENDER = (s.errors.NO_CONNECTED_SENDER ?? 0) + 1;
    return;
  }
  if (!sender) {
    s.budgetSkipped++;
    return;
  }
  const expected = room.joinedCount;
  s.expected[k] = expected;
  s.expectedTotal += expected;
  s.sent++;
  sender.sendMessage(`${RUN}-${step.tag}-${si}-${k}`, `b|${step.tag}|${si}|${k}|${Math.round(sched)}`, (buf, at) => {
    // `43N[{"ok":true,…` — the reply object starts one byte after the ack id
    if (buf[at + 2] === 34 && buf[at + 3] === 111 && buf[at + 7] === 116) {
      s.acked++;
      if (!step.closed) record(s.ackHist, nowUs() - sched);
      const seq = readSeq(buf, at);
      if (seq > room.maxAckedSeq) room.maxAckedSeq = seq;
    } else {
      s.failed++;
      s.expectedTotal -= s.expected[k]!;
      s.expected[k] = 0;
      let code = 'UNKNOWN';
      try {
        code = (JSON.parse(buf.toString('utf8', at)) as { error?: { code?: string } }[])[0]?.error?.code ?? code;
      } catch {
        // keep UNKNOWN
      }
      s.errors[code] = (s.errors[code] ?? 0) + 1;
    }
  }, sched / 1000);
}

export interface StreamSpec {
  label: string;
  /** Room keys starting with this prefix ('' = every room of the group). */
  roomPrefix: string;
  /** Messages per second over the whole stream. */
  rate: number;
}

export interface StepSpec {
  group: string;
  streams: StreamSpec[];
  durationMs: number;
  drainMs: number;
  budget: BudgetRule | null;
  settleMaxMs?: number;
}

function loadMeter() {
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  // The histogram holds the time between 5 ms ticks: subtract the tick.
  const delay = (ns: number) => Math.max(0, Math.round(ns / 1e4 - 500) / 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return (): ProcessLoad => {
    const cpu = process.cpuUsage(cpu0);
    const elapsedUs = (performance.now() - t0) * 1000;
    eld.disable();
    return {
      cpuPct: Math.round((1000 * (cpu.user + cpu.system)) / elapsedUs) / 10,
      eldP99: eld.count ? delay(eld.percentile(99)) : 0,
      eldMax: eld.count ? delay(eld.max) : 0,
    };
  };
}

async function runStep(spec: StepSpec): Promise<StepResult> {
  const g = mustGroup(spec.group);
  const tag = ++stepCounter;
  const start = nowUs() + 5000;
  const streams: Stream[] = spec.streams.map((ss) => {
    const rooms = g.rooms.filter((r) => r.key.startsWith(ss.roomPrefix) && r.senders.length > 0);
    if (rooms.length === 0) throw new Error(`no rooms with prefix '${ss.roomPrefix}' in group ${spec.group}`);
    const total = Math.max(1, Math.floor((ss.rate * spec.durationMs) / 1000));
    return {
      label: ss.label,
      rooms,
      rate: ss.rate,
      total,
      next: 0,
      t0Us: start,
      intervalUs: 1e6 / ss.rate,
      expected: new Uint32Array(total),
      got: new Uint32Array(total),
      expectedTotal: 0,
      gotTotal: 0,
      sent: 0,
      acked: 0,
      failed: 0,
      budgetSkipped: 0,
      errors: {},
      hist: newHistogram(),
      ackHist: newHistogram(),
    };
  });
  const lastScheduled = Math.max(...streams.map((s) => s.t0Us + (s.total - 1) * s.intervalUs));
  const step: Step = {
    tag,
    streams,
    deadlineUs: lastScheduled + spec.drainMs * 1000,
    closed: false,
    late: 0,
    lastArrivalUs: 0,
    budget: spec.budget,
  };
  steps.set(tag, step);
  const meter = loadMeter();
  const closedBefore = closeStats.unexpected;

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = nowUs();
      let pending = false;
      for (let si = 0; si < streams.length; si++) {
        const s = streams[si]!;
        while (s.next < s.total && s.t0Us + s.next * s.intervalUs <= now) sendScheduled(step, si, s.next++);
        if (s.next < s.total) pending = true;
      }
      if (pending) {
        setTimeout(tick, 1);
        return;
      }
      const done = streams.every((s) => s.gotTotal >= s.expectedTotal && s.acked + s.failed >= s.sent);
      if (done || now >= step.deadlineUs) resolve();
      else setTimeout(tick, 5);
    };
    setTimeout(tick, 1);
  });
  step.closed = true;
  const load = meter();
  const endUs = nowUs();

  const results: StreamResult[] = streams.map((s) => {
    let delivered = 0;
    let duplicates = 0;
    for (let k = 0; k < s.total; k++) {
      const e = s.expected[k]!;
      const got = s.got[k]!;
      delivered += Math.min(e, got);
      if (got > e) duplicates += got - e;
    }
    const durS = s.total / s.rate;
    const sizes = s.rooms.reduce((a, r) => a + r.size, 0);
    return {
      label: s.label,
      rooms: s.rooms.length,
      roomSize: Math.round(sizes / s.rooms.length),
      rate: s.rate,
      scheduled: s.total,
      sent: s.sent,
      acked: s.acked,
      errors: s.errors,
      budgetSkipped: s.budgetSkipped,
      expectedDeliveries: s.expectedTotal,
      delivered,
      lost: s.expectedTotal - delivered,
      unacked: s.sent - s.acked - s.failed,
      duplicates,
      offeredDeliveriesPerSec: Math.round(s.expectedTotal / durS),
      deliveredPerSec: Math.round(delivered / durS),
      latency: summarize(s.hist),
      ack: summarize(s.ackHist),
    };
  });

  // Let stragglers of an overloaded step arrive before the next one starts.
  const settleMax = spec.settleMaxMs ?? 10_000;
  const settleStart = performance.now();
  while (performance.now() - settleStart < settleMax) {
    await sleep(100);
    if (nowUs() - Math.max(step.lastArrivalUs, endUs) > 300_000) break;
  }
  steps.delete(tag);
  return { durationMs: spec.durationMs, streams: results, loadgen: load, connectionsLost: closeStats.unexpected - closedBefore };
}

// ---------------------------------------------------------------- connections

function mustGroup(name: string): Group {
  const g = groups.get(name);
  if (!g) throw new Error(`no group ${name}`);
  return g;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let i = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (i < items.length) await work(items[i++]!);
  });
  await Promise.all(workers);
}

export interface ConnectSpec {
  group: string;
  urls: string[];
  rooms: RoomSpec[];
  concurrency: number;
  /** Members below this fraction of each room send (on node 0); the rest only receive (on node 1). Default: all send, node 0. */
  senderFraction?: number;
  heartbeat?: boolean;
}

async function connect(spec: ConnectSpec): Promise<ConnectResult> {
  let g = groups.get(spec.group);
  if (!g) groups.set(spec.group, (g = { urls: spec.urls, rooms: [], heartbeat: Boolean(spec.heartbeat) }));
  const conns: ThinConn[] = [];
  for (const r of spec.rooms) {
    const room: RoomState = {
      key: r.key,
      roomId: r.roomId,
      code: r.code,
      size: r.members.length,
      conns: [],
      senders: [],
      ptr: 0,
      joinedCount: 0,
      maxAckedSeq: 0,
    };
    const senders = spec.senderFraction === undefined ? room.size : Math.max(1, Math.ceil(room.size * spec.senderFraction));
    r.members.forEach((m, i) => {
      const canSend = i < senders;
      const conn = new ThinConn(room, m, canSend ? 0 : 1, canSend);
      room.conns.push(conn);
      if (canSend) room.senders.push(conn);
      conns.push(conn);
    });
    g.rooms.push(room);
  }
  return connectConns(g, conns, spec.concurrency, () => 0);
}

async function connectConns(g: Group, conns: ThinConn[], concurrency: number, afterSeq: (c: ThinConn) => number, onJoin?: (c: ThinConn, reply: import('./thin').JoinReply, us: number) => void): Promise<ConnectResult> {
  const h = newHistogram();
  const errors: Record<string, number> = {};
  let connected = 0;
  const t0 = performance.now();
  await pool(conns, concurrency, async (c) => {
    const s = nowUs();
    try {
      const reply = await c.connect(g.urls[c.node % g.urls.length]!, afterSeq(c));
      const us = nowUs() - s;
      record(h, us);
      connected++;
      onJoin?.(c, reply, us);
    } catch (err) {
      const code = err instanceof Error ? err.message : String(err);
      errors[code] = (errors[code] ?? 0) + 1;
    }
  });
  const ms = performance.now() - t0;
  return {
    requested: conns.length,
    connected,
    failed: conns.length - connected,
    errors,
    ms: Math.round(ms),
    perSec: Math.round((connected * 1000) / Math.max(ms, 1)),
    latency: summarize(h),
  };
}

async function disconnect(group: string) {
  const g = groups.get(group);
  if (!g) return { closed: 0 };
  const conns = g.rooms.flatMap((r) => r.conns);
  await pool(conns, 500, (c) => c.close());
  groups.delete(group);
  return { closed: conns.length };
}

// Presence heartbeats, as the web app sends them (every 25 s per connection), spread over time.
let heartbeatTick = 0;
setInterval(() => {
  heartbeatTick++;
  for (const g of groups.values()) {
    if (!g.heartbeat) continue;
    let i = 0;
    for (const r of g.rooms) for (const c of r.conns) if (i++ % 25 === heartbeatTick % 25 && c.joined) c.emit('presence:heartbeat', undefined);
  }
}, 1000).unref();

// ---------------------------------------------------------------- reconnect storm

export interface StormSpec {
  group: string;
  warmPerRoom: number;
  missedPerRoom: number;
  missedRatePerRoom: number;
  liveRatePerRoom: number;
  liveMs: number;
  /** Node the reconnecting clients come back to (E: the other node). */
  reconnectNode: number;
  concurrency: number;
  budget: BudgetRule | null;
}

async function storm(spec: StormSpec): Promise<StormResult> {
  const g = mustGroup(spec.group);
  const all = g.rooms.flatMap((r) => r.conns);
  for (const c of all) c.seqCounts = new Map();
  const R = g.rooms.length;
  const errors: Record<string, number> = {};
  const addErrors = (res: StepResult) => {
    for (const s of res.streams) for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
  };
  // Some history first, so the reconnecting clients hold a non-zero seq.
  if (spec.warmPerRoom > 0) {
    addErrors(await runStep({ group: spec.group, streams: [{ label: 'warm', roomPrefix: '', rate: spec.warmPerRoom * R }], durationMs: 1000, drainMs: 2000, budget: spec.budget }));
  }
  const leaving = all.filter((c) => !c.canSend && c.joined);
  const lastSeq = new Map<ThinConn, number>(leaving.map((c) => [c, c.maxSeq]));
  for (const c of leaving) c.drop();
  await sleep(500);

  // The stayers talk while the others are away.
  const missedMs = Math.round((1000 * spec.missedPerRoom) / spec.missedRatePerRoom);
  addErrors(await runStep({ group: spec.group, streams: [{ label: 'missed', roomPrefix: '', rate: spec.missedRatePerRoom * R }], durationMs: missedMs, drainMs: 2000, budget: spec.budget }));

  // Everyone comes back at once, while live messages keep flowing.
  const liveStep = runStep({ group: spec.group, streams: [{ label: 'live', roomPrefix: '', rate: spec.liveRatePerRoom * R }], durationMs: spec.liveMs, drainMs: 2000, budget: spec.budget });
  await sleep(Math.min(200, spec.liveMs / 4));
  // Live deliveries (counted by the delivery handler) and the join ack's replay are kept apart,
  // so a duplicate can be told to be a replay/live overlap or a live message delivered twice.
  const live = new Map<ThinConn, Map<number, number>>();
  const replayed = new Map<ThinConn, Map<number, number>>();
  let hasMore = 0;
  for (const c of leaving) {
    c.node = spec.reconnectNode;
    c.seqCounts = new Map();
    live.set(c, c.seqCounts);
    replayed.set(c, new Map());
  }
  const res = await connectConns(g, leaving, spec.concurrency, (c) => lastSeq.get(c) ?? 0, (c, reply) => {
    const m = replayed.get(c)!;
    for (const msg of reply.messages ?? []) m.set(msg.seq, (m.get(msg.seq) ?? 0) + 1);
    if (reply.hasMore) hasMore++;
  });
  const liveRes = await liveStep;
  addErrors(liveRes);
  await sleep(500);

  let expected = 0;
  let missing = 0;
  let duplicates = 0;
  let overlap = 0;
  let complete = 0;
  let completeAfterDedupe = 0;
  for (const c of leaving) {
    if (!c.joined) continue;
    const l = live.get(c)!;
    const r = replayed.get(c)!;
    const from = (lastSeq.get(c) ?? 0) + 1;
    const to = c.room.maxAckedSeq;
    let exact = true;
    let covered = true;
    for (let s = from; s <= to; s++) {
      expected++;
      const nl = l.get(s) ?? 0;
      const nr = r.get(s) ?? 0;
      if (nl + nr === 0) {
        missing++;
        exact = false;
        covered = false;
      } else if (nl + nr > 1) {
        duplicates += nl + nr - 1;
        if (nl >= 1 && nr >= 1) overlap++;
        exact = false;
      }
    }
    if (exact) complete++;
    if (covered) completeAfterDedupe++;
  }
  for (const c of all) c.seqCounts = null;
  return {
    rooms: R,
    reconnecting: leaving.length,
    stayers: all.length - leaving.length,
    reconnected: res.connected,
    failed: res.failed,
    expected,
    missing,
    duplicates,
    replayLiveOverlap: overlap,
    clientsComplete: complete,
    clientsCompleteAfterSeqDedupe: completeAfterDedupe,
    replayHasMore: hasMore,
    stormMs: res.ms,
    reconnectPerSec: res.perSec,
    joinLatency: res.latency,
    liveSentDuringStorm: liveRes.streams[0]?.sent ?? 0,
    sendErrors: errors,
  };
}

// ---------------------------------------------------------------- correctness with the real client

export interface VerifySpec {
  url: string;
  room: RoomSpec;
  realClients: number;
  messages: number;
  rate: number;
}

async function verify(spec: VerifySpec): Promise<VerifyResult> {
  const notes: string[] = [];
  const members = spec.room.members;
  const realMembers = members.slice(0, spec.realClients);
  const thinMembers = members.slice(spec.realClients);
  const group = `verify-${++stepCounter}`;
  const real: { socket: Socket; seqs: number[] }[] = [];
  try {
    for (const m of realMembers) {
      const socket = ioClient(spec.url, { transports: ['websocket'], auth: { chatTokens: [m.token] }, forceNew: true, reconnection: false });
      const entry = { socket, seqs: [] as number[] };
      socket.on('message:new', (msg: { seq: number }) => entry.seqs.push(msg.seq));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (e) => reject(e));
      });
      const joined = (await socket.timeout(10_000).emitWithAck('room:join', { roomId: spec.room.roomId, afterSeq: 0 })) as { ok: boolean };
      if (!joined.ok) throw new Error(`real client could not join: ${JSON.stringify(joined)}`);
      real.push(entry);
    }
    const conn = await connect({ group, urls: [spec.url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket'], rooms: [{ ...spec.room, members: thinMembers }], concurrency: 50 });
    if (conn.failed) notes.push(`thin connect failures: ${JSON.stringify(conn.errors)}`);
    const thin = mustGroup(group).rooms[0]!.conns;
    for (const c of thin) c.seqCounts = new Map();

    let acksOk = 0;
    const ackSeqs: number[] = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < spec.messages; i++) {
      const sender = real[i % real.length]!;
      sends.push(
        (sender.socket.timeout(10_000).emitWithAck('message:send', { roomId: spec.room.roomId, clientId: `verify-${RUN}-${i}`, content: `verify ${i}` }) as Promise<{ ok: boolean; message?: { seq: number }; error?: unknown }>).then(
          (res) => {
            if (res.ok && res.message) {
              acksOk++;
              ackSeqs.push(res.message.seq);
            } else notes.push(`send ${i} failed: ${JSON.stringify(res.error)}`);
          },
          (err: unknown) => void notes.push(`send ${i}: ${String(err)}`),
        ),
      );
      await sleep(1000 / spec.rate);
    }
    await Promise.all(sends);
    const expectedPer = acksOk;
    const clients = real.length + thin.length;
    const deadline = performance.now() + 5000;
    const count = () =>
      real.reduce((a, r) => a + new Set(r.seqs).size, 0) + thin.reduce((a, c) => a + (c.seqCounts?.size ?? 0), 0);
    while (count() < expectedPer * clients && performance.now() < deadline) await sleep(50);

    let duplicates = 0;
    for (const r of real) duplicates += r.seqs.length - new Set(r.seqs).size;
    for (const c of thin) for (const n of c.seqCounts!.values()) if (n > 1) duplicates += n - 1;
    const sortedAck = [...ackSeqs].sort((a, b) => a - b);
    const seqContiguous = sortedAck.every((s, i) => i === 0 || s === sortedAck[i - 1]! + 1);
    const want = JSON.stringify(sortedAck);
    const realOk = real.every((r) => JSON.stringify([...new Set(r.seqs)].sort((a, b) => a - b)) === want);
    const thinOk = thin.every((c) => JSON.stringify([...c.seqCounts!.keys()].sort((a, b) => a - b)) === want);
    const delivered = count();
    await disconnect(group);
    return {
      ok: realOk && thinOk && seqContiguous && duplicates === 0 && acksOk === spec.messages && delivered === expectedPer * clients,
      clients,
      realClients: real.length,
      messages: spec.messages,
      expectedDeliveries: spec.messages * clients,
      delivered,
      duplicates,
      seqContiguous,
      acksOk,
      thinMatchesReal: realOk && thinOk,
      notes,
    };
  } finally {
    for (const r of real) r.socket.disconnect();
    await disconnect(group).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- history over HTTP

async function history(spec: { url: string; n: number; warmup: number }): Promise<HistoryResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const h = newHistogram();
  let fromCache = 0;
  let errors = 0;
  let bytes = 0;
  for (let i = 0; i < spec.warmup + spec.n; i++) {
    const t0 = performance.now();
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(spec.url, { agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        })
        .on('error', reject);
    });
    const us = (performance.now() - t0) * 1000;
    if (i < spec.warmup) continue;
    record(h, us);
    bytes += body.length;
    if (status !== 200) errors++;
    else if ((JSON.parse(body) as { source?: string }).source === 'cache') fromCache++;
  }
  agent.destroy();
  return { requests: spec.n, fromCache, errors, bytes, latency: summarize(h) };
}

// ---------------------------------------------------------------- IPC

serveRequests(async (msg) => {
  switch (msg.cmd) {
    case 'connect':
      return connect(msg as unknown as ConnectSpec);
    case 'disconnect':
      return disconnect(String(msg.group));
    case 'step':
      return runStep(msg as unknown as StepSpec);
    case 'storm':
      return storm(msg as unknown as StormSpec);
    case 'verify':
      return verify(msg as unknown as VerifySpec);
    case 'history':
      return history(msg as unknown as { url: string; n: number; warmup: number });
    case 'exit':
      for (const g of [...groups.keys()]) await disconnect(g);
      setTimeout(() => process.exit(0), 10);
      return {};
    default:
      throw new Error(`unknown command ${String(msg.cmd)}`);
  }
});
process.send?.({ type: 'ready', port: 0, kind: 'loadgen' });
