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

  /*
   * Accounts (Inbox presence), counted the same way: an account is connected
   * while any of its connections, on any node, is live.
   */

  /** Adds or refreshes one connection of an account; true when the account had no live connection before. */
  touchUser(userId: string, connectionId: string): Promise<boolean>;
  /**
   * Removes one connection of an account. When it was the account's last, the
   * time it was last seen: now, or its last heartbeat if it had gone stale.
   * Null otherwise (or when the sweep had already dropped it).
   */
  removeUser(userId: string, connectionId: string): Promise<Date | null>;
  /** Those of these accounts with a live connection. */
  usersOnline(userIds: string[]): Promise<Set<string>>;
  /**
   * Drops expired account connections; returns the accounts left with none,
   * each with the time of its last heartbeat (the expiry less the TTL).
   */
  sweepUsers(): Promise<{ userId: string; lastSeenAt: Date }[]>;
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
  /** userId → connectionId → expiry time. */
  private users = new Map<string, Map<string, number>>();

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

  async touchUser(userId: string, connectionId: string) {
    const now = Date.now();
    let conns = this.users.get(userId);
    if (!conns) this.users.set(userId, (conns = new Map()));
    const wasOnline = [...conns.values()].some((expiresAt) => expiresAt > now);
    conns.set(connectionId, now + this.ttlMs);
    return !wasOnline;
  }

  async removeUser(userId: string, connectionId: string) {
    const conns = this.users.get(userId);
    const expiresAt = conns?.get(connectionId);
    if (!conns || expiresAt === undefined) return null;
    conns.delete(connectionId);
    const now = Date.now();
    const left = [...conns.values()].some((e) => e > now);
    if (conns.size === 0) this.users.delete(userId);
    return left ? null : new Date(expiresAt > now ? now : expiresAt - this.ttlMs);
  }

  async usersOnline(userIds: string[]) {
    const now = Date.now();
    return new Set(userIds.filter((id) => [...(this.users.get(id)?.values() ?? [])].some((e) => e > now)));
  }

  async sweepUsers() {
    const now = Date.now();
    const gone: { userId: string; lastSeenAt: Date }[] = [];
    for (const [userId, conns] of this.users) {
      let latest = 0;
      for (const [id, expiresAt] of conns) {
        if (expiresAt <= now) {
          conns.delete(id);
          latest = Math.max(latest, expiresAt);
        }
      }
      if (conns.size === 0) {
        this.users.delete(userId);
        if (latest > 0) gone.push({ userId, lastSeenAt: new Date(latest - this.ttlMs) });
      }
    }
    return gone;
  }

  async close() {
    this.rooms.clear();
    this.users.clear();
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

  /*
   * `presence:user:{userId}`: a sorted set of connection ids scored by expiry
   * time; `presence:users` names the accounts that may have one, for the sweep.
   * Several nodes may sweep at once: only the one whose ZREM removed the
   * entries reports the account as gone.
   */

  async touchUser(userId: string, connectionId: string) {
    const key = userKey(userId);
    const now = Date.now();
    const res = await this.redis
      .multi()
      .zcount(key, `(${now}`, '+inf')
      .zadd(key, now + this.ttlMs, connectionId)
      .sadd(USERS_KEY, userId)
      .pexpire(key, this.ttlMs * 2)
      .exec();
    const [err, live] = res?.[0] ?? [null, 0];
    if (err) throw err;
    return Number(live) === 0;
  }

  async removeUser(userId: string, connectionId: string) {
    const key = userKey(userId);
    const now = Date.now();
    const res = await this.redis.multi().zscore(key, connectionId).zrem(key, connectionId).zcount(key, `(${now}`, '+inf').exec();
    if (!res) return null;
    for (const [err] of res) if (err) throw err;
    const score = res[0]![1] as string | null;
    const removed = Number(res[1]![1]);
    const live = Number(res[2]![1]);
    if (removed !== 1 || score === null || live > 0) return null;
    return new Date(Number(score) > now ? now : Number(score) - this.ttlMs);
  }

  async usersOnline(userIds: string[]) {
    if (userIds.length === 0) return new Set<string>();
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.zcount(userKey(id), `(${now}`, '+inf');
    const res = (await pipeline.exec()) ?? [];
    const online = new Set<string>();
    res.forEach(([err, count], i) => {
      if (err) throw err;
      if (Number(count) > 0) online.add(userIds[i]!);
    });
    return online;
  }

  async sweepUsers() {
    const now = Date.now();
    const gone: { userId: string; lastSeenAt: Date }[] = [];
    for (const userId of await this.redis.smembers(USERS_KEY)) {
      const key = userKey(userId);
      const expired = await this.redis.zrangebyscore(key, '-inf', String(now), 'WITHSCORES');
      if (expired.length > 0) {
        const ids = expired.filter((_, i) => i % 2 === 0);
        const latest = Math.max(...expired.filter((_, i) => i % 2 === 1).map(Number));
        const res = await this.redis.multi().zrem(key, ...ids).zcard(key).exec();
        const removed = Number(res?.[0]?.[1] ?? 0);
        const left = Number(res?.[1]?.[1] ?? 0);
        if (removed > 0 && left === 0) gone.push({ userId, lastSeenAt: new Date(latest - this.ttlMs) });
      }
      if ((await this.redis.zcard(key)) === 0) await this.redis.srem(USERS_KEY, userId);
    }
    return gone;
  }

  async close() {}
}

const ROOMS_KEY = 'presence:rooms';
const presenceKey = (roomId: string) => `presence:${roomId}`;
const USERS_KEY = 'presence:users';
const userKey = (userId: string) => `presence:user:${userId}`;
