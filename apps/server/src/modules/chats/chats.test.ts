import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_CODE_ALPHABET } from '@chatpop/protocol';
import { backend, deviceIdOf, signUp, guestJoins, hostWithChat, registerUser, rollAndJoin, rollName, startApp, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

describe(`creating a chat (${backend})`, () => {
  it('needs an account', async () => {
    const res = await t.client().post('/api/chats', { name: 'Nope' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('gives an 8-character Crockford code, makes the creator host, and stores every setting', async () => {
    const { chat, client, user } = await hostWithChat(t, {
      name: 'Friday AMA',
      description: 'Ask me anything',
      settings: { theme: 'ocean-blue', slowModeSeconds: 30, media: { photo: true }, backroom: { enabled: true, seatPriceCents: 800, seatLimit: 20 } },
    });
    expect(chat.code).toMatch(new RegExp(`^[${CHAT_CODE_ALPHABET}]{8}$`));
    expect(chat.code).not.toMatch(/[ILOU]/);
    const view = await client.get(`/api/chats/${chat.code}`);
    expect(view.body.viewer.isHost).toBe(true);
    expect(view.body.chat).toMatchObject({
      name: 'Friday AMA',
      description: 'Ask me anything',
      access: 'public',
      host: { username: user.username },
      memberCount: 1,
      settings: {
        theme: 'ocean-blue',
        slowModeSeconds: 30,
        media: { photo: true, voice: false, video: false },
        backroom: { enabled: true, seatPriceCents: 800, seatLimit: 20 },
      },
    });
    const me = await client.get(`/api/chats/${chat.code}/me`);
    expect(me.body.member).toMatchObject({ role: 'host', verified: true, anonymous: false });
  });

  it('codes never collide across many chats', async () => {
    const { client } = await registerUser(t, 'ManyChats');
    const codes = new Set<string>();
    for (let i = 0; i < 30; i++) codes.add((await client.post('/api/chats', { name: `Chat ${i}` })).body.chat.code);
    expect(codes.size).toBe(30);
  });

  it('refuses bad settings and creates nothing', async () => {
    const { client } = await registerUser(t);
    for (const body of [
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'ok', description: 'x'.repeat(501) },
      { name: 'ok', access: 'private', accessCode: 'abc' },
      { name: 'ok', settings: { slowModeSeconds: 301 } },
      { name: 'ok', settings: { theme: 'neon' } },
      { name: 'ok', settings: { backroom: { enabled: true, seatLimit: 0 } } },
      { name: 'ok', unknown: true },
    ]) {
      const res = await client.post('/api/chats', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await client.get('/api/chats/mine')).body.hosting).toHaveLength(0);
  });

  it('lists the chats a user hosts and joined', async () => {
    const a = await hostWithChat(t, { name: 'Mine' });
    const b = await hostWithChat(t, { name: 'Theirs' });
    await a.client.post(`/api/chats/${b.chat.code}/join`, {});
    const mine = await a.client.get('/api/chats/mine');
    expect(mine.body.hosting.map((c: { name: string }) => c.name)).toEqual(['Mine']);
    expect(mine.body.joined.map((c: { name: string }) => c.name)).toEqual(['Theirs']);
  });
});

describe(`viewing and private chats (${backend})`, () => {
  it('shows a public chat to anyone, and 404 for an unknown code', async () => {
    const { chat } = await hostWithChat(t, { name: 'Open house' });
    const res = await t.client().get(`/api/chats/${chat.code}`);
    expect(res.status).toBe(200);
    expect(res.body.chat.name).toBe('Open house');
    expect(res.body.chat.accessCode).toBeUndefined();
    const missing = await t.client().get('/api/chats/ZZZZZZZZ');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('CHAT_NOT_FOUND');
    expect((await t.client().get('/api/chats/not-a-code')).status).toBe(404);
  });

  it('shows nothing of a private chat, not even its name, before the access code', async () => {
    const { chat, client: host } = await hostWithChat(t, { name: 'Secret Society', access: 'private', accessCode: 'open-sesame' });
    expect(chat.accessCode).toBe('open-sesame');
    const visitor = t.client();
    for (const path of ['', '/messages', '/members', '/me']) {
      const res = await visitor.get(`/api/chats/${chat.code}${path}`);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('PRIVATE_CHAT');
      expect(JSON.stringify(res.body)).not.toContain('Secret');
    }
    const join = await visitor.post(`/api/chats/${chat.code}/join`, { username: 'Sneaky1' });
    expect(join.status).toBe(403);

    const wrong = await visitor.post(`/api/chats/${chat.code}/access`, { accessCode: 'guess' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('ACCESS_CODE_WRONG');
    expect(JSON.stringify(wrong.body)).not.toContain('Secret');

    const right = await visitor.post(`/api/chats/${chat.code}/access`, { accessCode: 'OPEN-SESAME' });
    expect(right.status).toBe(200);
    expect(right.body.chat.name).toBe('Secret Society');
    expect(right.body.chat.accessCode).toBeUndefined();
    expect((await visitor.get(`/api/chats/${chat.code}`)).status).toBe(200);
    expect((await rollAndJoin(visitor, chat.code)).status).toBe(201);
    // The host sees the code to share it.
    expect((await host.get(`/api/chats/${chat.code}`)).body.chat.accessCode).toBe('open-sesame');
  });

  it('generates an access code for a private chat created without one', async () => {
    const { chat } = await hostWithChat(t, { access: 'private' });
    expect(chat.accessCode).toMatch(/^[0-9A-Z]{6}$/);
  });

  it('rate-limits wrong access codes per chat and IP', async () => {
    const { chat } = await hostWithChat(t, { access: 'private', accessCode: 'correct-horse' });
    const ip = '198.51.100.9';
    for (let i = 0; i < 10; i++) {
      expect((await t.client(ip).post(`/api/chats/${chat.code}/access`, { accessCode: `nope${i}` })).status).toBe(403);
    }
    const res = await t.client(ip).post(`/api/chats/${chat.code}/access`, { accessCode: 'correct-horse' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect((await t.client().post(`/api/chats/${chat.code}/access`, { accessCode: 'correct-horse' })).status).toBe(200);
  });
});

describe(`joining (${backend})`, () => {
  it('lets a visitor join with a rolled name and gives back a chat session token', async () => {
    const { chat } = await hostWithChat(t);
    const visitor = t.client();
    const name = await rollName(visitor, chat.code);
    const res = await visitor.post(`/api/chats/${chat.code}/join`, { username: `  ${name} ` });
    expect(res.status).toBe(201);
    expect(res.body.member).toMatchObject({ username: name, role: 'member', verified: false, anonymous: true });
    expect(res.body.token.split('.')).toHaveLength(3);
    expect(deviceIdOf(visitor)).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  });

  it('recognises a returning device and gives its participation back', async () => {
    const { chat } = await hostWithChat(t);
    const { client, member } = await guestJoins(t, chat.code);
    const me = await client.get(`/api/chats/${chat.code}/me`);
    expect(me.body.member.id).toBe(member.id);
    expect(me.body.token).toBeTruthy();
    const again = await client.post(`/api/chats/${chat.code}/join`, { username: 'Different1' });
    expect(again.status).toBe(200);
    expect(again.body.member).toMatchObject({ id: member.id, username: member.username });
    const fresh = await t.client().get(`/api/chats/${chat.code}/me`);
    expect(fresh.body).toEqual({ member: null, token: null });
  });

  it('refuses invalid usernames with the rule broken, and joins nobody', async () => {
    const { chat } = await hostWithChat(t);
    const c = t.client();
    for (const [username, rule] of [
      ['', 'required'],
      ['   ', 'required'],
      ['abcd', 'too_short'],
      ['a'.repeat(16), 'too_long'],
      ['no spaces', 'characters'],
      ['emoji😀ok', 'characters'],
      ['hy-phen', 'characters'],
    ] as const) {
      const res = await c.post(`/api/chats/${chat.code}/join`, { username });
      expect(res.status, username).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'USERNAME_INVALID', details: { rule } });
      expect(res.body.error.message.length).toBeGreaterThan(10);
    }
    expect((await c.get(`/api/chats/${chat.code}/me`)).body.member).toBeNull();
  });

  it('takes no typed name from a visitor: neither someone else’s nor a free one', async () => {
    const { chat } = await hostWithChat(t);
    const holder = await guestJoins(t, chat.code);
    await registerUser(t, 'Reserved_Sam');
    for (const username of [holder.member.username.toUpperCase(), 'reserved_sam', 'NobodyHasThis9']) {
      const res = await t.client().post(`/api/chats/${chat.code}/join`, { username });
      expect(res.status, username).toBe(400);
      expect(res.body.error.code).toBe('USERNAME_NOT_ROLLED');
      expect(res.body.error.message).toMatch(/roll/i);
    }
  });

  it('joins a signed-in user with their reserved username and the badge', async () => {
    const { chat } = await hostWithChat(t);
    const { client } = await registerUser(t, 'BadgeBob');
    const res = await client.post(`/api/chats/${chat.code}/join`, {});
    expect(res.status).toBe(201);
    expect(res.body.member).toMatchObject({ username: 'BadgeBob', verified: true, anonymous: false });
    const other = await registerUser(t, 'PlainPat');
    const alias = await rollAndJoin(other.client, chat.code);
    expect(alias.status).toBe(201);
    expect(alias.body.member).toMatchObject({ verified: false, anonymous: false });
    expect(alias.body.member.username).not.toBe('PlainPat');
  });

  it('keeps a signed-in participation and an anonymous one of the same browser apart', async () => {
    const { chat } = await hostWithChat(t);
    const browser = t.client();
    const anon = await rollAndJoin(browser, chat.code);
    expect(anon.status).toBe(201);
    const name: string = anon.body.member.username;
    const reg = await signUp(t, browser, { email: 'robert@dual.example', password: 'Passw0rd!', username: name.toUpperCase() });
    expect(reg.status).toBe(200);
    // Signed in, the anonymous participation is not "mine".
    expect((await browser.get(`/api/chats/${chat.code}/me`)).body.member).toBeNull();
    const signed = await browser.post(`/api/chats/${chat.code}/join`, {});
    expect(signed.status).toBe(201);
    expect(signed.body.member).toMatchObject({ username: name.toUpperCase(), verified: true });
    expect(signed.body.member.id).not.toBe(anon.body.member.id);
    await browser.post('/api/auth/logout');
    expect((await browser.get(`/api/chats/${chat.code}/me`)).body.member.id).toBe(anon.body.member.id);
  });

  it('lists members with their roles to readers', async () => {
    const { chat } = await hostWithChat(t);
    await guestJoins(t, chat.code);
    const res = await t.client().get(`/api/chats/${chat.code}/members`);
    expect(res.status).toBe(200);
    expect(res.body.members.map((m: { role: string }) => m.role).sort()).toEqual(['host', 'member']);
    expect(res.body.members[0]).not.toHaveProperty('ip');
    expect(res.body.members[0]).not.toHaveProperty('deviceId');
  });
});

describe(`host settings (${backend})`, () => {
  it('lets only the host change settings', async () => {
    const { chat, client: host } = await hostWithChat(t);
    const guest = await guestJoins(t, chat.code);
    const denied = await guest.client.patch(`/api/chats/${chat.code}`, { name: 'Hijacked' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    const stranger = await registerUser(t);
    expect((await stranger.client.patch(`/api/chats/${chat.code}`, { name: 'Hijacked' })).status).toBe(403);
    const ok = await host.patch(`/api/chats/${chat.code}`, { name: 'Renamed', settings: { theme: 'dark-mode' } });
    expect(ok.status).toBe(200);
    expect(ok.body.chat).toMatchObject({ name: 'Renamed', settings: { theme: 'dark-mode', slowModeSeconds: 0 } });
    expect((await t.client().get(`/api/chats/${chat.code}`)).body.chat.name).toBe('Renamed');
    const bad = await host.patch(`/api/chats/${chat.code}`, { settings: { slowModeSeconds: -1 } });
    expect(bad.status).toBe(400);
  });

  it('rotating the access code locks out nobody who already has access but stops the old code', async () => {
    const { chat, client: host } = await hostWithChat(t, { access: 'private', accessCode: 'first-code' });
    const res = await host.patch(`/api/chats/${chat.code}`, { accessCode: 'second-code' });
    expect(res.body.chat.accessCode).toBe('second-code');
    expect((await t.client().post(`/api/chats/${chat.code}/access`, { accessCode: 'first-code' })).status).toBe(403);
    expect((await t.client().post(`/api/chats/${chat.code}/access`, { accessCode: 'second-code' })).status).toBe(200);
  });
});
