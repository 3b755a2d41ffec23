import { SignJWT, decodeJwt } from 'jose';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { containsProfanity, type Message, type SessionRevokedPayload } from '@chatpop/protocol';
import {
  backend,
  call,
  collect,
  connectAccountSocket,
  connectSocket,
  guestJoins,
  hostWithChat,
  HttpClient,
  nextIp,
  registerUser,
  startApp,
  until,
  type ClientSocket,
  type TestApp,
} from './harness';

// A chat session token of a signed-in participation is bound to the session
// it was issued in: when that session ends (sign out, sign out everywhere, a
// session ended from the sessions page, a password change or reset, a
// refresh token used twice), every socket that speaks for it ends at once,
// on every node, and its tokens stop opening anything. Anonymous
// participants are not touched.

const JWT_SECRET = randomBytes(32).toString('hex');
let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp({ jwtSecret: JWT_SECRET, env: { DEV_OUTBOX: 'true' } });
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await t.destroy();
});

const WAIT_MS = 10_000;
const SIGNED_OUT = /signed out/i;

/** How a socket ended: what the server said first, and the reason Socket.IO gave. */
function watch(socket: ClientSocket) {
  const seen = { revoked: [] as SessionRevokedPayload[], reason: null as string | null };
  socket.on('session:revoked', (p) => seen.revoked.push(p));
  socket.on('disconnect', (reason) => (seen.reason = reason));
  return seen;
}

async function open(url: string, tokens: string[]) {
  const s = await connectSocket(url, tokens);
  sockets.push(s);
  return s;
}

/** Waits until the server ended this socket for its session, saying so first. */
async function endedForSession(seen: ReturnType<typeof watch>, what: string) {
  await until(() => seen.reason !== null, WAIT_MS, `${what} to be ended`);
  expect(seen.reason, what).toBe('io server disconnect');
  expect(seen.revoked, what).toHaveLength(1);
  expect(seen.revoked[0]).toMatchObject({ code: 'SESSION_REVOKED' });
  expect(seen.revoked[0]!.message).toMatch(SIGNED_OUT);
}

/** The handshake refuses these tokens with this code. */
async function handshakeRefuses(url: string, tokens: string[], code: string) {
  const err = await connectSocket(url, tokens).then(
    (s) => {
      s.close();
      return null;
    },
    (e: Error & { data?: { code: string; message: string } }) => e,
  );
  expect(err, 'the handshake should fail').not.toBeNull();
  expect(err!.message).toBe(code);
  expect(err!.data?.message).toMatch(/\w/);
}

/** A reserved username that the profanity check lets through (random hex can spell a word it refuses). */
function nameLike(prefix: string): string {
  for (;;) {
    const name = `${prefix}${randomBytes(3).toString('hex')}`;
    if (!containsProfanity(name)) return name;
  }
}

/** Signs the account in on a new client: another session. */
async function anotherSession(email: string, url = t.url): Promise<HttpClient> {
  const c = new HttpClient(url, nextIp());
  const res = await c.post('/api/auth/login', { email, password: 'Passw0rd!' });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return c;
}

/** This client's own session id. */
async function sessionIdOf(c: HttpClient): Promise<string> {
  const res = await c.get('/api/me/sessions');
  return (res.body.sessions as { id: string; current: boolean }[]).find((s) => s.current)!.id;
}

/** Joins the chat as this signed-in client and opens a socket in the room with its chat session token (no cookie). */
async function joinAndConnect(c: HttpClient, chat: { code: string; roomId: string }, url = t.url) {
  const joined = await c.post(`/api/chats/${chat.code}/join`, {});
  if (joined.status !== 200 && joined.status !== 201) throw new Error(`join failed: ${joined.status} ${JSON.stringify(joined.body)}`);
  const socket = await open(url, [joined.body.token]);
  const seen = watch(socket);
  expect(await call(socket, 'room:join', { roomId: chat.roomId, afterSeq: 0 })).toMatchObject({ ok: true });
  return { token: joined.body.token as string, socket, seen, memberId: joined.body.member.id as string };
}

async function sends(socket: ClientSocket, roomId: string, content: string) {
  const ack = await call<{ message: Message }>(socket, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content });
  expect(ack, content).toMatchObject({ ok: true });
}

