import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend,
  call,
  connectSocket,
  guestJoins,
  hostWithChat,
  seedMessages,
  startApp,
  type ClientSocket,
  type HttpClient,
  type TestApp,
} from '../../../test/harness';

/**
 * The permission matrix of SPEC §2.4: every role × every action, over HTTP
 * and over the socket, both the allowed and the refused side. Each attempt
 * acts on a fresh participant and a fresh message, so one success cannot
 * change what the next attempt meets.
 */

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

type Role = 'host' | 'moderator' | 'member' | 'anonymous' | 'banned' | 'timedOut' | 'outsider';
const ROLES: Role[] = ['host', 'moderator', 'member', 'anonymous', 'banned', 'timedOut', 'outsider'];

interface Actor {
  client: HttpClient;
  /** Connected with the actor's token; joined to the room unless `joinError`. */
  socket: ClientSocket;
  joinError: string | null;
  /** The chat session token the socket connects with. */
  token: string | null;
  memberId: string | null;
  /** Messages of the actor's own, written before any ban or time-out. */
  own: string[];
}

interface Fixture {
  code: string;
  roomId: string;
  host: HttpClient;
  actors: Record<Role, Actor>;
}

async function socketFor(roomId: string, token: string | null): Promise<{ socket: ClientSocket; error: string | null }> {
  const socket = await connectSocket(t.url, token ? [token] : []);
  sockets.push(socket);
  const res = await call(socket, 'room:join', { roomId, afterSeq: 0 });
  return { socket, error: res.ok ? null : res.error.code };
}

/** A private chat with one actor of every role, each with a client and (when allowed) a joined socket. */
async function fixture(): Promise<Fixture> {
  const host = await hostWithChat(t, { access: 'private', accessCode: 'let-me-in' });
  const { code, roomId } = host.chat;
  const withAccess = () => {
    const c = t.client();
    return c.post(`/api/chats/${code}/access`, { accessCode: 'let-me-in' }).then(() => c);
  };
  const join = async (_role: string) => guestJoins(t, code, await withAccess());
  const hostToken = (await host.client.get(`/api/chats/${code}/me`)).body;
  const mod = await join(`Mod${roomId.slice(-6)}`);
  const member = await join(`Mem${roomId.slice(-6)}`);
  const banned = await join(`Ban${roomId.slice(-6)}`);
  const timedOut = await join(`Tmo${roomId.slice(-6)}`);
  const own = new Map<string, string[]>();
  for (const id of [hostToken.member.id, mod.member.id, member.member.id, banned.member.id, timedOut.member.id]) {
    own.set(id, (await seedMessages(t, roomId, id, 2, `own-${id.slice(-8)}`)).map((m) => m.id));
  }
  expect((await host.client.post(`/api/chats/${code}/members/${mod.member.id}/moderate`, { action: 'promote' })).status).toBe(200);
  expect((await host.client.post(`/api/chats/${code}/members/${banned.member.id}/moderate`, { action: 'ban' })).status).toBe(200);
  expect((await host.client.post(`/api/chats/${code}/members/${timedOut.member.id}/moderate`, { action: 'timeout', seconds: 600 })).status).toBe(200);
  const anonymous = await withAccess();
  const other = await hostWithChat(t);
  const outsider = await guestJoins(t, other.chat.code);

  const actor = async (client: HttpClient, token: string | null, memberId: string | null): Promise<Actor> => {
    const { socket, error } = await socketFor(roomId, token);
    return { client, socket, joinError: error, token, memberId, own: memberId ? (own.get(memberId) ?? []) : [] };
  };
  return {
    code,
    roomId,
    host: host.client,
    actors: {
      host: await actor(host.client, hostToken.token, hostToken.member.id),
      moderator: await actor(mod.client, mod.token, mod.member.id),
      member: await actor(member.client, member.token, member.member.id),
      anonymous: await actor(anonymous, null, null),
      banned: await actor(banned.client, banned.token, banned.member.id),
      timedOut: await actor(timedOut.client, timedOut.token, timedOut.member.id),
      outsider: await actor(outsider.client, outsider.token, outsider.member.id),
    },
  };
}

