import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Member, MemberUpdatedPayload, Message } from '@chatpop/protocol';
import { messages as messagesTable } from '../../db/schema';
import {
  backend,
  call,
  collect,
  connectSocket,
  guestJoins,
  hostWithChat,
  nextIp,
  rollAndJoin,
  signUp,
  startApp,
  until,
  type ClientSocket,
  type HttpClient,
  type TestApp,
} from '../../../test/harness';

// A ban holds against the person (SPEC §2.4; docs/security.md, "Bans"): every participation of
// theirs in the chat, their devices and their account, on every route and event.

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

let people = 0;
/** A username the profanity check lets through: letters and a counter. */
const freshName = () => `Person${Date.now().toString().slice(-5)}${++people}`;

async function joinedSocket(roomId: string, token: string) {
  const s = await connectSocket(t.url, [token]);
  sockets.push(s);
  const res = await call(s, 'room:join', { roomId, afterSeq: 0 });
  if (!res.ok) throw new Error(`join refused: ${res.error.code}`);
  return s;
}

const send = (s: ClientSocket, roomId: string, content: string) =>
  call<{ message: Message }>(s, 'message:send', { roomId, clientId: `c${crypto.randomUUID().replaceAll('-', '')}`, content });

/** The same browser seen from elsewhere: its device cookie, none of its session, and another network. */
function sameBrowserElsewhere(browser: HttpClient, ip = nextIp()): HttpClient {
  const other = t.client(ip);
  const device = browser.cookies.get('cp_did');
  if (!device) throw new Error('this browser has no device cookie yet');
  other.cookies.set('cp_did', device);
  return other;
}

async function chat(settings: Record<string, unknown> = {}, access: Record<string, unknown> = {}) {
  const host = await hostWithChat(t, { ...access, settings });
  const { code, roomId } = host.chat;
  const hostMe = (await host.client.get(`/api/chats/${code}/me`)).body as { member: Member; token: string };
  const bystander = await guestJoins(t, code, await admitted(t.client(), host.chat));
  return {
    code,
    roomId,
    host,
    hostMe,
    bystander,
    moderate: (id: string, body: Record<string, unknown>) => host.client.post(`/api/chats/${code}/members/${id}/moderate`, body),
  };
}

/** A client that gave a private chat's access code (a public chat needs none). */
async function admitted(client: HttpClient, c: { code: string; accessCode?: string }) {
  if (c.accessCode) {
    const res = await client.post(`/api/chats/${c.code}/access`, { accessCode: c.accessCode });
    if (res.status !== 200) throw new Error(`access: ${res.status}`);
  }
  return client;
}

/**
 * One browser with two participations in the chat (SPEC §2.2, dual sessions):
 * it joins anonymously, then registers and joins again signed in.
 */
async function browserWithBoth(code: string) {
  const browser = t.client();
  const anon = await guestJoins(t, code, browser);
  const reg = await signUp(t, browser, { email: `${freshName().toLowerCase()}@example.com`, password: 'Passw0rd!', username: freshName() });
  if (reg.status !== 200) throw new Error(`sign-up: ${reg.status} ${JSON.stringify(reg.body)}`);
  const joined = await browser.post(`/api/chats/${code}/join`, {});
  if (joined.status !== 201) throw new Error(`signed-in join: ${joined.status} ${JSON.stringify(joined.body)}`);
  const signed = { member: joined.body.member as Member, token: joined.body.token as string };
  return { browser, anon, signed };
}

const bannedNotice = (notices: MemberUpdatedPayload[], id: string) => notices.some((n) => n.member.id === id && n.member.banned === true);

