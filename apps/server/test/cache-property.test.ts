import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { uuidv7 } from 'uuidv7';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldKey, type GuardedMessageCache } from '../src/infra/cache';
import { findMember } from '../src/modules/chats/repo';
import * as repo from '../src/modules/messages/repo';
import { history, replay, resume, roomCacheKey, sendMessage } from '../src/modules/messages/service';
import { backend, freshDatabase, guestJoins, registerUser, startApp, type TestApp } from './harness';
import { storedVia, view, type StoredRow } from './stored';

/**
 * Random sequences of sends, crashes between a commit and its cache write,
 * resends, cache losses, restarts (the app made anew on the same data) and
 * reads of every kind: every read must equal what the database holds.
 */

type Command =
  | { kind: 'send'; count: number; who: number }
  | { kind: 'crash'; who: number }
  | { kind: 'resend'; pick: number }
  | { kind: 'lose'; what: 'all' | 'messages' | 'held' }
  | { kind: 'restart' }
  | { kind: 'newest' }
  | { kind: 'before'; at: number }
  | { kind: 'after'; at: number }
  | { kind: 'range'; at: number; until: number | null }
  | { kind: 'resume'; at: number };

const position = fc.double({ min: 0, max: 1.1, noNaN: true });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('send' as const), count: fc.integer({ min: 1, max: 12 }), who: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('crash' as const), who: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resend' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lose' as const), what: fc.constantFrom('all' as const, 'messages' as const, 'held' as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'newest' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('before' as const), at: position }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('after' as const), at: position }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('range' as const), at: position, until: fc.option(position) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('resume' as const), at: position }) },
);

const RUNS = 16;
const COMMANDS_MAX = 36;

let dataDir: string | undefined;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
const redisPrefix = `prop${randomBytes(4).toString('hex')}:`;
const jwtSecret = randomBytes(32).toString('hex');
let t: TestApp;
let hostClient: Awaited<ReturnType<typeof registerUser>>['client'];
const totals = { runs: 0, commands: 0, reads: 0, messagesRead: 0, restarts: 0, crashes: 0, losses: 0, stored: 0 };

const open = () => startApp({ dataDir, databaseUrl, redisPrefix, jwtSecret });

beforeAll(async () => {
  if (backend === 'networked') {
    const db = await freshDatabase();
    databaseUrl = db.url;
    dropDatabase = db.drop;
  } else {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatpop-property-'));
  }
  t = await open();
  hostClient = (await registerUser(t, `Prop${randomBytes(2).toString('hex')}`)).client;
});

afterAll(async () => {
  await t?.stop();
  await dropDatabase?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log(
    `property (${backend}): ${totals.runs} runs, ${totals.commands} commands, ${totals.reads} reads returning ${totals.messagesRead} messages, all equal to the database; ${totals.stored} messages stored; ${totals.restarts} restarts, ${totals.crashes} crashes before a cache write, ${totals.losses} cache losses`,
  );
});

/** Maps a position in [0, 1.1] onto seqs 0 … a little past the last. */
const seqAt = (at: number, lastSeq: number) => Math.floor(at * (lastSeq + 1));