/** A fresh participant of the chat with one message of theirs. */
async function victim(f: Fixture) {
  const client = t.client();
  await client.post(`/api/chats/${f.code}/access`, { accessCode: 'let-me-in' });
  const g = await guestJoins(t, f.code, client);
  const [message] = await seedMessages(t, f.roomId, g.member.id, 1, `victim-${g.member.id.slice(-8)}`);
  return { memberId: g.member.id, messageId: message!.id };
}

type Outcome = 'ok' | string;
interface ActionSpec {
  name: string;
  expect: Record<Role, Outcome>;
  /** Socket outcomes where they differ from HTTP. */
  socketExpect?: Partial<Record<Role, Outcome>>;
  http?: (f: Fixture, a: Actor) => Promise<Outcome>;
  socket?: (f: Fixture, a: Actor, s: ClientSocket) => Promise<Outcome>;
}

const httpOutcome = (res: { status: number; body: any }): Outcome => (res.status < 300 ? 'ok' : (res.body?.error?.code ?? String(res.status)));
const ackOutcome = (res: { ok: boolean; error?: { code: string } }): Outcome => (res.ok ? 'ok' : res.error!.code);

const MOD_ACTION: Record<Role, Outcome> = {
  host: 'ok',
  moderator: 'ok',
  member: 'FORBIDDEN',
  anonymous: 'FORBIDDEN',
  banned: 'BANNED',
  timedOut: 'FORBIDDEN',
  outsider: 'PRIVATE_CHAT',
};
/** A banned person meets their ban first, on every route (moderation/bans.ts). */
const HOST_ONLY: Record<Role, Outcome> = { ...MOD_ACTION, moderator: 'FORBIDDEN' };
/** Settings are reached without read access (the route answers FORBIDDEN rather than naming the chat). */
const MOD_SETTING: Record<Role, Outcome> = { ...MOD_ACTION, outsider: 'FORBIDDEN' };

function moderate(action: string, extra: Record<string, unknown> = {}): Pick<ActionSpec, 'http' | 'socket'> {
  return {
    http: async (f, a) => {
      const v = await victim(f);
      return httpOutcome(await a.client.post(`/api/chats/${f.code}/members/${v.memberId}/moderate`, { action, ...extra }));
    },
    socket: async (f, _a, s) => {
      const v = await victim(f);
      return ackOutcome(await call(s, 'member:moderate', { roomId: f.roomId, memberId: v.memberId, action, ...extra }));
    },
  };
}

function setting(settings: Record<string, unknown>): Pick<ActionSpec, 'http' | 'socket'> {
  return {
    http: async (f, a) => httpOutcome(await a.client.patch(`/api/chats/${f.code}`, { settings })),
    socket: async (f, _a, s) => ackOutcome(await call(s, 'room:moderate', { roomId: f.roomId, settings })),
  };
}

