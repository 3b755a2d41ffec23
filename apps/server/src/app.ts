import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { Redis } from 'ioredis';
import type { HealthResponse } from '@chatpop/protocol';
import type { Config } from './config';
import type { AppContext } from './context';
import { openDatabase, type Database } from './db/client';
import { AppError } from './errors';
import { cookieSigningKey } from './http';
import { GuardedMessageCache, MemoryMessageCache, RedisMessageCache, type MessageCache } from './infra/cache';
import { createLimits } from './infra/limits';
import { LogMailer, Outbox, RecordingMailer, SmtpMailer, type Mailer } from './infra/mailer';
import { LocalDiskStorage } from './infra/storage';
import { createGateway } from './infra/payments';
import { MemoryPresence, RedisPresence, type Presence } from './infra/presence';
import { MemoryPubSub, RedisPubSub, type PubSub } from './infra/pubsub';
import { connectRedis, connectRedisForPubSub } from './infra/redis';
import { accountRoutes } from './modules/account/routes';
import { authRoutes } from './modules/auth/routes';
import { devOutboxWarning, devRoutes } from './modules/dev/routes';
import { devSeedRoutes } from './modules/dev/seed-routes';
import { Settings } from './modules/settings/service';
import { usernameRoutes } from './modules/usernames/routes';
import { startRollSweeper } from './modules/usernames/service';
import { createTokens } from './modules/auth/tokens';
import { startPendingRegistrationSweeper } from './modules/auth/service';
import { RoomDirectory } from './modules/chats/directory';
import { chatRoutes } from './modules/chats/routes';
import { messageRoutes } from './modules/messages/routes';
import { moderationRoutes } from './modules/moderation/routes';
import { backroomRoutes } from './modules/backroom/routes';
import { WEBHOOK_PATH, paymentRoutes } from './modules/payments/routes';
import { startPaymentSweeper } from './modules/payments/service';
import { pinRoutes } from './modules/pins/routes';
import { tipRoutes } from './modules/tips/routes';
import { groupAvatarRoutes } from './modules/conversations/avatar-routes';
import { contactRoutes } from './modules/contacts/routes';
import { inviteRoutes } from './modules/conversations/invite-routes';
import { conversationRoutes } from './modules/conversations/routes';
import { conversationActionRoutes } from './modules/conversations/action-routes';
import { searchRoutes } from './modules/search/routes';
import { mediaRoutes } from './modules/media/routes';
import { startMediaSweeper } from './modules/media/service';
import { InboxNotifier } from './modules/conversations/notifier';
import { startMuteSweeper } from './modules/conversations/settings';
import { NotificationService } from './modules/notifications/service';
import { notificationRoutes } from './modules/notifications/routes';
import { PresenceService } from './modules/conversations/presence';
import { noBroadcast } from './realtime/broadcast';
import { attachRealtime, type Realtime } from './realtime/server';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export const BODY_LIMIT_BYTES = 64 * 1024;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface App {
  fastify: FastifyInstance;
  ctx: AppContext;
  realtime: Realtime;
  /** Listens on config.port (0 picks a free one) and returns the port. */
  listen(): Promise<number>;
  /** Graceful stop: no new work, in-flight writes finished, connections closed. */
  close(): Promise<void>;
}

