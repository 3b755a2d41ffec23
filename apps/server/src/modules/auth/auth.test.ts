import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from './tokens';
import { backend, registerUser, startApp, until, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp({ env: { DEV_OUTBOX: 'true', PUBLIC_WEB_URL: 'https://chat.example' } });
});

const mailsTo = (email: string) => t.app.ctx.outbox!.list().filter((m) => m.to === email);

/** Waits for the mail of this subject and returns the token of its confirmation link, if it has one. */
async function mailFor(email: string, subject: RegExp) {
  await until(() => mailsTo(email).some((m) => subject.test(m.subject)), 5000, `mail to ${email}`);
  const mail = mailsTo(email).find((m) => subject.test(m.subject))!;
  return { mail, token: /confirm-email\?token=([\w.-]+)/.exec(mail.text)?.[1] };
}
const CONFIRM = /^Confirm your email/;
afterAll(async () => {
  await t.destroy();
});

describe(`accounts (${backend})`, () => {
  it('registers with email, password and a reserved username, and signs in from the emailed link', async () => {
    const c = t.client();
    const res = await c.post('/api/auth/register', { email: ' Robert@Example.com ', password: 'Passw0rd!', username: 'Robert_99' });
    expect(res.status).toBe(202);
    expect(res.body.message).toMatch(/sent a link/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await c.get('/api/me')).status).toBe(401);
    // Not before the link: the password alone does not sign in.
    const early = await t.client().post('/api/auth/login', { email: 'robert@example.com', password: 'Passw0rd!' });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('EMAIL_NOT_CONFIRMED');

    const { mail, token } = await mailFor('robert@example.com', CONFIRM);
    expect(mail.text).toContain('https://chat.example/confirm-email?token=');
    const confirmed = await c.post('/api/auth/confirm-email', { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user).toMatchObject({ email: 'robert@example.com', username: 'Robert_99' });
    expect(confirmed.body.user.passwordHash).toBeUndefined();
    const cookies = confirmed.headers.getSetCookie().join('\n');
    expect(cookies).toMatch(/cp_at=.*HttpOnly/i);
    expect(cookies).toMatch(/cp_rt=.*Path=\/api\/auth.*HttpOnly/i);
    const me = await c.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('Robert_99');
    // The link works once; signing in works from now on.
    const again = await t.client().post('/api/auth/confirm-email', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('CONFIRM_TOKEN_INVALID');
    expect((await t.client().post('/api/auth/login', { email: 'robert@example.com', password: 'Passw0rd!' })).status).toBe(200);
  });

  it('leads the link back to where registration started, and only within the site', async () => {
    await t.client().post('/api/auth/register', { email: 'next@example.com', password: 'Passw0rd!', next: '/chat/ABCD2345' });
    const { mail } = await mailFor('next@example.com', CONFIRM);
    expect(mail.text).toMatch(/confirm-email\?token=[\w.-]+&next=%2Fchat%2FABCD2345/);
    const bad = await t.client().post('/api/auth/register', { email: 'evil@example.com', password: 'Passw0rd!', next: '//evil.example' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(mailsTo('evil@example.com')).toEqual([]);
  });

  it('refuses forged, tampered, foreign and malformed confirmation links', async () => {
    const c = t.client();
    await c.post('/api/auth/register', { email: 'forge@example.com', password: 'Passw0rd!' });
    const { token } = await mailFor('forge@example.com', CONFIRM);
    const [head, payload, sig] = token!.split('.');
    const foreign = await createTokens('another-secret-of-at-least-32-chars!').signEmailConfirmation({ userId: '018f0000-0000-7000-8000-000000000000', registrationId: '018f0000-0000-7000-8000-000000000001' });
    const access = await t.app.ctx.tokens.signAccess({ userId: '018f0000-0000-7000-8000-000000000000', sessionId: 'x' });
    for (const bad of [`${head}.${payload}x.${sig}`, `${head}.${payload}.${sig!.slice(0, -2)}`, foreign, access, 'not-a-token']) {
      const res = await c.post('/api/auth/confirm-email', { token: bad });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('CONFIRM_TOKEN_INVALID');
    }
    for (const body of [{}, { token: '' }, { token: 'x'.repeat(3000) }, { token: 'a', extra: 1 }]) {
      const res = await c.post('/api/auth/confirm-email', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await c.get('/api/me')).status).toBe(401);
    expect((await t.client().post('/api/auth/login', { email: 'forge@example.com', password: 'Passw0rd!' })).body.error.code).toBe('EMAIL_NOT_CONFIRMED');
  });

  it('signing in before confirming mails the link again, and only to the one who knows the password', async () => {
    await t.client().post('/api/auth/register', { email: 'again@example.com', password: 'Passw0rd!' });
    await mailFor('again@example.com', CONFIRM);
    const wrong = await t.client().post('/api/auth/login', { email: 'again@example.com', password: 'Wr0ngpass' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    const right = await t.client().post('/api/auth/login', { email: 'again@example.com', password: 'Passw0rd!' });
    expect(right.status).toBe(403);
    expect(right.body.error.message).toMatch(/Confirm your email/);
    await until(() => mailsTo('again@example.com').filter((m) => CONFIRM.test(m.subject)).length === 2, 5000, 'second link');
    expect(mailsTo('again@example.com')).toHaveLength(2);
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

  it('refuses a taken username with 409, whatever the email, and creates nothing', async () => {
    const { user } = await registerUser(t, 'TakenName');
    for (const email of ['other@example.com', user.email]) {
      const res = await t.client().post('/api/auth/register', { email, password: 'Passw0rd!', username: 'takenname' });
      expect(res.status, email).toBe(409);
      expect(res.body.error.code).toBe('USERNAME_TAKEN');
    }
    expect(mailsTo('other@example.com')).toEqual([]);
  });

  it('answers a registration with a taken email exactly as a new one, and mails the owner instead', async () => {
    const { user } = await registerUser(t);
    const fresh = await t.client().post('/api/auth/register', { email: 'brandnew@example.com', password: 'Passw0rd!', username: 'BrandNew1' });
    const taken = await t.client().post('/api/auth/register', { email: user.email.toUpperCase(), password: 'Other0ne!', username: 'Squatter1' });
    expect(taken.status).toBe(fresh.status);
    expect(taken.body).toEqual(fresh.body);
    expect(taken.headers.getSetCookie()).toEqual(fresh.headers.getSetCookie());
    // The owner hears of it; nothing about the account changed (password, username).
    const { mail, token } = await mailFor(user.email, /^Someone tried/);
    expect(token).toBeUndefined();
    expect(mail.text).toContain('https://chat.example/forgot-password');
    expect((await t.client().post('/api/auth/login', { email: user.email, password: 'Other0ne!' })).status).toBe(401);
    expect((await t.client().post('/api/auth/login', { email: user.email, password: 'Passw0rd!' })).status).toBe(200);
    expect((await t.client().get('/api/usernames/check?username=Squatter1')).body.available).toBe(true);
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
      expect(res.status).toBe(202);
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
