import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { backend, registerUser, startApp, until, type TestApp } from '../../../test/harness';
import { startServerProcess } from '../../../test/process';
import { devOutboxWarning, isFromThisMachine } from './routes';

// The dev outbox holds live reset links: it must answer the person at this
// machine and nobody else (issue: account takeover through the outbox).

interface RawReply {
  status: number;
  type: string;
  body: string;
}

/** A GET with exactly these headers, from this process to `address` (whose socket address the server sees). */
function rawGet(address: string, port: number, path: string, headers: Record<string, string> = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: address, port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An address of this machine that is not loopback, when it has one. */
const externalAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

let on: TestApp;
let email: string;
beforeAll(async () => {
  // Listening on every interface, as `npm start` does by default.
  on = await startApp({ env: { DEV_OUTBOX: 'true', HOST: '0.0.0.0', PUBLIC_WEB_URL: 'https://chat.example' } });
  email = (await registerUser(on)).user.email;
  const res = await on.client().post('/api/auth/password-reset', { email });
  expect(res.status).toBe(202);
  await until(() => on.app.ctx.outbox!.list().some((m) => m.to === email && /Reset/.test(m.subject)), 5000, 'the reset mail');
});
afterAll(async () => {
  await on.destroy();
});

describe(`the dev outbox, where DEV_OUTBOX=true (${backend})`, () => {
  it('shows this machine the mails sent, newest first, as JSON and as a page with the links', async () => {
    const json = await rawGet('127.0.0.1', on.port, '/api/dev/outbox');
    expect(json.status).toBe(200);
    const mails = JSON.parse(json.body).mails as { to: string; subject: string; text: string }[];
    expect(mails[0]).toMatchObject({ to: email, subject: 'Reset your ChatPop password' });
    expect(mails[0]!.text).toContain('https://chat.example/reset-password?token=');
    const page = await rawGet('127.0.0.1', on.port, '/dev/outbox', { host: `localhost:${on.port}` });
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toMatch(/<a href="https:\/\/chat\.example\/reset-password\?token=[\w-]+">/);
  });

  it('is not there for a request that came through a proxy on this machine (the web app’s /api, nginx)', async () => {
    const proxied: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.7' },
      { 'x-forwarded-for': '127.0.0.1' },
      { forwarded: 'for=203.0.113.7' },
      { 'x-real-ip': '203.0.113.7' },
      { via: '1.1 nginx' },
      { 'x-forwarded-host': 'chat.example' },
    ];
    for (const headers of proxied) {
      for (const path of ['/api/dev/outbox', '/dev/outbox']) {
        const res = await rawGet('127.0.0.1', on.port, path, headers);
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(404);
        expect(JSON.parse(res.body).error.code).toBe('NOT_FOUND');
        expect(res.body).not.toContain('token=');
      }
    }
  });

  it('is not there for a page of another site whose name points at this machine (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${on.port}`, `127.0.0.1.evil.example:${on.port}`, `localhost.evil.example`]) {
      const res = await rawGet('127.0.0.1', on.port, '/api/dev/outbox', { host });
      expect(res.status, host).toBe(404);
      expect(res.body).not.toContain('token=');
    }
  });

  it.skipIf(!externalAddress)('is not there for another machine, whatever it claims to be', async () => {
    // The socket's address is this machine's network address, not loopback.
    const claims: Record<string, string>[] = [{}, { host: `localhost:${on.port}` }, { host: `127.0.0.1:${on.port}` }];
    for (const headers of claims) {
      const res = await rawGet(externalAddress!, on.port, '/api/dev/outbox', headers);
      expect(res.status, JSON.stringify(headers)).toBe(404);
      expect(res.body).not.toContain('token=');
    }
    // The rest of the API answers there, so it is the outbox that refused.
    expect((await rawGet(externalAddress!, on.port, '/api/health')).status).toBe(200);
  });
});

