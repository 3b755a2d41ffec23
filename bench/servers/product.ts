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
import { chatSettingsSchema, createChatBodySchema, groupPermissionsSchema } from '@chatpop/protocol';
import { createApp } from '../../apps/server/src/app';
import { loadConfig } from '../../apps/server/src/config';
import { insertUser } from '../../apps/server/src/modules/auth/repo';
import { insertMember } from '../../apps/server/src/modules/chats/repo';
import { createChat } from '../../apps/server/src/modules/chats/service';
import { sendMessage } from '../../apps/server/src/modules/messages/service';
import { uuidv7 } from 'uuidv7';
import { members as membersTable, messages as messagesTable, notifications, rooms as roomsTable, type MemberRow } from '../../apps/server/src/db/schema';
import { startSession } from '../../apps/server/src/modules/auth/service';
import { directKey } from '../../apps/server/src/modules/conversations/repo';
import { memberRow, type InboxUser } from '../../apps/server/src/modules/conversations/service';
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

interface InboxPlan {
  users: number;
  direct: number;
  groups: number;
  groupSize: number;
  /** Conversations of the one heavy user (the list's worst case). */
  heavy: number;
}

let inboxSeq = 0;
async function inboxUser(prefix: string): Promise<{ user: InboxUser; token: string }> {
  const username = `${prefix}${(inboxSeq++).toString(36).padStart(5, '0')}`;
  const user = await insertUser(ctx.db, {
    id: randomUUID(),
    email: `${username}@bench.invalid`,
    passwordHash: 'not-a-password-hash',
    displayName: username,
    username,
    usernameLower: username.toLowerCase(),
    emailConfirmedAt: new Date(),
  });
  const { accessToken } = await startSession(ctx, user, { ip: '127.0.0.1', userAgent: 'bench' });
  return { user: user as InboxUser, token: accessToken };
}

/**
 * The Inbox's world: `users` people, each in `direct` direct conversations
 * (user i with i±1…±direct/2) and, in groups of `groupSize`, `groups` groups;
 * and one heavy user in `heavy` direct conversations, each with a message from
 * the other side, for the list. Rows are written in bulk, as the product's
 * services write them (`memberRow`, `directKey`, the conversation settings),
 * without their per-creation list events: 11,000 creations one by one would
 * take longer than the benchmark.
 */
async function seedInbox(plan: InboxPlan) {
  const people: { user: InboxUser; token: string }[] = [];
  for (let i = 0; i < plan.users; i++) people.push(await inboxUser('u'));
  const settings = chatSettingsSchema.parse({});
  const conversations: { room: typeof roomsTable.$inferInsert; users: InboxUser[]; admin?: InboxUser; message?: InboxUser }[] = [];
  for (let i = 0; i < plan.users; i++) {
    for (let d = 1; d <= plan.direct / 2; d++) {
      const a = people[i]!.user;
      const b = people[(i + d) % plan.users]!.user;
      conversations.push({ room: { id: uuidv7(), kind: 'direct', name: '', isPrivate: true, settings, directKey: directKey(a.id, b.id) }, users: [a, b] });
    }
  }
  for (let round = 0; round < plan.groups; round++) {
    const order = people.map((p) => p.user).sort(() => Math.random() - 0.5);
    for (let g = 0; g + plan.groupSize <= order.length; g += plan.groupSize) {
      const group = order.slice(g, g + plan.groupSize);
      conversations.push({
        room: { id: uuidv7(), kind: 'group', name: `Group ${round}-${g}`, isPrivate: true, settings: { ...settings, permissions: groupPermissionsSchema.parse({}) } },
        users: group,
        admin: group[0],
      });
    }
  }
  const heavy = await inboxUser('heavy');
  for (let i = 0; i < plan.heavy; i++) {
    const partner = i < people.length ? people[i]!.user : (await inboxUser('p')).user;
    if (conversations.some((c) => c.room.directKey === directKey(partner.id, heavy.user.id))) continue;
    conversations.push({
      room: { id: uuidv7(), kind: 'direct', name: '', isPrivate: true, settings, directKey: directKey(partner.id, heavy.user.id) },
      users: [partner, heavy.user],
      message: partner,
    });
  }
  const now = Date.now();
  for (let at = 0; at < conversations.length; at += 500) {
    const batch = conversations.slice(at, at + 500);
    await ctx.db.transaction(async (tx) => {
      await tx.insert(roomsTable).values(batch.map((c, i) => ({ ...c.room, ...(c.message ? { lastSeq: 1, lastMessageAt: new Date(now - (at + i) * 1000) } : {}) })));
      const memberRows = batch.flatMap((c) =>
        c.users.map((u) => ({
          ...memberRow(c.room.id!, u, c.admin?.id === u.id ? 'admin' : 'member'),
          // The counters the send statement would have kept: one message sent, one unread for the other side.
          ...(c.message ? (c.message.id === u.id ? { lastReadSeq: 1, lastDeliveredSeq: 1, sentCount: 1 } : { unreadCount: 1 }) : {}),
        })),
      );
      await tx.insert(membersTable).values(memberRows);
      const withMessage = batch.filter((c) => c.message);
      if (withMessage.length > 0) {
        await tx.insert(messagesTable).values(
          withMessage.map((c) => {
            const sender = memberRows.find((m) => m.roomId === c.room.id && m.userId === c.message!.id)!;
            return { id: uuidv7(), roomId: c.room.id!, seq: 1, clientId: `heavy-${c.room.id}`, memberId: sender.id, username: sender.username, verified: true, type: 'normal' as const, content: `hello from ${sender.username}` };
          }),
        );
      }
    });
  }
  const rooms = conversations.filter((c) => !c.message).map((c) => ({ roomId: c.room.id!, userIds: c.users.map((u) => u.id) }));
  return { users: people.map((p) => ({ userId: p.user.id, token: p.token })), rooms, heavyToken: heavy.token };
}

/** One signed-in route timed in process with `fastify.inject`. */
async function injectAs(url: string, token: string, n: number, warmup: number) {
  const h = newHistogram();
  let errors = 0;
  let bytes = 0;
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const res = await app.fastify.inject({ method: 'GET', url, headers: { cookie: `cp_at=${token}` } });
    const us = (performance.now() - t0) * 1000;
    if (i < warmup) continue;
    record(h, us);
    bytes += res.body.length;
    if (res.statusCode !== 200) errors++;
  }
  return { requests: n, errors, bytes, latency: summarize(h) };
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
    if (msg.cmd === 'seedInbox') return seedInbox(msg.plan as InboxPlan);
    if (msg.cmd === 'injectAs') return injectAs(String(msg.url), String(msg.token), Number(msg.n), Number(msg.warmup ?? 0));
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
