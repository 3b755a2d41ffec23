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
import type { AccountPresence, Broadcaster, InboxEvents, MemberSync, Notifier, SessionSockets, UserSync } from './ports';
import type { RoomDirectory } from './modules/chats/directory';
import type { PaymentGateway } from './infra/payments';

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
  /** Set once Socket.IO is attached. */
  sessionSockets: SessionSockets;
  inboxEvents: InboxEvents;
  notifications: Notifier;
  accountPresence: AccountPresence;
  /** Set once Socket.IO is attached. */
  userSync: UserSync;
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
