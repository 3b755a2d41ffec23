/**
 * `npm run bench:mentions -w bench`: does @mentioning people slow the send
 * path? One 1,000-member pop chat on the full product (embedded default, or
 * PostgreSQL + Redis with BENCH_DATABASE_URL/BENCH_REDIS_URL), 100 of whose
 * members take part with an account. Every member is connected and joined
 * (each message fans out to 1,000 connections); senders post at a fixed rate,
 * open loop. Runs alternate between plain messages and the same traffic in
 * which 100 of the messages each @mention a different account member within
 * the run's minute. Send→ack latency (from each message's scheduled time) of
 * the two kinds of run is compared; the target is a mention p99 within 10 %
 * of the plain p99. Writes bench/results/mentions-latest.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type * as hdr from 'hdr-histogram-js';
import { newHistogram, record, summarize } from './src/hist';
import { BENCH_DIR, Child } from './src/proc';
import { createDatabase, dropDatabase, clearRedisPrefix } from './src/external';
import type { LatencySummary, ReadyMessage, RoomSpec } from './src/types';

const env = process.env;
const num = (name: string, dflt: number) => (env[name] ? Number(env[name]) : dflt);
const cfg = {
  members: num('BENCH_MENTION_MEMBERS', 1000),
  accounts: num('BENCH_MENTION_ACCOUNTS', 100),
  mentioned: num('BENCH_MENTION_COUNT', 100),
  ratePerSec: num('BENCH_MENTION_RATE', 5),
  runMs: num('BENCH_MENTION_MS', 60_000),
  rounds: num('BENCH_MENTION_ROUNDS', 2),
  /** Each sender stays inside the product's 5/s and 30/min: 40 senders at 5 msg/s send 7.5 a minute each. */
  senders: num('BENCH_MENTION_SENDERS', 40),
  databaseUrl: env.BENCH_DATABASE_URL ?? '',
  redisUrl: env.BENCH_REDIS_URL ?? '',
};
const log = (msg: string) => console.log(`[mentions] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startServer() {
  let cleanup = async () => undefined as void;
  const e: NodeJS.ProcessEnv = { ...env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'JWT_SECRET', 'PORT', 'HOST', 'DATA_DIR', 'LOG_LEVEL']) delete e[k];
  if (cfg.databaseUrl && cfg.redisUrl) {
    const ts = `${Date.now().toString(36)}m`;
    const name = `chatpop_bench_${ts}`;
    e.DATABASE_URL = await createDatabase(cfg.databaseUrl, name);
    e.REDIS_URL = cfg.redisUrl;
    e.REDIS_PREFIX = `bench${ts}:`;
    e.JWT_SECRET = randomBytes(32).toString('hex');
    cleanup = async () => {
      await dropDatabase(cfg.databaseUrl, name).catch(() => undefined);
      await clearRedisPrefix(cfg.redisUrl, e.REDIS_PREFIX!).catch(() => undefined);
    };
  }
  const child = new Child(path.join(BENCH_DIR, 'servers', 'product.ts'), { core: 0, name: 'server', env: e });
  const ready = await child.waitFor<ReadyMessage>('ready', 180_000);
  return { child, ready, cleanup };
}

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { path: '/socket.io', transports: ['websocket'], auth: { chatTokens: [token] }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

interface RunResult {
  kind: 'plain' | 'mentions';
  round: number;
  sent: number;
  acked: number;
  errors: Record<string, number>;
  ack: LatencySummary;
}

async function run(kind: RunResult['kind'], round: number, senders: Socket[], roomId: string, mentionable: string[], total: hdr.Histogram, runMs = cfg.runMs): Promise<RunResult> {
  const count = Math.round((cfg.ratePerSec * runMs) / 1000);
  const every = Math.max(1, Math.floor(count / cfg.mentioned));
  const h = newHistogram();
  const errors: Record<string, number> = {};
  let acked = 0;
  let mentions = 0;
  const start = performance.now() + 100;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const scheduled = start + (i * 1000) / cfg.ratePerSec;
    const wait = scheduled - performance.now();
    if (wait > 0) await sleep(wait);
    const mention = kind === 'mentions' && i % every === 0 && mentions < cfg.mentioned ? mentionable[mentions++ % mentionable.length] : null;
    // Same length either way: only the @ differs.
    const content = mention ? `@${mention} round ${round} message ${i} with a question for you` : `xx${'x'.repeat(mentionable[0]!.length - 1)} round ${round} message ${i} with a question for you`;
    const sender = senders[i % senders.length]!;
    pending.push(
      (sender.timeout(30_000).emitWithAck('message:send', { roomId, clientId: `${kind}-${round}-${i}-${randomBytes(3).toString('hex')}`, content }) as Promise<{ ok: boolean; error?: { code: string } }>)
        .then((ack) => {
          const us = (performance.now() - scheduled) * 1000;
          if (ack.ok) {
            acked++;
            record(h, us);
            record(total, us);
          } else errors[ack.error?.code ?? 'UNKNOWN'] = (errors[ack.error?.code ?? 'UNKNOWN'] ?? 0) + 1;
        })
        .catch(() => {
          errors.TIMEOUT = (errors.TIMEOUT ?? 0) + 1;
        }),
    );
  }
  await Promise.all(pending);
  return { kind, round, sent: count, acked, errors, ack: summarize(h) };
}

const { child, ready, cleanup } = await startServer();
try {
  log(`server ${ready.kind} on port ${ready.port}; seeding a ${cfg.members}-member pop chat with ${cfg.accounts} account members`);
  const { rooms } = await child.request<{ rooms: RoomSpec[] }>({ cmd: 'seed', rooms: [{ key: 'mention', size: cfg.members, accounts: cfg.accounts }] });
  const room = rooms[0]!;
  const url = `http://127.0.0.1:${ready.port}`;
  const sockets: Socket[] = [];
  for (let i = 0; i < room.members.length; i += 50) {
    const batch = await Promise.all(room.members.slice(i, i + 50).map((m) => connect(url, m.token)));
    await Promise.all(batch.map((s) => s.timeout(30_000).emitWithAck('room:join', { roomId: room.roomId, afterSeq: 0 })));
    sockets.push(...batch);
  }
  log(`${sockets.length} members connected and joined`);
  // Senders are anonymous members (after the accounts); the mentioned are the account members.
  const senders = sockets.slice(cfg.accounts, cfg.accounts + cfg.senders);
  const mentionable = room.members.slice(0, cfg.accounts).map((m) => m.username!);
  const totals = { plain: newHistogram(), mentions: newHistogram() };
  const results: RunResult[] = [];
  // Warm up (JIT, caches) with a short plain run that is not counted.
  await run('plain', 0, senders, room.roomId, mentionable, newHistogram(), Math.min(cfg.runMs, 10_000));
  for (let round = 1; round <= cfg.rounds; round++) {
    for (const kind of round % 2 === 1 ? (['plain', 'mentions'] as const) : (['mentions', 'plain'] as const)) {
      const r = await run(kind, round, senders, room.roomId, mentionable, totals[kind]);
      results.push(r);
      log(`round ${round} ${kind}: ${r.acked}/${r.sent} acked, ack p50 ${r.ack.p50} p99 ${r.ack.p99} max ${r.ack.max} ms${Object.keys(r.errors).length ? ` errors ${JSON.stringify(r.errors)}` : ''}`);
      await sleep(2000);
    }
  }
  const stored = await child.request<{ notifications: number; events: number }>({ cmd: 'notifications' });
  const plain = summarize(totals.plain);
  const mentions = summarize(totals.mentions);
  const ratio = plain.p99 > 0 ? Math.round((mentions.p99 / plain.p99) * 1000) / 1000 : 0;
  const verdict = ratio <= 1.1 ? 'PASS' : 'FAIL';
  log(`plain: ack p50 ${plain.p50} p90 ${plain.p90} p99 ${plain.p99} max ${plain.max} ms (${plain.count} messages)`);
  log(`mentions: ack p50 ${mentions.p50} p90 ${mentions.p90} p99 ${mentions.p99} max ${mentions.max} ms (${mentions.count} messages)`);
  log(`mention p99 / plain p99 = ${ratio} (target ≤ 1.10): ${verdict}; notifications stored ${stored.notifications} gathering ${stored.events} mentions`);
  const out = { at: new Date().toISOString(), server: ready.kind, cfg: { ...cfg, databaseUrl: undefined, redisUrl: undefined }, plain, mentions, ratio, verdict, stored, runs: results };
  mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(path.join(BENCH_DIR, 'results', `mentions-${ready.kind.replace(/[^a-z0-9]+/gi, '-')}.json`), JSON.stringify(out, null, 2) + '\n');
  sockets.forEach((s) => s.close());
} finally {
  await child.stop();
  await cleanup();
}