describe(`the dev outbox by default (${backend})`, () => {
  it('is off: no outbox kept, and a plain 404 even on this machine', async () => {
    const off = await startApp();
    try {
      expect(off.app.ctx.outbox).toBeNull();
      for (const path of ['/api/dev/outbox', '/dev/outbox']) {
        const res = await rawGet('127.0.0.1', off.port, path);
        expect(res.status).toBe(404);
        expect(JSON.parse(res.body).error.code).toBe('NOT_FOUND');
      }
    } finally {
      await off.destroy();
    }
  });

  it('is on only when DEV_OUTBOX says so, whatever the database or mode', () => {
    const base = { DATA_DIR: 'memory://', JWT_SECRET: 'x'.repeat(64) };
    expect(loadConfig(base).devOutbox).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).devOutbox).toBe(false);
    expect(loadConfig({ ...base, DEV_OUTBOX: '' }).devOutbox).toBe(false);
    expect(loadConfig({ ...base, DEV_OUTBOX: 'true' }).devOutbox).toBe(true);
    expect(loadConfig({ ...base, DEV_OUTBOX: '1', DATABASE_URL: 'postgres://db/chatpop' }).devOutbox).toBe(true);
    expect(() => loadConfig({ ...base, DEV_OUTBOX: 'yes' })).toThrow(/DEV_OUTBOX/);
  });
});

describe('who counts as this machine', () => {
  const req = (remoteAddress: string | undefined, headers: Record<string, string> = {}) => ({ raw: { socket: { remoteAddress } }, headers });
  it('a loopback socket with a loopback Host and no forwarding header', () => {
    for (const peer of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) {
      for (const host of ['localhost', 'localhost:9000', '127.0.0.1:9000', '[::1]:9000', 'LOCALHOST:9000']) {
        expect(isFromThisMachine(req(peer, { host })), `${peer} ${host}`).toBe(true);
      }
    }
  });
  it('nobody else', () => {
    for (const peer of ['10.0.0.1', '192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', '128.0.0.1', '1127.0.0.1', undefined]) {
      expect(isFromThisMachine(req(peer, { host: 'localhost:9000' })), String(peer)).toBe(false);
    }
    expect(isFromThisMachine(req('127.0.0.1', {}))).toBe(false);
    expect(isFromThisMachine(req('127.0.0.1', { host: 'localhost:9000', 'x-forwarded-for': '127.0.0.1' }))).toBe(false);
    expect(isFromThisMachine(req('127.0.0.1', { host: 'chat.example' }))).toBe(false);
  });
});

describe('the start-up warning', () => {
  it('is given when the outbox is on and the server listens beyond loopback', () => {
    expect(devOutboxWarning({ devOutbox: true, host: '0.0.0.0' })).toMatch(/DEV_OUTBOX is on/);
    expect(devOutboxWarning({ devOutbox: true, host: '::' })).toMatch(/DEV_OUTBOX is on/);
    expect(devOutboxWarning({ devOutbox: true, host: '192.0.2.2' })).toMatch(/DEV_OUTBOX is on/);
    expect(devOutboxWarning({ devOutbox: true, host: '127.0.0.1' })).toBeNull();
    expect(devOutboxWarning({ devOutbox: true, host: 'localhost' })).toBeNull();
    expect(devOutboxWarning({ devOutbox: false, host: '0.0.0.0' })).toBeNull();
  });
});

describe("the server's own output, the way npm start runs it", () => {
  it('warns loudly with the outbox on beyond loopback, and prints the confirmation link that signs a new account in', async () => {
    const server = await startServerProcess({ DATA_DIR: 'memory://', HOST: '0.0.0.0', DEV_OUTBOX: 'true', LOG_LEVEL: 'info' });
    try {
      await until(() => /SECURITY WARNING: DEV_OUTBOX is on/.test(server.output()), 5000, 'the warning');
      const client = server.client();
      const address = `first-run-${Date.now()}@example.com`;
      expect((await client.post('/api/auth/register', { email: address, password: 'Passw0rd!' })).status).toBe(202);
      let link: string | undefined;
      await until(
        () => {
          const line = server
            .output()
            .split('\n')
            .find((l) => l.includes(`Mail to ${address}`));
          link = line && /Open (https?:\/\/\S+confirm-email\?token=[\w.-]+)/.exec(line)?.[1];
          return link !== undefined;
        },
        10_000,
        'the link in the output',
      );
      const token = new URL(link!).searchParams.get('token');
      const confirmed = await client.post('/api/auth/confirm-email', { token });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.user.email).toBe(address);
    } finally {
      await server.stop();
    }
  });

  it('starts quietly with the outbox off', async () => {
    const server = await startServerProcess({ DATA_DIR: 'memory://', HOST: '0.0.0.0', DEV_OUTBOX: 'false', LOG_LEVEL: 'info' });
    try {
      await until(() => /ChatPop server ready/.test(server.output()), 5000, 'the ready line');
      expect(server.output()).not.toMatch(/SECURITY WARNING/);
    } finally {
      await server.stop();
    }
  });
});