describe(`a ban holds against every participation of the person (${backend})`, () => {
  it("banning a signed-in participation bans the same browser's anonymous one: both connections are told and dropped", async () => {
    const c = await chat();
    const { browser, anon, signed } = await browserWithBoth(c.code);
    const anonSocket = await joinedSocket(c.roomId, anon.token);
    const signedSocket = await joinedSocket(c.roomId, signed.token);
    const bystanderSocket = await joinedSocket(c.roomId, c.bystander.token);
    const anonNotices = collect<MemberUpdatedPayload>(anonSocket, 'member:updated');
    const signedNotices = collect<MemberUpdatedPayload>(signedSocket, 'member:updated');
    const anonSees = collect<Message>(anonSocket, 'message:new');
    const bystanderSees = collect<Message>(bystanderSocket, 'message:new');

    expect((await c.moderate(signed.member.id, { action: 'ban' })).status).toBe(200);
    await until(() => bannedNotice(signedNotices, signed.member.id), 5000, 'the signed-in connection told');
    await until(() => bannedNotice(anonNotices, anon.member.id), 5000, 'the anonymous connection told');

    // Neither connection takes part any more, nor hears the room.
    expect(await send(anonSocket, c.roomId, 'still here?')).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await send(signedSocket, c.roomId, 'still here?')).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect((await send(bystanderSocket, c.roomId, 'after the ban')).ok).toBe(true);
    await until(() => bystanderSees.some((m) => m.content === 'after the ban'), 5000, 'the room hears the bystander');
    expect(anonSees.some((m) => m.content === 'after the ban')).toBe(false);

    // A new connection with the anonymous participation's token is refused.
    const again = await connectSocket(t.url, [anon.token]);
    sockets.push(again);
    expect(await call(again, 'room:join', { roomId: c.roomId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'BANNED' } });

    // The moderators' list shows both participations banned.
    const members = (await c.host.client.get(`/api/chats/${c.code}/members`)).body.members as (Member & { banned?: boolean })[];
    expect(members.filter((m) => m.id === anon.member.id || m.id === signed.member.id).map((m) => m.banned)).toEqual([true, true]);
    expect(members.find((m) => m.id === c.bystander.member.id)?.banned).toBe(false);

    // Over HTTP, signed in or not, the browser is refused.
    expect((await browser.get(`/api/chats/${c.code}/messages`)).body.error.code).toBe('BANNED');
    expect((await sameBrowserElsewhere(browser).get(`/api/chats/${c.code}/messages`)).body.error.code).toBe('BANNED');
  });

  it("banning an anonymous participation bans the same browser's signed-in one", async () => {
    const c = await chat();
    const { browser, anon, signed } = await browserWithBoth(c.code);
    const signedSocket = await joinedSocket(c.roomId, signed.token);
    const signedNotices = collect<MemberUpdatedPayload>(signedSocket, 'member:updated');

    expect((await c.moderate(anon.member.id, { action: 'ban' })).status).toBe(200);
    await until(() => bannedNotice(signedNotices, signed.member.id), 5000, 'the signed-in connection told');
    expect(await send(signedSocket, c.roomId, 'still here?')).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await call(signedSocket, 'room:join', { roomId: c.roomId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'BANNED' } });

    for (const path of ['/me', '/messages', '/members', '/money']) {
      const res = await browser.get(`/api/chats/${c.code}${path}`);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 403, 'BANNED']);
    }
    const rejoin = await browser.post(`/api/chats/${c.code}/join`, {});
    expect([rejoin.status, rejoin.body.error?.code]).toEqual([403, 'BANNED']);
  });

  it('an existing participation cannot re-join past a ban of the same person', async () => {
    const c = await chat();
    const { browser, anon, signed } = await browserWithBoth(c.code);
    expect((await c.moderate(signed.member.id, { action: 'ban' })).status).toBe(200);
    // Signed out, the browser is its anonymous participation again, made before the ban.
    expect((await browser.post('/api/auth/logout')).status).toBe(204);
    const rejoin = await browser.post(`/api/chats/${c.code}/join`, {});
    expect([rejoin.status, rejoin.body.error?.code, rejoin.body.token]).toEqual([403, 'BANNED', undefined]);
    const me = await browser.get(`/api/chats/${c.code}/me`);
    expect([me.status, me.body.error?.code]).toEqual([403, 'BANNED']);
    // Its token, issued before the ban, opens nothing.
    const s = await connectSocket(t.url, [anon.token]);
    sockets.push(s);
    expect(await call(s, 'room:join', { roomId: c.roomId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'BANNED' } });
  });

  it('a banned account cannot come back anonymously, from its browser on another network or from a new browser', async () => {
    const c = await chat();
    const browser = t.client();
    const reg = await signUp(t, browser, { email: `${freshName().toLowerCase()}@example.com`, password: 'Passw0rd!', username: freshName() });
    expect(reg.status).toBe(200);
    const joined = await browser.post(`/api/chats/${c.code}/join`, {});
    expect(joined.status).toBe(201);
    expect((await c.moderate(joined.body.member.id, { action: 'ban' })).status).toBe(200);

    // The same browser, signed out, on another network: its device is banned with the account.
    const elsewhere = sameBrowserElsewhere(browser);
    const rolled = await elsewhere.post(`/api/chats/${c.code}/usernames/roll`);
    expect([rolled.status, rolled.body.error?.code]).toEqual([403, 'BANNED']);
    const anonJoin = await elsewhere.post(`/api/chats/${c.code}/join`, { username: 'AnyName123' });
    expect([anonJoin.status, anonJoin.body.error?.code]).toEqual([403, 'BANNED']);

    // The account signed in on a new browser is refused, and that browser is the person's too from then on.
    const fresh = t.client();
    const login = await fresh.post('/api/auth/login', { email: reg.body.user.email, password: 'Passw0rd!' });
    expect(login.status).toBe(200);
    const open = await fresh.get(`/api/chats/${c.code}`);
    expect([open.status, open.body.error?.code]).toEqual([403, 'BANNED']);
    expect((await fresh.post('/api/auth/logout')).status).toBe(204);
    const fromNewBrowser = await rollAndJoin(sameBrowserElsewhere(fresh), c.code).catch((err: Error) => err.message);
    expect(fromNewBrowser).toMatch(/roll failed: 403 .*BANNED/);

    // Someone else on those networks is not the person.
    expect((await rollAndJoin(t.client(elsewhere.ip), c.code)).status).toBe(201);
  });

  it('a banned participant of a private chat reads nothing more over HTTP; the others still do', async () => {
    const c = await chat({ pins: { enabled: true, basePriceCents: 100 } }, { access: 'private' });
    const accessCode = c.host.chat.accessCode!;
    const guest = await guestJoins(t, c.code, await admitted(t.client(), { code: c.code, accessCode }));
    expect((await c.moderate(guest.member.id, { action: 'ban' })).status).toBe(200);
    const paths = ['', '/me', '/messages', '/members', '/money'];
    for (const path of paths) {
      const banned = await guest.client.get(`/api/chats/${c.code}${path}`);
      expect([path, banned.status, banned.body.error?.code]).toEqual([path, 403, 'BANNED']);
      const other = await c.bystander.client.get(`/api/chats/${c.code}${path}`);
      expect([path, other.status]).toEqual([path, 200]);
    }
    // Giving the access code again changes nothing.
    const code = await guest.client.post(`/api/chats/${c.code}/access`, { accessCode });
    expect([code.status, code.body.error?.code]).toEqual([403, 'BANNED']);
  });

  it("a seat holder banned through their other participation is out of the Back Room at once", async () => {
    const c = await chat({ backroom: { enabled: true, seatPriceCents: 500, seatLimit: 5 } });
    const { browser, signed } = await browserWithBoth(c.code);
    // The anonymous participation holds the seat.
    const anonBrowser = sameBrowserElsewhere(browser, browser.ip);
    const seat = await anonBrowser.post(`/api/chats/${c.code}/backroom/seats`, { idempotencyKey: `seat-${Date.now()}` });
    expect(seat.status).toBe(201);
    expect((await anonBrowser.post(`/api/payments/${seat.body.payment.id}/confirm`, { outcome: 'succeed' })).status).toBe(200);
    const entry = (await anonBrowser.get(`/api/chats/${c.code}/backroom`)).body as { roomId: string; member: Member; token: string };
    const backroomSocket = await joinedSocket(entry.roomId, entry.token);
    const notices = collect<MemberUpdatedPayload>(backroomSocket, 'member:updated');

    expect((await c.moderate(signed.member.id, { action: 'ban' })).status).toBe(200);
    await until(() => bannedNotice(notices, entry.member.id), 5000, 'the Back Room connection told');
    expect(await send(backroomSocket, entry.roomId, 'still here?')).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await call(backroomSocket, 'room:join', { roomId: entry.roomId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'BANNED' } });
    for (const path of ['/backroom', '/backroom/messages']) {
      const res = await anonBrowser.get(`/api/chats/${c.code}${path}`);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 403, 'BANNED']);
    }
  });

  it("a ban with 'also delete their recent messages' takes down the person's last day of messages, live and in history; without it they stay", async () => {
    const c = await chat();
    const { anon, signed } = await browserWithBoth(c.code);
    const anonSocket = await joinedSocket(c.roomId, anon.token);
    const signedSocket = await joinedSocket(c.roomId, signed.token);
    const bystanderSocket = await joinedSocket(c.roomId, c.bystander.token);
    const fromAnon = await send(anonSocket, c.roomId, 'spam from the guest');
    const fromSigned = await send(signedSocket, c.roomId, 'spam signed in');
    const old = await send(signedSocket, c.roomId, 'said two days ago');
    const kept = await send(bystanderSocket, c.roomId, 'the bystander stays');
    if (!fromAnon.ok || !fromSigned.ok || !old.ok || !kept.ok) throw new Error('a send failed');
    // One of theirs is older than the reach of "recent".
    await t.app.ctx.db.update(messagesTable).set({ createdAt: new Date(Date.now() - 48 * 3_600_000) }).where(eq(messagesTable.id, old.message.id));
    const deletions = collect<{ id: string }>(bystanderSocket, 'message:deleted');

    const bad = await c.moderate(signed.member.id, { action: 'ban', deleteRecent: 'yes' });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await c.moderate(signed.member.id, { action: 'ban', deleteRecent: true })).status).toBe(200);

    await until(() => deletions.length >= 2, 5000, 'the deletions announced');
    expect(deletions.map((m) => m.id).sort()).toEqual([fromAnon.message.id, fromSigned.message.id].sort());
    const history = (await c.host.client.get(`/api/chats/${c.code}/messages`)).body.messages as Message[];
    const byId = new Map(history.map((m) => [m.id, m]));
    expect(byId.get(fromAnon.message.id)?.deletedAt).toBeTruthy();
    expect(byId.get(fromSigned.message.id)?.deletedAt).toBeTruthy();
    expect(byId.get(fromSigned.message.id)?.content).toBe('');
    expect(byId.get(old.message.id)?.deletedAt).toBeFalsy();
    expect(byId.get(kept.message.id)?.deletedAt).toBeFalsy();
    const audit = (await c.host.client.get(`/api/chats/${c.code}/audit`)).body.entries as { action: string; details: Record<string, unknown> | null }[];
    expect(audit.find((e) => e.action === 'member.ban')?.details).toMatchObject({ deletedMessages: 2 });

    // Without it, a ban leaves the messages up.
    const other = await guestJoins(t, c.code, t.client());
    const otherSocket = await joinedSocket(c.roomId, other.token);
    const stays = await send(otherSocket, c.roomId, 'this one stays');
    if (!stays.ok) throw new Error('send failed');
    expect((await c.moderate(other.member.id, { action: 'ban' })).status).toBe(200);
    const after = (await c.host.client.get(`/api/chats/${c.code}/messages`)).body.messages as Message[];
    expect(after.find((m) => m.id === stays.message.id)?.deletedAt).toBeFalsy();
  });

  it('lifting the ban lifts it from every participation of the person', async () => {
    const c = await chat();
    const { browser, anon, signed } = await browserWithBoth(c.code);
    expect((await c.moderate(signed.member.id, { action: 'ban' })).status).toBe(200);
    expect((await c.moderate(anon.member.id, { action: 'unban' })).status).toBe(200);
    const signedBack = await browser.post(`/api/chats/${c.code}/join`, {});
    expect([signedBack.status, signedBack.body.member?.id]).toEqual([200, signed.member.id]);
    const anonBack = await sameBrowserElsewhere(browser).post(`/api/chats/${c.code}/join`, {});
    expect([anonBack.status, anonBack.body.member?.id]).toEqual([200, anon.member.id]);
    expect((await send(await joinedSocket(c.roomId, anonBack.body.token), c.roomId, 'back again')).ok).toBe(true);
    const members = (await c.host.client.get(`/api/chats/${c.code}/members`)).body.members as (Member & { banned?: boolean })[];
    expect(members.filter((m) => m.banned)).toEqual([]);
  });

  it("the host is never caught by a ban of their own browser's anonymous participation", async () => {
    const c = await chat();
    const hostAsGuest = await guestJoins(t, c.code, sameBrowserElsewhere(c.host.client, c.host.client.ip));
    expect((await c.moderate(hostAsGuest.member.id, { action: 'ban' })).status).toBe(200);
    expect((await c.host.client.get(`/api/chats/${c.code}/messages`)).status).toBe(200);
    const me = await c.host.client.get(`/api/chats/${c.code}/me`);
    expect(me.status).toBe(200);
    expect(me.body.member.banned).toBe(false);
    expect((await send(await joinedSocket(c.roomId, me.body.token), c.roomId, 'still hosting')).ok).toBe(true);
    expect((await hostAsGuest.client.get(`/api/chats/${c.code}/messages`)).body.error.code).toBe('BANNED');
  });
});