export async function createApp(config: Config): Promise<App> {
  const database: Database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const redisClients: Redis[] = [];
  let cache: MessageCache;
  let presence: Presence;
  let pubsub: PubSub;
  let limitsRedis: Redis | undefined;
  let adapterClients: { pub: Redis; sub: Redis } | undefined;
  try {
    if (config.redisUrl) {
      const main = await connectRedis(config.redisUrl, 'main', config.redisPrefix);
      const pub = await connectRedisForPubSub(config.redisUrl, 'pub');
      const sub = await connectRedisForPubSub(config.redisUrl, 'sub');
      const adapterPub = await connectRedisForPubSub(config.redisUrl, 'adapter-pub');
      const adapterSub = await connectRedisForPubSub(config.redisUrl, 'adapter-sub');
      redisClients.push(main, pub, sub, adapterPub, adapterSub);
      cache = new RedisMessageCache(main);
      presence = new RedisPresence(main, config.presenceTtlMs);
      pubsub = new RedisPubSub(pub, sub, config.redisPrefix);
      limitsRedis = main;
      adapterClients = { pub: adapterPub, sub: adapterSub };
    } else {
      cache = new MemoryMessageCache();
      presence = new MemoryPresence(config.presenceTtlMs);
      pubsub = new MemoryPubSub();
    }
  } catch (err) {
    redisClients.forEach((c) => c.disconnect());
    await database.close();
    throw err;
  }

  const fastify = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    // Socket.IO shares the port; Fastify must not answer its paths.
    return503OnClosing: true,
  });

  const baseMailer: Mailer = config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom) : new LogMailer(fastify.log);
  const outbox = config.devOutbox ? new Outbox() : null;
  const storage = new LocalDiskStorage(config.uploadsDir);
  const ctx: AppContext = {
    config,
    db: database.db,
    dbKind: database.kind,
    cache,
    limits: createLimits(limitsRedis),
    presence,
    pubsub,
    tokens: createTokens(config.jwtSecret),
    rooms: new RoomDirectory(database.db, pubsub),
    settings: new Settings(database.db, pubsub),
    storage,
    mailer: outbox ? new RecordingMailer(baseMailer, outbox) : baseMailer,
    payments: createGateway(config),
    outbox,
    log: fastify.log,
    broadcast: noBroadcast,
    memberSync: { changed: async () => {} },
    sessionSockets: { ended: async () => {} },
    inboxEvents: { changed() {}, close() {} },
    notifications: { notify() {}, messageSent() {}, roomRead() {}, idle: async () => {}, close() {} },
    accountPresence: {
      connected: async () => {},
      heartbeat: async () => {},
      disconnected: async () => {},
      sweep: async () => {},
      profileChanged: async () => {},
      changed() {},
      close() {},
    },
    userSync: { changed: async () => {} },
    inflight: new Set(),
  };
  ctx.inboxEvents = new InboxNotifier(ctx);
  ctx.notifications = new NotificationService(ctx);
  ctx.accountPresence = new PresenceService(ctx);
  ctx.cache = new GuardedMessageCache(cache, (err, what) => fastify.log.warn({ err }, `message cache ${what} failed`));
  await ctx.rooms.start();
  await ctx.settings.start();
  const rollSweeper = startRollSweeper(ctx);
  const registrationSweeper = startPendingRegistrationSweeper(ctx);
  const paymentSweeper = startPaymentSweeper(ctx);
  const muteSweeper = startMuteSweeper(ctx);
  const mediaSweeper = startMediaSweeper(ctx);
  fastify.decorate('ctx', ctx);

  await fastify.register(cookie, { secret: cookieSigningKey(config.jwtSecret) });
  await fastify.register(cors, { origin: config.webOrigins, credentials: true });
  await fastify.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });

  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError(400, 'INVALID_JSON', 'The request body is not valid JSON.'), undefined);
    }
  });

  // CSRF: a cross-site form can send neither a JSON content type nor a custom header.
  // Every state-changing request is checked, whatever its URL says: the router
  // decodes paths (`/%61pi/…` is `/api/…`), so only the matched route may
  // exempt one — Stripe's webhook, which is signed instead.
  fastify.addHook('onRequest', async (req) => {
    if (!STATE_CHANGING.has(req.method)) return;
    if (req.routeOptions.url === WEBHOOK_PATH) return;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/json' || req.headers['x-chatpop-csrf'] === '1') return;
    throw new AppError(403, 'CSRF_REJECTED', 'This request must be sent as JSON from the ChatPop app.');
  });

  fastify.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.headers) void reply.headers(err.headers);
      return reply.code(err.status).send(err.toBody());
    }
    const known = translateFastifyError(err, req.routeOptions?.bodyLimit ?? BODY_LIMIT_BYTES);
    if (known) return reply.code(known.status).send(known.toBody());
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. Try again.' } });
  });
  fastify.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `There is nothing at ${req.method} ${req.url.split('?')[0]}.` } }),
  );

  fastify.get('/api/health', async (): Promise<HealthResponse> => {
    let cacheUp = true;
    try {
      await ctx.cache.count('health:probe');
    } catch {
      cacheUp = false;
    }
    return { status: cacheUp ? 'ok' : 'degraded', db: database.kind, cache: ctx.cache.kind, version: config.version };
  });
  await fastify.register(authRoutes);
  await fastify.register(chatRoutes);
  await fastify.register(messageRoutes);
  await fastify.register(usernameRoutes);
  await fastify.register(accountRoutes);
  if (config.devOutbox) await fastify.register(devRoutes);
  if (config.devSeed) await fastify.register(devSeedRoutes);
  await fastify.register(moderationRoutes);
  await fastify.register(paymentRoutes);
  await fastify.register(backroomRoutes);
  await fastify.register(pinRoutes);
  await fastify.register(tipRoutes);
  await fastify.register(conversationRoutes);
  await fastify.register(inviteRoutes);
  await fastify.register(contactRoutes);
  await fastify.register(groupAvatarRoutes);
  await fastify.register(conversationActionRoutes);
  await fastify.register(notificationRoutes);
  await fastify.register(searchRoutes);
  await fastify.register(mediaRoutes);

  await fastify.ready();
  const realtime = attachRealtime(ctx, fastify.server, adapterClients);

  let closing: Promise<void> | undefined;
  return {
    fastify,
    ctx,
    realtime,
    async listen() {
      await fastify.listen({ port: config.port, host: config.host });
      const warning = devOutboxWarning(config);
      if (warning) fastify.log.warn(`SECURITY WARNING: ${warning}`);
      const address = fastify.server.address();
      return typeof address === 'object' && address ? address.port : config.port;
    },
    close() {
      closing ??= (async () => {
        clearInterval(rollSweeper);
        clearInterval(registrationSweeper);
        clearInterval(paymentSweeper);
        clearInterval(muteSweeper);
        clearInterval(mediaSweeper);
        ctx.inboxEvents.close();
        await realtime.close();
        ctx.accountPresence.close();
        await fastify.close();
        await Promise.allSettled([...ctx.inflight]);
        ctx.notifications.close();
        await Promise.allSettled([ctx.cache.close(), presence.close(), pubsub.close()]);
        await ctx.mailer.close().catch(() => undefined);
        redisClients.forEach((c) => c.disconnect());
        await database.close();
        if (config.uploadsDirTemporary) await storage.destroy();
      })();
      return closing;
    },
  };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KiB`;
}

function translateFastifyError(err: FastifyError, bodyLimit: number): AppError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${formatBytes(bodyLimit)}.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'BAD_REQUEST', 'The request body is malformed.');
    default:
      if (err.statusCode === 400 && err instanceof SyntaxError) return new AppError(400, 'INVALID_JSON', 'The request body is not valid JSON.');
      return null;
  }
}
