import { and, count, eq, gte, lte, max } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client';
import { messages, rooms, type RoomRow } from '../db/schema';
import type { StoredMessage } from '../infra/cache';
import { cacheKey, pinnedKey, withReplies } from '../modules/messages/service';

/**
 * The operator's view of the message cache (the seed's `inspect_redis`),
 * written against plain Redis and database handles so that tests drive it
 * in-process and `npm run inspect-cache` drives it from a shell.
 */

export interface InspectOptions {
  list?: boolean;
  chat?: string;
  showMessages?: boolean;
  limit?: number;
  compare?: boolean;
  message?: string;
  monitor?: boolean;
  /** --monitor: milliseconds between looks, and how many looks (default: until interrupted). */
  interval?: number;
  count?: number;
  stats?: boolean;
  clear?: boolean;
  force?: boolean;
}

export interface InspectDeps {
  /** Null when the cache is in-process (no REDIS_URL). */
  redis: Redis | null;
  /** Null when the database cannot be opened from here (embedded, held by the server). */
  db: Db | null;
  dbNote?: string;
  out: (line: string) => void;
  /** Asks the operator to confirm --clear; false when nobody can answer. */
  confirm: (question: string) => Promise<boolean>;
  sleep?: (ms: number) => Promise<void>;
}

const RULE = '━'.repeat(42);

export const USAGE = `Usage: npm run inspect-cache -- <option>

  --list                               every chat the cache holds
  --chat CODE                          one chat: its message, pinned and Back Room keys
  --chat CODE --show-messages [--limit N]   the newest N cached messages (default 20)
  --chat CODE --compare                the cache against the database
  --message ID                         one message in the database and in the cache
  --chat CODE --monitor [--interval MS]    watch a chat's cache change (Ctrl-C stops)
  --stats                              Redis figures and cache totals
  --chat CODE --clear [--force]        drop a chat's cached keys (asks unless --force)

Reads REDIS_URL, REDIS_PREFIX and DATABASE_URL like the server.`;