describe(`sockets of an ended session (${backend})`, () => {
  it('signing out everywhere ends every socket of every session of the account at once, and nobody else’s', async () => {
    const { chat } = await hostWithChat(t);
    const { client: laptop, user } = await registerUser(t, nameLike('Ends'));
    const phone = await anotherSession(user.email);
    const onLaptop = await joinAndConnect(laptop, chat);
    const onPhone = await joinAndConnect(phone, chat);
    const inbox = await connectAccountSocket(t.url, phone);
    sockets.push(inbox);
    const inboxSeen = watch(inbox);
    const other = await registerUser(t, nameLike('Stay'));
    const bystander = await joinAndConnect(other.client, chat);
    const guest = await guestJoins(t, chat.code);
    const guestSocket = await open(t.url, [guest.token]);
    await call(guestSocket, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    const guestSeen = watch(guestSocket);
    const bystanderGot = collect<Message>(bystander.socket, 'message:new');

    expect((await laptop.post('/api/auth/logout-all')).status).toBe(204);
    await endedForSession(onLaptop.seen, 'the laptop’s chat socket');
    await endedForSession(onPhone.seen, 'the phone’s chat socket');
    await endedForSession(inboxSeen, 'the phone’s account socket');

    // Anonymous and other people's connections go on.
    expect(guestSocket.connected && bystander.socket.connected).toBe(true);
    expect(guestSeen.revoked).toEqual([]);
    await sends(guestSocket, chat.roomId, 'still here');
    await until(() => bystanderGot.some((m) => m.content === 'still here'), WAIT_MS, 'the bystander hears the guest');

    // The ended session's tokens open nothing any more: not at the handshake, not on a later room:join.
    await handshakeRefuses(t.url, [onLaptop.token], 'SESSION_REVOKED');
    await handshakeRefuses(t.url, [guest.token, onPhone.token], 'SESSION_REVOKED');
    const fresh = await open(t.url, []);
    expect(await call(fresh, 'room:join', { roomId: chat.roomId, afterSeq: 0, token: onPhone.token })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_REVOKED' },
    });
    // The guest's own token is as good as before.
    const again = await open(t.url, [guest.token]);
    expect(await call(again, 'room:join', { roomId: chat.roomId, afterSeq: 0 })).toMatchObject({ ok: true });
  });

  it('signing out of one session ends its sockets and leaves the other session’s alone', async () => {
    const { chat } = await hostWithChat(t);
    const { client: laptop, user } = await registerUser(t, nameLike('One'));
    const phone = await anotherSession(user.email);
    const onLaptop = await joinAndConnect(laptop, chat);
    const onPhone = await joinAndConnect(phone, chat);

    expect((await phone.post('/api/auth/logout')).status).toBe(204);
    await endedForSession(onPhone.seen, 'the phone’s socket');
    expect(onLaptop.socket.connected).toBe(true);
    await sends(onLaptop.socket, chat.roomId, 'the laptop goes on');
    expect(onLaptop.seen.revoked).toEqual([]);
    // The laptop's token still opens the room; the phone's does not.
    const again = await open(t.url, [onLaptop.token]);
    expect(await call(again, 'room:join', { roomId: chat.roomId, afterSeq: 0 })).toMatchObject({ ok: true });
    await handshakeRefuses(t.url, [onPhone.token], 'SESSION_REVOKED');
  });

  it('ending a session from the sessions page, ending the others, and a password change end those sessions’ sockets', async () => {
    const { chat } = await hostWithChat(t);
    const { client: laptop, user } = await registerUser(t, nameLike('Page'));
    const phone = await anotherSession(user.email);
    const tablet = await anotherSession(user.email);
    const onLaptop = await joinAndConnect(laptop, chat);
    const onPhone = await joinAndConnect(phone, chat);
    const onTablet = await joinAndConnect(tablet, chat);

    expect((await laptop.delete(`/api/me/sessions/${await sessionIdOf(phone)}`)).status).toBe(204);
    await endedForSession(onPhone.seen, 'the phone, ended from the sessions page');
    expect(onTablet.socket.connected && onLaptop.socket.connected).toBe(true);

    expect((await laptop.post('/api/me/sessions/revoke-others')).status).toBe(204);
    await endedForSession(onTablet.seen, 'the tablet, one of the others');
    expect(onLaptop.socket.connected).toBe(true);

    const desk = await anotherSession(user.email);
    const onDesk = await joinAndConnect(desk, chat);
    expect((await laptop.post('/api/me/password', { currentPassword: 'Passw0rd!', newPassword: 'N3wPassw0rd' })).status).toBe(204);
    await endedForSession(onDesk.seen, 'the desk, after a password change elsewhere');
    expect(onLaptop.socket.connected).toBe(true);
    await sends(onLaptop.socket, chat.roomId, 'the laptop goes on');
    expect(onLaptop.seen.revoked).toEqual([]);
  });

  it('a password reset ends the sockets of every session', async () => {
    const { chat } = await hostWithChat(t);
    const { client: laptop, user } = await registerUser(t, nameLike('Reset'));
    const onLaptop = await joinAndConnect(laptop, chat);
    expect((await t.client().post('/api/auth/password-reset', { email: user.email })).status).toBe(202);
    let token: string | undefined;
    await until(
      () => {
        const mail = t.app.ctx.outbox!.list().find((m) => m.to === user.email && /Reset your/.test(m.subject));
        token = mail && /reset-password\?token=([\w-]+)/.exec(mail.text)?.[1];
        return token !== undefined;
      },
      WAIT_MS,
      'the reset mail',
    );
    expect((await t.client().post('/api/auth/password-reset/confirm', { token, password: 'R3setPassw0rd' })).status).toBe(200);
    await endedForSession(onLaptop.seen, 'the laptop, after a reset');
  });

  it('a refresh token used twice ends its session’s sockets', async () => {
    const { chat } = await hostWithChat(t);
    const { client: laptop } = await registerUser(t, nameLike('Theft'));
    const onLaptop = await joinAndConnect(laptop, chat);
    const stolen = laptop.cookies.get('cp_rt')!;
    expect((await laptop.post('/api/auth/refresh')).status).toBe(200);
    const thief = t.client();
    thief.cookies.set('cp_rt', stolen);
    expect((await thief.post('/api/auth/refresh')).body.error.code).toBe('SESSION_REVOKED');
    await endedForSession(onLaptop.seen, 'the laptop, whose refresh token was replayed');
  });
});

