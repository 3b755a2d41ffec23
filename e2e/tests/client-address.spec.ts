import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

// The built web app, started on its own port as `npm start` starts it, in
// front of a stand-in API that records what reaches it: a visitor who forges
// X-Forwarded-For must reach the API as the address they really came from.

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps/web');

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

async function freePort() {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  return port;
}

async function startWeb(command: string[], port: number, apiUrl: string): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, WEB_PORT: String(port), API_URL: apiUrl };
  delete env.WEB_TRUST_PROXY;
  delete env.NODE_ENV;
  const child = spawn(command[0]!, command.slice(1), { cwd: WEB_DIR, env, stdio: 'ignore', detached: true });
  await expect(async () => {
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  }).toPass({ timeout: 60_000 });
  return child;
}

const stop = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
};

const FORGED = { 'x-forwarded-for': '203.0.113.66', forwarded: 'for=203.0.113.67', 'x-real-ip': '203.0.113.68' };

test.describe('the visitor’s address on its way to the API', () => {
  const seen: IncomingHttpHeaders[] = [];
  let api: Server;
  let apiUrl: string;
  test.beforeAll(async () => {
    api = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
    apiUrl = `http://127.0.0.1:${await listen(api)}`;
  });
  test.afterAll(async () => {
    await new Promise((r) => api.close(r));
  });
  test.beforeEach(() => {
    seen.length = 0;
  });

  test('is the one the web app’s server saw on its socket, not the one the visitor wrote', async () => {
    test.setTimeout(120_000);
    const port = await freePort();
    const web = await startWeb(['node', '--import', 'tsx', 'server.ts'], port, apiUrl);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`, { headers: FORGED });
      expect(res.status).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]!['x-forwarded-for']).toBe('127.0.0.1');
      expect(JSON.stringify(seen[0])).not.toContain('203.0.113');
    } finally {
      stop(web);
    }
  });

  test('is not passed on at all by a bare `next start`, which cannot tell the real one', async () => {
    test.setTimeout(120_000);
    const port = await freePort();
    const web = await startWeb(['npx', 'next', 'start', '-p', String(port)], port, apiUrl);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/api/health`, { headers: FORGED })).status).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]!['x-forwarded-for']).toBeUndefined();
      expect(JSON.stringify(seen[0])).not.toContain('203.0.113');
    } finally {
      stop(web);
    }
  });
});
