import type { Redis } from 'ioredis';
import { PRESENCE_TTL_MS, type PresenceEntry } from '@chatpop/protocol';

/**
 * Who is online in a room, counted by connection: a member with two tabs stays
 * online when one closes, and a connection that stops heartbeating (a crashed
 * client, a dead node) expires after PRESENCE_TTL_MS.
 */
export interface Presence {
  readonly kind: 'memory' | 'redis';
  /** Adds or refreshes one connection of a member. */
  touch(roomId: string, connectionId: string, entry: PresenceEntry): Promise<void>;
  remove(roomId: string, connectionId: string, memberId: string): Promise<void>;
  online(roomId: string): Promise<PresenceEntry[]>;
  /** Drops expired connections; returns the rooms whose online list changed. */
  sweep(): Promise<string[]>;
  close(): Promise<void>;
}

interface Conn {
  memberId: string;
  username: string;
  expiresAt: number;
}

export class MemoryPresence implements Presence {
  readonly kind = 'memory' as const;
  private rooms = new Map<string, Map<string, Conn>>();

  constructor(private readonly ttlMs = PRESENCE_TTL_MS) {}

  async touch(roomId: string, connectionId: string, entry: PresenceEntry) {
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = new Map()));
    room.set(connectionId, { ...entry, expiresAt: Date.now() + this.ttlMs });
  }

  async remove(roomId: string, connectionId: string) {
    const room = this.rooms.get(roomId);
    room?.delete(connectionId);
    if (room && room.size === 0) this.rooms.delete(roomId);
  }

  async online(roomId: string) {
    const now = Date.now();
    const byMember = new Map<string, PresenceEntry>();
    for (const c of this.rooms.get(roomId)?.values() ?? []) {
      if (c.expiresAt > now) byMember.set(c.memberId, { memberId: c.memberId, username: c.username });
    }
    return [...byMember.values()];
  }

  async sweep() {
    const now = Date.now();
    const changed: string[] = [];
    for (const [roomId, room] of this.rooms) {
      let dropped = false;
      for (const [id, c] of room) {
        if (c.expiresAt <= now) {
          room.delete(id);
          dropped = true;
        }
      }
      if (room.size === 0) this.rooms.delete(roomId);
      if (dropped) changed.push(roomId);
    }
    return changed;
  }

  async close() {
    this.rooms.clear();
  }
}

/** `presence:{roomId}`: a sorted set of `memberId|connectionId|username` scored by expiry time. */
export class RedisPresence implements Presence {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs = PRESENCE_TTL_MS,
  ) {}

  async touch(roomId: string, connectionId: string, entry: PresenceEntry) {
    const key = presenceKey(roomId);
    await this.redis
      .multi()
      .zadd(key, Date.now() + this.ttlMs, `${entry.memberId}|${connectionId}|${entry.username}`)
      .sadd(ROOMS_KEY, roomId)
      .pexpire(key, this.ttlMs * 2)
      .exec();
  }

  async remove(roomId: string, connectionId: string, memberId: string) {
    const key = presenceKey(roomId);
    const members = await this.redis.zrange(key, '0', '-1');
    const mine = members.filter((m) => m.startsWith(`${memberId}|${connectionId}|`));
    if (mine.length > 0) await this.redis.zrem(key, ...mine);
  }

  async online(roomId: string) {
    const rows = await this.redis.zrangebyscore(presenceKey(roomId), Date.now(), '+inf');
    const byMember = new Map<string, PresenceEntry>();
    for (const row of rows) {
      const [memberId, , username] = row.split('|');
      if (memberId && username !== undefined) byMember.set(memberId, { memberId, username });
    }
    return [...byMember.values()];
  }

  async sweep() {
    const now = Date.now();
    const roomIds = await this.redis.smembers(ROOMS_KEY);
    const changed: string[] = [];
    for (const roomId of roomIds) {
      const removed = await this.redis.zremrangebyscore(presenceKey(roomId), '-inf', String(now));
      if (removed > 0) changed.push(roomId);
      if ((await this.redis.zcard(presenceKey(roomId))) === 0) await this.redis.srem(ROOMS_KEY, roomId);
    }
    return changed;
  }

  async close() {}
}

const ROOMS_KEY = 'presence:rooms';
const presenceKey = (roomId: string) => `presence:${roomId}`;
