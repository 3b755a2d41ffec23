import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { passwordResets } from '../../db/schema';
import { backend, registerUser, startApp, until, type HttpClient, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp({ env: { DEV_OUTBOX: 'true', PUBLIC_WEB_URL: 'https://chat.example' } });
});
afterAll(async () => {
  await t.destroy();
});

const mailsTo = (email: string) => t.app.ctx.outbox!.list().filter((m) => m.to === email);

/** Asks for a reset link and returns its token, read from the mail as a person would. */
async function resetToken(email: string, client: HttpClient = t.client()) {
  const before = mailsTo(email).length;
  const res = await client.post('/api/auth/password-reset', { email });
  expect(res.status).toBe(202);
  await until(() => mailsTo(email).length > before, 5000, 'the reset mail');
  const mail = mailsTo(email)[0]!;
  expect(mail.subject).toBe('Reset your ChatPop password');
  return new URL(/https:\/\/chat\.example\/reset-password\?token=\S+/.exec(mail.text)![0]).searchParams.get('token')!;
}

describe(`password reset by emailed link (${backend})`, () => {
  it('mails a link; the link sets a new password, ends every session and signs this browser in', async () => {
    const { client: oldSession, user } = await registerUser(t);
    const token = await resetToken(user.email);
    const browser = t.client();
    const res = await browser.post('/api/auth/password-reset/confirm', { token, password: 'Brand-N3w-pass' });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(user.email);
    expect((await browser.get('/api/me')).status).toBe(200);
    expect((await oldSession.get('/api/me')).status).toBe(401);
    expect((await t.client().post('/api/auth/login', { email: user.email, password: 'Passw0rd!' })).status).toBe(401);
    expect((await t.client().post('/api/auth/login', { email: user.email, password: 'Brand-N3w-pass' })).status).toBe(200);
    await until(() => mailsTo(user.email).some((m) => m.subject === 'Your ChatPop password was changed'), 5000, 'the notice');
  });

  it('answers the same for an unknown email, and mails nobody', async () => {
    const { user } = await registerUser(t);
    const known = await t.client().post('/api/auth/password-reset', { email: user.email });
    const unknown = await t.client().post('/api/auth/password-reset', { email: 'nobody-here@example.com' });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect(known.body.message).toMatch(/^If an account uses that email, we sent it a link/);
    await until(() => mailsTo(user.email).length > 0, 5000, 'the reset mail');
    await Promise.allSettled([...t.app.ctx.inflight]);
    expect(mailsTo('nobody-here@example.com')).toHaveLength(0);
  });

  it('a link works once', async () => {
    const { user } = await registerUser(t);
    const token = await resetToken(user.email);
    expect((await t.client().post('/api/auth/password-reset/confirm', { token, password: 'Once-Only-1' })).status).toBe(200);
    const again = await t.client().post('/api/auth/password-reset/confirm', { token, password: 'Twice-Bad-1' });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'RESET_TOKEN_INVALID', message: 'This reset link is invalid, used or expired. Ask for a new one.' });
    expect((await t.client().post('/api/auth/login', { email: user.email, password: 'Once-Only-1' })).status).toBe(200);
  });

  it('a link expires after an hour', async () => {
    const { user } = await registerUser(t);
    const token = await resetToken(user.email);
    await t.app.ctx.db.update(passwordResets).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(passwordResets.userId, user.id));
    const res = await t.client().post('/api/auth/password-reset/confirm', { token, password: 'Too-Late-123' });
    expect(res.body.error.code).toBe('RESET_TOKEN_INVALID');
    expect((await t.client().post('/api/auth/login', { email: user.email, password: 'Passw0rd!' })).status).toBe(200);
  });

  it('a newer link voids the older one', async () => {
    const { user } = await registerUser(t);
    const first = await resetToken(user.email);
    const second = await resetToken(user.email);
    expect(second).not.toBe(first);
    expect((await t.client().post('/api/auth/password-reset/confirm', { token: first, password: 'Old-Link-123' })).body.error.code).toBe('RESET_TOKEN_INVALID');
    expect((await t.client().post('/api/auth/password-reset/confirm', { token: second, password: 'New-Link-123' })).status).toBe(200);
  });

  it('refuses a weak password without using up the link, and made-up tokens', async () => {
    const { user } = await registerUser(t);
    const token = await resetToken(user.email);
    const weak = await t.client().post('/api/auth/password-reset/confirm', { token, password: 'weak' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('VALIDATION_FAILED');
    for (const bad of ['made-up', 'x'.repeat(43)]) {
      expect((await t.client().post('/api/auth/password-reset/confirm', { token: bad, password: 'Strong-Pass-1' })).body.error.code).toBe('RESET_TOKEN_INVALID');
    }
    expect((await t.client().post('/api/auth/password-reset/confirm', { token, password: 'Strong-Pass-1' })).status).toBe(200);
  });

  it('limits requests per email the same way whether the account exists or not', async () => {
    const { user } = await registerUser(t);
    const ask = (email: string) => t.client().post('/api/auth/password-reset', { email });
    for (let i = 0; i < 3; i++) {
      expect((await ask(user.email)).status).toBe(202);
      expect((await ask('ghost@example.com')).status).toBe(202);
    }
    const known = await ask(user.email);
    const unknown = await ask('ghost@example.com');
    expect(known.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(unknown.body.error.message).toBe(known.body.error.message);
  });

  it('tells an account owner when someone tries to register with their email', async () => {
    const { user } = await registerUser(t);
    const res = await t.client().post('/api/auth/register', { email: user.email, password: 'Passw0rd!' });
    expect(res.status).toBe(202);
    await until(() => mailsTo(user.email).some((m) => /tried to create a ChatPop account/.test(m.subject)), 5000, 'the notice');
  });
});
