import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordResets, users } from '../../db/schema';
import { backend, registerUser, startApp, until, type TestApp } from '../../../test/harness';
import { sweepPendingRegistrations } from './service';

// An address belongs to whoever can read its mail. Until someone confirms
// it, a registration is only a claim: the next registration of the same
// address replaces it (password, username, link), and after a week nobody
// confirmed it is as good as gone.

let t: TestApp;
beforeAll(async () => {
  t = await startApp({ env: { DEV_OUTBOX: 'true', PUBLIC_WEB_URL: 'https://chat.example' } });
});
afterAll(async () => {
  await t.destroy();
});

const CONFIRM = /^Confirm your email/;
let counter = 0;
const address = (what: string) => `${what}${++counter}-${Date.now()}@example.com`;
const confirmations = (email: string) => t.app.ctx.outbox!.list().filter((m) => m.to === email && CONFIRM.test(m.subject));
const linkOf = (text: string) => /confirm-email\?token=([\w.-]+)/.exec(text)![1]!;

/** Registers and waits for the confirmation link this registration mailed (the newest to that address). */
async function registerAndGetLink(body: { email: string; password: string; username?: string }) {
  const before = confirmations(body.email).length;
  const res = await t.client().post('/api/auth/register', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await until(() => confirmations(body.email).length > before, 5000, `confirmation mail to ${body.email}`);
  return { reply: res, link: linkOf(confirmations(body.email)[0]!.text) };
}

const login = (email: string, password: string) => t.client().post('/api/auth/login', { email, password });
const available = async (name: string) => (await t.client().get(`/api/usernames/check?username=${name}`)).body.available as boolean;

/** Makes the account's latest registration this many days old. */
async function age(email: string, days: number) {
  await t.app.ctx.db
    .update(users)
    .set({ registeredAt: new Date(Date.now() - days * 24 * 60 * 60 * 1000) })
    .where(eq(users.email, email));
}

describe(`a pre-registered address (${backend})`, () => {
  it("the owner's registration replaces a stranger's: the stranger's password, username and link stop working", async () => {
    const victim = address('victim');
    const squatter = await registerAndGetLink({ email: victim, password: 'Squatt3rPass', username: 'SquatName1' });
    const owner = await registerAndGetLink({ email: victim, password: 'Own3rPass!', username: 'OwnerName1' });
    expect(owner.reply.body).toEqual(squatter.reply.body);
    expect(owner.link).not.toBe(squatter.link);

    // The stranger's password is gone already, before anyone confirms.
    expect((await login(victim, 'Squatt3rPass')).body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await login(victim, 'Own3rPass!')).body.error.code).toBe('EMAIL_NOT_CONFIRMED');
    // The stranger's link (even if it reached them some other way) confirms nothing.
    const stale = await t.client().post('/api/auth/confirm-email', { token: squatter.link });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('CONFIRM_TOKEN_INVALID');
    expect(await available('SquatName1')).toBe(true);
    expect(await available('OwnerName1')).toBe(false);

    const confirmed = await t.client().post('/api/auth/confirm-email', { token: owner.link });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user).toMatchObject({ email: victim, username: 'OwnerName1' });
    expect((await login(victim, 'Squatt3rPass')).status).toBe(401);
    expect((await login(victim, 'Own3rPass!')).status).toBe(200);
  });

  it("the stranger's link, used after the owner registered, does not confirm the owner's account either", async () => {
    const victim = address('early');
    const squatter = await registerAndGetLink({ email: victim, password: 'Squatt3rPass' });
    await registerAndGetLink({ email: victim, password: 'Own3rPass!' });
    expect((await t.client().post('/api/auth/confirm-email', { token: squatter.link })).status).toBe(400);
    // Nothing was confirmed: the owner still needs their own link.
    expect((await login(victim, 'Own3rPass!')).body.error.code).toBe('EMAIL_NOT_CONFIRMED');
  });

  it('a registration without a username releases the one the earlier registration held', async () => {
    const email = address('drop');
    await registerAndGetLink({ email, password: 'Passw0rd!', username: 'HeldName01' });
    expect(await available('HeldName01')).toBe(false);
    const again = await registerAndGetLink({ email, password: 'Passw0rd!2' });
    expect(await available('HeldName01')).toBe(true);
    const confirmed = await t.client().post('/api/auth/confirm-email', { token: again.link });
    expect(confirmed.body.user.username).toBeNull();
  });

  it('registering again with the same username keeps it for the address', async () => {
    const email = address('same');
    await registerAndGetLink({ email, password: 'Passw0rd!', username: 'SameName01' });
    const again = await registerAndGetLink({ email, password: 'Passw0rd!2', username: 'samename01' });
    const confirmed = await t.client().post('/api/auth/confirm-email', { token: again.link });
    expect(confirmed.body.user.username).toBe('samename01');
    expect((await login(email, 'Passw0rd!2')).status).toBe(200);
  });

  it('answers every address with the same 202 and sentence: new, pending, confirmed', async () => {
    const { user } = await registerUser(t);
    const pending = address('pending');
    await registerAndGetLink({ email: pending, password: 'Passw0rd!' });
    const replies = [
      await t.client().post('/api/auth/register', { email: address('fresh'), password: 'Passw0rd!' }),
      await t.client().post('/api/auth/register', { email: pending, password: 'Passw0rd!' }),
      await t.client().post('/api/auth/register', { email: user.email, password: 'Passw0rd!' }),
    ];
    for (const r of replies) {
      expect(r.status).toBe(202);
      expect(r.body).toEqual(replies[0]!.body);
      expect(r.headers.getSetCookie()).toEqual([]);
    }
    // A confirmed account is never replaced: its password still works, the attempt's does not.
    await t.client().post('/api/auth/register', { email: user.email, password: 'Attack3rPass' });
    expect((await login(user.email, 'Attack3rPass')).status).toBe(401);
    expect((await login(user.email, 'Passw0rd!')).status).toBe(200);
  });

  it('a re-registration that is refused changes nothing: the earlier registration, its link and its name stand', async () => {
    const email = address('refused');
    const first = await registerAndGetLink({ email, password: 'Passw0rd!', username: 'KeptName01' });
    await registerUser(t, 'TakenByAnother');
    for (const [body, status, code] of [
      [{ email, password: 'N3wPassword', username: 'takenbyanother' }, 409, 'USERNAME_TAKEN'],
      [{ email, password: 'N3wPassword', username: 'no good' }, 400, 'USERNAME_INVALID'],
      [{ email, password: 'weak' }, 400, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await t.client().post('/api/auth/register', body);
      expect(res.status, code).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    expect((await login(email, 'N3wPassword')).status).toBe(401);
    expect(await available('KeptName01')).toBe(false);
    const confirmed = await t.client().post('/api/auth/confirm-email', { token: first.link });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user.username).toBe('KeptName01');
  });

  it('two registrations of one address at once: one of them is the account, and only its link works', async () => {
    const email = address('race');
    const replies = await Promise.all(
      ['Racer0ne!', 'RacerTw0!', 'RacerThr3e'].map((password) => t.client().post('/api/auth/register', { email, password })),
    );
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202]);
    await until(() => confirmations(email).length === 3, 5000, 'three links');
    const outcomes = [];
    for (const mail of confirmations(email)) outcomes.push((await t.client().post('/api/auth/confirm-email', { token: linkOf(mail.text) })).status);
    expect(outcomes.filter((s) => s === 200)).toHaveLength(1);
    const signIns = await Promise.all(['Racer0ne!', 'RacerTw0!', 'RacerThr3e'].map((p) => login(email, p)));
    expect(signIns.filter((r) => r.status === 200)).toHaveLength(1);
  });
});