describe(`chat session tokens of signed-in participations (${backend})`, () => {
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (payload: Record<string, unknown>, subject: string) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('chatpop')
      .setAudience('chat')
      .setSubject(subject)
      .setIssuedAt(now())
      .setExpirationTime(now() + 3600)
      .sign(new TextEncoder().encode(JWT_SECRET));

  it('name the session they were issued in; anonymous ones name none', async () => {
    const { chat } = await hostWithChat(t);
    const { client } = await registerUser(t, nameLike('Sid'));
    const joined = await client.post(`/api/chats/${chat.code}/join`, {});
    expect(decodeJwt(joined.body.token).sid).toBe(await sessionIdOf(client));
    const me = await client.get(`/api/chats/${chat.code}/me`);
    expect(decodeJwt(me.body.token).sid).toBe(await sessionIdOf(client));
    const guest = await guestJoins(t, chat.code);
    expect(decodeJwt(guest.token).sid).toBeUndefined();
  });

  it('one without a session (issued before sessions were named) must be fetched afresh; one naming another account’s session is refused', async () => {
    const { chat } = await hostWithChat(t);
    const { client, user } = await registerUser(t, nameLike('Old'));
    const joined = await client.post(`/api/chats/${chat.code}/join`, {});
    const claims = { rid: chat.roomId, usr: joined.body.member.username };
    const s = await open(t.url, []);

    const unbound = await sign(claims, joined.body.member.id);
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0, token: unbound })).toMatchObject({ ok: false, error: { code: 'TOKEN_EXPIRED' } });

    const someoneElse = await registerUser(t);
    const foreign = await sign({ ...claims, sid: await sessionIdOf(someoneElse.client) }, joined.body.member.id);
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0, token: foreign })).toMatchObject({ ok: false, error: { code: 'TOKEN_INVALID' } });

    const unknown = await sign({ ...claims, sid: crypto.randomUUID() }, joined.body.member.id);
    await handshakeRefuses(t.url, [unknown], 'SESSION_REVOKED');
    const malformed = await sign({ ...claims, sid: 42 }, joined.body.member.id);
    await handshakeRefuses(t.url, [malformed], 'TOKEN_INVALID');
    // The account's own token, as issued, opens the room.
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0, token: joined.body.token })).toMatchObject({ ok: true });
    expect(user.id).toBeTruthy();
  });

  it('a socket that took a signed-in token with room:join is ended with that session too', async () => {
    const { chat } = await hostWithChat(t);
    const { client } = await registerUser(t, nameLike('Late'));
    const joined = await client.post(`/api/chats/${chat.code}/join`, {});
    const s = await open(t.url, []);
    const seen = watch(s);
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0, token: joined.body.token })).toMatchObject({ ok: true });
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    await endedForSession(seen, 'the socket that joined with the token');
  });
});

describe.runIf(backend === 'networked')('sockets of an ended session on another node', () => {
  it('signing out everywhere on one node ends the session’s sockets on the other, and only those', async () => {
    const b = await startApp({ databaseUrl: t.config.databaseUrl, redisPrefix: t.config.redisPrefix, jwtSecret: JWT_SECRET });
    try {
      const { chat } = await hostWithChat(t);
      const { client: laptop, user } = await registerUser(t, nameLike('Node'));
      const phone = await anotherSession(user.email, b.url);
      const onB = await joinAndConnect(phone, chat, b.url);
      const inboxOnB = await connectAccountSocket(b.url, phone);
      sockets.push(inboxOnB);
      const inboxSeen = watch(inboxOnB);
      const guest = await guestJoins(t, chat.code);
      const guestOnB = await open(b.url, [guest.token]);
      await call(guestOnB, 'room:join', { roomId: chat.roomId, afterSeq: 0 });

      expect((await laptop.post('/api/auth/logout-all')).status).toBe(204);
      await endedForSession(onB.seen, 'the chat socket on the other node');
      await endedForSession(inboxSeen, 'the account socket on the other node');
      expect(guestOnB.connected).toBe(true);
      await sends(guestOnB, chat.roomId, 'still on B');
      await handshakeRefuses(b.url, [onB.token], 'SESSION_REVOKED');
    } finally {
      await b.stop();
    }
  });
});
