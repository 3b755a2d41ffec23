import { createHmac, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { members } from '../src/db/schema';
import { backend, deviceIdOf, guestJoins, hostWithChat, startApp, type HttpClient, type TestApp } from './harness';

// The anonymous device id is the server's word, not the browser's: it is
// issued signed (`<id>.<signature>`, an HMAC under the server's secret), and
// a cookie the server did not sign counts as no device at all.

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterEach(async () => {
  await t.app.ctx.settings.set('usernameRollsPerHour', 10);
});
afterAll(async () => {
  await t.destroy();
});

const ID = /^[A-Za-z0-9_-]{22,64}$/;
const inventedId = () => randomBytes(18).toString('base64url');
/** What a browser holds in `cp_did`, decoded. */
const cookieOf = (c: HttpClient) => decodeURIComponent(c.cookies.get('cp_did') ?? '');
const deviceCookieSet = (res: { headers: Headers }) => res.headers.getSetCookie().some((line) => line.startsWith('cp_did='));
const roll = (c: HttpClient, code: string) => c.post(`/api/chats/${code}/usernames/roll`);

describe(`device ids are issued and signed by the server (${backend})`, () => {
  it('issues a signed device id on the first chat request, and does not issue it again while it is good', async () => {
    const { chat } = await hostWithChat(t);
    const visitor = t.client();
    const first = await visitor.get(`/api/chats/${chat.code}`);
    expect(deviceCookieSet(first)).toBe(true);
    const [id, signature, ...rest] = cookieOf(visitor).split('.');
    expect(rest).toEqual([]);
    expect(id).toMatch(ID);
    expect(signature!.length).toBeGreaterThanOrEqual(43);
    const again = await visitor.get(`/api/chats/${chat.code}`);
    expect(again.status).toBe(200);
    expect(deviceCookieSet(again)).toBe(false);
    expect(deviceIdOf(visitor)).toBe(id);
  });

  it('treats an unsigned, tampered or foreign-signed id as none and issues a fresh signed one', async () => {
    const { chat } = await hostWithChat(t);
    const issued = t.client();
    await issued.get(`/api/chats/${chat.code}`);
    const [, signature] = cookieOf(issued).split('.');
    const otherKey = randomBytes(32).toString('hex');
    const forged = inventedId();
    const candidates = {
      unsigned: forged,
      'another id under a real signature': `${forged}.${signature}`,
      'signed with another key': `${forged}.${createHmac('sha256', otherKey).update(forged).digest('base64').replace(/=+$/, '')}`,
      'an empty signature': `${forged}.`,
      garbage: 'not a device id at all',
    };
    for (const [what, value] of Object.entries(candidates)) {
      const c = t.client();
      c.cookies.set('cp_did', encodeURIComponent(value));
      const res = await c.get(`/api/chats/${chat.code}`);
      expect(res.status, what).toBe(200);
      expect(deviceCookieSet(res), what).toBe(true);
      expect(deviceIdOf(c), what).toMatch(ID);
      expect(deviceIdOf(c), what).not.toBe(forged);
    }
  });

  it("a participant's device id, learned by someone else, does not make them that participant", async () => {
    const { chat } = await hostWithChat(t);
    const owner = await guestJoins(t, chat.code);
    const [row] = await t.app.ctx.db.select({ deviceId: members.deviceId }).from(members).where(eq(members.id, owner.member.id));
    expect(row!.deviceId).toBe(deviceIdOf(owner.client));

    const thief = t.client();
    thief.cookies.set('cp_did', row!.deviceId!);
    const me = await thief.get(`/api/chats/${chat.code}/me`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ member: null, token: null });
    // The owner still is.
    expect((await owner.client.get(`/api/chats/${chat.code}/me`)).body.member.id).toBe(owner.member.id);
  });

  it('an invented id on every request does not reset the suggestions a network may roll in a chat', async () => {
    await t.app.ctx.settings.set('usernameRollsPerHour', 1000);
    const { chat } = await hostWithChat(t);
    const ip = '198.51.100.90';
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const c = t.client(ip);
      c.cookies.set('cp_did', inventedId());
      const res = await roll(c, chat.code);
      statuses.push(res.status);
      if (res.status === 429) expect(res.body.error.code).toBe('RATE_LIMITED');
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // Another network is not affected.
    expect((await roll(t.client('198.51.100.91'), chat.code)).status).toBe(200);
  });

  it('counts the network even for a device the server issued: a second device on it shares the 20', async () => {
    await t.app.ctx.settings.set('usernameRollsPerHour', 1000);
    const { chat } = await hostWithChat(t);
    const ip = '198.51.100.92';
    const first = t.client(ip);
    for (let i = 0; i < 15; i++) expect((await roll(first, chat.code)).status).toBe(200);
    const second = t.client(ip);
    for (let i = 0; i < 5; i++) expect((await roll(second, chat.code)).status).toBe(200);
    expect((await roll(second, chat.code)).status).toBe(429);
    expect((await roll(first, chat.code)).status).toBe(429);
  });
});