describe(`unconfirmed registrations expire after a week (${backend})`, () => {
  it('an expired one is absent at sign-in: the right password is a plain 401 and no link is mailed', async () => {
    const email = address('stale');
    await registerAndGetLink({ email, password: 'Passw0rd!' });
    await age(email, 8);
    const res = await login(email, 'Passw0rd!');
    expect(res.status).toBe(401);
    expect(res.body).toEqual((await login(address('nobody'), 'Passw0rd!')).body);
    expect(confirmations(email)).toHaveLength(1);
  });

  it('its link no longer confirms it, even within its own 24 hours', async () => {
    const email = address('late');
    const { link } = await registerAndGetLink({ email, password: 'Passw0rd!' });
    await age(email, 8);
    expect((await t.client().post('/api/auth/confirm-email', { token: link })).body.error.code).toBe('CONFIRM_TOKEN_INVALID');
  });

  it('one a day short of a week still counts', async () => {
    const email = address('fresh');
    const { link } = await registerAndGetLink({ email, password: 'Passw0rd!' });
    await age(email, 6);
    expect((await login(email, 'Passw0rd!')).body.error.code).toBe('EMAIL_NOT_CONFIRMED');
    expect((await t.client().post('/api/auth/confirm-email', { token: link })).status).toBe(200);
  });

  it('its username is free to register again at once, before any sweep', async () => {
    const email = address('oldname');
    await registerAndGetLink({ email, password: 'Passw0rd!', username: 'OldPending1' });
    await age(email, 8);
    const other = address('newowner');
    const { link } = await registerAndGetLink({ email: other, password: 'Passw0rd!', username: 'OldPending1' });
    expect((await t.client().post('/api/auth/confirm-email', { token: link })).body.user.username).toBe('OldPending1');
    expect((await login(email, 'Passw0rd!')).status).toBe(401);
  });

  it('the sweep removes expired ones with their names and links, and leaves the rest', async () => {
    const expired = address('swept');
    const recent = address('kept');
    await registerAndGetLink({ email: expired, password: 'Passw0rd!', username: 'SweptName1' });
    await t.client().post('/api/auth/password-reset', { email: expired });
    await until(async () => (await t.app.ctx.db.select().from(passwordResets)).length > 0, 5000, 'a reset link');
    await registerAndGetLink({ email: recent, password: 'Passw0rd!', username: 'KeptName02' });
    const { user: confirmed } = await registerUser(t);
    await age(expired, 8);
    await age(confirmed.email, 30);

    expect(await sweepPendingRegistrations(t.app.ctx)).toBeGreaterThanOrEqual(1);
    const left = async (email: string) => (await t.app.ctx.db.select().from(users).where(eq(users.email, email))).length;
    expect(await left(expired)).toBe(0);
    expect(await left(recent)).toBe(1);
    expect(await left(confirmed.email)).toBe(1);
    expect(await available('SweptName1')).toBe(true);
    expect(await available('KeptName02')).toBe(false);
    expect((await login(confirmed.email, 'Passw0rd!')).status).toBe(200);
    // The address registers afresh.
    const { link } = await registerAndGetLink({ email: expired, password: 'Fr3shStart' });
    expect((await t.client().post('/api/auth/confirm-email', { token: link })).status).toBe(200);
  });
});
