import type { Redis } from 'ioredis';
import type { Message } from '@chatpop/protocol';

export const MESSAGE_CACHE_MAX_COUNT = 500;
export const MESSAGE_CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** The seed's pinned-message key lives this long after its last write. */
export const PINNED_CACHE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A message as cached: the public shape plus `hidden` (a silently hidden
 * participant's message, served to its author only; see
 * modules/messages/visibility.ts).
 */
export type StoredMessage = Message & { hidden?: boolean };

/** A run of consecutive seqs, both ends included. */
export interface SeqRange {
  from: number;
  to: number;
}

/** What a cache read finds: the run it vouches for, and the messages asked for. */
export interface CachedRange {
  /**
   * The one contiguous run of seqs the cache holds whole for this room (every
   * seq from `from` to `to` is cached), or null when it holds none. Whether
   * it reaches the room's committed last seq is for the reader to check
   * against the database; the cache never claims that by itself.
   */
  held: SeqRange | null;
  /** Cached messages with fromSeq ≤ seq ≤ toSeq, ascending (some may lie outside `held`). */
  messages: StoredMessage[];
}

/**
 * Recent messages per room, by `seq` (docs/architecture.md, "Message cache").
 * The database is the source of truth: a read is answered from here only when
 * the held run covers it up to the room's committed last seq, and every error
 * here falls back to the database.
 *
 * Keys follow the seed's layout: `chat:{CODE}:messages` for a pop chat,
 * `chat:{CODE}:backroom:messages` for its Back Room, `room:{ID}:messages` for
 * Inbox rooms.
 *
 * The held run: after every write it is the maximal run of consecutive cached
 * seqs around the newest seq written, when that run reaches at least as high
 * as the run held before; otherwise the earlier run stays. So a message
 * written out of order (seq 12 before 11) or an old page filled in from the
 * database never shrinks or replaces a newer run, and the run heals as soon as
 * the missing seq arrives.
 */
export interface MessageCache {
  readonly kind: 'memory' | 'redis';
  /** The write path: adds or replaces (by seq) one stored message, then applies the retention. */
  put(key: string, message: StoredMessage): Promise<void>;
  /**
   * Backfill after a database read: adds the seqs not cached yet and never
   * replaces a cached copy (the write path may have put a newer one meanwhile).
   */
  putMany(key: string, messages: StoredMessage[]): Promise<void>;
  /** The held run and the cached messages with fromSeq ≤ seq ≤ toSeq, in one atomic read. */
  range(key: string, fromSeq: number, toSeq: number): Promise<CachedRange>;
  /** The held run alone (for the operator's inspect command and tests). */
  held(key: string): Promise<SeqRange | null>;
  /** The newest `limit` messages, ascending. */
  latest(key: string, limit: number): Promise<StoredMessage[]>;
  count(key: string): Promise<number>;
  drop(key: string): Promise<void>;
  /** Every message key held, for the operator's inspect command. */
  keys(): Promise<string[]>;
  /**
   * Pinned messages (`chat:{CODE}:pinned`), scored by when the pin ends: an
   * expired pin is never returned. Replaces an earlier pin of the same message.
   */
  putPinned(key: string, message: StoredMessage, pinnedUntilMs: number): Promise<void>;
  removePinned(key: string, messageId: string): Promise<void>;
  /** Active pins, soonest to end first. */
  pinned(key: string): Promise<{ message: StoredMessage; pinnedUntilMs: number }[]>;
  close(): Promise<void>;
}

interface MemoryRoom {
  entries: StoredMessage[];
  held: SeqRange | null;
  touchedAt: number;
}

export class MemoryMessageCache implements MessageCache {
  readonly kind = 'memory' as const;
  private rooms = new Map<string, MemoryRoom>();
  private pins = new Map<string, { items: Map<string, { message: StoredMessage; pinnedUntilMs: number }>; touchedAt: number }>();

