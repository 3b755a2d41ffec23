import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backend, signUp, guestJoins, hostWithChat, registerUser, rollAndJoin, rollName, startApp, type HttpClient, type TestApp } from '../../../test/harness';

// The seed's "Dual Sessions & IP Rate Limiting": its scenarios 1 and 2 step by step, the badge, and the no-fallback rule.

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterEach(async () => {
  await t.app.ctx.settings.set('anonymousNamesPerIpPerChat', 3);
});
afterAll(async () => {
  await t.destroy();
});

const me = async (c: HttpClient, code: string) => (await c.get(`/api/chats/${code}/me`)).body.member;

describe(`scenario 1: anonymous, then registered with the same name (${backend})`, () => {
  it('keeps both participations, and only the signed-in one wears the badge', async () => {
    const { chat } = await hostWithChat(t);
    const browser = t.client();

    // 1. The visitor joins anonymously with a rolled name: no badge.
    const anon = await rollAndJoin(browser, chat.code);
    expect(anon.status).toBe(201);
    const name: string = anon.body.member.username;
    expect(anon.body.member).toMatchObject({ anonymous: true, verified: false });

    // 2. They register, claiming that name (held only by this browser's device), in lower case.
    const reg = await signUp(t, browser, { email: 'robert@scenario.one', password: 'Passw0rd!', username: name.toLowerCase() });
    expect(reg.status).toBe(200);
    expect(reg.body.user.username).toBe(name.toLowerCase());

    // 3–4. Back in the chat signed in: the anonymous participation is not theirs now.
    expect(await me(browser, chat.code)).toBeNull();

    // 5–6. They join as "Robert": a new signed-in participation, with the badge (case ignored).
    const signed = await browser.post(`/api/chats/${chat.code}/join`, { username: name.toUpperCase() });
    expect(signed.status).toBe(201);
    expect(signed.body.member).toMatchObject({ username: name.toUpperCase(), anonymous: false, verified: true });

    // 7. Both coexist in the member list.
    const members = (await t.client().get(`/api/chats/${chat.code}/members`)).body.members as { username: string; verified: boolean; anonymous: boolean }[];
    const same = members.filter((m) => m.username.toLowerCase() === name.toLowerCase());
    expect(same.map((m) => [m.anonymous, m.verified]).sort()).toEqual([
      [false, true],
      [true, false],
    ]);

    // Signed out again, the browser is the anonymous participant once more.
    await browser.post('/api/auth/logout');
    expect((await me(browser, chat.code)).id).toBe(anon.body.member.id);
  });

  it('lets nobody else register a name an anonymous device holds', async () => {
    const { chat } = await hostWithChat(t);
    const guest = await guestJoins(t, chat.code);
    const res = await t.client().post('/api/auth/register', { email: 'squatter@example.com', password: 'Passw0rd!', username: guest.member.username });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('USERNAME_TAKEN');
    expect((await t.client().post('/api/auth/login', { email: 'squatter@example.com', password: 'Passw0rd!' })).status).toBe(401);
  });

  it('lets an account reserve its browser’s anonymous name later, and gives its participations the badge', async () => {
    const { chat } = await hostWithChat(t);
    const browser = t.client();
    await signUp(t, browser, { email: 'later@example.com', password: 'Passw0rd!' });
    const joined = await rollAndJoin(browser, chat.code);
    expect(joined.body.member.verified).toBe(false);
    const res = await browser.patch('/api/me', { username: joined.body.member.username });
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe(joined.body.member.username);
    expect((await me(browser, chat.code)).verified).toBe(true);
  });
});

describe(`the badge (${backend})`, () => {
  it('shows for an exact match of the reserved username', async () => {
    const { chat } = await hostWithChat(t);
    const { client } = await registerUser(t, 'CoolUser');
    expect((await client.post(`/api/chats/${chat.code}/join`, { username: 'CoolUser' })).body.member).toMatchObject({ username: 'CoolUser', verified: true });
  });

  it('shows for a match that differs only in case, keeping the case typed', async () => {
    const { chat } = await hostWithChat(t);
    const { client } = await registerUser(t, 'CaseUser');
    expect((await client.post(`/api/chats/${chat.code}/join`, { username: 'caseuser' })).body.member).toMatchObject({ username: 'caseuser', verified: true });
  });

  it('does not show for a signed-in user under another name', async () => {
    const { chat } = await hostWithChat(t);
    const { client } = await registerUser(t, 'OtherUser');
    const res = await rollAndJoin(client, chat.code);
    expect(res.body.member).toMatchObject({ anonymous: false, verified: false });
  });

  it('never shows for an anonymous participant, even one whose name a user later reserved', async () => {
    const { chat } = await hostWithChat(t);
    const browser = t.client();
    const anon = await rollAndJoin(browser, chat.code);
    await signUp(t, browser, { email: 'upgrade@example.com', password: 'Passw0rd!', username: anon.body.member.username });
    await browser.post('/api/auth/logout');
    expect((await me(browser, chat.code)).verified).toBe(false);
    const listed = (await t.client().get(`/api/chats/${chat.code}/members`)).body.members.find((m: { id: string }) => m.id === anon.body.member.id);
    expect(listed).toMatchObject({ anonymous: true, verified: false });
  });
});

