import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, registerUser, startApp, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

describe(`accounts (${backend})`, () => {
  it('registers with email, password and a reserved username, and signs the user in', async () => {
    const c = t.client();
    const res = await c.post('/api/auth/register', { email: ' Robert@Example.com ', password: 'Passw0rd!', username: 'Robert_99' });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: 'robert@example.com', username: 'Robert_99' });
    expect(res.body.user.passwordHash).toBeUndefined();
    const cookies = res.headers.getSetCookie().join('\n');
    expect(cookies).toMatch(/cp_at=.*HttpOnly/i);
    expect(cookies).toMatch(/cp_rt=.*Path=\/api\/auth.*HttpOnly/i);
    const me = await c.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('Robert_99');
  });

  it('refuses weak passwords with the rules broken', async () => {
    const res = await t.client().post('/api/auth/register', { email: 'weak@example.com', password: 'password' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/upper-case letter/);
    expect(res.body.error.message).toMatch(/digit/);
  });

  it('refuses an invalid reserved username and says which rule it breaks', async () => {
    const c = t.client();
    for (const [username, rule] of [
      ['abc', 'too_short'],
      ['abcdefghijklmnop', 'too_long'],
      ['bad name', 'characters'],
      ['émile', 'characters'],
    ] as const) {
      const res = await c.post('/api/auth/register', { email: `${rule}${username.length}@example.com`, password: 'Passw0rd!', username });
      expect(res.status, username).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'USERNAME_INVALID', details: { rule } });
    }
    expect((await c.get('/api/me')).status).toBe(401);
  });

  it('refuses a taken email or username with 409 and creates nothing', async () => {
    await registerUser(t, 'TakenName');
    const res = await t.client().post('/api/auth/register', { email: 'other@example.com', password: 'Passw0rd!', username: 'takenname' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('USERNAME_TAKEN');
    const again = await t.client().post('/api/auth/register', { email: 'other@example.com', password: 'Passw0rd!' });
    expect(again.status).toBe(201);
    const dup = await t.client().post('/api/auth/register', { email: 'OTHER@example.com', password: 'Passw0rd!' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('EMAIL_TAKEN');
  });

  it('signs in, and a wrong password and an unknown email give the same answer', async () => {
    const { user } = await registerUser(t);
    const ok = await t.client().post('/api/auth/login', { email: user.email, password: 'Passw0rd!' });
    expect(ok.status).toBe(200);
    const wrong = await t.client().post('/api/auth/login', { email: user.email, password: 'Wr0ngpass' });
    const unknown = await t.client().post('/api/auth/login', { email: 'nobody@example.com', password: 'Wr0ngpass' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('rotates the refresh token and revokes the whole session when an old one is reused', async () => {
    const { client } = await registerUser(t);
    const first = client.cookies.get('cp_rt')!;
    const r1 = await client.post('/api/auth/refresh');
    expect(r1.status).toBe(200);
    const second = client.cookies.get('cp_rt')!;
    expect(second).not.toBe(first);

    // A thief replays the first token: the session ends for everyone holding it.
    const thief = t.client();
    thief.cookies.set('cp_rt', first);
    const stolen = await thief.post('/api/auth/refresh');
    expect(stolen.status).toBe(401);
    expect(stolen.body.error.code).toBe('SESSION_REVOKED');

    const r2 = await client.post('/api/auth/refresh');
    expect(r2.status).toBe(401);
    expect(r2.body.error.code).toBe('SESSION_REVOKED');
    expect((await client.get('/api/me')).status).toBe(401);
  });

  it('refuses forged and malformed refresh tokens', async () => {
    const c = t.client();
    c.cookies.set('cp_rt', 'not-a-token');
    expect((await c.post('/api/auth/refresh')).status).toBe(401);
    c.cookies.set('cp_rt', `${crypto.randomUUID()}.${'A'.repeat(43)}`);
    const res = await c.post('/api/auth/refresh');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('SESSION_REVOKED');
  });

  it('lists sessions, signs out of one, and signs out everywhere', async () => {
    const { client, user } = await registerUser(t);
    const other = t.client();
    await other.post('/api/auth/login', { email: user.email, password: 'Passw0rd!' });
    const list = await client.get('/api/me/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    expect((await other.post('/api/auth/logout')).status).toBe(204);
    expect((await other.get('/api/me')).status).toBe(401);
    expect((await client.get('/api/me/sessions')).body.sessions).toHaveLength(1);

    const third = t.client();
    await third.post('/api/auth/login', { email: user.email, password: 'Passw0rd!' });
    expect((await client.post('/api/auth/logout-all')).status).toBe(204);
    expect((await third.get('/api/me')).status).toBe(401);
    expect((await third.post('/api/auth/refresh')).status).toBe(401);
  });

  it('an access token of a signed-out session no longer works even before it expires', async () => {
    const { client } = await registerUser(t);
    const access = client.cookies.get('cp_at')!;
    await client.post('/api/auth/logout');
    const replay = t.client();
    replay.cookies.set('cp_at', access);
    const res = await replay.get('/api/me');
    expect(res.status).toBe(401);
  });

  it('refuses a forged access token', async () => {
    const c = t.client();
    c.cookies.set('cp_at', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl');
    const res = await c.get('/api/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('TOKEN_INVALID');
  });

  it('limits registrations to 3 per hour per IP', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 3; i++) {
      const res = await t.client(ip).post('/api/auth/register', { email: `limit${i}@example.com`, password: 'Passw0rd!' });
      expect(res.status).toBe(201);
    }
    const res = await t.client(ip).post('/api/auth/register', { email: 'limit3@example.com', password: 'Passw0rd!' });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.client().post('/api/auth/login', { email: 'limit3@example.com', password: 'Passw0rd!' })).status).toBe(401);
  });

  it('limits sign-in to 5 attempts per 15 minutes per account, from any IP', async () => {
    const { user } = await registerUser(t);
    for (let i = 0; i < 5; i++) {
      expect((await t.client().post('/api/auth/login', { email: user.email, password: 'Wr0ngpass' })).status).toBe(401);
    }
    const res = await t.client().post('/api/auth/login', { email: user.email, password: 'Passw0rd!' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeTruthy();
  });

  it('limits sign-in to 5 attempts per 15 minutes per IP', async () => {
    const ip = '192.0.2.88';
    for (let i = 0; i < 5; i++) {
      await t.client(ip).post('/api/auth/login', { email: `x${i}@example.com`, password: 'Wr0ngpass' });
    }
    expect((await t.client(ip).post('/api/auth/login', { email: 'x9@example.com', password: 'Wr0ngpass' })).status).toBe(429);
  });
});

describe(`bad input (${backend})`, () => {
  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await t.client().request('POST', '/api/auth/login', '{"email": ', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  it('answers an oversized body with 413 and no stack trace', async () => {
    const res = await t.client().post('/api/auth/register', { email: 'big@example.com', password: 'Passw0rd!', username: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|node_modules/);
  });

  it('refuses a state-changing request without JSON or the CSRF header', async () => {
    const res = await t.client().request('POST', '/api/auth/login', 'email=a&password=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_REJECTED');
  });

  it('answers an unknown route with 404 in the one error shape', async () => {
    const res = await t.client().get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('answers a body of the wrong shape with the field and rule', async () => {
    const res = await t.client().post('/api/auth/login', { email: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues[0].path).toBe('email');
  });

  it('reports health with the database and cache in use', async () => {
    const res = await t.client().get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(
      backend === 'networked' ? { status: 'ok', db: 'postgres', cache: 'redis' } : { status: 'ok', db: 'pglite', cache: 'memory' },
    );
  });
});