  constructor(
    private readonly maxCount = MESSAGE_CACHE_MAX_COUNT,
    private readonly maxAgeMs = MESSAGE_CACHE_MAX_AGE_MS,
  ) {}

  async put(key: string, message: StoredMessage) {
    this.write(key, [message], true);
  }

  async putMany(key: string, messages: StoredMessage[]) {
    this.write(key, messages, false);
  }

  async putPinned(key: string, message: StoredMessage, pinnedUntilMs: number) {
    let entry = this.pins.get(key);
    if (!entry || Date.now() - entry.touchedAt > PINNED_CACHE_TTL_MS) {
      entry = { items: new Map(), touchedAt: Date.now() };
      this.pins.set(key, entry);
    }
    entry.touchedAt = Date.now();
    entry.items.set(message.id, { message, pinnedUntilMs });
  }

  async removePinned(key: string, messageId: string) {
    this.pins.get(key)?.items.delete(messageId);
  }

  async pinned(key: string) {
    const entry = this.pins.get(key);
    if (!entry || Date.now() - entry.touchedAt > PINNED_CACHE_TTL_MS) return [];
    const now = Date.now();
    for (const [id, pin] of entry.items) if (pin.pinnedUntilMs <= now) entry.items.delete(id);
    return [...entry.items.values()].sort((a, b) => a.pinnedUntilMs - b.pinnedUntilMs);
  }

  async range(key: string, fromSeq: number, toSeq: number): Promise<CachedRange> {
    const room = this.live(key);
    if (!room) return { held: null, messages: [] };
    const entries = room.entries;
    const messages: StoredMessage[] = [];
    for (let i = indexAtOrAbove(entries, fromSeq); i < entries.length && entries[i]!.seq <= toSeq; i++) messages.push(entries[i]!);
    return { held: room.held ? { ...room.held } : null, messages };
  }

  async held(key: string) {
    const held = this.live(key)?.held;
    return held ? { ...held } : null;
  }

  async latest(key: string, limit: number) {
    const entries = this.live(key)?.entries ?? [];
    return entries.slice(Math.max(0, entries.length - limit));
  }

  async count(key: string) {
    return this.live(key)?.entries.length ?? 0;
  }

  async drop(key: string) {
    this.rooms.delete(key);
  }

  async keys() {
    return [...this.rooms.keys()].filter((k) => (this.live(k)?.entries.length ?? 0) > 0);
  }

  async close() {
    this.rooms.clear();
    this.pins.clear();
  }

  private live(key: string): MemoryRoom | undefined {
    const room = this.rooms.get(key);
    if (!room) return undefined;
    // Like the Redis key's TTL: an idle room's cache goes away after the retention age.
    if (Date.now() - room.touchedAt > this.maxAgeMs) {
      this.rooms.delete(key);
      return undefined;
    }
    return room;
  }

  private write(key: string, messages: StoredMessage[], replace: boolean) {
    if (messages.length === 0) return;
    let room = this.live(key);
    if (!room) {
      room = { entries: [], held: null, touchedAt: Date.now() };
      this.rooms.set(key, room);
    }
    room.touchedAt = Date.now();
    const entries = room.entries;
    let top = 0;
    for (const message of messages) {
      top = Math.max(top, message.seq);
      const last = entries[entries.length - 1];
      if (!last || last.seq < message.seq) {
        entries.push(message);
        continue;
      }
      const at = indexAtOrAbove(entries, message.seq);
      if (entries[at]?.seq === message.seq) {
        if (replace) entries[at] = message;
      } else {
        entries.splice(at, 0, message);
      }
    }
    const run = runAround(entries, top, room.held);
    if (!room.held || run.to >= room.held.to) room.held = run;
    // Retention: the last maxCount messages or maxAge, whichever holds more.
    const cutoff = Date.now() - this.maxAgeMs;
    let drop = 0;
    while (entries.length - drop > this.maxCount && Date.parse(entries[drop]!.createdAt) < cutoff) drop++;
    if (drop > 0) entries.splice(0, drop);
    const lowest = entries[0]?.seq;
    if (room.held && lowest !== undefined && room.held.from < lowest) room.held.from = lowest;
    if (room.held && (lowest === undefined || room.held.from > room.held.to)) room.held = null;
  }
}

