import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVATAR_MAX_BYTES } from '@chatpop/protocol';
import { backend, signUp, registerUser, startApp, until, type HttpClient, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp({ env: { DEV_OUTBOX: 'true' } });
});
afterAll(async () => {
  await t.destroy();
});

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

function upload(c: HttpClient, body: Buffer | string, type = 'image/png', headers: Record<string, string> = { 'x-chatpop-csrf': '1' }) {
  return c.request('PUT', '/api/me/avatar', body, { 'content-type': type, ...headers });
}

async function fetchBytes(url: string) {
  const res = await fetch(t.url + url);
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe(`profile (${backend})`, () => {
  it('shows a new account its profile with defaults', async () => {
    const { client } = await registerUser(t, 'ProfileAmy');
    const me = await client.get('/api/me');
    expect(me.body.user).toMatchObject({
      username: 'ProfileAmy',
      displayName: null,
      bio: '',
      avatarUrl: null,
      status: 'online',
      privacy: { hideReadReceipts: false, hideLastSeen: false },
    });
  });

  it('edits display name, bio, status and privacy, and keeps what was not sent', async () => {
    const { client } = await registerUser(t);
    const res = await client.patch('/api/me', { displayName: '  Amy Pond ', bio: 'Raggedy doctor fan', status: 'busy', privacy: { hideReadReceipts: true } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ displayName: 'Amy Pond', bio: 'Raggedy doctor fan', status: 'busy', privacy: { hideReadReceipts: true, hideLastSeen: false } });
    const again = await client.patch('/api/me', { privacy: { hideLastSeen: true }, displayName: '' });
    expect(again.body.user).toMatchObject({ displayName: null, bio: 'Raggedy doctor fan', status: 'busy', privacy: { hideReadReceipts: true, hideLastSeen: true } });
    expect((await client.get('/api/me')).body.user).toEqual(again.body.user);
  });

  it('refuses bad profile input with the rule broken and changes nothing', async () => {
    const { client } = await registerUser(t);
    const before = (await client.get('/api/me')).body.user;
    for (const body of [
      { displayName: 'x'.repeat(51) },
      { bio: 'x'.repeat(301) },
      { status: 'sleeping' },
      { privacy: { hideReadReceipts: 'yes' } },
      { email: 'new@example.com' },
      { displayName: 'Fine', isStaff: true },
    ]) {
      const res = await client.patch('/api/me', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
    expect((await client.get('/api/me')).body.user).toEqual(before);
  });

  it('needs a signed-in user', async () => {
    const c = t.client();
    expect((await c.patch('/api/me', { bio: 'hi' })).status).toBe(401);
    expect((await upload(c, Buffer.from('x'))).status).toBe(401);
    expect((await c.get('/api/me/sessions')).status).toBe(401);
  });

  it('reserves a username for an account that has none, once', async () => {
    const { client } = await registerUser(t);
    expect((await client.patch('/api/me', { username: 'sh1tface' })).body.error).toMatchObject({ code: 'USERNAME_INVALID', details: { rule: 'profanity' } });
    await registerUser(t, 'AlreadyTaken');
    expect((await client.patch('/api/me', { username: 'alreadytaken' })).body.error.code).toBe('USERNAME_TAKEN');
    const ok = await client.patch('/api/me', { username: 'LateReserver' });
    expect(ok.body.user.username).toBe('LateReserver');
    const again = await client.patch('/api/me', { username: 'SecondName' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('USERNAME_ALREADY_SET');
    expect((await t.client().get('/api/usernames/check?username=SecondName')).body.available).toBe(true);
  });
});

describe(`avatar (${backend})`, () => {
  it('resizes an uploaded image to a 256 px square WebP and serves it', async () => {
    const { client } = await registerUser(t);
    const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#7c3aed' } }).png().toBuffer();
    const res = await upload(client, png);
    expect(res.status).toBe(200);
    expect(res.body.user.avatarUrl).toMatch(/^\/api\/avatars\/[A-Za-z0-9_-]+\.webp$/);
    const served = await fetchBytes(res.body.user.avatarUrl);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toMatch(/immutable/);
    const meta = await sharp(served.bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 256, height: 256 });
  });

  it('decides the type by the content, not the declared type, and strips the photo’s metadata', async () => {
    const { client } = await registerUser(t);
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#0ea5e9' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'SecretCam', Copyright: 'GPS 51.5N 0.1W' } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const res = await upload(client, jpeg, 'application/octet-stream');
    expect(res.status).toBe(200);
    const served = await fetchBytes(res.body.user.avatarUrl);
    const meta = await sharp(served.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(served.bytes.includes(Buffer.from('SecretCam'))).toBe(false);
  });

  it('refuses a file that is not an image, whatever it claims to be, and keeps the old avatar', async () => {
    const { client } = await registerUser(t);
    const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#f00' } }).png().toBuffer();
    const first = (await upload(client, png)).body.user.avatarUrl;
    for (const [body, type] of [
      [Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'],
      [Buffer.from('%PDF-1.7 pretend pdf'), 'image/jpeg'],
      [Buffer.from([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]), 'image/gif'],
      [png.subarray(0, 40), 'image/png'],
    ] as const) {
      const res = await upload(client, body, type);
      expect(res.status, type).toBe(415);
      expect(res.body.error.code).toBe('FILE_TYPE_UNSUPPORTED');
    }
    expect((await client.get('/api/me')).body.user.avatarUrl).toBe(first);
  });

  it('refuses an image over 5 MB with 413', async () => {
    const { client } = await registerUser(t);
    const res = await upload(client, Buffer.alloc(AVATAR_MAX_BYTES + 1, 1));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than 5 MB.' });
  });

  it('needs the CSRF header, like every state change that is not JSON', async () => {
    const { client } = await registerUser(t);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer();
    const res = await upload(client, png, 'image/png', {});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_REJECTED');
  });

  it('replaces and removes the avatar, deleting the old file', async () => {
    const { client } = await registerUser(t);
    const img = (color: string) => sharp({ create: { width: 32, height: 32, channels: 3, background: color } }).png().toBuffer();
    const first = (await upload(client, await img('#111'))).body.user.avatarUrl;
    const second = (await upload(client, await img('#222'))).body.user.avatarUrl;
    expect(second).not.toBe(first);
    expect((await fetchBytes(first)).status).toBe(404);
    const removed = await client.delete('/api/me/avatar');
    expect(removed.body.user.avatarUrl).toBeNull();
    expect((await fetchBytes(second)).status).toBe(404);
    expect((await fetchBytes('/api/avatars/..%2F..%2Fjwt-secret')).status).toBe(400);
  });
});

describe(`sessions (${backend})`, () => {
  async function twoDevices() {
    const laptop = t.client();
    const email = `sessions${Math.random().toString(36).slice(2)}@example.com`;
    await signUp(t, laptop, { email, password: 'Passw0rd!' }, { 'user-agent': CHROME_MAC });
    const phone = t.client();
    await phone.request('POST', '/api/auth/login', { email, password: 'Passw0rd!' }, { 'user-agent': SAFARI_IPHONE });
    return { laptop, phone, email };
  }

  it('lists the active sessions with the device, marking the current one', async () => {
    const { laptop } = await twoDevices();
    const res = await laptop.get('/api/me/sessions');
    expect(res.body.sessions).toHaveLength(2);
    const devices = res.body.sessions.map((s: { device: string; current: boolean }) => [s.device, s.current]).sort();
    expect(devices).toEqual([
      ['Chrome on macOS', true],
      ['Safari on iOS', false],
    ]);
  });

  it('signs out one other session: that device is out at once, this one stays', async () => {
    const { laptop, phone } = await twoDevices();
    const phoneSession = (await laptop.get('/api/me/sessions')).body.sessions.find((s: { current: boolean }) => !s.current);
    expect((await laptop.delete(`/api/me/sessions/${phoneSession.id}`)).status).toBe(204);
    expect((await phone.get('/api/me')).body.error.code).toBe('SESSION_REVOKED');
    expect((await phone.post('/api/auth/refresh')).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(200);
    expect((await laptop.get('/api/me/sessions')).body.sessions).toHaveLength(1);
  });

  it('signing out the current session from the list clears its cookies', async () => {
    const { laptop } = await twoDevices();
    const current = (await laptop.get('/api/me/sessions')).body.sessions.find((s: { current: boolean }) => s.current);
    expect((await laptop.delete(`/api/me/sessions/${current.id}`)).status).toBe(204);
    expect(laptop.cookies.has('cp_at')).toBe(false);
    expect((await laptop.get('/api/me')).status).toBe(401);
  });

  it('cannot touch someone else’s session, which looks like no session at all', async () => {
    const mine = await twoDevices();
    const theirs = await twoDevices();
    const target = (await theirs.laptop.get('/api/me/sessions')).body.sessions[0].id;
    const res = await mine.laptop.delete(`/api/me/sessions/${target}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await mine.laptop.delete('/api/me/sessions/00000000-0000-4000-8000-000000000000')).body).toEqual(res.body);
    expect((await mine.laptop.delete('/api/me/sessions/not-a-uuid')).status).toBe(400);
    expect((await theirs.laptop.get('/api/me/sessions')).body.sessions).toHaveLength(2);
  });

  it('signs out every other session, or every session', async () => {
    const { laptop, phone } = await twoDevices();
    expect((await laptop.post('/api/me/sessions/revoke-others')).status).toBe(204);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(200);
    const again = await twoDevices();
    expect((await again.phone.post('/api/auth/logout-all')).status).toBe(204);
    expect((await again.laptop.get('/api/me')).status).toBe(401);
    expect((await again.phone.get('/api/me')).status).toBe(401);
  });
});

describe(`changing the password (${backend})`, () => {
  it('needs the current password and a strong new one; then other sessions end and a notice is mailed', async () => {
    const laptop = t.client();
    const email = 'changer@example.com';
    await signUp(t, laptop, { email, password: 'Passw0rd!' });
    const phone = t.client();
    await phone.post('/api/auth/login', { email, password: 'Passw0rd!' });

    const wrong = await laptop.post('/api/me/password', { currentPassword: 'Nope12345', newPassword: 'N3wPassword' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('PASSWORD_WRONG');
    const weak = await laptop.post('/api/me/password', { currentPassword: 'Passw0rd!', newPassword: 'weak' });
    expect(weak.status).toBe(400);
    expect((await phone.get('/api/me')).status).toBe(200);

    expect((await laptop.post('/api/me/password', { currentPassword: 'Passw0rd!', newPassword: 'N3wPassword' })).status).toBe(204);
    expect((await laptop.get('/api/me')).status).toBe(200);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await t.client().post('/api/auth/login', { email, password: 'Passw0rd!' })).status).toBe(401);
    expect((await t.client().post('/api/auth/login', { email, password: 'N3wPassword' })).status).toBe(200);
    await until(() => t.app.ctx.outbox!.list().some((m) => m.to === email && /password was changed/.test(m.subject)), 5000, 'notice');
  });
});
