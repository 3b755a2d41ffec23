import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** An empty variable (`DATABASE_URL=`) means unset, as in most tools. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(9000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optional(z.string().url()),
  REDIS_URL: optional(z.string().url()),
  DATA_DIR: z.string().default(path.join(REPO_ROOT, 'data')),
  /** Secret that signs access and chat session tokens. Generated into DATA_DIR when unset. */
  JWT_SECRET: optional(z.string().min(32, 'JWT_SECRET needs at least 32 characters.')),
  WEB_ORIGINS: z.string().default('http://localhost:4000,http://127.0.0.1:4000'),
  /**
   * Whose X-Forwarded-For to believe for client IPs (rate limits): `true`
   * (every hop), `false` (none), or a comma-separated list of proxy addresses,
   * CIDRs or the keywords `loopback`, `linklocal`, `uniquelocal`.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | string[] => {
      const value = v.trim().toLowerCase();
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0' || value === '') return false;
      return v.split(',').map((s) => s.trim()).filter(Boolean);
    }),
  COOKIE_SECURE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/).default('chatpop:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: optional(z.string()),
  /** Uploaded files (avatars); `DATA_DIR/uploads` by default. */
  UPLOADS_DIR: optional(z.string()),
  /** `smtp://user:pass@host:587` or `smtps://…`: mail goes out through it. Unset: to the server log and the dev outbox. */
  SMTP_URL: optional(z.string().url().refine((u) => /^smtps?:/.test(u), 'SMTP_URL must start with smtp:// or smtps://.')),
  MAIL_FROM: z.string().default('ChatPop <no-reply@chatpop.localhost>'),
  /** Where the web app is, for links in emails; the first of WEB_ORIGINS by default. */
  PUBLIC_WEB_URL: optional(z.string().url()),
  /**
   * The dev outbox (`/dev/outbox` on the API's port): the last mails this
   * process sent, reset links included, shown to this machine only. Off unless
   * asked for; without SMTP the links are in the server's log anyway.
   */
  DEV_OUTBOX: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /**
   * `POST /api/dev/conversations/:id/messages` (modules/dev/seed-routes.ts): fills a conversation
   * with many messages at once, for demos and tests; answers this machine only. Off unless asked for.
   */
  DEV_SEED: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Stripe (docs/payments.md): with both the secret key and the webhook secret set, payments go through Stripe; otherwise the test provider. */
  STRIPE_SECRET_KEY: optional(z.string().regex(/^(sk|rk)_/, 'STRIPE_SECRET_KEY starts with sk_ (or rk_).')),
  STRIPE_WEBHOOK_SECRET: optional(z.string().startsWith('whsec_', 'STRIPE_WEBHOOK_SECRET starts with whsec_.')),
  STRIPE_PUBLISHABLE_KEY: optional(z.string().startsWith('pk_', 'STRIPE_PUBLISHABLE_KEY starts with pk_.')),
  /** Where Stripe's API is (a local stand-in in tests); Stripe's own by default. */
  STRIPE_API_URL: optional(z.string().url()),
  /** How long a pending payment holds its seat or pin price before it expires. */
  PAYMENT_HOLD_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** How often each node looks for pending payments and pins whose time is up. */
  PAYMENTS_SWEEP_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** Multiplies every pin duration of SPEC §7 (demos and tests: 0.01 makes a $1 pin last 0.3 s). */
  PIN_DURATION_SCALE: z.coerce.number().positive().max(1).default(1),
  /** Multiplies the Inbox's timed mutes, 8 hours and 1 week (demos and tests: 0.0001 makes 8 hours last 2.9 s). */
  MUTE_DURATION_SCALE: z.coerce.number().positive().max(1).default(1),
  /** How often each node ends the timed mutes whose time is up and tells their owners' devices. */
  MUTE_SWEEP_MS: z.coerce.number().int().min(50).max(600_000).default(10_000),
  /**
   * A connection counts as present this long after its last heartbeat (SPEC §4: 60 s; clients heartbeat every 25 s).
   * Shorter values are for tests and demos.
   */
  PRESENCE_TTL_MS: z.coerce.number().int().min(200).max(600_000).default(60_000),
  /** How often each node drops connections whose heartbeats stopped. */
  PRESENCE_SWEEP_MS: z.coerce.number().int().min(50).max(60_000).default(15_000),
  /**
   * Web Push (docs/architecture.md, "Notifications"): with both VAPID keys set
   * (`npx web-push generate-vapid-keys`), devices may subscribe and get pushes.
   */
  VAPID_PUBLIC_KEY: optional(z.string().regex(/^[A-Za-z0-9_-]{80,100}$/, 'VAPID_PUBLIC_KEY is the base64url public key that web-push generates.')),
  VAPID_PRIVATE_KEY: optional(z.string().regex(/^[A-Za-z0-9_-]{40,50}$/, 'VAPID_PRIVATE_KEY is the base64url private key that web-push generates.')),
  /** Who the push services may contact about this server: a mailto: or https: URL. */
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:\/\/)/, 'VAPID_SUBJECT must be a mailto: or https:// URL.').default('mailto:push@chatpop.localhost'),
  /** Uploaded photos never sent in a message are removed after this long (docs/architecture.md, "Media"). */
  MEDIA_UNSENT_TTL_MS: z.coerce.number().int().min(100).max(7 * 86_400_000).default(3_600_000),
  /** How often each node removes unsent uploads past their time and the media of deleted messages. */
  MEDIA_SWEEP_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  /** Tests only (NODE_ENV=test): accept plain-http push endpoints (a push service on localhost). */
  PUSH_ALLOW_HTTP: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Tests only (NODE_ENV=test): a new message containing this text is committed but never cached, acknowledged or broadcast. */
  TEST_HOLD_CACHE_WRITE: optional(z.string().min(8)),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  /** `memory://` keeps PGlite in memory (tests); otherwise a folder. */
  dataDir: string;
  jwtSecret: string;
  webOrigins: string[];
  trustProxy: boolean | string[];
  cookieSecure: boolean;
  logLevel: string;
  version: string;
  uploadsDir: string;
  /** The uploads folder was made for this process (DATA_DIR=memory://) and goes when it stops. */
  uploadsDirTemporary: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicWebUrl: string;
  devOutbox: boolean;
  stripe: { secretKey: string; webhookSecret: string; publishableKey: string; apiUrl: string | undefined } | null;
  paymentHoldSeconds: number;
  paymentsSweepMs: number;
  pinDurationScale: number;
  muteDurationScale: number;
  devSeed: boolean;
  muteSweepMs: number;
  presenceTtlMs: number;
  presenceSweepMs: number;
  mediaUnsentTtlMs: number;
  mediaSweepMs: number;
  /** A test hook, null outside NODE_ENV=test (modules/messages/service.ts, holdForTest). */
  testHoldCacheWrite: string | null;
  /** Web Push, when both VAPID keys are set; null: push is off. `allowHttp` only under NODE_ENV=test. */
  push: { publicKey: string; privateKey: string; subject: string; allowHttp: boolean } | null;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.VAPID_PUBLIC_KEY) !== Boolean(e.VAPID_PRIVATE_KEY)) {
    throw new ConfigError('Invalid configuration:\n  VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both (npx web-push generate-vapid-keys) or neither.');
  }
  const webOrigins = e.WEB_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    dataDir: e.DATA_DIR,
    jwtSecret: e.JWT_SECRET ?? localSecret(e.DATA_DIR),
    webOrigins,
    trustProxy: e.TRUST_PROXY,
    cookieSecure: e.COOKIE_SECURE,
    logLevel: e.LOG_LEVEL,
    version: readVersion(),
    uploadsDir: e.UPLOADS_DIR ?? (e.DATA_DIR === 'memory://' ? mkdtempSync(path.join(os.tmpdir(), 'chatpop-uploads-')) : path.join(e.DATA_DIR, 'uploads')),
    uploadsDirTemporary: !e.UPLOADS_DIR && e.DATA_DIR === 'memory://',
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicWebUrl: (e.PUBLIC_WEB_URL ?? webOrigins[0] ?? 'http://localhost:4000').replace(/\/+$/, ''),
    devOutbox: e.DEV_OUTBOX,
    stripe:
      e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
        ? {
            secretKey: e.STRIPE_SECRET_KEY,
            webhookSecret: e.STRIPE_WEBHOOK_SECRET,
            publishableKey: e.STRIPE_PUBLISHABLE_KEY ?? '',
            apiUrl: e.STRIPE_API_URL,
          }
        : null,
    paymentHoldSeconds: e.PAYMENT_HOLD_SECONDS,
    paymentsSweepMs: e.PAYMENTS_SWEEP_MS,
    pinDurationScale: e.PIN_DURATION_SCALE,
    muteDurationScale: e.MUTE_DURATION_SCALE,
    devSeed: e.DEV_SEED,
    muteSweepMs: e.MUTE_SWEEP_MS,
    presenceTtlMs: e.PRESENCE_TTL_MS,
    presenceSweepMs: e.PRESENCE_SWEEP_MS,
    mediaUnsentTtlMs: e.MEDIA_UNSENT_TTL_MS,
    mediaSweepMs: e.MEDIA_SWEEP_MS,
    testHoldCacheWrite: e.NODE_ENV === 'test' ? (e.TEST_HOLD_CACHE_WRITE ?? null) : null,
    push:
      e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
        ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT, allowHttp: e.NODE_ENV === 'test' && e.PUSH_ALLOW_HTTP }
        : null,
  };
}

/**
 * Zero setup: one machine keeps its signing secret in the data folder. Several
 * nodes must share JWT_SECRET instead.
 */
function localSecret(dataDir: string): string {
  if (dataDir === 'memory://') return randomBytes(32).toString('hex');
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'apps/server/package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
