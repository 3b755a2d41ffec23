import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PresencePayload, type TypingPayload, type UserPresence } from '@chatpop/protocol';
import { backend, call, collect, connectAccountSocket, connectSocket, hostWithChat, registerUser, sleep, startApp, until, type ClientSocket, type TestApp, inboxPerson, type InboxPerson } from '../../../test/harness';

let t: TestApp;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  t = await startApp();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await t.destroy();
});

type Person = InboxPerson;


const person = (prefix: string, app = t): Promise<Person> => inboxPerson(app, prefix);

async function socketOf(p: Person, app = t, opts: { chatTokens?: string[] } = {}) {
  const s = await connectAccountSocket(app.url, p.client, opts);
  sockets.push(s);
  return s;
}

async function direct(a: Person, b: Person): Promise<string> {
  const res = await a.client.post('/api/conversations/direct', { username: b.username });
  expect([200, 201]).toContain(res.status);
  return res.body.conversation.id;
}

async function group(creator: Person, others: Person[], extra: Record<string, unknown> = {}): Promise<string> {
  const res = await creator.client.post('/api/conversations/groups', { usernames: others.map((o) => o.username), ...extra });
  expect(res.status).toBe(201);
  return res.body.conversation.id;
}

const presenceOf = async (viewer: Person, of: Person) => {
  const res = await viewer.client.get(`/api/presence?userIds=${of.id}`);
  expect(res.status).toBe(200);
  return (res.body.presence as UserPresence[]).find((p) => p.userId === of.id);
};

const about = (events: UserPresence[], p: Person) => events.filter((e) => e.userId === p.id);
const latest = (events: UserPresence[], p: Person) => about(events, p).at(-1);

