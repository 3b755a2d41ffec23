import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import { containsProfanity, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '@chatpop/protocol';
import { createApp, type App } from '../src/app';
import { loadConfig, type Config } from '../src/config';

export type Backend = 'embedded' | 'networked';
export const backend: Backend = process.env.CHATPOP_TEST_BACKEND === 'networked' ? 'networked' : 'embedded';

/** A fresh PostgreSQL database for one test file, dropped when it ends. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `chatpop_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestApp {
  app: App;
  port: number;
  url: string;
  config: Config;
  /** A client with its own cookie jar and its own (forwarded) IP address. */
  client(ip?: string): HttpClient;
  /** Stops the app and, on PostgreSQL, keeps the database unless `final`. */
  stop(): Promise<void>;
  /** Stops and removes everything this test app created. */
  destroy(): Promise<void>;
}

let ipCounter = 1;
export const nextIp = () => `10.0.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;

export interface StartOptions {
  dataDir?: string;
  databaseUrl?: string;
  redisPrefix?: string;
  jwtSecret?: string;
  /** More environment, e.g. SMTP_URL or DEV_OUTBOX. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the real app on a random port over the backend under test:
 * PGlite in memory and in-process cache, or PostgreSQL and Redis.
 */
export async function startApp(opts: StartOptions = {}): Promise<TestApp> {
  let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    TRUST_PROXY: 'true',
    JWT_SECRET: opts.jwtSecret ?? randomBytes(32).toString('hex'),
    DATA_DIR: opts.dataDir ?? 'memory://',
    ...opts.env,
  };
  if (backend === 'networked') {
    if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
    else {
      db = await freshDatabase();
      env.DATABASE_URL = db.url;
    }
    env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_PREFIX = opts.redisPrefix ?? `t${randomBytes(4).toString('hex')}:`;
  }
  const config = loadConfig(env);
  const app = await createApp(config);
  const port = await app.listen();
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    port,
    url,
    config,
    client: (ip = nextIp()) => new HttpClient(url, ip),
    stop: () => app.close(),
    async destroy() {
      await app.close();
      await db?.drop();
    },
  };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch with a cookie jar, as a browser would hold one. */
export class HttpClient {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly ip: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = {
      method,
      headers: {
        'x-forwarded-for': this.ip,
        ...(this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    };
    const res = await fetch(this.baseUrl + path, init);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('POST', path, body);
  }
  patch<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path, undefined, { 'x-chatpop-csrf': '1' });
  }
}

/** The device id the server issued to this client: its `cp_did` cookie without the signature. */
export function deviceIdOf(client: HttpClient): string | null {
  const raw = client.cookies.get('cp_did');
  if (!raw) return null;
  const value = decodeURIComponent(raw);
  const dot = value.lastIndexOf('.');
  return dot > 0 ? value.slice(0, dot) : value;
}

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectSocket(url: string, chatTokens: string[]): Promise<ClientSocket> {
  const socket: ClientSocket = ioClient(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { chatTokens },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/**
 * A connection signed in as an account, as the web makes it: the access
 * cookie rides along (`withCredentials`), or, with `field`, the token is in
 * the handshake's `auth.accessToken`. Chat tokens may come too.
 */
export function connectAccountSocket(
  url: string,
  client: HttpClient,
  opts: { chatTokens?: string[]; field?: boolean } = {},
): Promise<ClientSocket> {
  const token = client.cookies.get('cp_at');
  if (!token) throw new Error('this client is not signed in');
  const socket: ClientSocket = ioClient(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { chatTokens: opts.chatTokens ?? [], ...(opts.field ? { accessToken: token } : {}) },
    ...(opts.field ? {} : { extraHeaders: { cookie: `cp_at=${token}` } }),
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** How long `call` waits for an acknowledgement before it fails the test with a clear message. */
export const ACK_TIMEOUT_MS = 15_000;

/**
 * Emits an event and resolves with its acknowledgement; rejects, naming the
 * event and the socket's state, when none comes (a dropped connection would
 * otherwise hang the test until its own timeout).
 */
export function call<T extends object>(socket: ClientSocket, event: string, payload?: unknown): Promise<Ack<T>> {
  return new Promise((resolve, reject) => {
    const emit = socket.timeout(ACK_TIMEOUT_MS).emit.bind(socket.timeout(ACK_TIMEOUT_MS)) as (event: string, ...args: unknown[]) => void;
    const done = (err: Error | null, ack: Ack<T>) => {
      if (err) reject(new Error(`no acknowledgement of ${event} within ${ACK_TIMEOUT_MS} ms (socket ${socket.connected ? 'connected' : 'disconnected'})`));
      else resolve(ack);
    };
    if (payload === undefined) emit(event, done);
    else emit(event, payload, done);
  });
}

/** Collects every event of one name that a socket receives. */
export function collect<T>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  (socket.on as (e: string, fn: (p: T) => void) => void)(event, (p: T) => seen.push(p));
  return seen;
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let userCounter = 0;
/**
 * Registers an account, confirms its email as its link would, and returns its
 * signed-in client. (The mail itself is tested in auth.test.ts.)
 */
export async function registerUser(t: TestApp, username?: string) {
  const client = t.client();
  const n = ++userCounter;
  const email = `user${n}-${randomBytes(3).toString('hex')}@example.com`;
  const res = await client.post('/api/auth/register', { email, password: 'Passw0rd!', ...(username ? { username } : {}) });
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const confirmed = await client.post('/api/auth/confirm-email', { token: await confirmationToken(t, email) });
  if (confirmed.status !== 200) throw new Error(`confirm failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { client, user: confirmed.body.user as { id: string; username: string | null; email: string } };
}

