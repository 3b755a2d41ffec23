import type { Redis } from 'ioredis';
import type { Message } from '@chatpop/protocol';

export const MESSAGE_CACHE_MAX_COUNT = 500;
export const MESSAGE_CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Recent messages per room, by `seq` (docs/architecture.md, "Message cache").
 * The database is the source of truth: a cache answer is used only when the
 * history service finds it complete, and every error here falls back to it.
 *
 * Keys follow the seed's layout: `chat:{CODE}:messages` for a pop chat,
 * `chat:{CODE}:backroom:messages` for its Back Room, `room:{ID}:messages` for
 * Inbox rooms.
 */
export interface MessageCache {
  readonly kind: 'memory' | 'redis';
  /** Adds or replaces (by seq) one message and applies the retention. */
  put(key: string, message: Message): Promise<void>;
  /** Backfill after a database read. */
  putMany(key: string, messages: Message[]): Promise<void>;
  /** Messages with fromSeq ≤ seq ≤ toSeq, ascending. */
  range(key: string, fromSeq: number, toSeq: number): Promise<Message[]>;
  /** The newest `limit` messages, ascending. */
  latest(key: string, limit: number): Promise<Message[]>;
  count(key: string): Promise<number>;
  drop(key: string): Promise<void>;
  /** Every message key held, for the operator's inspect command. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

export class MemoryMessageCache implements MessageCache {
  readonly kind = 'memory' as const;
  private rooms = new Map<string, { entries: Message[]; touchedAt: number }>();

  constructor(
    private readonly maxCount = MESSAGE_CACHE_MAX_COUNT,
    private readonly maxAgeMs = MESSAGE_CACHE_MAX_AGE_MS,
  ) {}

  async put(key: string, message: Message) {
    this.insert(key, message);
  }

  async putMany(key: string, messages: Message[]) {
    for (const m of messages) this.insert(key, m);
  }

  async range(key: string, fromSeq: number, toSeq: number) {
    const entries = this.live(key);
    return entries.filter((m) => m.seq >= fromSeq && m.seq <= toSeq);
  }

  async latest(key: string, limit: number) {
    const entries = this.live(key);
    return entries.slice(Math.max(0, entries.length - limit));
  }

  async count(key: string) {
    return this.live(key).length;
  }

  async drop(key: string) {
    this.rooms.delete(key);
  }

  async keys() {
    return [...this.rooms.keys()].filter((k) => this.live(k).length > 0);
  }

  async close() {
    this.rooms.clear();
  }

  private live(key: string): Message[] {
    const room = this.rooms.get(key);
    if (!room) return [];
    // Like the Redis key's TTL: an idle room's cache goes away after the retention age.
    if (Date.now() - room.touchedAt > this.maxAgeMs) {
      this.rooms.delete(key);
      return [];
    }
    return room.entries;
  }

  private insert(key: string, message: Message) {
    let room = this.rooms.get(key);
    if (!room) {
      room = { entries: [], touchedAt: Date.now() };
      this.rooms.set(key, room);
    }
    room.touchedAt = Date.now();
    const entries = room.entries;
    const last = entries[entries.length - 1];
    if (!last || last.seq < message.seq) {
      entries.push(message);
    } else {
      let lo = 0;
      let hi = entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (entries[mid]!.seq < message.seq) lo = mid + 1;
        else hi = mid;
      }
      if (entries[lo]?.seq === message.seq) entries[lo] = message;
      else entries.splice(lo, 0, message);
    }
    // Retention: the last maxCount messages or maxAge, whichever holds more.
    const cutoff = Date.now() - this.maxAgeMs;
    let drop = 0;
    while (entries.length - drop > this.maxCount && Date.parse(entries[drop]!.createdAt) < cutoff) drop++;
    if (drop > 0) entries.splice(0, drop);
  }
}

/**
 * Upsert by seq, then trim: keep the newest MAX messages, plus any older ones
 * still younger than MAX_AGE. A companion key scores seq by time so the trim
 * never has to parse messages. Both keys expire after MAX_AGE of silence.
 */
const PUT_SCRIPT = `
local key, tkey = KEYS[1], KEYS[2]
local seq, json, at, maxCount, maxAge = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, seq, seq)
redis.call('ZADD', key, seq, json)
redis.call('ZADD', tkey, at, seq)
local cutoff = tonumber(ARGV[6]) - maxAge
redis.call('ZREMRANGEBYSCORE', tkey, '-inf', '(' .. cutoff)
local n = redis.call('ZCARD', key)
if n > maxCount then
  local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  local floor = tonumber(newest[2]) - maxCount + 1
  local young = redis.call('ZRANGE', tkey, 0, 0)
  if young[1] and tonumber(young[1]) < floor then floor = tonumber(young[1]) end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. floor)
end
redis.call('PEXPIRE', key, maxAge)
redis.call('PEXPIRE', tkey, maxAge)
return n
`;

type CacheRedis = Redis & {
  chatpopPutMessage(key: string, tkey: string, ...args: (string | number)[]): Promise<number>;
};

export class RedisMessageCache implements MessageCache {
  readonly kind = 'redis' as const;
  private readonly redis: CacheRedis;

  constructor(
    redis: Redis,
    private readonly maxCount = MESSAGE_CACHE_MAX_COUNT,
    private readonly maxAgeMs = MESSAGE_CACHE_MAX_AGE_MS,
  ) {
    redis.defineCommand('chatpopPutMessage', { numberOfKeys: 2, lua: PUT_SCRIPT });
    this.redis = redis as CacheRedis;
  }

  async put(key: string, message: Message) {
    await this.redis.chatpopPutMessage(key, timesKey(key), ...this.args(message));
  }

  async putMany(key: string, messages: Message[]) {
    if (messages.length === 0) return;
    const pipeline = this.redis.pipeline() as unknown as CacheRedis & { exec(): Promise<[Error | null, unknown][] | null> };
    for (const m of messages) void pipeline.chatpopPutMessage(key, timesKey(key), ...this.args(m));
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  async range(key: string, fromSeq: number, toSeq: number) {
    const rows = await this.redis.zrangebyscore(key, fromSeq, toSeq);
    return rows.map(parse);
  }

  async latest(key: string, limit: number) {
    const rows = await this.redis.zrange(key, String(-limit), '-1');
    return rows.map(parse);
  }

  async count(key: string) {
    return this.redis.zcard(key);
  }

  async drop(key: string) {
    await this.redis.del(key, timesKey(key));
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

  private args(m: Message): (string | number)[] {
    return [m.seq, JSON.stringify(m), Date.parse(m.createdAt), this.maxCount, this.maxAgeMs, Date.now()];
  }
}

const timesKey = (key: string) => `${key}:times`;
const parse = (row: string) => JSON.parse(row) as Message;

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

  async put(key: string, message: Message) {
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

  async putMany(key: string, messages: Message[]) {
    if (this.dirty.has(key)) return;
    await this.inner.putMany(key, messages);
  }

  async range(key: string, fromSeq: number, toSeq: number) {
    this.usable(key);
    return this.inner.range(key, fromSeq, toSeq);
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