describe(`presence (${backend})`, () => {
  it('goes to partners: online while any device is connected, then offline with last seen; a stranger hears and reads nothing', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const eve = await person('Eve');
    const conv = await direct(ann, bob);
    const annHears = collect<UserPresence>(await socketOf(ann), 'user:presence');
    const eveHears = collect<UserPresence>(await socketOf(eve), 'user:presence');

    // Bob has never been online: offline, no last seen yet.
    expect(await presenceOf(ann, bob)).toEqual({ userId: bob.id, status: 'offline', lastSeenAt: null });

    const phone = await socketOf(bob);
    await until(() => latest(annHears, bob)?.status === 'online', 10_000, 'Bob online for Ann');
    expect(latest(annHears, bob)).toEqual({ userId: bob.id, status: 'online', lastSeenAt: null });
    const laptop = await socketOf(bob);
    expect(await presenceOf(ann, bob)).toMatchObject({ status: 'online' });

    // One device goes: still online.
    phone.close();
    await sleep(600);
    expect(latest(annHears, bob)?.status).toBe('online');
    expect(await presenceOf(ann, bob)).toMatchObject({ status: 'online' });

    // The last one goes: offline, last seen about now.
    const before = Date.now();
    laptop.close();
    await until(() => latest(annHears, bob)?.status === 'offline', 10_000, 'Bob offline for Ann');
    const last = latest(annHears, bob)!;
    expect(last.lastSeenAt).not.toBeNull();
    expect(Date.parse(last.lastSeenAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(last.lastSeenAt!)).toBeLessThanOrEqual(Date.now());
    expect(await presenceOf(ann, bob)).toEqual(last);
    const inConversation = await ann.client.get(`/api/conversations/${conv}/presence`);
    expect(inConversation.status).toBe(200);
    expect(inConversation.body).toEqual({ presence: [last] });

    // Eve shares no conversation with Bob: no event, no answer, no way in through the conversation.
    expect(about(eveHears, bob)).toEqual([]);
    expect((await eve.client.get(`/api/presence?userIds=${bob.id},${ann.id}`)).body).toEqual({ presence: [] });
    const peek = await eve.client.get(`/api/conversations/${conv}/presence`);
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('CONVERSATION_NOT_FOUND');
    // Yourself you may always ask about.
    expect((await eve.client.get(`/api/presence?userIds=${eve.id}`)).body.presence).toEqual([{ userId: eve.id, status: 'online', lastSeenAt: null }]);
  });

  it('shows away and busy as chosen, and "appear offline" as offline with the last seen of that moment, until chosen otherwise', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    await group(ann, [bob, await person('Cy')]);
    const annHears = collect<UserPresence>(await socketOf(ann), 'user:presence');
    const bobSocket = await socketOf(bob);
    const bobHearsHimself = collect<UserPresence>(bobSocket, 'user:presence');
    await until(() => latest(annHears, bob)?.status === 'online', 10_000, 'Bob online');

    for (const status of ['away', 'busy'] as const) {
      expect((await bob.client.patch('/api/me', { status })).status).toBe(200);
      await until(() => latest(annHears, bob)?.status === status, 10_000, `Bob ${status}`);
      expect(await presenceOf(ann, bob)).toEqual({ userId: bob.id, status, lastSeenAt: null });
    }

    const chose = Date.now();
    expect((await bob.client.patch('/api/me', { status: 'offline' })).status).toBe(200);
    await until(() => latest(annHears, bob)?.status === 'offline', 10_000, 'Bob appears offline');
    const hidden = latest(annHears, bob)!;
    expect(Date.parse(hidden.lastSeenAt!)).toBeGreaterThanOrEqual(chose - 1000);
    await until(() => latest(bobHearsHimself, bob)?.status === 'offline', 10_000, "Bob's own devices hear it");

    // Coming and going while hidden shows nothing and moves no last seen.
    bobSocket.close();
    const again = await socketOf(bob);
    await sleep(800);
    expect(latest(annHears, bob)).toEqual(hidden);
    expect(await presenceOf(ann, bob)).toEqual(hidden);

    expect((await bob.client.patch('/api/me', { status: 'online' })).status).toBe(200);
    await until(() => latest(annHears, bob)?.status === 'online', 10_000, 'Bob visible again');
    again.close();
    await until(() => latest(annHears, bob)?.status === 'offline', 10_000, 'Bob gone');
    expect(Date.parse(latest(annHears, bob)!.lastSeenAt!)).toBeGreaterThan(Date.parse(hidden.lastSeenAt!));
  });

  it('hides last seen both ways for someone who hides theirs, and only last seen', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    await group(ann, [bob, cy]);
    expect((await ann.client.patch('/api/me', { privacy: { hideLastSeen: true } })).status).toBe(200);
    const annSocket = await socketOf(ann);
    const annHears = collect<UserPresence>(annSocket, 'user:presence');
    const cyHears = collect<UserPresence>(await socketOf(cy), 'user:presence');

    // Bob comes and goes: Ann (who hides hers) gets no last seen of his; Cy does.
    const bobSocket = await socketOf(bob);
    await until(() => latest(annHears, bob)?.status === 'online' && latest(cyHears, bob)?.status === 'online', 10_000, 'Bob online');
    bobSocket.close();
    await until(() => latest(annHears, bob)?.status === 'offline' && latest(cyHears, bob)?.status === 'offline', 10_000, 'Bob offline');
    expect(latest(annHears, bob)!.lastSeenAt).toBeNull();
    expect(latest(cyHears, bob)!.lastSeenAt).not.toBeNull();
    expect((await presenceOf(ann, bob))!.lastSeenAt).toBeNull();
    expect((await presenceOf(cy, bob))!.lastSeenAt).toBe(latest(cyHears, bob)!.lastSeenAt);

    // Ann's own last seen reaches nobody, though her comings and goings do.
    const bobHears = collect<UserPresence>(await socketOf(bob), 'user:presence');
    annSocket.close();
    await until(() => latest(bobHears, ann)?.status === 'offline' && latest(cyHears, ann)?.status === 'offline', 10_000, 'Ann offline');
    expect(latest(cyHears, ann)!.lastSeenAt).toBeNull();
    expect(latest(bobHears, ann)!.lastSeenAt).toBeNull();
    expect((await presenceOf(bob, ann))!).toEqual({ userId: ann.id, status: 'offline', lastSeenAt: null });
    // Ann sees her own.
    expect((await presenceOf(ann, ann))!.lastSeenAt).not.toBeNull();
  });

  it('refuses bad questions with the one error shape', async () => {
    const ann = await person('Ann');
    const bad = [
      ['/api/presence', 400, 'VALIDATION_FAILED'],
      ['/api/presence?userIds=', 400, 'VALIDATION_FAILED'],
      ['/api/presence?userIds=not-a-user', 400, 'VALIDATION_FAILED'],
      [`/api/presence?userIds=${Array.from({ length: 101 }, () => crypto.randomUUID()).join(',')}`, 400, 'VALIDATION_FAILED'],
      ['/api/conversations/not-a-conversation/presence', 404, 'CONVERSATION_NOT_FOUND'],
      [`/api/conversations/${crypto.randomUUID()}/presence`, 404, 'CONVERSATION_NOT_FOUND'],
    ] as const;
    for (const [path, status, code] of bad) {
      const res = await ann.client.get(path);
      expect(res.status, path).toBe(status);
      expect(res.body.error.code, path).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
    }
    expect((await t.client().get(`/api/presence?userIds=${ann.id}`)).status).toBe(401);
    const { client: nameless } = await registerUser(t);
    const res = await nameless.get(`/api/presence?userIds=${ann.id}`);
    expect([res.status, res.body.error.code]).toEqual([403, 'USERNAME_REQUIRED']);
  });
});