const ACTIONS: ActionSpec[] = [
  {
    name: 'send a message',
    expect: { host: 'ok', moderator: 'ok', member: 'ok', anonymous: 'NOT_A_MEMBER', banned: 'NOT_A_MEMBER', timedOut: 'TIMED_OUT', outsider: 'NOT_A_MEMBER' },
    socket: async (f, _a, s) =>
      ackOutcome(await call(s, 'message:send', { roomId: f.roomId, clientId: `m${crypto.randomUUID().replaceAll('-', '')}`, content: 'hello' })),
  },
  {
    name: "delete someone else's message",
    expect: { ...MOD_ACTION, anonymous: 'NOT_A_MEMBER' },
    http: async (f, a) => {
      const v = await victim(f);
      const res = await a.client.request('DELETE', `/api/chats/${f.code}/messages/${v.messageId}`, undefined, { 'x-chatpop-csrf': '1' });
      return httpOutcome(res);
    },
    socket: async (f, _a, s) => ackOutcome(await call(s, 'message:delete', { roomId: f.roomId, messageId: (await victim(f)).messageId })),
  },
  {
    name: 'delete their own message',
    expect: { host: 'ok', moderator: 'ok', member: 'ok', anonymous: 'NOT_A_MEMBER', banned: 'BANNED', timedOut: 'ok', outsider: 'PRIVATE_CHAT' },
    http: async (f, a) => {
      const own = a.own.pop() ?? (await victim(f)).messageId;
      const res = await a.client.request('DELETE', `/api/chats/${f.code}/messages/${own}`, undefined, { 'x-chatpop-csrf': '1' });
      return httpOutcome(res);
    },
    socket: async (f, a, s) => {
      const own = a.own.pop() ?? (await victim(f)).messageId;
      return ackOutcome(await call(s, 'message:delete', { roomId: f.roomId, messageId: own }));
    },
  },
  {
    name: 'react with an emoji',
    expect: { host: 'ok', moderator: 'ok', member: 'ok', anonymous: 'NOT_A_MEMBER', banned: 'BANNED', timedOut: 'TIMED_OUT', outsider: 'PRIVATE_CHAT' },
    http: async (f, a) => httpOutcome(await a.client.post(`/api/chats/${f.code}/messages/${(await victim(f)).messageId}/reactions`, { emoji: '👍', on: true })),
    socket: async (f, _a, s) => ackOutcome(await call(s, 'reaction:set', { roomId: f.roomId, messageId: (await victim(f)).messageId, emoji: '🔥', on: true })),
  },
  {
    name: 'report a message',
    expect: { host: 'ok', moderator: 'ok', member: 'ok', anonymous: 'NOT_A_MEMBER', banned: 'BANNED', timedOut: 'ok', outsider: 'PRIVATE_CHAT' },
    http: async (f, a) => httpOutcome(await a.client.post(`/api/chats/${f.code}/messages/${(await victim(f)).messageId}/report`, { reason: 'spam' })),
    socket: async (f, _a, s) => ackOutcome(await call(s, 'message:report', { roomId: f.roomId, messageId: (await victim(f)).messageId, reason: 'harassment' })),
  },
  { name: 'time someone out', expect: MOD_ACTION, ...moderate('timeout', { seconds: 60 }) },
  { name: 'lift a time-out', expect: MOD_ACTION, ...moderate('untimeout') },
  { name: 'ban someone', expect: MOD_ACTION, ...moderate('ban') },
  { name: 'unban someone', expect: MOD_ACTION, ...moderate('unban') },
  { name: 'hide someone silently', expect: MOD_ACTION, ...moderate('hide') },
  { name: 'appoint a moderator', expect: HOST_ONLY, ...moderate('promote') },
  { name: 'remove a moderator', expect: HOST_ONLY, ...moderate('demote') },
  { name: 'set slow mode', expect: MOD_SETTING, ...setting({ slowModeSeconds: 0 }) },
  { name: 'set blocked terms', expect: MOD_SETTING, ...setting({ blockedTerms: ['zzzblocked'] }) },
  { name: 'lock or unlock the chat', expect: MOD_SETTING, ...setting({ locked: false }) },
  { name: 'switch lockdown', expect: MOD_SETTING, ...setting({ lockdown: { active: false } }) },
  {
    name: 'change host-only settings (name, theme)',
    expect: { ...MOD_SETTING, moderator: 'FORBIDDEN' },
    http: async (f, a) => httpOutcome(await a.client.patch(`/api/chats/${f.code}`, { name: 'Renamed', settings: { theme: 'ocean-blue' } })),
    socket: async (f, _a, s) => ackOutcome(await call(s, 'room:moderate', { roomId: f.roomId, settings: { theme: 'dark-mode' } })),
  },
  {
    name: 'rotate the access code',
    expect: HOST_ONLY,
    http: async (f, a) => httpOutcome(await a.client.post(`/api/chats/${f.code}/access-code/rotate`, {})),
  },
  {
    name: 'read the report queue',
    expect: MOD_ACTION,
    http: async (f, a) => httpOutcome(await a.client.get(`/api/chats/${f.code}/reports`)),
  },
  {
    name: 'read the audit log',
    expect: MOD_ACTION,
    http: async (f, a) => httpOutcome(await a.client.get(`/api/chats/${f.code}/audit`)),
  },
];

