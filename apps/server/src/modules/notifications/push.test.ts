import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { importJWK, jwtVerify } from 'jose';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, PushPayload } from '@chatpop/protocol';
import { call, connectAccountSocket, inboxPerson, startApp, until, type ClientSocket, type InboxPerson, type TestApp } from '../../../test/harness';

/**
 * A push service on localhost: it takes what the server sends as a browser's
 * push service would, answering 201, or 404/410 for a subscription it no
 * longer knows.
 */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
let pushService: Server;
let pushUrl: string;
const received: Received[] = [];

const vapid = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:ops@chatpop.test';
let t: TestApp;
let off: TestApp;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  pushService = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = req.url?.startsWith('/gone/') ? 410 : req.url?.startsWith('/missing/') ? 404 : 201;
      res.end();
    });
  });
  await new Promise<void>((resolve) => pushService.listen(0, '127.0.0.1', resolve));
  pushUrl = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}`;
  [t, off] = await Promise.all([
    startApp({ env: { NODE_ENV: 'test', PUSH_ALLOW_HTTP: 'true', VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: SUBJECT } }),
    startApp(),
  ]);
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await Promise.all([t.destroy(), off.destroy()]);
  await new Promise((resolve) => pushService.close(resolve));
});

/** A browser's side of a subscription: its P-256 key pair and auth secret, made as a browser makes them. */
function deviceKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

/** Decrypts a push message (RFC 8291, aes128gcm) with the device's keys. */
function decrypt(device: ReturnType<typeof deviceKeys>, body: Buffer): PushPayload {
  const plain = ece.decrypt(body, { version: 'aes128gcm', privateKey: device.ecdh, authSecret: device.auth.toString('base64url') });
  return JSON.parse(plain.toString('utf8')) as PushPayload;
}

/** Checks the VAPID JWT (RFC 8292) against the server's public key: audience, subject, expiry. */
async function verifyVapid(headers: IncomingHttpHeaders) {
  const header = String(headers.authorization ?? '');
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
  expect(match, header).not.toBeNull();
  expect(match![2]).toBe(vapid.publicKey);
  const raw = Buffer.from(vapid.publicKey, 'base64url');
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') }, 'ES256');
  const { payload, protectedHeader } = await jwtVerify(match![1]!, key, { audience: pushUrl, subject: SUBJECT });
  expect(protectedHeader.alg).toBe('ES256');
  expect(payload.exp! * 1000).toBeGreaterThan(Date.now());
  // A key of another server does not verify it.
  const other = Buffer.from(webpush.generateVAPIDKeys().publicKey, 'base64url');
  const wrong = await importJWK({ kty: 'EC', crv: 'P-256', x: other.subarray(1, 33).toString('base64url'), y: other.subarray(33, 65).toString('base64url') }, 'ES256');
  await expect(jwtVerify(match![1]!, wrong)).rejects.toThrow();
}

async function socketOf(p: InboxPerson) {
  const s = await connectAccountSocket(t.url, p.client);
  sockets.push(s);
  return s;
}

async function sendIn(socket: ClientSocket, roomId: string, content: string) {
  expect((await call(socket, 'room:join', { roomId, afterSeq: 0 })).ok).toBe(true);
  const res = await call<{ message: Message }>(socket, 'message:send', { roomId, clientId: `p-${randomBytes(6).toString('hex')}`, content });
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return res.message;
}

async function direct(a: InboxPerson, b: InboxPerson): Promise<string> {
  return (await a.client.post('/api/conversations/direct', { username: b.username })).body.conversation.id;
}

const pathOf = (endpoint: string) => new URL(endpoint).pathname;

describe('Web Push', () => {
  it('sends a push the device can decrypt, signed with the server’s VAPID key', async () => {
    const [ann, bob] = await Promise.all([inboxPerson(t, 'pann'), inboxPerson(t, 'pbob')]);
    const status = await bob.client.get('/api/push');
    expect(status.body).toEqual({ enabled: true, publicKey: vapid.publicKey, devices: [] });

    const phone = deviceKeys();
    const endpoint = `${pushUrl}/ok/${randomBytes(8).toString('hex')}`;
    const sub = await bob.client.request('POST', '/api/push/subscriptions', { endpoint, expirationTime: null, keys: phone.keys }, { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36' });
    expect(sub.status).toBe(201);
    expect(sub.body.devices).toMatchObject([{ label: 'Chrome on Android' }]);

    const dm = await direct(ann, bob);
    const sent = await sendIn(await socketOf(ann), dm, 'a push for bob');
    await until(() => received.some((r) => r.path === pathOf(endpoint)), 5_000, 'the push request');
    const request = received.find((r) => r.path === pathOf(endpoint))!;
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(request.headers.ttl)).toBeGreaterThan(0);
    await verifyVapid(request.headers);
    const payload = decrypt(phone, request.body);
    expect(payload).toMatchObject({
      title: `New message from ${ann.username}`,
      body: 'a push for bob',
      link: `/inbox/${dm}?at=${sent.seq}`,
      unread: 1,
    });
    // Nobody else's key opens it.
    expect(() => decrypt(deviceKeys(), request.body)).toThrow();
  });

  it('sends none for the conversation the user has open on any device, nor for a muted one', async () => {
    const [ann, bob] = await Promise.all([inboxPerson(t, 'oann'), inboxPerson(t, 'obob')]);
    const endpoint = `${pushUrl}/ok/${randomBytes(8).toString('hex')}`;
    expect((await bob.client.post('/api/push/subscriptions', { endpoint, keys: deviceKeys().keys })).status).toBe(201);
    const dm = await direct(ann, bob);
    const bobLaptop = await socketOf(bob);
    expect((await call(bobLaptop, 'room:join', { roomId: dm, afterSeq: 0 })).ok).toBe(true);
    const annSocket = await socketOf(ann);
    await sendIn(annSocket, dm, 'bob is reading this on his laptop');
    await t.app.ctx.notifications.idle();
    expect(received.filter((r) => r.path === pathOf(endpoint))).toHaveLength(0);

    bobLaptop.close();
    await until(async () => (await t.app.ctx.presence.online(dm)).every((e) => e.username !== bob.username), 5_000, 'bob gone from the room');
    expect((await bob.client.post(`/api/conversations/${dm}/mute`, { duration: '8h' })).status).toBe(200);
    await sendIn(annSocket, dm, 'muted, so no push');
    await t.app.ctx.notifications.idle();
    expect(received.filter((r) => r.path === pathOf(endpoint))).toHaveLength(0);

    expect((await bob.client.post(`/api/conversations/${dm}/unmute`)).status).toBe(200);
    await sendIn(annSocket, dm, 'now it pushes');
    await until(() => received.some((r) => r.path === pathOf(endpoint)), 5_000, 'the push once unmuted and away');
  });

  it('removes a subscription the push service answers 404 or 410 for, and on unsubscribe', async () => {
    const [ann, bob] = await Promise.all([inboxPerson(t, 'gann'), inboxPerson(t, 'gbob')]);
    const gone = `${pushUrl}/gone/${randomBytes(8).toString('hex')}`;
    const missing = `${pushUrl}/missing/${randomBytes(8).toString('hex')}`;
    const kept = `${pushUrl}/ok/${randomBytes(8).toString('hex')}`;
    for (const endpoint of [gone, missing, kept]) {
      expect((await bob.client.post('/api/push/subscriptions', { endpoint, keys: deviceKeys().keys })).status).toBe(201);
    }
    expect((await bob.client.get('/api/push')).body.devices).toHaveLength(3);
    const dm = await direct(ann, bob);
    await sendIn(await socketOf(ann), dm, 'who is still there?');
    await until(() => [gone, missing, kept].every((e) => received.some((r) => r.path === pathOf(e))), 5_000, 'three push requests');
    await t.app.ctx.notifications.idle();
    expect((await bob.client.get('/api/push')).body.devices).toHaveLength(1);

    // Someone else cannot unsubscribe Bob's device; Bob can.
    expect((await ann.client.post('/api/push/unsubscribe', { endpoint: kept })).status).toBe(200);
    expect((await bob.client.get('/api/push')).body.devices).toHaveLength(1);
    expect((await bob.client.post('/api/push/unsubscribe', { endpoint: kept })).body.devices).toEqual([]);
  });

  it('refuses bad subscriptions with 400 and stores nothing', async () => {
    const bob = await inboxPerson(t, 'bbob');
    const good = deviceKeys().keys;
    const notAPoint = Buffer.alloc(65, 7).toString('base64url');
    const bodies: unknown[] = [
      {},
      { endpoint: 'not a url', keys: good },
      { endpoint: `${pushUrl}/ok/x` },
      { endpoint: `${pushUrl}/ok/x`, keys: { p256dh: good.p256dh } },
      { endpoint: `${pushUrl}/ok/x`, keys: { p256dh: 'short', auth: good.auth } },
      { endpoint: `${pushUrl}/ok/x`, keys: { p256dh: good.p256dh, auth: 'has spaces in it!!' } },
      { endpoint: `${pushUrl}/ok/x`, keys: { p256dh: notAPoint, auth: good.auth } },
      { endpoint: `${pushUrl}/ok/x`, keys: { p256dh: good.p256dh, auth: randomBytes(20).toString('base64url') } },
      { endpoint: `ftp://127.0.0.1/x`, keys: good },
      { endpoint: `${pushUrl}/${'x'.repeat(2100)}`, keys: good },
    ];
    for (const body of bodies) {
      const res = await bob.client.post('/api/push/subscriptions', body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await bob.client.request('POST', '/api/push/subscriptions', '{"endpoint":', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await bob.client.post('/api/push/unsubscribe', {})).status).toBe(400);
    expect((await t.client().post('/api/push/subscriptions', { endpoint: `${pushUrl}/ok/y`, keys: good })).status).toBe(401);
    expect((await bob.client.get('/api/push')).body.devices).toEqual([]);
  });

  it('says push is off on a server without VAPID keys', async () => {
    const bob = await inboxPerson(off, 'fbob');
    expect((await bob.client.get('/api/push')).body).toEqual({ enabled: false, publicKey: null, devices: [] });
    const res = await bob.client.post('/api/push/subscriptions', { endpoint: 'https://push.example.com/x', keys: deviceKeys().keys });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'PUSH_DISABLED', message: expect.stringContaining('VAPID') });
  });
});