describe(`appear offline in pop chats (${backend})`, () => {
  it("takes the account out of a chat's online list and members, on any connection of its participation, and brings it back", async () => {
    const host = await hostWithChat(t);
    const hostSocket = await connectSocket(t.url, []);
    sockets.push(hostSocket);
    const bob = await person('Bob');
    const joined = await bob.client.post(`/api/chats/${host.chat.code}/join`, {});
    expect([200, 201]).toContain(joined.status);
    const bobMember = joined.body.member as { id: string; username: string };
    const hostToken = (await host.client.post(`/api/chats/${host.chat.code}/join`, {})).body.token as string;
    const online = collect<PresencePayload>(hostSocket, 'presence');
    expect((await call(hostSocket, 'room:join', { roomId: host.chat.roomId, afterSeq: 0, token: hostToken })).ok).toBe(true);
    const names = () => online.at(-1)?.online.map((o) => o.username) ?? [];
    const bobOnline = async () =>
      ((await t.client().get(`/api/chats/${host.chat.code}/members`)).body.members as { id: string; online: boolean }[]).find((m) => m.id === bobMember.id)
        ?.online;

    // Bob's pop chat tab carries only its chat token, no account cookie.
    const bobTab = await connectSocket(t.url, [joined.body.token]);
    sockets.push(bobTab);
    expect((await call(bobTab, 'room:join', { roomId: host.chat.roomId, afterSeq: 0 })).ok).toBe(true);
    await until(() => names().includes(bobMember.username), 10_000, 'Bob in the online list');
    expect(await bobOnline()).toBe(true);

    expect((await bob.client.patch('/api/me', { status: 'offline' })).status).toBe(200);
    await until(() => online.length > 0 && !names().includes(bobMember.username), 10_000, 'Bob out of the online list');
    expect(await bobOnline()).toBe(false);
    // A heartbeat or a new tab does not bring him back.
    expect((await call(bobTab, 'presence:heartbeat')).ok).toBe(true);
    const secondTab = await connectSocket(t.url, [joined.body.token]);
    sockets.push(secondTab);
    expect((await call(secondTab, 'room:join', { roomId: host.chat.roomId, afterSeq: 0 })).ok).toBe(true);
    await sleep(800);
    expect(names()).not.toContain(bobMember.username);
    expect(await bobOnline()).toBe(false);
    expect((await t.client().get(`/api/chats/${host.chat.code}`)).body.chat.onlineCount).toBe(1);

    expect((await bob.client.patch('/api/me', { status: 'busy' })).status).toBe(200);
    await until(() => names().includes(bobMember.username), 10_000, 'Bob back in the online list');
    expect(await bobOnline()).toBe(true);
  });
});

describe(`a silent connection (${backend})`, () => {
  let quick: TestApp;
  beforeAll(async () => {
    quick = await startApp({ env: { PRESENCE_TTL_MS: '3000', PRESENCE_SWEEP_MS: '100' } });
  });
  afterAll(async () => {
    await quick.destroy();
  });

  it('goes offline once its heartbeats stop, with its last heartbeat as last seen, and comes back with the next', async () => {
    const ann = await person('Ann', quick);
    const bob = await person('Bob', quick);
    await direct(ann, bob);
    const annSocket = await socketOf(ann, quick);
    const annHears = collect<UserPresence>(annSocket, 'user:presence');
    // Ann keeps heartbeating; Bob heartbeats once and then falls silent, connection open.
    const keepAnn = setInterval(() => annSocket.emit('presence:heartbeat'), 250);
    try {
      const bobSocket = await socketOf(bob, quick);
      await until(() => latest(annHears, bob)?.status === 'online', 10_000, 'Bob online');
      const before = Date.now();
      expect((await call(bobSocket, 'presence:heartbeat')).ok).toBe(true);
      const after = Date.now();
      // (On a stalled machine Bob may also have lapsed before that heartbeat: the offline that counts is the one after it.)
      const lapsed = () => {
        const last = latest(annHears, bob);
        return last?.status === 'offline' && Date.parse(last.lastSeenAt!) >= before - 5 ? last : undefined;
      };
      await until(() => lapsed() !== undefined, 20_000, 'Bob offline after his heartbeats stopped');
      expect(Date.parse(lapsed()!.lastSeenAt!)).toBeLessThanOrEqual(after + 5);
      expect(bobSocket.connected).toBe(true);
      // Ann heartbeats: she never went offline, not even to her own devices.
      expect(about(annHears, ann).map((e) => e.status)).not.toContain('offline');

      expect((await call(bobSocket, 'presence:heartbeat')).ok).toBe(true);
      await until(() => latest(annHears, bob)?.status === 'online', 10_000, 'Bob online again');
    } finally {
      clearInterval(keepAnn);
    }
  });
});