/**
 * Registers through `client` (its cookies, its IP) and confirms from the
 * link: the reply of the confirmation, which signs `client` in.
 */
export async function signUp(t: TestApp, client: HttpClient, body: { email: string; password: string; username?: string }, headers: Record<string, string> = {}) {
  const res = await client.request('POST', '/api/auth/register', body, headers);
  if (res.status !== 202) return res;
  return client.request('POST', '/api/auth/confirm-email', { token: await confirmationToken(t, body.email.trim().toLowerCase()) }, headers);
}

/** The token of the confirmation link a registration would mail to this address. */
export async function confirmationToken(t: TestApp, email: string): Promise<string> {
  const { findUserByEmail } = await import('../src/modules/auth/repo');
  const user = await findUserByEmail(t.app.ctx.db, email);
  if (!user) throw new Error(`no account for ${email}`);
  return t.app.ctx.tokens.signEmailConfirmation({ userId: user.id, registrationId: user.registrationId });
}

/** A random host name that the profanity check lets through (random hex can spell a word it refuses). */
function randomHostName(): string {
  for (;;) {
    const name = `Host${randomBytes(3).toString('hex')}`;
    if (!containsProfanity(name)) return name;
  }
}

/** A host with a reserved username and a chat of theirs. */
export async function hostWithChat(t: TestApp, chat: Record<string, unknown> = {}, username = randomHostName()) {
  const host = await registerUser(t, username);
  const res = await host.client.post('/api/chats', { name: 'Test chat', ...chat });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...host, chat: res.body.chat as { roomId: string; code: string; accessCode?: string; name: string } };
}

/** Rolls the dice in a chat; returns the rolled name and the reply. */
export async function rollName(client: HttpClient, code: string) {
  const res = await client.post(`/api/chats/${code}/usernames/roll`);
  if (res.status !== 200) throw new Error(`roll failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.username as string;
}

/** Rolls a name and joins with it: the reply of the join. */
export async function rollAndJoin(client: HttpClient, code: string) {
  const username = await rollName(client, code);
  return client.post(`/api/chats/${code}/join`, { username });
}

/** An anonymous visitor who rolls a name and joins a chat with it; returns the client, member and token. */
export async function guestJoins(t: TestApp, code: string, client = t.client()) {
  const res = await rollAndJoin(client, code);
  if (res.status !== 201 && res.status !== 200) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { client, member: res.body.member as { id: string; username: string; role: string; verified: boolean }, token: res.body.token as string };
}

/**
 * Writes many messages through the real write path (transaction, seq, cache,
 * broadcast) without the per-sender rate limits a socket send has.
 */
export async function seedMessages(t: TestApp, roomId: string, memberId: string, count: number, prefix = 'seed') {
  const { sendMessage } = await import('../src/modules/messages/service');
  const { findMember } = await import('../src/modules/chats/repo');
  const room = (await t.app.ctx.rooms.byRoomId(roomId))!;
  const member = (await findMember(t.app.ctx.db, memberId))!;
  const sent = [];
  for (let i = 0; i < count; i++) {
    const { message } = await sendMessage(t.app.ctx, room, member, { clientId: `${prefix}-${i}-${roomId.slice(0, 8)}`, content: `${prefix} ${i}` });
    t.app.ctx.broadcast.message(room, message);
    sent.push(message);
  }
  return sent;
}

/** An Inbox user: a confirmed account with a reserved username. */
export interface InboxPerson {
  client: HttpClient;
  id: string;
  username: string;
}

/** Registers an Inbox user whose username starts with `prefix` (never a profane one, so it is always accepted). */
export async function inboxPerson(t: TestApp, prefix: string): Promise<InboxPerson> {
  let username: string;
  do username = `${prefix}${randomBytes(3).toString('hex')}`;
  while (containsProfanity(username));
  const { client, user } = await registerUser(t, username);
  return { client, id: user.id, username };
}
