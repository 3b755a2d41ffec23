import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backend, call, connectSocket, guestJoins, hostWithChat, startApp, type ClientSocket, type HttpClient, type TestApp } from './harness';

// The seed's security inventory ("JWT Session Security", "Attack Prevention"), for this stack:
// every way a chat session token can be wrong is refused, at the handshake and on a later room:join.

const JWT_SECRET = randomBytes(32).toString('hex');
let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp({ jwtSecret: JWT_SECRET });
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await t.destroy();
});

const now = () => Math.floor(Date.now() / 1000);

async function sign(payload: Record<string, unknown>, opts: { secret?: string; iat?: number; exp?: number } = {}) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('chatpop')
    .setAudience('chat')
    .setSubject(String(payload.sub))
    .setIssuedAt(opts.iat ?? now())
    .setExpirationTime(opts.exp ?? now() + 3600)
    .sign(new TextEncoder().encode(opts.secret ?? JWT_SECRET));
}

/** A guest in a chat: their real token and the claims it carries. */
async function guest() {
  const { chat } = await hostWithChat(t);
  const g = await guestJoins(t, chat.code);
  return { chat, g, claims: { sub: g.member.id, rid: chat.roomId, usr: g.member.username } };
}

/** The handshake refuses the token with this code. */
async function handshakeRefuses(token: string, code: string) {
  const err = await connectSocket(t.url, [token]).then(
    (s) => {
      s.close();
      return null;
    },
    (e: Error & { data?: { code: string; message: string } }) => e,
  );
  expect(err, 'the handshake should fail').not.toBeNull();
  expect(err!.message).toBe(code);
  expect(err!.data?.message.length).toBeGreaterThan(5);
}

/** A connection without the token cannot use it to enter the room either. */
async function roomJoinRefuses(roomId: string, token: string, code: string) {
  const s = await connectSocket(t.url, []);
  sockets.push(s);
  const ack = await call(s, 'room:join', { roomId, afterSeq: 0, token });
  expect(ack).toMatchObject({ ok: false, error: { code } });
}