async function run(commands: Command[]) {
  totals.runs++;
  const created = await hostClient.post('/api/chats', { name: 'Property' });
  expect(created.status).toBe(201);
  const chat = created.body.chat as { roomId: string; code: string };
  const members = [(await guestJoins(t, chat.code)).member.id, (await guestJoins(t, chat.code)).member.id];
  const sent: { who: number; clientId: string; content: string }[] = [];
  let n = 0;

  const ctx = () => t.app.ctx;
  const room = async () => (await ctx().rooms.byRoomId(chat.roomId))!;
  const member = async (who: number) => (await findMember(ctx().db, members[who]!))!;
  const truth = async (): Promise<StoredRow[]> => storedVia(ctx().db, chat.roomId);
  const same = async (got: { seq: number; content: string }[], want: StoredRow[], what: string) => {
    totals.reads++;
    totals.messagesRead += got.length;
    expect(view(got), what).toEqual(view(want));
  };

  for (const c of commands) {
    totals.commands++;
    if (c.kind === 'send') {
      for (let i = 0; i < c.count; i++) {
        const input = { clientId: `prop-${chat.roomId.slice(0, 8)}-${n}`, content: `m${n++}` };
        await sendMessage(ctx(), await room(), await member(c.who), input);
        sent.push({ who: c.who, ...input });
      }
    } else if (c.kind === 'crash') {
      // Committed, then the process died before the cache write (and the ack, and the broadcast).
      const m = await member(c.who);
      const input = { clientId: `prop-${chat.roomId.slice(0, 8)}-${n}`, content: `m${n++}` };
      await repo.insertNext(ctx().db, { id: uuidv7(), roomId: chat.roomId, memberId: m.id, username: m.username, verified: m.verified, type: 'normal', replyToId: null, hidden: false, ...input });
      sent.push({ who: c.who, ...input });
      totals.crashes++;
    } else if (c.kind === 'resend') {
      const s = sent[c.pick % Math.max(1, sent.length)];
      if (!s) continue;
      const { message, created: fresh } = await sendMessage(ctx(), await room(), await member(s.who), { clientId: s.clientId, content: s.content });
      expect(fresh).toBe(false);
      expect(message.content).toBe(s.content);
    } else if (c.kind === 'lose') {
      totals.losses++;
      const key = await roomCacheKey(ctx(), await room());
      const inner = (ctx().cache as GuardedMessageCache).inner;
      if (c.what === 'all' || inner.kind === 'memory') await inner.drop(key);
      else await (inner as unknown as { redis: Redis }).redis.del(c.what === 'messages' ? key : heldKey(key));
    } else if (c.kind === 'restart') {
      totals.restarts++;
      await t.stop();
      t = await open();
      // The same secret and database: the host's session cookies still hold on the new app.
      const client = t.client();
      for (const [name, value] of hostClient.cookies) client.cookies.set(name, value);
      hostClient = client;
    } else {
      const rows = await truth();
      const last = rows.length;
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      const r = await room();
      if (c.kind === 'newest') {
        const page = await history(ctx(), r, {});
        await same(page.messages, rows.slice(Math.max(0, last - 50)), 'newest page');
        expect(page.hasMore).toBe(last > 50);
      } else if (c.kind === 'before') {
        const before = Math.max(1, seqAt(c.at, last));
        const page = await history(ctx(), r, { before });
        const top = Math.min(before - 1, last);
        const from = Math.max(1, top - 49);
        await same(page.messages, rows.slice(from - 1, Math.max(from - 1, top)), `page before ${before}`);
        expect(page.hasMore).toBe(top >= 1 && from > 1);
      } else if (c.kind === 'after') {
        const after = seqAt(c.at, last);
        const page = await history(ctx(), r, { after });
        await same(page.messages, rows.slice(after, Math.min(after + 50, last)), `page after ${after}`);
        expect(page.hasMore).toBe(last > after + 50);
      } else if (c.kind === 'range') {
        const after = seqAt(c.at, last);
        const before = c.until === null ? undefined : Math.max(1, seqAt(c.until, last));
        const got = await replay(ctx(), r, after, 500, before);
        const top = before === undefined ? last : Math.min(before - 1, last);
        await same(got.messages, rows.slice(after, Math.max(after, top)), `range (${after}, ${before ?? '…'})`);
        expect(got.hasMore).toBe(false);
      } else {
        const after = seqAt(c.at, last);
        const got = await resume(ctx(), r, after, null);
        await same(got.messages, rows.slice(after), `replay after ${after}`);
        expect([got.lastSeq, got.replay]).toEqual([last, 'complete']);
      }
    }
  }
  totals.stored += (await truth()).length;
}

describe(`every read equals the database, whatever happened before it (${backend})`, () => {
  it('holds for random sequences of sends, crashes, resends, cache losses, restarts and reads', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: COMMANDS_MAX, size: 'max' }), run), { numRuns: RUNS });
  }, 240_000);
});