describe(`typing in conversations (${backend})`, () => {
  it('reaches every other member, in the room or only in their list, once each; never the typist, nor outsiders', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const eve = await person('Eve');
    const conv = await group(ann, [bob, cy]);
    const annInRoom = await socketOf(ann);
    const annsList = await socketOf(ann);
    const bobInRoom = await socketOf(bob);
    const cysList = await socketOf(cy);
    const evesList = await socketOf(eve);
    for (const s of [annInRoom, bobInRoom]) expect((await call(s, 'room:join', { roomId: conv, afterSeq: 0 })).ok).toBe(true);
    const heard = {
      annsList: collect<TypingPayload>(annsList, 'typing'),
      annInRoom: collect<TypingPayload>(annInRoom, 'typing'),
      bob: collect<TypingPayload>(bobInRoom, 'typing'),
      cy: collect<TypingPayload>(cysList, 'typing'),
      eve: collect<TypingPayload>(evesList, 'typing'),
    };

    annInRoom.emit('typing', { roomId: conv, typing: true });
    await until(() => heard.bob.length > 0 && heard.cy.length > 0, 10_000, 'typing heard');
    const annMember = heard.cy[0]!.memberId;
    expect(heard.cy[0]).toEqual({ roomId: conv, memberId: annMember, username: ann.username, typing: true });
    annInRoom.emit('typing', { roomId: conv, typing: false });
    await until(() => heard.cy.length === 2 && heard.bob.length === 2, 10_000, 'typing stopped');
    await sleep(300);
    // Bob is in the room and in his own channel: one event each time, not two.
    expect(heard.bob.map((p) => p.typing)).toEqual([true, false]);
    expect(heard.cy.map((p) => p.typing)).toEqual([true, false]);
    expect(heard.annsList).toEqual([]);
    expect(heard.annInRoom).toEqual([]);
    expect(heard.eve).toEqual([]);

    // Typing, stopping and sending at once, as the web's composer does on send: the stop arrives before the message.
    const order: string[] = [];
    bobInRoom.on('typing', (p) => order.push(`bob typing ${p.typing}`));
    bobInRoom.on('message:new', (m) => order.push(`bob message ${m.content}`));
    cysList.on('typing', (p) => order.push(`cy typing ${p.typing}`));
    cysList.on('conversation:updated', (e) => order.push(`cy row ${e.conversation.lastMessage?.content}`));
    annInRoom.emit('typing', { roomId: conv, typing: true });
    annInRoom.emit('typing', { roomId: conv, typing: false });
    expect((await call(annInRoom, 'message:send', { roomId: conv, clientId: 'ann-typed-0001', content: 'typed and sent' })).ok).toBe(true);
    await until(() => order.includes('cy row typed and sent') && order.includes('bob message typed and sent'), 10_000, 'the message');
    const bobs = order.filter((e) => e.startsWith('bob'));
    const cys = order.filter((e) => e.startsWith('cy'));
    expect(bobs).toEqual(['bob typing true', 'bob typing false', 'bob message typed and sent']);
    expect(cys.slice(0, 2)).toEqual(['cy typing true', 'cy typing false']);
    heard.bob.length = 0;
    heard.cy.length = 0;

    // Where only admins may send, a member's typing goes nowhere.
    expect((await ann.client.patch(`/api/conversations/${conv}`, { permissions: { send: 'admins' } })).status).toBe(200);
    await sleep(300);
    bobInRoom.emit('typing', { roomId: conv, typing: true });
    await sleep(600);
    expect(heard.cy).toHaveLength(0);
    expect(heard.annInRoom).toEqual([]);
    // A room not joined, or malformed: ignored.
    cysList.emit('typing', { roomId: conv, typing: true });
    cysList.emit('typing', { roomId: 'nope', typing: true } as never);
    await sleep(400);
    expect(heard.bob).toHaveLength(0);
  });
});
