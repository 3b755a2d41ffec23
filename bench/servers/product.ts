/**
 * Servers C, D and E: the full ChatPop server, built with the product's own
 * `loadConfig` and `createApp`. The embedded default (PGlite + in-memory
 * cache) unless DATABASE_URL / REDIS_URL are set by the orchestrator.
 *
 * Rooms and members are seeded straight through the server's repo and service
 * functions (HTTP joins are rate-limited per IP), and each member gets a chat
 * session token signed by the app itself.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChatBodySchema } from '@chatpop/protocol';
import { createApp } from '../../apps/server/src/app';
import { loadConfig } from '../../apps/server/src/config';
import { insertUser } from '../../apps/server/src/modules/auth/repo';
import { insertMember } from '../../apps/server/src/modules/chats/repo';
import { createChat } from '../../apps/server/src/modules/chats/service';
import { sendMessage } from '../../apps/server/src/modules/messages/service';
import { notifications, type MemberRow } from '../../apps/server/src/db/schema';
import { newHistogram, record, summarize } from '../src/hist';
import type { RoomPlan, RoomSpec } from '../src/types';
import { serveBenchIpc } from './common';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatpop-bench-'));
const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const app = await createApp(config);
const ctx = app.ctx;
let seeded = 0;

async function seed(plan: RoomPlan[]): Promise<{ rooms: RoomSpec[] }> {
  const host = await insertUser(ctx.db, {
    id: randomUUID(),
    email: `bench-host-${randomUUID()}@bench.invalid`,
    passwordHash: 'not-a-password-hash',
    displayName: 'Bench host',
  });
  const rooms: RoomSpec[] = [];
  for (const p of plan) {
    const room = await createChat(ctx, host, createChatBodySchema.parse({ name: `bench ${p.key}`.slice(0, 60), access: 'public' }));
    const rows: MemberRow[] = await ctx.db.transaction(async (tx) => {
      const out: MemberRow[] = [];
      for (let i = 0; i < p.size; i++) {
        const username = `m${(seeded++).toString(36).padStart(6, '0')}`;
        // The first `accounts` members take part with an account (they can be notified).
        const user =
          i < (p.accounts ?? 0)
            ? await insertUser(tx, {
                id: randomUUID(),
                email: `${username}@bench.invalid`,
                passwordHash: 'not-a-password-hash',
                username,
                usernameLower: username.toLowerCase(),
                emailConfirmedAt: new Date(),
              })
            : null;
        out.push(
          await insertMember(tx, {
            id: randomUUID(),
            roomId: room.id,
            userId: user?.id ?? null,
            deviceId: null,
            username,
            usernameLower: username.toLowerCase(),
            role: 'member',
            verified: false,
          }),
        );
      }
      return out;
    });
    const members = await Promise.all(
      rows.map(async (m) => ({ memberId: m.id, token: await ctx.tokens.signChat({ roomId: room.id, memberId: m.id, username: m.username, sessionId: null }) })),
    );
    for (let i = 0; i < (p.messages ?? 0); i++) {
      const from = rows[i % rows.length] ?? null;
      await sendMessage(ctx, room, from, { clientId: `seed-${p.key}-${i}`.replace(/[^A-Za-z0-9_-]/g, '_'), content: `seeded history message ${i + 1}` });
    }
    rooms.push({ key: p.key, roomId: room.id, code: room.code ?? undefined, members: members.map((m, i) => ({ ...m, username: rows[i]!.username })) });
  }
  return { rooms };
}

/** The history route timed in process with `fastify.inject` (no socket, no kernel). */
async function inject(url: string, n: number, warmup: number) {
  const h = newHistogram();
  let fromCache = 0;
  let errors = 0;
  let bytes = 0;
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const res = await app.fastify.inject({ method: 'GET', url });
    const us = (performance.now() - t0) * 1000;
    if (i < warmup) continue;
    record(h, us);
    bytes += res.body.length;
    if (res.statusCode !== 200) errors++;
    else if ((JSON.parse(res.body) as { source?: string }).source === 'cache') fromCache++;
  }
  return { requests: n, fromCache, errors, bytes, latency: summarize(h) };
}

/** Once the notification queue is done: how many notifications are stored, and how many events they gather. */
async function notificationCount() {
  await ctx.notifications.idle();
  const rows = await ctx.db.select({ count: notifications.count }).from(notifications);
  return { notifications: rows.length, events: rows.reduce((a, r) => a + r.count, 0) };
}

serveBenchIpc(
  (msg) => {
    if (msg.cmd === 'seed') return seed(msg.rooms as RoomPlan[]);
    if (msg.cmd === 'notifications') return notificationCount();
    if (msg.cmd === 'inject') return inject(String(msg.url), Number(msg.n), Number(msg.warmup ?? 0));
    throw new Error(`unknown command ${String(msg.cmd)}`);
  },
  async () => {
    await app.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  },
);

const port = await app.listen();
process.send?.({ type: 'ready', port, kind: `product:${ctx.dbKind}+${ctx.cache.kind}` });
