import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { checkUsername } from '@chatpop/protocol';
import { usernameRolls } from '../../db/schema';
import { backend, signUp, guestJoins, hostWithChat, registerUser, rollAndJoin, rollName, startApp, type HttpClient, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});
// Tests that change a runtime setting put it back.
afterEach(async () => {
  await t.app.ctx.settings.set('usernameRollsPerHour', 10);
});

const roll = (c: HttpClient, code: string) => c.post(`/api/chats/${code}/usernames/roll`);
const GENERATED = /^[A-Z][a-z]+[A-Z][a-z]+\d{3,5}$/;

/** Makes this identity's rolls an hour and a minute old. */
async function ageRolls(name: string) {
  await t.app.ctx.db
    .update(usernameRolls)
    .set({ createdAt: new Date(Date.now() - 61 * 60 * 1000) })
    .where(eq(usernameRolls.nameLower, name.toLowerCase()));
}

describe(`dice rolls (${backend})`, () => {
  it('rolls a generated name with the rolls left: 10 per hour per device, then 429 with the time to wait', async () => {
    const { chat } = await hostWithChat(t);
    const phone = t.client();
    const names = new Set<string>();
    for (let i = 1; i <= 10; i++) {
      const res = await roll(phone, chat.code);
      expect(res.status).toBe(200);
      expect(res.body.username).toMatch(GENERATED);
      expect(res.body.username.length).toBeLessThanOrEqual(15);
      expect(res.body.remaining).toBe(10 - i);
      expect(res.body.rolls).toMatchObject({ limit: 10, remaining: 10 - i });
      names.add(res.body.username);
    }
    expect(names.size).toBe(10);
    const refused = await roll(phone, chat.code);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('ROLLS_EXHAUSTED');
    expect(refused.body.error.message).toMatch(/all 10 rolls for this hour.*roll again in \d+ minutes/i);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(3500);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(refused.body.error.details).toEqual({ limit: 10, retryAfterSeconds: wait });
    const options = await phone.get(`/api/chats/${chat.code}/usernames`);
    expect(options.body.rolls).toMatchObject({ limit: 10, remaining: 0 });
    expect(Date.parse(options.body.rolls.resetsAt)).toBeGreaterThan(Date.now());
  });

  it('counts rolls per device across chats, and another device on the same network rolls on its own allowance', async () => {
    await t.app.ctx.settings.set('usernameRollsPerHour', 2);
    const one = await hostWithChat(t);
    const two = await hostWithChat(t);
    const ip = '198.51.100.20';
    const device = t.client(ip);
    expect((await roll(device, one.chat.code)).status).toBe(200);
    expect((await roll(device, two.chat.code)).body.remaining).toBe(0);
    expect((await roll(device, one.chat.code)).body.error.code).toBe('ROLLS_EXHAUSTED');
    expect((await roll(t.client(ip), one.chat.code)).status).toBe(200);
  });

  it('takes the rolls per hour from the settings table, at once', async () => {
    const { chat } = await hostWithChat(t);
    const c = t.client();
    await t.app.ctx.settings.set('usernameRollsPerHour', 3);
    for (let i = 0; i < 3; i++) expect((await roll(c, chat.code)).status).toBe(200);
    expect((await roll(c, chat.code)).status).toBe(429);
    await t.app.ctx.settings.set('usernameRollsPerHour', 5);
    const more = await roll(c, chat.code);
    expect(more.status).toBe(200);
    expect(more.body).toMatchObject({ remaining: 1, rolls: { limit: 5 } });
  });

  it('gives a signed-in user their own allowance, apart from the anonymous device they are on', async () => {
    await t.app.ctx.settings.set('usernameRollsPerHour', 1);
    const { chat } = await hostWithChat(t);
    const browser = t.client();
    expect((await roll(browser, chat.code)).status).toBe(200);
    expect((await roll(browser, chat.code)).status).toBe(429);
    const reg = await signUp(t, browser, { email: 'own-allowance@example.com', password: 'Passw0rd!' });
    expect(reg.status).toBe(200);
    expect((await roll(browser, chat.code)).status).toBe(200);
  });

  it('never offers the same name twice, in a chat or across chats', async () => {
    await t.app.ctx.settings.set('usernameRollsPerHour', 100);
    const a = await hostWithChat(t);
    const b = await hostWithChat(t);
    const seen: string[] = [];
    for (let i = 0; i < 15; i++) {
      for (const code of [a.chat.code, b.chat.code]) seen.push((await roll(t.client(), code)).body.username.toLowerCase());
    }
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('offers no name someone holds, and a name stops being offered once rolled for someone else', async () => {
    const { chat } = await hostWithChat(t);
    const holder = await guestJoins(t, chat.code);
    const { unavailableNames } = await import('./repo');
    const blocked = await unavailableNames(t.app.ctx.db, [holder.member.username.toLowerCase(), 'notrolledbyanyone'], new Date(Date.now() - 3600_000));
    expect([...blocked]).toEqual([holder.member.username.toLowerCase()]);
  });

  it('answers an unknown chat with 404 and a private one with 403 before counting anything', async () => {
    const c = t.client();
    const missing = await roll(c, 'ZZZZZZZZ');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('CHAT_NOT_FOUND');
    const { chat } = await hostWithChat(t, { access: 'private', accessCode: 'let-me-in' });
    const hidden = await roll(c, chat.code);
    expect(hidden.status).toBe(403);
    expect(hidden.body.error.code).toBe('PRIVATE_CHAT');
    expect(JSON.stringify(hidden.body)).not.toContain('username');
    expect((await c.post(`/api/chats/${chat.code}/access`, { accessCode: 'let-me-in' })).status).toBe(200);
    expect((await roll(c, chat.code)).body.remaining).toBe(9);
  });

  it('opens the join dialog with the last roll still free and the rolls left', async () => {
    const { chat } = await hostWithChat(t);
    const c = t.client();
    expect((await c.get(`/api/chats/${chat.code}/usernames`)).body).toEqual({ owned: null, rolled: null, rolls: { limit: 10, remaining: 10, resetsAt: null } });
    await rollName(c, chat.code);
    const second = await rollName(c, chat.code);
    const options = await c.get(`/api/chats/${chat.code}/usernames`);
    expect(options.body).toMatchObject({ owned: null, rolled: second, rolls: { remaining: 8 } });
  });
});

describe(`username suggestions per chat (${backend})`, () => {
  // 20 suggestions per hour per device and per IP per chat: with 10 rolls per device the per-chat limit only shows once rolls are raised.
  const raise = () => t.app.ctx.settings.set('usernameRollsPerHour', 1000);

  it('refuses the 21st suggestion in an hour with 429 and retry-after', async () => {
    await raise();
    const { chat } = await hostWithChat(t);
    const c = t.client();
    for (let i = 0; i < 20; i++) expect((await roll(c, chat.code)).status, `suggestion ${i + 1}`).toBe(200);
    const res = await roll(c, chat.code);
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({ code: 'RATE_LIMITED', message: 'Too many username suggestions for this chat. Try again later.' });
    const wait = Number(res.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(3500);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(res.body.error.details.retryAfterSeconds).toBe(wait);
  });

  it('counts per device and per network: another device on the same network shares them, another network does not', async () => {
    await raise();
    const { chat } = await hostWithChat(t);
    const ip = '198.51.100.30';
    const first = t.client(ip);
    for (let i = 0; i < 20; i++) await roll(first, chat.code);
    expect((await roll(first, chat.code)).status).toBe(429);
    expect((await roll(t.client(ip), chat.code)).status).toBe(429);
    expect((await roll(t.client('198.51.100.31'), chat.code)).status).toBe(200);
  });

  it('counts per chat: the same device still gets suggestions in another chat', async () => {
    await raise();
    const one = await hostWithChat(t);
    const two = await hostWithChat(t);
    const c = t.client();
    for (let i = 0; i < 20; i++) await roll(c, one.chat.code);
    expect((await roll(c, one.chat.code)).status).toBe(429);
    expect((await roll(c, two.chat.code)).status).toBe(200);
  });

  it('counts the IP address when the request carries no device id', async () => {
    await raise();
    const { chat } = await hostWithChat(t);
    const ip = '198.51.100.40';
    // A client that drops its cookies: every request is a device the server has never seen.
    for (let i = 0; i < 20; i++) expect((await roll(t.client(ip), chat.code)).status).toBe(200);
    const res = await roll(t.client(ip), chat.code);
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect((await roll(t.client('198.51.100.41'), chat.code)).status).toBe(200);
  });

  it('counts only suggestions given: refused rolls do not use up the 20', async () => {
    await t.app.ctx.settings.set('usernameRollsPerHour', 2);
    const { chat } = await hostWithChat(t);
    const c = t.client();
    expect((await roll(c, chat.code)).status).toBe(200);
    expect((await roll(c, chat.code)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await roll(c, chat.code)).body.error.code).toBe('ROLLS_EXHAUSTED');
    await raise();
    for (let i = 0; i < 18; i++) expect((await roll(c, chat.code)).status, `suggestion ${i + 3}`).toBe(200);
    expect((await roll(c, chat.code)).body.error.code).toBe('RATE_LIMITED');
  });
});

describe(`joining with a rolled name (${backend})`, () => {
  it('joins a visitor only with a name rolled for their own device', async () => {
    const { chat } = await hostWithChat(t);
    const mine = t.client();
    const name = await rollName(mine, chat.code);
    const thief = await t.client().post(`/api/chats/${chat.code}/join`, { username: name });
    expect(thief.status).toBe(400);
    expect(thief.body.error.code).toBe('USERNAME_NOT_ROLLED');
    const res = await mine.post(`/api/chats/${chat.code}/join`, { username: name.toLowerCase() });
    expect(res.status).toBe(201);
    expect(res.body.member).toMatchObject({ username: name.toLowerCase(), anonymous: true, verified: false });
  });

  it('accepts any name rolled within the hour, not only the latest', async () => {
    const { chat } = await hostWithChat(t);
    const c = t.client();
    const first = await rollName(c, chat.code);
    await rollName(c, chat.code);
    expect((await c.post(`/api/chats/${chat.code}/join`, { username: first })).body.member.username).toBe(first);
  });

  it('refuses a name rolled more than an hour ago', async () => {
    const { chat } = await hostWithChat(t);
    const c = t.client();
    const name = await rollName(c, chat.code);
    await ageRolls(name);
    const res = await c.post(`/api/chats/${chat.code}/join`, { username: name });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('USERNAME_NOT_ROLLED');
    expect((await c.get(`/api/chats/${chat.code}/me`)).body.member).toBeNull();
  });

  it('gives 409 when a rolled name was taken before the join', async () => {
    const { chat } = await hostWithChat(t);
    const c = t.client();
    const name = await rollName(c, chat.code);
    expect((await t.client().post('/api/auth/register', { email: 'quick@example.com', password: 'Passw0rd!', username: name })).status).toBe(202);
    const res = await c.post(`/api/chats/${chat.code}/join`, { username: name });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'USERNAME_TAKEN', message: `Someone else just took ${name}. Roll again for another name.` });
    expect((await c.get(`/api/chats/${chat.code}/me`)).body.member).toBeNull();
    expect((await c.get(`/api/chats/${chat.code}/usernames`)).body.rolled).toBeNull();
  });

  it('recognises a returning device: the same person, with the same name, in every chat', async () => {
    const one = await hostWithChat(t);
    const two = await hostWithChat(t);
    const browser = t.client();
    const first = await guestJoins(t, one.chat.code, browser);
    // The next day, another chat: the dialog offers the name this device already has.
    const options = await browser.get(`/api/chats/${two.chat.code}/usernames`);
    expect(options.body.owned).toBe(first.member.username);
    const again = await browser.post(`/api/chats/${two.chat.code}/join`, { username: first.member.username });
    expect(again.status).toBe(201);
    expect(again.body.member.username).toBe(first.member.username);
    // Back in the first chat, the same participation.
    const back = await browser.get(`/api/chats/${one.chat.code}/me`);
    expect(back.body.member.id).toBe(first.member.id);
    // Nobody else may use it, anywhere.
    const three = await hostWithChat(t);
    expect((await t.client().post(`/api/chats/${three.chat.code}/join`, { username: first.member.username })).body.error.code).toBe('USERNAME_NOT_ROLLED');
  });

  it('joins a signed-in user with their reserved name by default, or a name they rolled, never a typed one', async () => {
    const { chat } = await hostWithChat(t);
    const one = await registerUser(t, 'Reserved_Ann');
    const typed = await one.client.post(`/api/chats/${chat.code}/join`, { username: 'TypedAlias1' });
    expect(typed.status).toBe(400);
    expect(typed.body.error.code).toBe('USERNAME_NOT_ROLLED');
    expect((await one.client.post(`/api/chats/${chat.code}/join`, {})).body.member).toMatchObject({ username: 'Reserved_Ann', verified: true });

    const two = await registerUser(t, 'Reserved_Ben');
    const rolled = await rollAndJoin(two.client, chat.code);
    expect(rolled.status).toBe(201);
    expect(rolled.body.member).toMatchObject({ verified: false, anonymous: false });
    expect(rolled.body.member.username).toMatch(GENERATED);
  });

  it('asks a signed-in user without a reserved username to roll', async () => {
    const { chat } = await hostWithChat(t);
    const { client } = await registerUser(t);
    const res = await client.post(`/api/chats/${chat.code}/join`, {});
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'USERNAME_INVALID', details: { rule: 'required' } });
    expect(res.body.error.message).toMatch(/roll the dice/i);
    expect((await rollAndJoin(client, chat.code)).status).toBe(201);
  });

  it('asks a visitor without a name to roll', async () => {
    const { chat } = await hostWithChat(t);
    const res = await t.client().post(`/api/chats/${chat.code}/join`, {});
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'USERNAME_INVALID', message: 'Roll the dice for your name first.', details: { rule: 'required' } });
  });
});