/** Index of the first entry with seq ≥ `seq` (entries ascending by seq). */
function indexAtOrAbove(entries: StoredMessage[], seq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The maximal run of consecutive cached seqs around `seq` (which is cached); starts from the held run when they touch. */
function runAround(entries: StoredMessage[], seq: number, held: SeqRange | null): SeqRange {
  let a = seq;
  let b = seq;
  if (held && seq >= held.from - 1 && seq <= held.to + 1) {
    a = Math.min(a, held.from);
    b = Math.max(b, held.to);
  }
  let lo = indexAtOrAbove(entries, a);
  let hi = indexAtOrAbove(entries, b);
  while (lo > 0 && entries[lo - 1]!.seq === entries[lo]!.seq - 1) lo--;
  while (hi < entries.length - 1 && entries[hi + 1]!.seq === entries[hi]!.seq + 1) hi++;
  return { from: entries[lo]!.seq, to: entries[hi]!.seq };
}

/**
 * One script per write, so the entries, the retention and the held run move
 * together even with several nodes writing one room. Keys: the messages
 * (seq → JSON), their times (seq scored by time, for the 24-hour half of the
 * retention) and the held run (`from`, `to`). ARGV: replace flag, max count,
 * max age, now, then seq, JSON, time for each message.
 *
 * A held run is trusted only while every seq in it is still there (a key lost
 * on its own, or evicted, makes it vanish rather than lie). The run around
 * the newest seq written grows through cached seqs by binary search over
 * ZCOUNT, so a write costs O(log² n) however long the run.
 */
const WRITE_SCRIPT = `
local key, tkey, hkey = KEYS[1], KEYS[2], KEYS[3]
local replace = ARGV[1] == '1'
local maxCount, maxAge, now = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local function whole(a, b)
  if a > b then return true end
  return redis.call('ZCOUNT', key, a, b) == b - a + 1
end
local f = tonumber(redis.call('HGET', hkey, 'from'))
local t = tonumber(redis.call('HGET', hkey, 'to'))
if not (f and t) or f > t or not whole(f, t) then f = nil; t = nil end
local top = nil
for i = 5, #ARGV, 3 do
  local seq = tonumber(ARGV[i])
  local exists = redis.call('ZCOUNT', key, seq, seq) > 0
  if replace or not exists then
    if exists then redis.call('ZREMRANGEBYSCORE', key, seq, seq) end
    redis.call('ZADD', key, seq, ARGV[i + 1])
    redis.call('ZADD', tkey, tonumber(ARGV[i + 2]), seq)
  end
  if not top or seq > top then top = seq end
end
if top then
  local a, b = top, top
  if f and top >= f - 1 and top <= t + 1 then
    if f < a then a = f end
    if t > b then b = t end
  end
  if a > 1 and whole(a - 1, a - 1) then
    local lo, hi = 1, a - 1
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if whole(mid, a - 1) then hi = mid else lo = mid + 1 end
    end
    a = lo
  end
  if whole(b + 1, b + 1) then
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    local lo, hi = b + 1, tonumber(newest[2])
    while lo < hi do
      local mid = math.floor((lo + hi + 1) / 2)
      if whole(b + 1, mid) then lo = mid else hi = mid - 1 end
    end
    b = lo
  end
  if not f or b >= t then f = a; t = b end
end
local cutoff = now - maxAge
redis.call('ZREMRANGEBYSCORE', tkey, '-inf', '(' .. cutoff)
local n = redis.call('ZCARD', key)
if n > maxCount then
  local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  local floor = tonumber(newest[2]) - maxCount + 1
  local young = redis.call('ZRANGE', tkey, 0, 0)
  if young[1] and tonumber(young[1]) < floor then floor = tonumber(young[1]) end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. floor)
  if f and f < floor then f = floor end
end
if f and f <= t then
  redis.call('HSET', hkey, 'from', f, 'to', t)
  redis.call('PEXPIRE', hkey, maxAge)
else
  redis.call('DEL', hkey)
end
redis.call('PEXPIRE', key, maxAge)
redis.call('PEXPIRE', tkey, maxAge)
return n
`;

/** The held run (when every seq of it is still there) and the messages in [ARGV[1], ARGV[2]], read together. */
const READ_SCRIPT = `
local key, hkey = KEYS[1], KEYS[2]
local f = tonumber(redis.call('HGET', hkey, 'from'))
local t = tonumber(redis.call('HGET', hkey, 'to'))
local held = {}
if f and t and f <= t and redis.call('ZCOUNT', key, f, t) == t - f + 1 then held = { f, t } end
return { held, redis.call('ZRANGEBYSCORE', key, ARGV[1], ARGV[2]) }
`;

type CacheRedis = Redis & {
  chatpopWriteMessages(key: string, tkey: string, hkey: string, ...args: (string | number)[]): Promise<number>;
  chatpopReadMessages(key: string, hkey: string, fromSeq: number, toSeq: number): Promise<[number[], string[]]>;
};

export class RedisMessageCache implements MessageCache {
  readonly kind = 'redis' as const;
  private readonly redis: CacheRedis;

  constructor(
    redis: Redis,
    private readonly maxCount = MESSAGE_CACHE_MAX_COUNT,
    private readonly maxAgeMs = MESSAGE_CACHE_MAX_AGE_MS,
  ) {
    redis.defineCommand('chatpopWriteMessages', { numberOfKeys: 3, lua: WRITE_SCRIPT });
    redis.defineCommand('chatpopReadMessages', { numberOfKeys: 2, lua: READ_SCRIPT });
    this.redis = redis as CacheRedis;
  }

  async put(key: string, message: StoredMessage) {
    await this.write(key, [message], true);
  }

  async putMany(key: string, messages: StoredMessage[]) {
    await this.write(key, messages, false);
  }

  async putPinned(key: string, message: StoredMessage, pinnedUntilMs: number) {
    const existing = await this.redis.zrange(key, '0', '-1');
    const multi = this.redis.multi();
    for (const row of existing) if (parse(row).id === message.id) multi.zrem(key, row);
    multi.zadd(key, pinnedUntilMs, JSON.stringify(message));
    multi.pexpire(key, PINNED_CACHE_TTL_MS);
    await multi.exec();
  }

  async removePinned(key: string, messageId: string) {
    const existing = await this.redis.zrange(key, '0', '-1');
    const gone = existing.filter((row) => parse(row).id === messageId);
    if (gone.length > 0) await this.redis.zrem(key, ...gone);
  }

  async pinned(key: string) {
    // Expiry by score: a pin whose end has passed is removed before the read.
    await this.redis.zremrangebyscore(key, '-inf', Date.now());
    const rows = await this.redis.zrange(key, '0', '-1', 'WITHSCORES');
    const out: { message: StoredMessage; pinnedUntilMs: number }[] = [];
    for (let i = 0; i < rows.length; i += 2) out.push({ message: parse(rows[i]!), pinnedUntilMs: Number(rows[i + 1]) });
    return out;
  }

  async range(key: string, fromSeq: number, toSeq: number): Promise<CachedRange> {
    const [held, rows] = await this.redis.chatpopReadMessages(key, heldKey(key), fromSeq, toSeq);
    return { held: held.length === 2 ? { from: Number(held[0]), to: Number(held[1]) } : null, messages: rows.map(parse) };
  }

  async held(key: string) {
    return (await this.range(key, 1, 0)).held;
  }

  async latest(key: string, limit: number) {
    const rows = await this.redis.zrange(key, String(-limit), '-1');
    return rows.map(parse);
  }

  async count(key: string) {
    return this.redis.zcard(key);
  }

  async drop(key: string) {
    await this.redis.del(key, timesKey(key), heldKey(key));
  }

  async keys() {
    // SCAN sees whole key names: match and strip this deployment's prefix by hand.
    const prefix = this.redis.options.keyPrefix ?? '';
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${prefix}*:messages`, 'COUNT', 500);
      cursor = next;
      found.push(...batch.map((k) => k.slice(prefix.length)));
    } while (cursor !== '0');
    return found.sort();
  }

  async close() {
    this.redis.disconnect();
  }

  private async write(key: string, messages: StoredMessage[], replace: boolean) {
    if (messages.length === 0) return;
    const args: (string | number)[] = [replace ? '1' : '0', this.maxCount, this.maxAgeMs, Date.now()];
    for (const m of messages) args.push(m.seq, JSON.stringify(m), Date.parse(m.createdAt));
    await this.redis.chatpopWriteMessages(key, timesKey(key), heldKey(key), ...args);
  }
}

const timesKey = (key: string) => `${key}:times`;
/** The held run of a message key: `…:messages:held`, a hash of `from` and `to`. */
export const heldKey = (key: string) => `${key}:held`;
const parse = (row: string) => JSON.parse(row) as StoredMessage;

const REPAIR_INTERVAL_MS = 1_000;

/**
 * Keeps a cache that missed a write from ever serving the hole. A key whose
 * write failed is read from the database on this node until the key has been
 * dropped from the cache (retried until the cache answers again); the next
 * database read refills it.
 */
export class GuardedMessageCache implements MessageCache {
  private dirty = new Set<string>();
  private timer: NodeJS.Timeout;

  constructor(
    public inner: MessageCache,
    private readonly onError: (err: unknown, what: string) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.repair(), REPAIR_INTERVAL_MS);
    this.timer.unref();
  }

  get kind() {
    return this.inner.kind;
  }

  /** Keys waiting for repair (for the operator's inspect command and tests). */
  get pendingRepairs(): string[] {
    return [...this.dirty];
  }

  async put(key: string, message: StoredMessage) {
    if (this.dirty.has(key)) return;
    try {
      await this.inner.put(key, message);
    } catch (err) {
      this.dirty.add(key);
      this.onError(err, 'write');
      await this.repairKey(key);
      throw err;
    }
  }

  async putMany(key: string, messages: StoredMessage[]) {
    if (this.dirty.has(key)) return;
    await this.inner.putMany(key, messages);
  }

  async range(key: string, fromSeq: number, toSeq: number) {
    this.usable(key);
    return this.inner.range(key, fromSeq, toSeq);
  }

  async held(key: string) {
    this.usable(key);
    return this.inner.held(key);
  }

  async latest(key: string, limit: number) {
    this.usable(key);
    return this.inner.latest(key, limit);
  }

  count(key: string) {
    return this.inner.count(key);
  }

  drop(key: string) {
    return this.inner.drop(key);
  }

  keys() {
    return this.inner.keys();
  }

  putPinned(key: string, message: StoredMessage, pinnedUntilMs: number) {
    return this.inner.putPinned(key, message, pinnedUntilMs);
  }

  removePinned(key: string, messageId: string) {
    return this.inner.removePinned(key, messageId);
  }

  pinned(key: string) {
    return this.inner.pinned(key);
  }

  async close() {
    clearInterval(this.timer);
    await this.inner.close();
  }

  private usable(key: string) {
    if (this.dirty.has(key)) throw new Error(`cache key ${key} is awaiting repair`);
  }

  private async repairKey(key: string) {
    try {
      await this.inner.drop(key);
      this.dirty.delete(key);
    } catch {
      // still unreachable; the timer retries
    }
  }

  private async repair() {
    for (const key of this.dirty) await this.repairKey(key);
  }
}
