import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config';
import type { Db } from './db/client';
import type { MessageCache } from './infra/cache';
import type { Limits } from './infra/limits';
import type { Mailer, Outbox } from './infra/mailer';
import type { Storage } from './infra/storage';
import type { Settings } from './modules/settings/service';
import type { Presence } from './infra/presence';
import type { PubSub } from './infra/pubsub';
import type { Tokens } from './modules/auth/tokens';
import type { Broadcaster } from './realtime/broadcast';
import type { RoomDirectory } from './modules/chats/directory';
import type { MemberRow } from './db/schema';
import type { PaymentGateway } from './infra/payments';

/**
 * Keeps every node's live connections in step with a participation that a
 * moderator changed (ban, time-out, hide, role): the socket hot path reads the
 * member row it holds rather than the database (realtime/member-sync.ts).
 */
export interface MemberSync {
  changed(member: MemberRow): Promise<void>;
}

/**
 * The Inbox's per-user list events (modules/conversations/notifier.ts):
 * conversations whose summary changed for these users, sent as
 * `conversation:new`/`conversation:updated`, and (unless `totals` is false)
 * their unread totals as `inbox:unread`.
 */
export interface InboxEvents {
  changed(userIds: string[], roomId: string, opts?: { created?: boolean; totals?: boolean }): void;
  close(): void;
}

/** Everything a domain function may use, built once in app.ts. */
export interface AppContext {
  config: Config;
  db: Db;
  dbKind: 'pglite' | 'postgres';
  cache: MessageCache;
  limits: Limits;
  presence: Presence;
  pubsub: PubSub;
  tokens: Tokens;
  rooms: RoomDirectory;
  settings: Settings;
  storage: Storage;
  mailer: Mailer;
  /** Stripe when configured, else the built-in test provider (infra/payments.ts). */
  payments: PaymentGateway;
  /** The development outbox (every mail sent by this process), or null where it is off. */
  outbox: Outbox | null;
  log: FastifyBaseLogger;
  /** Set once Socket.IO is attached; every client-facing event goes through it. */
  broadcast: Broadcaster;
  /** Set once Socket.IO is attached. */
  memberSync: MemberSync;
  inboxEvents: InboxEvents;
  /** Writes the server must finish before it stops. */
  inflight: Set<Promise<unknown>>;
}

/** Runs a write so that a graceful shutdown waits for it. */
export function track<T>(ctx: AppContext, work: Promise<T>): Promise<T> {
  ctx.inflight.add(work);
  const done = () => ctx.inflight.delete(work);
  work.then(done, done);
  return work;
}