describe(`chat session tokens (${backend})`, () => {
  it('a valid token opens the room', async () => {
    const { chat, g } = await guest();
    const s = await connectSocket(t.url, [g.token]);
    sockets.push(s);
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0 })).toMatchObject({ ok: true });
  });

  it('a missing token: no room, no sending', async () => {
    const { chat } = await guest();
    const s = await connectSocket(t.url, []);
    sockets.push(s);
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await call(s, 'message:send', { roomId: chat.roomId, clientId: 'no-token-0001', content: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_A_MEMBER' },
    });
  });

  it('a forged token (not a signed token at all, or signed with alg none) is refused', async () => {
    const { chat, claims } = await guest();
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ ...claims, iss: 'chatpop', aud: 'chat', iat: now(), exp: now() + 3600 }),
    ).toString('base64url')}.`;
    for (const token of ['not.a.token', 'garbage', unsigned]) {
      await handshakeRefuses(token, 'TOKEN_INVALID');
      await roomJoinRefuses(chat.roomId, token, 'TOKEN_INVALID');
    }
  });

  it('an expired token is refused as expired', async () => {
    const { chat, claims } = await guest();
    const token = await sign(claims, { iat: now() - 2 * 86400, exp: now() - 60 });
    await handshakeRefuses(token, 'TOKEN_EXPIRED');
    await roomJoinRefuses(chat.roomId, token, 'TOKEN_EXPIRED');
  });

  it('a token of another chat does not open this one', async () => {
    const one = await guest();
    const two = await guest();
    await roomJoinRefuses(two.chat.roomId, one.g.token, 'TOKEN_INVALID');
    const s = await connectSocket(t.url, [one.g.token]);
    sockets.push(s);
    expect(await call(s, 'room:join', { roomId: two.chat.roomId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
  });

  it('a token for another username than the participation’s is refused', async () => {
    const { chat, claims } = await guest();
    const token = await sign({ ...claims, usr: 'SomeoneElse1' });
    await roomJoinRefuses(chat.roomId, token, 'TOKEN_INVALID');
    const s = await connectSocket(t.url, [token]);
    sockets.push(s);
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'TOKEN_INVALID' } });
  });

  it('a tampered payload (another participation or chat under the old signature) is refused', async () => {
    const one = await guest();
    const two = await guest();
    const [head, body, sig] = one.g.token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    for (const change of [{ sub: two.g.member.id }, { rid: two.chat.roomId }, { usr: 'Admin' }, { exp: now() + 10 * 365 * 86400 }]) {
      const tampered = `${head}.${Buffer.from(JSON.stringify({ ...payload, ...change })).toString('base64url')}.${sig}`;
      await handshakeRefuses(tampered, 'TOKEN_INVALID');
      await roomJoinRefuses(two.chat.roomId, tampered, 'TOKEN_INVALID');
    }
  });

  it('a token signed with the wrong key is refused', async () => {
    const { chat, claims } = await guest();
    const token = await sign(claims, { secret: randomBytes(32).toString('hex') });
    await handshakeRefuses(token, 'TOKEN_INVALID');
    await roomJoinRefuses(chat.roomId, token, 'TOKEN_INVALID');
  });

  it('a future-dated token is refused', async () => {
    const { chat, claims } = await guest();
    const token = await sign(claims, { iat: now() + 3600, exp: now() + 7200 });
    await handshakeRefuses(token, 'TOKEN_INVALID');
    await roomJoinRefuses(chat.roomId, token, 'TOKEN_INVALID');
  });

  it('an empty token is refused', async () => {
    const { chat } = await guest();
    await handshakeRefuses('', 'TOKEN_INVALID');
    await roomJoinRefuses(chat.roomId, '', 'TOKEN_INVALID');
  });

  it('an account access token is not a chat session token', async () => {
    const { chat } = await guest();
    const host = await hostWithChat(t);
    const access = host.client.cookies.get('cp_at')!;
    await handshakeRefuses(access, 'TOKEN_INVALID');
    await roomJoinRefuses(chat.roomId, access, 'TOKEN_INVALID');
  });
});

describe(`attack prevention in usernames (${backend})`, () => {
  it('refuses SQL and script injection in names at every door, changing nothing', async () => {
    const { chat } = await hostWithChat(t);
    for (const name of ["x' OR '1'='1", 'Robert"); DROP TABLE users;--', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>']) {
      const join = await t.client().post(`/api/chats/${chat.code}/join`, { username: name });
      expect(join.status, name).toBe(400);
      expect(join.body.error.code).toBe('USERNAME_INVALID');
      const reg = await t.client().post('/api/auth/register', { email: `inj${randomBytes(3).toString('hex')}@example.com`, password: 'Passw0rd!', username: name });
      expect(reg.status, name).toBe(400);
      const check = await t.client().get(`/api/usernames/check?username=${encodeURIComponent(name)}`);
      expect(check.body).toMatchObject({ available: false });
    }
    expect((await t.client().get(`/api/chats/${chat.code}/members`)).body.members).toHaveLength(1);
  });
});

describe(`cross-site requests (${backend})`, () => {
  /** What a form on another site can send: a simple POST with a text/plain body, the victim's cookies riding along. */
  const formPost = (client: HttpClient, path: string) => client.request('POST', path, 'x=1', { 'content-type': 'text/plain' });

  it('are refused however the path is spelled, and change nothing', async () => {
    const { client, chat } = await hostWithChat(t);
    const paths = [
      `/api/chats/${chat.code}/end`,
      `/%61pi/chats/${chat.code}/end`,
      `/ap%69/chats/${chat.code}/end`,
      `/api/chats/${chat.code}/%65nd`,
      `/%61%70%69/%63hats/${chat.code}/end`,
      `/api/chats/${chat.code}/end?x=/api/payments/webhook`,
    ];
    for (const path of paths) {
      const res = await formPost(client, path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe('CSRF_REJECTED');
    }
    expect((await client.get(`/api/chats/${chat.code}`)).body.chat.endedAt).toBeNull();
    // Signing out is a state change too.
    expect((await formPost(client, '/%61pi/auth/logout')).body.error.code).toBe('CSRF_REJECTED');
    expect((await client.get('/api/me')).status).toBe(200);
    // The app's own requests (JSON, or the CSRF header) pass.
    expect((await client.request('POST', `/api/chats/${chat.code}/end`, 'x', { 'content-type': 'text/plain', 'x-chatpop-csrf': '1' })).status).toBe(200);
  });

  it('are refused on paths that exist under no route too', async () => {
    const res = await formPost(t.client(), '/nothing/here');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_REJECTED');
  });

  it('leave only the Stripe webhook, by its route, to its signature', async () => {
    for (const path of ['/api/payments/webhook', '/api/payments/%77ebhook']) {
      const res = await formPost(t.client(), path);
      expect(res.body.error?.code, path).not.toBe('CSRF_REJECTED');
      expect(res.status, path).toBe(400);
    }
  });
});

describe(`huge numbers in cursors (${backend})`, () => {
  const HUGE = ['2147483648', '4294967296', '9007199254740993', '1e300', '99999999999999999999999'];

  it('history cursors beyond any seq are a 400 with the one error shape, never a 500', async () => {
    const { chat } = await hostWithChat(t);
    const client = t.client();
    for (const value of HUGE) {
      for (const name of ['before', 'after']) {
        const res = await client.get(`/api/chats/${chat.code}/messages?${name}=${value}`);
        expect(res.status, `${name}=${value}`).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    }
    expect((await client.get(`/api/chats/${chat.code}/messages?before=2147483647`)).status).toBe(200);
    expect((await client.get(`/api/chats/${chat.code}/messages?after=2147483647`)).status).toBe(200);
  });

  it('socket cursors beyond any seq are refused in the acknowledgement, and the connection stays usable', async () => {
    const { chat, g } = await guest();
    const s = await connectSocket(t.url, [g.token]);
    sockets.push(s);
    for (const value of HUGE.map(Number)) {
      expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: value }), `join ${value}`).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      for (const range of [{ afterSeq: value }, { afterSeq: 0, beforeSeq: value }]) {
        expect(await call(s, 'message:range', { roomId: chat.roomId, ...range }), JSON.stringify(range)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      }
    }
    expect(await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 2_147_483_647 })).toMatchObject({ ok: true });
    expect(await call(s, 'message:range', { roomId: chat.roomId, afterSeq: 0, beforeSeq: 2_147_483_647 })).toMatchObject({ ok: true });
  });
});
