import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET } from '../app/api/[...path]/route';
import { CLIENT_ADDRESS_SET, markClientAddressSet, setClientAddress, trustFrom, type Trust } from './client-address';

// The visitor's address on its way to the API: the web server sets it from
// the socket (setClientAddress) and the /api relay (the route handler) passes
// it on. Both run here as they do in server.ts, over real HTTP; the API is a
// stand-in that records what reaches it.

const seen: IncomingHttpHeaders[] = [];
let api: Server;
const webs: Server[] = [];

const listen = (server: Server, host: string) =>
  new Promise<number>((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));

/** The web server of server.ts, with `trust` as its WEB_TRUST_PROXY, Next's part played by a call to the relay. */
async function webServer(trust: Trust, host = '127.0.0.1') {
  const server = createServer(async (req: IncomingMessage, res) => {
    setClientAddress(req, trust);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const reply = await GET(new Request(`http://${req.headers.host}${req.url}`, { headers }) as Parameters<typeof GET>[0]);
    res.writeHead(reply.status, { 'content-type': reply.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await reply.arrayBuffer()));
  });
  webs.push(server);
  return listen(server, host);
}

/** GET through the web server from this process, to `address` (whose socket address the server sees). */
function get(address: string, port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: address, port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const externalAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

const FORGED = {
  'x-forwarded-for': '203.0.113.66',
  forwarded: 'for=203.0.113.67',
  'x-real-ip': '203.0.113.68',
  'x-forwarded-host': 'evil.example',
};

beforeAll(async () => {
  api = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  process.env.API_URL = `http://127.0.0.1:${await listen(api, '127.0.0.1')}`;
  markClientAddressSet();
});
beforeEach(() => {
  seen.length = 0;
});
afterAll(async () => {
  for (const s of [api, ...webs]) await new Promise((r) => s.close(r));
});

describe('the address the API is told, through the /api relay', () => {
  it('is the socket’s peer, whatever the visitor says about themselves', async () => {
    const port = await webServer(trustFrom(undefined));
    const res = await get('127.0.0.1', port, '/api/health', FORGED);
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!['x-forwarded-for']).toBe('127.0.0.1');
    expect(JSON.stringify(seen[0])).not.toMatch(/203\.0\.113|evil\.example/);
  });

  it('is written as plain IPv4 for an IPv4 visitor of a dual-stack socket', async () => {
    const port = await webServer(trustFrom(undefined), '::');
    await get('127.0.0.1', port, '/api/health', FORGED);
    expect(seen[0]!['x-forwarded-for']).toBe('127.0.0.1');
  });

  it.skipIf(!externalAddress)('is another machine’s own address, also where a proxy on this machine is trusted', async () => {
    const port = await webServer(trustFrom('loopback'), '0.0.0.0');
    await get(externalAddress!, port, '/api/health', FORGED);
    expect(seen[0]!['x-forwarded-for']).toBe(externalAddress);
  });

  it('is what a trusted proxy in front saw (WEB_TRUST_PROXY), and only the hop it saw', async () => {
    const port = await webServer(trustFrom('loopback'));
    await get('127.0.0.1', port, '/api/health', { 'x-forwarded-for': '198.51.100.7' });
    await get('127.0.0.1', port, '/api/health', { 'x-forwarded-for': '203.0.113.66, 198.51.100.8' });
    expect(seen.map((h) => h['x-forwarded-for'])).toEqual(['198.51.100.7', '198.51.100.8']);
  });

  it('is left out entirely when the web app runs without its server (a bare next start)', async () => {
    const port = await webServer(trustFrom(undefined));
    (globalThis as Record<symbol, unknown>)[CLIENT_ADDRESS_SET] = false;
    try {
      await get('127.0.0.1', port, '/api/health', FORGED);
    } finally {
      markClientAddressSet();
    }
    expect(seen[0]!['x-forwarded-for']).toBeUndefined();
  });
});

describe('the relay', () => {
  it('never relays the dev outbox, however the path is spelled', async () => {
    const port = await webServer(trustFrom(undefined));
    for (const path of ['/api/dev/outbox', '/api/%64ev/outbox', '/api//dev/outbox', '/api/DEV/outbox']) {
      const res = await get('127.0.0.1', port, path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body).error.code).toBe('NOT_FOUND');
    }
    expect(seen).toEqual([]);
  });
});

describe('WEB_TRUST_PROXY', () => {
  it('reads like the API’s TRUST_PROXY', () => {
    expect(trustFrom(undefined)('127.0.0.1', 0)).toBe(false);
    expect(trustFrom('false')('127.0.0.1', 0)).toBe(false);
    expect(trustFrom('true')('203.0.113.1', 0)).toBe(true);
    const local = trustFrom('loopback, 10.0.0.0/8');
    expect(['127.0.0.1', '::1', '10.1.2.3'].map((a) => local(a, 0))).toEqual([true, true, true]);
    expect(local('192.0.2.2', 0)).toBe(false);
  });
});