describe(`my participation: no fallback between the two identities (${backend})`, () => {
  it('a visitor sees only the device’s anonymous participation; signed in, only the user’s', async () => {
    const { chat } = await hostWithChat(t);
    const browser = t.client();
    await registerUser(t); // someone else, irrelevant
    const anon = await rollAndJoin(browser, chat.code);
    await signUp(t, browser, { email: 'priority@example.com', password: 'Passw0rd!', username: 'PriorityUser' });
    expect(await me(browser, chat.code)).toBeNull();
    const signed = await browser.post(`/api/chats/${chat.code}/join`, {});
    expect((await me(browser, chat.code)).id).toBe(signed.body.member.id);
    await browser.post('/api/auth/logout');
    expect((await me(browser, chat.code)).id).toBe(anon.body.member.id);
    await browser.post('/api/auth/login', { email: 'priority@example.com', password: 'Passw0rd!' });
    expect((await me(browser, chat.code)).id).toBe(signed.body.member.id);
  });

  it('a signed-in user who never joined sees nothing, even if their browser joined anonymously', async () => {
    const { chat } = await hostWithChat(t);
    const browser = t.client();
    await rollAndJoin(browser, chat.code);
    await signUp(t, browser, { email: 'nofallback@example.com', password: 'Passw0rd!' });
    expect(await me(browser, chat.code)).toBeNull();
    expect((await browser.get(`/api/chats/${chat.code}/me`)).body).toEqual({ member: null, token: null });
  });
});

describe(`scenario 2: at most 3 new anonymous names per IP per chat (${backend})`, () => {
  it('blocks the 4th anonymous name from one IP, but not a returning device nor a signed-in user', async () => {
    const { chat } = await hostWithChat(t);
    const ip = '192.168.1.100';
    const devices = [t.client(ip), t.client(ip), t.client(ip)];
    // 1–3. Three devices on one network join: allowed.
    for (const d of devices) expect((await rollAndJoin(d, chat.code)).status).toBe(201);
    // 4. A fourth is refused with a clear sentence, and nothing is created.
    const fourth = t.client(ip);
    const name = await rollName(fourth, chat.code);
    const blocked = await fourth.post(`/api/chats/${chat.code}/join`, { username: name });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error).toMatchObject({
      code: 'ANONYMOUS_LIMIT_REACHED',
      message: 'Only 3 new anonymous names can join this chat from one network. Sign in to join.',
      details: { limit: 3 },
    });
    expect(await me(fourth, chat.code)).toBeNull();
    expect((await t.client().get(`/api/usernames/check?username=${name}`)).body.available).toBe(true);
    // 5. The first device comes back: allowed, the same participation.
    const back = await devices[0]!.post(`/api/chats/${chat.code}/join`, {});
    expect(back.status).toBe(200);
    // 6. A user signs in on that network and joins: allowed.
    const signedIn = t.client(ip);
    expect((await signUp(t, signedIn, { email: 'net@example.com', password: 'Passw0rd!', username: 'SignedInNet' })).status).toBe(200);
    expect((await signedIn.post(`/api/chats/${chat.code}/join`, {})).status).toBe(201);
  });

  it('counts per IP: another network adds its own three', async () => {
    const { chat } = await hostWithChat(t);
    for (let i = 0; i < 3; i++) await rollAndJoin(t.client('203.0.113.1'), chat.code);
    expect((await rollAndJoin(t.client('203.0.113.1'), chat.code)).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await rollAndJoin(t.client('203.0.113.2'), chat.code)).status).toBe(201);
  });

  it('counts per chat: the same network adds three more in another chat', async () => {
    const one = await hostWithChat(t);
    const two = await hostWithChat(t);
    const ip = '203.0.113.3';
    for (let i = 0; i < 3; i++) await rollAndJoin(t.client(ip), one.chat.code);
    expect((await rollAndJoin(t.client(ip), one.chat.code)).body.error.code).toBe('ANONYMOUS_LIMIT_REACHED');
    for (let i = 0; i < 3; i++) expect((await rollAndJoin(t.client(ip), two.chat.code)).status).toBe(201);
  });

  it('holds under parallel joins from one network, and follows the runtime setting', async () => {
    await t.app.ctx.settings.set('anonymousNamesPerIpPerChat', 2);
    const { chat } = await hostWithChat(t);
    const ip = '203.0.113.4';
    const clients = Array.from({ length: 6 }, () => t.client(ip));
    const names = await Promise.all(clients.map((c) => rollName(c, chat.code)));
    const results = await Promise.all(clients.map((c, i) => c.post(`/api/chats/${chat.code}/join`, { username: names[i] })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status === 400).every((r) => r.body.error.code === 'ANONYMOUS_LIMIT_REACHED')).toBe(true);
    expect(results.filter((r) => r.status === 400).at(0)?.body.error.message).toMatch(/Only 2 new anonymous names/);
  });
});