describe(`GET /api/usernames/check (${backend})`, () => {
  const check = (c: HttpClient, username: string) => c.get(`/api/usernames/check?username=${encodeURIComponent(username)}`);

  it('names the format rule a name breaks', async () => {
    const c = t.client();
    for (const [name, reason] of [
      ['', 'required'],
      ['abcd', 'too_short'],
      ['a'.repeat(16), 'too_long'],
      ['no spaces', 'characters'],
      ['emoji😀ok', 'characters'],
    ] as const) {
      const res = await check(c, name);
      expect(res.status, name).toBe(200);
      expect(res.body, name).toMatchObject({ available: false, reason, yours: false });
      expect(res.body.message.length).toBeGreaterThan(10);
    }
    expect((await c.get('/api/usernames/check')).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('offers a browser the name its device chats under, to reserve at registration', async () => {
    const { chat } = await hostWithChat(t);
    expect((await t.client().get('/api/usernames/mine')).body).toEqual({ owned: null });
    const guest = await guestJoins(t, chat.code);
    expect((await guest.client.get('/api/usernames/mine')).body).toEqual({ owned: guest.member.username });
    const reg = await signUp(t, guest.client, { email: 'mine@example.com', password: 'Passw0rd!', username: guest.member.username });
    expect(reg.status).toBe(200);
    // Now it is the account's reserved name, not something left to offer.
    expect((await guest.client.get('/api/usernames/mine')).body).toEqual({ owned: null });
  });

  it('says free names are available, keeping the case and trimming', async () => {
    const res = await check(t.client(), '  Fresh_Name9 ');
    expect(res.body).toEqual({ username: 'Fresh_Name9', available: true, reason: null, yours: false, message: 'Fresh_Name9 is available.' });
  });

  it('finds reserved usernames and anonymous devices’ names taken, ignoring case', async () => {
    await registerUser(t, 'CheckTaken');
    const { chat } = await hostWithChat(t);
    const guest = await guestJoins(t, chat.code);
    for (const name of ['checktaken', 'CHECKTAKEN', guest.member.username.toUpperCase()]) {
      expect((await check(t.client(), name)).body, name).toMatchObject({ available: false, reason: 'taken', yours: false });
    }
  });

  it('tells the asker when the name is already theirs', async () => {
    const { chat } = await hostWithChat(t);
    const guest = await guestJoins(t, chat.code);
    const own = await check(guest.client, guest.member.username.toLowerCase());
    expect(own.body).toMatchObject({ available: true, yours: true });
    expect(own.body.message).toMatch(/on this device/);
    const user = await registerUser(t, 'AlreadyMine');
    expect((await check(user.client, 'alreadymine')).body).toMatchObject({ available: true, yours: true, message: 'AlreadyMine is already yours.' });
  });

  it('checks profanity, leet-speak included, and lets legitimate words through', async () => {
    const c = t.client();
    for (const name of ['fuckface', 'Sh1tLord', 'b1tch_boy', 'f_u_c_k_off']) {
      expect((await check(c, name)).body, name).toMatchObject({ available: false, reason: 'profanity', message: 'That username is not allowed. Try another one.' });
    }
    for (const name of ['password', 'assistant', 'classic', 'Scunthorpe']) {
      expect((await check(c, name)).body, name).toMatchObject({ available: true, reason: null });
    }
  });
});

describe(`profanity at every door (${backend})`, () => {
  it('refuses a profane name at join before anything else', async () => {
    const { chat } = await hostWithChat(t);
    for (const name of ['Sh1tLord', 'cuntface', 'a55_hat']) {
      const res = await t.client().post(`/api/chats/${chat.code}/join`, { username: name });
      expect(res.status, name).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'USERNAME_INVALID', details: { rule: 'profanity' } });
    }
  });

  it('refuses a profane reserved username at registration, and takes clean ones and none', async () => {
    const bad = await t.client().post('/api/auth/register', { email: 'potty@example.com', password: 'Passw0rd!', username: 'sh1thead' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'USERNAME_INVALID', details: { rule: 'profanity' } });
    expect((await t.client().post('/api/auth/register', { email: 'potty@example.com', password: 'Passw0rd!', username: 'Classic_Assistant'.slice(0, 15) })).status).toBe(202);
    expect((await t.client().post('/api/auth/register', { email: 'noname@example.com', password: 'Passw0rd!' })).status).toBe(202);
  });

  it('only ever rolls clean names that pass every rule', async () => {
    await t.app.ctx.settings.set('usernameRollsPerHour', 100);
    const { chat } = await hostWithChat(t);
    const c = t.client();
    for (let i = 0; i < 20; i++) {
      const name = await rollName(c, chat.code);
      expect(checkUsername(name), name).toEqual({ ok: true, username: name });
    }
  });
});
