import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpClient, freshDatabase, nextIp, until } from './harness';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  client(ip?: string): HttpClient;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `src/main.ts` as its own process, the way `npm start` runs the server. */
export async function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', TRUST_PROXY: 'true', DEV_OUTBOX: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
      return fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    },
    60_000,
    'server start',
  );
  return {
    url,
    child,
    output: () => out,
    client: (ip = nextIp()) => new HttpClient(url, ip),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export const randomSecret = () => randomBytes(32).toString('hex');

/**
 * Two server processes on one fresh PostgreSQL database and one Redis, as
 * behind a load balancer (keys under a prefix of their own). Their teardown
 * goes on `cleanups`; `env` adds settings both nodes share.
 */
export async function startTwoNodes(
  name: string,
  cleanups: (() => Promise<void> | void)[],
  env: NodeJS.ProcessEnv = {},
): Promise<[ServerProcess, ServerProcess]> {
  const db = await freshDatabase();
  cleanups.push(() => db.drop());
  const shared = { DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL, REDIS_PREFIX: `${name}${Date.now()}:`, JWT_SECRET: randomSecret(), ...env };
  const nodes = (await Promise.all([startServerProcess(shared), startServerProcess(shared)])) as [ServerProcess, ServerProcess];
  cleanups.push(() => void nodes[0].stop('SIGKILL'), () => void nodes[1].stop('SIGKILL'));
  return nodes;
}

/**
 * Registers through `client` on a server process and confirms from the link
 * the process mailed (read from its dev outbox): `client` ends up signed in.
 */
export async function signUpThroughMail(client: HttpClient, body: { email: string; password: string; username?: string }) {
  const res = await client.post('/api/auth/register', body);
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  let token: string | undefined;
  await until(async () => {
    // The outbox answers this machine only: asked directly, without the client's forwarded address.
    const { mails } = (await (await fetch(`${client.baseUrl}/api/dev/outbox`)).json()) as { mails: { to: string; text: string }[] };
    token = mails.map((m) => (m.to === body.email ? /confirm-email\?token=([\w.-]+)/.exec(m.text)?.[1] : undefined)).find(Boolean);
    return token !== undefined;
  }, 10_000, 'the confirmation mail');
  const confirmed = await client.post('/api/auth/confirm-email', { token });
  if (confirmed.status !== 200) throw new Error(`confirm failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
}