export async function runInspect(opts: InspectOptions, deps: InspectDeps): Promise<number> {
  const { out } = deps;
  if ((opts.compare || opts.monitor || opts.clear || opts.showMessages) && !opts.chat) {
    out('--show-messages, --compare, --monitor and --clear need --chat CODE.');
    return 2;
  }
  const actions = [opts.list, opts.chat, opts.message, opts.stats].filter(Boolean).length;
  if (actions === 0) {
    out(USAGE);
    return 2;
  }
  if (!deps.redis) {
    out('ℹ️  The message cache is in-process: REDIS_URL is not set, so each server keeps recent messages in its own memory,');
    out('   where no other process can read them. This command can show the database side only.');
    out('   Set REDIS_URL (and start the server with it) to share the cache and inspect it here.');
    if (opts.stats || opts.list || opts.monitor || opts.clear) return 0;
  }
  try {
    if (opts.stats) return await stats(deps);
    if (opts.list) return await list(deps);
    if (opts.message) return await message(opts.message, deps);
    const code = opts.chat!.trim().toUpperCase();
    if (opts.clear) return await clear(code, opts.force ?? false, deps);
    if (opts.compare) return await compare(code, deps);
    if (opts.monitor) return await monitor(code, opts.interval ?? 1000, opts.count ?? Infinity, deps);
    return await chat(code, opts.showMessages ? (opts.limit ?? 20) : 0, deps);
  } catch (err) {
    out(`❌ ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

// ---- helpers -----------------------------------------------------------------

export function formatTtl(ms: number): string {
  if (ms === -1) return 'no expiry';
  if (ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

const stamp = (iso: string) => iso.replace('T', ' ').slice(0, 19);
const clip = (text: string, n = 60) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

async function roomByCode(db: Db | null, code: string): Promise<RoomRow | null> {
  if (!db) return null;
  const [room] = await db.select().from(rooms).where(eq(rooms.code, code)).limit(1);
  return room ?? null;
}

async function cached(redis: Redis, key: string): Promise<StoredMessage[]> {
  return (await redis.zrange(key, '0', '-1')).map((row) => JSON.parse(row) as StoredMessage);
}

function describeMessage(m: StoredMessage): string {
  const flags = [m.deletedAt ? '[deleted]' : '', m.hidden ? '[hidden]' : '', ...m.reactions.map((r) => `${r.emoji}${r.count}`)].filter(Boolean).join(' ');
  const who = m.username ? `${m.username}${m.verified ? ' ✓' : ''}` : 'system';
  return `  #${m.seq}  ${stamp(m.createdAt)}  ${who} (${m.type}): ${clip(m.deletedAt ? '' : m.content)}${flags ? `  ${flags}` : ''}`;
}

// ---- commands ----------------------------------------------------------------

async function stats({ redis, out }: InspectDeps): Promise<number> {
  const r = redis!;
  const info = await r.info();
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  const keys = await scanKeys(r, '*');
  const messageKeys = keys.filter((k) => k.endsWith(':messages'));
  let total = 0;
  for (const k of messageKeys) total += await r.zcard(k);
  const hits = Number(field('keyspace_hits'));
  const misses = Number(field('keyspace_misses'));
  out('📊 Message cache (Redis)');
  out(RULE);
  out(`  Redis ${field('redis_version')}, memory used ${field('used_memory_human')}`);
  out(`  Keyspace hit rate: ${hits + misses > 0 ? ((100 * hits) / (hits + misses)).toFixed(1) : '—'}% (${hits} hits, ${misses} misses)`);
  out(`  Chats cached: ${messageKeys.filter((k) => /^chat:[^:]+:messages$/.test(k)).length}`);
  out(`  Back Rooms cached: ${messageKeys.filter((k) => k.endsWith(':backroom:messages')).length}`);
  out(`  Inbox rooms cached: ${messageKeys.filter((k) => k.startsWith('room:')).length}`);
  out(`  Pinned keys: ${keys.filter((k) => k.endsWith(':pinned')).length}`);
  out(`  Messages cached: ${total}`);
  return 0;
}

async function list({ redis, db, out }: InspectDeps): Promise<number> {
  const r = redis!;
  const keys = (await scanKeys(r, '*:messages')).sort();
  out(`💬 Cached message keys (${keys.length})`);
  out(RULE);
  if (keys.length === 0) out('  [Empty]');
  for (const key of keys) {
    const [n, ttl] = await Promise.all([r.zcard(key), r.pttl(key)]);
    const code = /^chat:([^:]+):/.exec(key)?.[1];
    const room = code ? await roomByCode(db, code) : null;
    out(`  ${key.padEnd(34)} ${String(n).padStart(4)} messages   TTL ${formatTtl(ttl).padEnd(8)}${room ? `  ${room.name}` : ''}`);
  }
  return 0;
}

async function chat(code: string, show: number, deps: InspectDeps): Promise<number> {
  const { redis, db, out } = deps;
  const room = await roomByCode(db, code);
  if (db && !room) {
    out(`❌ No chat with the code ${code}.`);
    return 1;
  }
  out(`🔍 Chat: ${code}${room ? ` (${room.name})` : ''}`);
  out(RULE);
  if (db && room) {
    const [row] = await db.select({ n: count(), top: max(messages.seq) }).from(messages).where(eq(messages.roomId, room.id));
    out(`🗄️  Database: ${Number(row?.n ?? 0)} messages, newest #${row?.top ?? 0}`);
  } else if (deps.dbNote) out(`🗄️  ${deps.dbNote}`);
  if (!redis) return 0;
  const sections: [string, string, boolean][] = [
    ['📨 Main Messages', cacheKey({ id: '', kind: 'pop', code }), true],
    ['📌 Pinned Messages', pinnedKey(code), false],
    ['🏠 Backroom Messages', cacheKey({ id: '', kind: 'backroom', code: null }, code), true],
  ];
  for (const [title, key, isMessages] of sections) {
    const [n, ttl] = await Promise.all([redis.zcard(key), redis.pttl(key)]);
    out('');
    out(`${title} (${n} cached)`);
    out(`  Key: ${key}`);
    if (n === 0) {
      out('  [Empty]');
      continue;
    }
    out(`  TTL: ${formatTtl(ttl)}`);
    if (!isMessages) {
      const pins = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      for (let i = 0; i < pins.length; i += 2) {
        const m = JSON.parse(pins[i]!) as StoredMessage;
        out(`  #${m.seq} until ${stamp(new Date(Number(pins[i + 1])).toISOString())}: ${clip(m.content)}`);
      }
      continue;
    }
    const [oldest] = (await redis.zrange(key, '0', '0')).map((x) => JSON.parse(x) as StoredMessage);
    const [newest] = (await redis.zrange(key, '-1', '-1')).map((x) => JSON.parse(x) as StoredMessage);
    out(`  Seqs: #${oldest!.seq} – #${newest!.seq}`);
    const [heldFrom, heldTo] = await redis.hmget(`${key}:held`, 'from', 'to');
    out(`  Held run: ${heldFrom && heldTo ? `#${heldFrom} – #${heldTo} (whole; reads check it against the room's last seq)` : 'none (every read goes to the database)'}`);
    out(`  Oldest: ${stamp(oldest!.createdAt)}`);
    out(`  Newest: ${stamp(newest!.createdAt)}`);
    if (show > 0 && key.endsWith(':messages') && title.startsWith('📨')) {
      out('');
      out(`  Newest ${Math.min(show, n)} messages:`);
      const rows = (await redis.zrange(key, String(-show), '-1')).map((x) => JSON.parse(x) as StoredMessage);
      for (const m of rows) out(describeMessage(m));
    }
  }
  return 0;
}

/** The cache against the source of truth, message by message, over the range the cache holds. */
async function compare(code: string, { redis, db, dbNote, out }: InspectDeps): Promise<number> {
  const room = await roomByCode(db, code);
  if (!db) {
    out(`❌ ${dbNote ?? 'The database is not reachable from here.'}`);
    return 1;
  }
  if (!room) {
    out(`❌ No chat with the code ${code}.`);
    return 1;
  }
  out(`⚖️  Cache vs database: ${code} (${room.name})`);
  out(RULE);
  const [totals] = await db.select({ n: count(), top: max(messages.seq) }).from(messages).where(eq(messages.roomId, room.id));
  const dbCount = Number(totals?.n ?? 0);
  const dbTop = Number(totals?.top ?? 0);
  out(`  Database: ${dbCount} messages, #1 – #${dbTop}`);
  if (!redis) return 0;
  const inCache = await cached(redis, cacheKey(room));
  if (inCache.length === 0) {
    out('  Cache: [Empty] — the next history read fills it from the database.');
    return 0;
  }
  const low = inCache[0]!.seq;
  const high = inCache[inCache.length - 1]!.seq;
  out(`  Cache: ${inCache.length} messages, #${low} – #${high}`);
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, room.id), gte(messages.seq, low), lte(messages.seq, high)))
    .orderBy(messages.seq);
  const truth = new Map((await withReplies({ db }, rows)).map((m) => [m.seq, m]));
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const m of inCache) {
    seen.add(m.seq);
    const d = truth.get(m.seq);
    if (!d) problems.push(`  #${m.seq} is cached but not in the database`);
    else if (d.id !== m.id) problems.push(`  #${m.seq} is a different message in the cache (${m.id}) and the database (${d.id})`);
    else {
      const fields = (['content', 'deletedAt', 'verified', 'type', 'hidden'] as const).filter((f) => (d[f] ?? null) !== (m[f] ?? null));
      if (JSON.stringify(d.reactions) !== JSON.stringify(m.reactions)) fields.push('reactions' as never);
      if (JSON.stringify(d.replyTo) !== JSON.stringify(m.replyTo)) fields.push('replyTo' as never);
      if (fields.length > 0) problems.push(`  #${m.seq} differs in ${fields.join(', ')}`);
    }
  }
  for (const seq of truth.keys()) if (!seen.has(seq)) problems.push(`  #${seq} is missing from the cache`);
  if (dbTop > high) problems.push(`  the database has ${dbTop - high} newer message(s) than the cache (#${high + 1} – #${dbTop})`);
  if (problems.length === 0) {
    out(`✅ In sync: the ${inCache.length} cached messages match the database${low > 1 ? ` (older ones, #1 – #${low - 1}, are read from the database)` : ''}.`);
    return 0;
  }
  out(`⚠️  ${problems.length} difference(s):`);
  problems.forEach((p) => out(p));
  return 3;
}

async function message(id: string, { redis, db, dbNote, out }: InspectDeps): Promise<number> {
  if (!db) {
    out(`❌ ${dbNote ?? 'The database is not reachable from here.'}`);
    return 1;
  }
  if (!/^[0-9a-f-]{36}$/i.test(id)) {
    out('❌ A message id is a UUID.');
    return 2;
  }
  const [row] = await db.select().from(messages).where(eq(messages.id, id)).limit(1);
  if (!row) {
    out(`❌ No message with the id ${id}.`);
    return 1;
  }
  const [room] = await db.select().from(rooms).where(eq(rooms.id, row.roomId)).limit(1);
  let key = cacheKey(room!);
  if (room!.kind === 'backroom' && room!.parentRoomId) {
    const [parent] = await db.select().from(rooms).where(eq(rooms.id, room!.parentRoomId)).limit(1);
    key = cacheKey(room!, parent?.code);
  }
  const [truth] = await withReplies({ db }, [row]);
  out(`✉️  Message ${id}`);
  out(RULE);
  out(`  Chat: ${room!.code ?? room!.id} (${room!.name}), seq #${row.seq}`);
  out(`  Database:`);
  out(JSON.stringify(truth, null, 2).replace(/^/gm, '    '));
  if (!redis) return 0;
  const [hit] = (await redis.zrangebyscore(key, row.seq, row.seq)).map((x) => JSON.parse(x) as StoredMessage);
  out(`  Cache (${key}):`);
  if (!hit) {
    out('    [not cached]');
    return 0;
  }
  out(JSON.stringify(hit, null, 2).replace(/^/gm, '    '));
  out(JSON.stringify(hit) === JSON.stringify(truth) ? '  ✅ The cached copy matches the database.' : '  ⚠️  The cached copy differs from the database.');
  return 0;
}

async function monitor(code: string, intervalMs: number, looks: number, { redis, out, sleep }: InspectDeps): Promise<number> {
  const r = redis!;
  const key = cacheKey({ id: '', kind: 'pop', code });
  const wait = sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  out(`👀 Watching ${key} every ${intervalMs} ms (Ctrl-C stops)`);
  let last: { n: number; top: number } | null = null;
  for (let i = 0; i < looks; i++) {
    if (i > 0) await wait(intervalMs);
    const [n, ttl, topRow] = await Promise.all([r.zcard(key), r.pttl(key), r.zrange(key, '-1', '-1')]);
    const top = topRow[0] ? (JSON.parse(topRow[0]) as StoredMessage) : null;
    const now = new Date().toISOString().slice(11, 19);
    if (!last) out(`  ${now}  ${n} cached, newest #${top?.seq ?? 0}, TTL ${formatTtl(ttl)}`);
    else if (n !== last.n || (top?.seq ?? 0) !== last.top) {
      const delta = (top?.seq ?? 0) - last.top;
      out(`  ${now}  ${n} cached (${n - last.n >= 0 ? '+' : ''}${n - last.n}), newest #${top?.seq ?? 0}${delta > 0 ? ` (+${delta} new)` : ''}${top ? `: ${clip(top.content, 40)}` : ''}`);
    }
    last = { n, top: top?.seq ?? 0 };
  }
  return 0;
}

async function clear(code: string, force: boolean, { redis, out, confirm }: InspectDeps): Promise<number> {
  const r = redis!;
  const main = cacheKey({ id: '', kind: 'pop', code });
  const back = cacheKey({ id: '', kind: 'backroom', code: null }, code);
  const keys = [main, `${main}:times`, pinnedKey(code), back, `${back}:times`];
  const n = await r.zcard(main);
  if (!force && !(await confirm(`Drop the cached keys of ${code} (${n} messages)? The database keeps every message. [y/N] `))) {
    out('Nothing cleared. Add --force to clear without asking.');
    return 1;
  }
  const removed = await r.del(...keys);
  out(`🧹 Cleared ${code}: ${removed} key(s) removed. The next read refills the cache from the database.`);
  return 0;
}

/** SCAN under the connection's key prefix (ioredis does not prefix patterns); answers keys without it. */
async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const prefix = typeof redis.options.keyPrefix === 'string' ? redis.options.keyPrefix : '';
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 500);
    cursor = next;
    found.push(...batch.map((k) => k.slice(prefix.length)));
  } while (cursor !== '0');
  return found;
}