describe(`permission matrix (${backend})`, () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture();
  }, 60_000);

  it('lets the host, a moderator, a member and a timed-out member join the room, and nobody else', () => {
    expect(f.actors.banned.joinError).toBe('BANNED');
    expect(f.actors.anonymous.joinError).toBe('NOT_A_MEMBER');
    expect(f.actors.outsider.joinError).toBe('NOT_A_MEMBER');
    for (const role of ['host', 'moderator', 'member', 'timedOut'] as Role[]) expect(f.actors[role].joinError, role).toBeNull();
  });

  it.each(ACTIONS.map((a) => [a.name, a] as const))('%s: every role meets its rule, over HTTP and over the socket', async (_name, action) => {
    const got: string[] = [];
    const want: string[] = [];
    for (const role of ROLES) {
      const a = f.actors[role];
      if (action.http) {
        want.push(`HTTP   ${role}: ${action.expect[role]}`);
        got.push(`HTTP   ${role}: ${await action.http(f, a)}`);
      }
      if (action.socket) {
        // A connection whose join was refused holds no room: every event is NOT_A_MEMBER.
        const expected = a.joinError ? 'NOT_A_MEMBER' : (action.socketExpect?.[role] ?? action.expect[role]);
        want.push(`socket ${role}: ${expected}`);
        // A connection can drop on a loaded machine; a client reconnects and rejoins, and so does the test.
        if (!a.socket.connected) a.socket = (await socketFor(f.roomId, a.token)).socket;
        got.push(`socket ${role}: ${await action.socket(f, a, a.socket)}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('moderators cannot act on the host or on other moderators, and nobody on themselves', async () => {
    const host = await hostWithChat(t);
    const code = host.chat.code;
    const hostMe = (await host.client.get(`/api/chats/${code}/me`)).body.member;
    const modA = await guestJoins(t, code);
    const modB = await guestJoins(t, code);
    for (const m of [modA, modB]) await host.client.post(`/api/chats/${code}/members/${m.member.id}/moderate`, { action: 'promote' });
    const tryAs = (c: HttpClient, id: string, action = 'timeout') =>
      c.post(`/api/chats/${code}/members/${id}/moderate`, action === 'timeout' ? { action, seconds: 10 } : { action });
    expect((await tryAs(modA.client, hostMe.id, 'ban')).body.error.code).toBe('FORBIDDEN');
    expect((await tryAs(modA.client, modB.member.id)).body.error.code).toBe('FORBIDDEN');
    expect((await tryAs(modA.client, modA.member.id)).body.error.code).toBe('FORBIDDEN');
    expect((await tryAs(host.client, hostMe.id, 'hide')).body.error.code).toBe('FORBIDDEN');
    // The host may act on a moderator.
    expect((await tryAs(host.client, modB.member.id)).status).toBe(200);
  });

  it('refuses bad moderation input with a clear error and changes nothing', async () => {
    const host = await hostWithChat(t);
    const code = host.chat.code;
    const g = await guestJoins(t, code);
    const path = `/api/chats/${code}/members/${g.member.id}/moderate`;
    for (const body of [{ action: 'timeout', seconds: 42 }, { action: 'timeout' }, { action: 'explode' }, { action: 'ban', seconds: 10 }, {}]) {
      const res = await host.client.post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const unknown = await host.client.post(`/api/chats/${code}/members/0190c2a4-0000-7000-8000-000000000001/moderate`, { action: 'ban' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('MEMBER_NOT_FOUND');
    const members = (await host.client.get(`/api/chats/${code}/members`)).body.members;
    const target = members.find((m: { id: string }) => m.id === g.member.id);
    expect(target).toMatchObject({ banned: false, hidden: false, mutedUntil: null });
    expect((await host.client.get(`/api/chats/${code}/audit`)).body.entries).toHaveLength(0);
  });
});
