import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConversationDetail,
  type ConversationEventPayload,
  type ConversationSummary,
  type InboxUnreadPayload,
  type Message,
  type ReceiptPayload,
} from '@chatpop/protocol';
import { backend, call, collect, connectAccountSocket, connectSocket, guestJoins, hostWithChat, registerUser, sleep, startApp, until, type ClientSocket, type TestApp, inboxPerson, type InboxPerson } from '../../../test/harness';

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


/** A confirmed account with a reserved username (what the Inbox asks of everyone in it). */
async function person(prefix: string, opts: { displayName?: string } = {}): Promise<Person> {
  const someone = await inboxPerson(t, prefix);
  if (opts.displayName) {
    const res = await someone.client.patch('/api/me', { displayName: opts.displayName });
    expect(res.status).toBe(200);
  }
  return someone;
}

async function socketOf(p: Person, opts: { chatTokens?: string[]; field?: boolean } = {}) {
  const s = await connectAccountSocket(t.url, p.client, opts);
  sockets.push(s);
  return s;
}

async function direct(a: Person, b: Person): Promise<ConversationDetail> {
  const res = await a.client.post('/api/conversations/direct', { username: b.username });
  expect([200, 201]).toContain(res.status);
  return res.body.conversation;
}

async function group(creator: Person, others: Person[], extra: Record<string, unknown> = {}): Promise<ConversationDetail> {
  const res = await creator.client.post('/api/conversations/groups', { usernames: others.map((o) => o.username), ...extra });
  expect(res.status).toBe(201);
  return res.body.conversation;
}

async function send(socket: ClientSocket, roomId: string, content: string) {
  const res = await call<{ message: Message }>(socket, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content });
  if (!res.ok) throw new Error(`send failed: ${JSON.stringify(res.error)}`);
  return res.message;
}

async function listOf(p: Person, query = ''): Promise<ConversationSummary[]> {
  const res = await p.client.get(`/api/conversations${query}`);
  expect(res.status).toBe(200);
  return res.body.conversations;
}

/** Rows of the list as a device hears them: a conversation's first event is `conversation:new`, later ones `conversation:updated`. */
function listEvents(socket: ClientSocket): ConversationEventPayload[] {
  const seen: ConversationEventPayload[] = [];
  socket.on('conversation:new', (e) => seen.push(e));
  socket.on('conversation:updated', (e) => seen.push(e));
  return seen;
}

const rowOf = async (p: Person, id: string) => (await listOf(p)).find((c) => c.id === id);

describe('direct conversations', () => {
  it('are made once per pair: again by either side, by username or by id, returns the same one', async () => {
    const ann = await person('Ann', { displayName: 'Ann Lee' });
    const bob = await person('Bob');
    const first = await ann.client.post('/api/conversations/direct', { username: bob.username });
    expect(first.status).toBe(201);
    expect(first.body.created).toBe(true);
    const conv: ConversationDetail = first.body.conversation;
    expect(conv).toMatchObject({ kind: 'direct', name: bob.username, memberCount: 2, myRole: 'member', lastSeq: 0, unreadCount: 0 });
    expect(conv.members.map((m) => m.username).sort()).toEqual([ann.username, bob.username].sort());

    const again = await ann.client.post('/api/conversations/direct', { username: bob.username.toUpperCase() });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, conversation: { id: conv.id } });
    const fromBob = await bob.client.post('/api/conversations/direct', { userId: ann.id });
    expect(fromBob.status).toBe(200);
    expect(fromBob.body.conversation).toMatchObject({ id: conv.id, name: 'Ann Lee' });
    expect((await listOf(ann)).map((c) => c.id)).toEqual([conv.id]);
    expect((await listOf(bob)).map((c) => c.id)).toEqual([conv.id]);
  });

  it('stays one conversation when both people create it at the same moment', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const replies = await Promise.all([
      ann.client.post('/api/conversations/direct', { username: bob.username }),
      bob.client.post('/api/conversations/direct', { username: ann.username }),
      ann.client.post('/api/conversations/direct', { userId: bob.id }),
      bob.client.post('/api/conversations/direct', { userId: ann.id }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(replies.map((r) => r.body.conversation.id)).size).toBe(1);
    const { rooms } = await import('../../db/schema');
    const { eq } = await import('drizzle-orm');
    const { directKey } = await import('./repo');
    const rows = await t.app.ctx.db.select().from(rooms).where(eq(rooms.directKey, directKey(ann.id, bob.id)));
    expect(rows).toHaveLength(1);
    expect((await listOf(ann)).map((c) => c.memberCount)).toEqual([2]);
  });

  it('cannot be made with yourself or with someone who does not exist, and such a try changes nothing', async () => {
    const ann = await person('Ann');
    const self = await ann.client.post('/api/conversations/direct', { username: ann.username });
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('DIRECT_WITH_SELF');
    expect((await ann.client.post('/api/conversations/direct', { userId: ann.id })).body.error.code).toBe('DIRECT_WITH_SELF');
    const ghost = await ann.client.post('/api/conversations/direct', { username: 'NoSuchUser9' });
    expect(ghost.status).toBe(404);
    expect(ghost.body.error).toMatchObject({ code: 'USER_NOT_FOUND', message: expect.any(String) });
    const ghostId = await ann.client.post('/api/conversations/direct', { userId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' });
    expect(ghostId.status).toBe(404);
    const both = await ann.client.post('/api/conversations/direct', { username: 'x', userId: ann.id });
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('VALIDATION_FAILED');
    expect(await listOf(ann)).toEqual([]);
  });

  it('needs a reserved username, and nobody can reach an account without one', async () => {
    const { client: nameless, user } = await registerUser(t);
    const ann = await person('Ann');
    const res = await nameless.get('/api/conversations');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('USERNAME_REQUIRED');
    expect((await nameless.post('/api/conversations/direct', { username: ann.username })).body.error.code).toBe('USERNAME_REQUIRED');
    const toNameless = await ann.client.post('/api/conversations/direct', { userId: user.id });
    expect(toNameless.status).toBe(404);
    expect(toNameless.body.error.code).toBe('USER_NOT_FOUND');
  });
});

describe('groups', () => {
  it('are created with two or more others, a generated name, the creator as admin and system messages', async () => {
    const ann = await person('Ann', { displayName: 'Ann' });
    const bob = await person('Bob', { displayName: 'Bob' });
    const cy = await person('Cy');
    const res = await ann.client.post('/api/conversations/groups', { memberIds: [bob.id], usernames: [cy.username], description: 'Weekend plans' });
    expect(res.status).toBe(201);
    const g: ConversationDetail = res.body.conversation;
    expect(g).toMatchObject({
      kind: 'group',
      name: `Ann, Bob and ${cy.username}`,
      description: 'Weekend plans',
      memberCount: 3,
      myRole: 'admin',
      permissions: { send: 'everyone', addMembers: 'admins', editInfo: 'admins' },
      lastSeq: 2,
      unreadCount: 0,
    });
    expect(g.members.map((m) => [m.username, m.role])).toEqual([
      [ann.username, 'admin'],
      [bob.username, 'member'],
      [cy.username, 'member'],
    ]);
    const history = await bob.client.get(`/api/conversations/${g.id}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: Message) => [m.type, m.content])).toEqual([
      ['system', `${ann.username} created the group “${g.name}”`],
      ['system', `${ann.username} added ${bob.username} and ${cy.username}`],
    ]);
    // System messages are not unread news.
    expect(await rowOf(bob, g.id)).toMatchObject({ unreadCount: 0, myRole: 'member', lastMessage: { type: 'system', mine: false } });
  });

  it('keeps a given name and refuses too few members, unknown people and oversized text, changing nothing', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const named = await group(ann, [bob, cy], { name: '  Book club  ' });
    expect(named.name).toBe('Book club');

    const before = (await listOf(ann)).length;
    const tooSmall = await ann.client.post('/api/conversations/groups', { usernames: [bob.username] });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.error.code).toBe('GROUP_TOO_SMALL');
    // Yourself and the same person twice do not count.
    const padded = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, ann.username], memberIds: [bob.id] });
    expect(padded.body.error.code).toBe('GROUP_TOO_SMALL');
    const unknown = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, 'NoSuchUser9'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'USER_NOT_FOUND', details: { usernames: ['NoSuchUser9'] } });
    const longName = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username], name: 'x'.repeat(101) });
    expect(longName.status).toBe(400);
    expect(longName.body.error.code).toBe('VALIDATION_FAILED');
    const longText = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username], description: 'x'.repeat(501) });
    expect(longText.status).toBe(400);
    expect(longText.body.error.code).toBe('VALIDATION_FAILED');
    expect((await listOf(ann)).length).toBe(before);
    expect((await listOf(bob)).length).toBe(before);
  });

  it('lets only admins send when the group says so', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const g = await group(ann, [bob, cy], { permissions: { send: 'admins' } });
    const bobSocket = await socketOf(bob);
    await call(bobSocket, 'room:join', { roomId: g.id, afterSeq: 0 });
    const refused = await call(bobSocket, 'message:send', { roomId: g.id, clientId: 'bob-try-00001', content: 'me too' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const annSocket = await socketOf(ann);
    await call(annSocket, 'room:join', { roomId: g.id, afterSeq: 0 });
    expect((await send(annSocket, g.id, 'announcement')).seq).toBe(3);
    expect((await bob.client.get(`/api/conversations/${g.id}`)).body.conversation.lastSeq).toBe(3);
  });
});

describe('access', () => {
  it('answers 401 to a visitor on every Inbox route', async () => {
    const visitor = t.client();
    const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    const routes: [string, string][] = [
      ['GET', '/api/conversations'],
      ['POST', '/api/conversations/direct'],
      ['POST', '/api/conversations/groups'],
      ['GET', `/api/conversations/${id}`],
      ['GET', `/api/conversations/${id}/messages`],
      ['POST', `/api/conversations/${id}/read`],
      ['POST', `/api/conversations/${id}/unread`],
      ['GET', '/api/inbox/summary'],
      ['GET', '/api/users/search?q=ann'],
    ];
    for (const [method, path] of routes) {
      const res = await visitor.request(method, path, method === 'POST' ? {} : undefined);
      expect([path, res.status, res.body.error.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
    }
  });

  it('answers an outsider 404, as for an id that does not exist, over HTTP and the socket', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const eve = await person('Eve');
    const conv = await direct(ann, bob);
    const chat = await hostWithChat(t);
    for (const id of [conv.id, '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'not-an-id', chat.chat.roomId]) {
      for (const [method, path] of [
        ['GET', `/api/conversations/${id}`],
        ['GET', `/api/conversations/${id}/messages`],
        ['POST', `/api/conversations/${id}/read`],
        ['POST', `/api/conversations/${id}/unread`],
      ] as const) {
        const res = await eve.client.request(method, path, method === 'POST' ? (path.endsWith('/read') ? { seq: 0 } : {}) : undefined);
        expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'CONVERSATION_NOT_FOUND']);
      }
    }
    const eveSocket = await socketOf(eve);
    const join = await call(eveSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });
    expect(join).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    const sent = await call(eveSocket, 'message:send', { roomId: conv.id, clientId: 'eve-sneaks-1', content: 'hi' });
    expect(sent.ok).toBe(false);
    const receipt = await call(eveSocket, 'receipt:read', { roomId: conv.id, seq: 0 });
    expect(receipt).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    expect((await ann.client.get(`/api/conversations/${conv.id}`)).body.conversation.lastSeq).toBe(0);
  });

  it('refuses a socket with a bad access token, and a socket without an account cannot reach a conversation', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const conv = await direct(ann, bob);
    const { io } = await import('socket.io-client');
    const bad = io(t.url, { path: '/socket.io', transports: ['websocket'], auth: { chatTokens: [], accessToken: 'forged' }, reconnection: false, forceNew: true });
    const err = await new Promise<Error & { data?: { code: string } }>((resolve) => bad.once('connect_error', resolve));
    bad.close();
    expect(err.data?.code).toBe('TOKEN_INVALID');
    const anonymous = await connectSocket(t.url, []);
    sockets.push(anonymous);
    // Signed out, a conversation and an id that exists nowhere answer alike.
    expect(await call(anonymous, 'room:join', { roomId: conv.id, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await call(anonymous, 'room:join', { roomId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', afterSeq: 0 })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await call(anonymous, 'receipt:read', { roomId: conv.id, seq: 0 })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('messages over the socket', () => {
  it('reach every member live, not outsiders, replay after a drop, and page as history', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const eve = await person('Eve');
    const conv = await direct(ann, bob);
    const annSocket = await socketOf(ann);
    const bobSocket = await socketOf(bob, { field: true });
    const eveSocket = await socketOf(eve);
    const bobGot = collect<Message>(bobSocket, 'message:new');
    const eveGot = collect<Message>(eveSocket, 'message:new');
    const eveList = listEvents(eveSocket);
    const bobList = listEvents(bobSocket);
    await call(annSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });
    await call(bobSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });

    const first = await send(annSocket, conv.id, 'hello Bob');
    expect(first).toMatchObject({ seq: 1, username: ann.username, verified: true, type: 'normal' });
    await until(() => bobGot.length === 1, 5_000, 'Bob receives');
    await until(() => bobList.some((e) => e.conversation.lastSeq === 1), 5_000, "Bob's list updates");
    expect(bobList.at(-1)!.conversation).toMatchObject({ id: conv.id, unreadCount: 1, lastMessage: { content: 'hello Bob', mine: false } });
    // A resend with the same client id is the same message.
    const again = await call<{ message: Message }>(annSocket, 'message:send', { roomId: conv.id, clientId: first.clientId, content: 'hello Bob' });
    expect(again.ok && again.message.id).toBe(first.id);

    bobSocket.close();
    await send(annSocket, conv.id, 'missed 1');
    await send(annSocket, conv.id, 'missed 2');
    const back = await socketOf(bob);
    const replay = await call<{ messages: Message[]; lastSeq: number }>(back, 'room:join', { roomId: conv.id, afterSeq: 1 });
    expect(replay.ok && replay.messages.map((m) => m.content)).toEqual(['missed 1', 'missed 2']);
    const page = await bob.client.get(`/api/conversations/${conv.id}/messages?before=3&limit=1`);
    expect(page.body).toMatchObject({ hasMore: true, messages: [{ seq: 2, content: 'missed 1' }] });

    await sleep(200);
    expect(eveGot).toEqual([]);
    expect(eveList).toEqual([]);
  });

  it('keep pop chats working on the same connection with a chat token beside the account', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const conv = await direct(ann, bob);
    const { chat } = await hostWithChat(t);
    const guest = await guestJoins(t, chat.code);
    const joinedAsAnn = await ann.client.post(`/api/chats/${chat.code}/join`, {});
    const annSocket = await socketOf(ann, { chatTokens: [guest.token] });
    const inChat = await call<{ messages: Message[] }>(annSocket, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    expect(inChat.ok).toBe(true);
    expect(joinedAsAnn.status).toBeLessThan(300);
    const inConv = await call(annSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });
    expect(inConv.ok).toBe(true);
    const popMessage = await send(annSocket, chat.roomId, 'in the pop chat');
    expect(popMessage.username).toBe(guest.member.username);
    expect((await send(annSocket, conv.id, 'in the conversation')).username).toBe(ann.username);
  });

  it('take reactions, but none of the pop-chat moderation, not even from a group admin (whose delete is the Inbox’s own)', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const g = await group(ann, [bob, cy]);
    const [annSocket, bobSocket] = await Promise.all([socketOf(ann), socketOf(bob)]);
    await call(annSocket, 'room:join', { roomId: g.id, afterSeq: 0 });
    await call(bobSocket, 'room:join', { roomId: g.id, afterSeq: 0 });
    const message = await send(bobSocket, g.id, 'react to me');
    const reacted = await call(annSocket, 'reaction:set', { roomId: g.id, messageId: message.id, emoji: '👍', on: true });
    expect(reacted).toMatchObject({ ok: true, reactions: [{ emoji: '👍', count: 1 }] });
    const bobMember = g.members.find((m) => m.userId === bob.id)!.memberId;
    for (const [event, payload] of [
      ['member:moderate', { roomId: g.id, memberId: bobMember, action: 'ban' }],
      ['room:moderate', { roomId: g.id, settings: { locked: true } }],
      ['message:report', { roomId: g.id, messageId: message.id, reason: 'spam' }],
    ] as const) {
      expect([event, await call(annSocket, event, payload)]).toMatchObject([event, { ok: false, error: { code: 'FORBIDDEN' } }]);
    }
    expect((await send(bobSocket, g.id, 'still here')).seq).toBe(message.seq + 1);
    // A group admin may delete a member's message for everyone (actions.test.ts has the rest of that rule).
    expect(await call(annSocket, 'message:delete', { roomId: g.id, messageId: message.id })).toMatchObject({ ok: true, message: { id: message.id, content: '' } });
  });
});

describe('receipts and unread', () => {
  it('count unread from the watermark and clear it on every device of the reader; the sender gets one receipt', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const conv = await direct(ann, bob);
    const bobSocket = await socketOf(bob);
    await call(bobSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });
    for (const text of ['one', 'two', 'three']) await send(bobSocket, conv.id, text);

    expect(await rowOf(ann, conv.id)).toMatchObject({ unreadCount: 3, readSeq: 0, lastMessage: { content: 'three' } });
    expect((await ann.client.get('/api/inbox/summary')).body).toEqual({ conversations: 1, archived: 0, messagesSent: 0, unread: 3, unreadConversations: 1, mentions: 0 });
    expect((await bob.client.get('/api/inbox/summary')).body).toMatchObject({ messagesSent: 3, unread: 0 });

    const phone = await socketOf(ann);
    const laptop = await socketOf(ann, { field: true });
    const laptopList = listEvents(laptop);
    const laptopTotals = collect<InboxUnreadPayload>(laptop, 'inbox:unread');
    const receipts = collect<ReceiptPayload>(bobSocket, 'receipt');
    // The phone has the list open only: it acknowledges delivery, then reads.
    const delivered = await call(phone, 'receipt:delivered', { roomId: conv.id, seq: 3 });
    expect(delivered).toEqual({ ok: true, roomId: conv.id, readSeq: 0, deliveredSeq: 3 });
    await until(() => receipts.length === 1, 5_000, 'delivered receipt');
    expect(receipts[0]).toEqual({ roomId: conv.id, userId: ann.id, memberId: expect.any(String), readSeq: 0, deliveredSeq: 3 });
    const read = await call(phone, 'receipt:read', { roomId: conv.id, seq: 2 });
    expect(read).toEqual({ ok: true, roomId: conv.id, readSeq: 2, deliveredSeq: 3 });
    await until(() => laptopTotals.some((e) => e.unread === 1), 5_000, "the laptop's totals");
    await until(() => laptopList.some((e) => e.conversation.readSeq === 2), 5_000, "the laptop's list row");
    expect(laptopList.at(-1)!.conversation).toEqual(await rowOf(ann, conv.id));
    expect(laptopList.at(-1)!.conversation.unreadCount).toBe(1);
    await until(() => receipts.length === 2, 5_000, 'read receipt');
    expect(receipts[1]).toMatchObject({ userId: ann.id, readSeq: 2, deliveredSeq: 3 });

    // Older and equal watermarks change nothing and announce nothing.
    expect(await call(phone, 'receipt:read', { roomId: conv.id, seq: 1 })).toEqual({ ok: true, roomId: conv.id, readSeq: 2, deliveredSeq: 3 });
    // Beyond the last message: refused, unchanged.
    const beyond = await ann.client.post(`/api/conversations/${conv.id}/read`, { seq: 4 });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error).toMatchObject({ code: 'SEQ_OUT_OF_RANGE', details: { lastSeq: 3 } });
    expect(await call(phone, 'receipt:read', { roomId: conv.id, seq: 99 })).toMatchObject({ ok: false, error: { code: 'SEQ_OUT_OF_RANGE' } });
    expect(await rowOf(ann, conv.id)).toMatchObject({ readSeq: 2, unreadCount: 1 });

    const viaHttp = await ann.client.post(`/api/conversations/${conv.id}/read`, { seq: 3 });
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body.conversation).toMatchObject({ readSeq: 3, unreadCount: 0, markedUnread: false });
    await until(() => laptopTotals.at(-1)?.unread === 0, 5_000, 'totals cleared');
    await sleep(150);
    expect(receipts).toHaveLength(3);
  });

  it('mark as unread until the next read, with no watermark moving back', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const conv = await direct(ann, bob);
    const bobSocket = await socketOf(bob);
    await call(bobSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });
    await send(bobSocket, conv.id, 'hi');
    await ann.client.post(`/api/conversations/${conv.id}/read`, { seq: 1 });
    const other = await socketOf(ann);
    const totals = collect<InboxUnreadPayload>(other, 'inbox:unread');
    const marked = await ann.client.post(`/api/conversations/${conv.id}/unread`);
    expect(marked.status).toBe(200);
    expect(marked.body.conversation).toMatchObject({ markedUnread: true, unreadCount: 0, readSeq: 1 });
    expect((await ann.client.get('/api/inbox/summary')).body).toMatchObject({ unread: 0, unreadConversations: 1 });
    await until(() => totals.some((e) => e.unreadConversations === 1), 5_000, 'marked unread on the other device');
    const read = await ann.client.post(`/api/conversations/${conv.id}/read`, { seq: 1 });
    expect(read.body.conversation).toMatchObject({ markedUnread: false, readSeq: 1 });
    await until(() => totals.at(-1)?.unreadConversations === 0, 5_000, 'cleared on the other device');
  });

  it('a sender has read what came before their own message, and own messages are never unread', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const conv = await direct(ann, bob);
    const annSocket = await socketOf(ann);
    const bobSocket = await socketOf(bob);
    await call(annSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });
    await call(bobSocket, 'room:join', { roomId: conv.id, afterSeq: 0 });
    await send(bobSocket, conv.id, 'question?');
    const bobReceipts = collect<ReceiptPayload>(bobSocket, 'receipt');
    await send(annSocket, conv.id, 'answer');
    expect(await rowOf(ann, conv.id)).toMatchObject({ unreadCount: 0, readSeq: 2, lastMessage: { mine: true } });
    expect(await rowOf(bob, conv.id)).toMatchObject({ unreadCount: 1 });
    await until(() => bobReceipts.some((r) => r.userId === ann.id && r.readSeq === 2), 5_000, "Ann's read receipt");
  });

  it('are private both ways: hiding read receipts sends none and sees none, delivery still shows', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const g = await group(ann, [bob, cy]);
    expect((await ann.client.patch('/api/me', { privacy: { hideReadReceipts: true } })).status).toBe(200);
    const [annSocket, bobSocket, cySocket] = await Promise.all([socketOf(ann), socketOf(bob), socketOf(cy)]);
    for (const s of [annSocket, bobSocket, cySocket]) await call(s, 'room:join', { roomId: g.id, afterSeq: 0 });
    await send(cySocket, g.id, 'hello all');
    const toAnn = collect<ReceiptPayload>(annSocket, 'receipt');
    const toBob = collect<ReceiptPayload>(bobSocket, 'receipt');
    const toCy = collect<ReceiptPayload>(cySocket, 'receipt');

    // Ann (hiding) reads: nobody learns it.
    await call(annSocket, 'receipt:read', { roomId: g.id, seq: 3 });
    // Bob reads: Cy sees it; Ann, who hides hers, does not see his, only his delivery.
    await call(bobSocket, 'receipt:read', { roomId: g.id, seq: 3 });
    await until(() => toCy.some((r) => r.userId === bob.id), 5_000, "Bob's receipt to Cy");
    await until(() => toAnn.some((r) => r.userId === bob.id), 5_000, "Bob's delivery to Ann");
    await sleep(150);
    expect(toCy.filter((r) => r.userId === ann.id)).toEqual([{ roomId: g.id, userId: ann.id, memberId: expect.any(String), readSeq: null, deliveredSeq: 3 }]);
    expect(toBob.filter((r) => r.userId === ann.id).map((r) => r.readSeq)).toEqual([null]);
    expect(toCy.find((r) => r.userId === bob.id)).toMatchObject({ readSeq: 3, deliveredSeq: 3 });
    expect(toAnn.filter((r) => r.userId === bob.id)).toEqual([{ roomId: g.id, userId: bob.id, memberId: expect.any(String), readSeq: null, deliveredSeq: 3 }]);

    const seenBy = async (viewer: Person) =>
      Object.fromEntries(
        ((await viewer.client.get(`/api/conversations/${g.id}`)).body.conversation as ConversationDetail).members.map((m) => [m.username, m.readSeq]),
      );
    expect(await seenBy(cy)).toEqual({ [ann.username]: null, [bob.username]: 3, [cy.username]: 3 });
    expect(await seenBy(ann)).toEqual({ [ann.username]: 3, [bob.username]: null, [cy.username]: null });
    expect(await rowOf(ann, g.id)).toMatchObject({ readSeq: 3, unreadCount: 0 });
  });
});

describe('the list', () => {
  it('is sorted by last activity, pages with a cursor and is announced to members only', async () => {
    const ann = await person('Ann');
    const [bob, cy, di] = await Promise.all([person('Bob'), person('Cy'), person('Di')]);
    const annSocket = await socketOf(ann);
    const news = collect<ConversationEventPayload>(annSocket, 'conversation:new');
    const eve = await person('Eve');
    const eveSocket = await socketOf(eve);
    const eveNews = listEvents(eveSocket);
    const withBob = await direct(bob, ann);
    const withCy = await direct(cy, ann);
    const club = await group(di, [ann, bob]);
    await until(() => news.length === 3, 5_000, 'three new conversations');
    expect(news.map((n) => n.conversation.id).sort()).toEqual([withBob.id, withCy.id, club.id].sort());
    expect(news.find((n) => n.conversation.id === club.id)!.conversation).toEqual(await rowOf(ann, club.id));

    // A message moves the oldest to the top.
    const bobSocket = await socketOf(bob);
    await call(bobSocket, 'room:join', { roomId: withBob.id, afterSeq: 0 });
    await send(bobSocket, withBob.id, 'bump');
    const firstPage = await ann.client.get('/api/conversations?limit=2');
    expect(firstPage.body.conversations.map((c: ConversationSummary) => c.id)).toEqual([withBob.id, club.id]);
    expect(firstPage.body.nextCursor).toEqual(expect.any(String));
    const second = await ann.client.get(`/api/conversations?limit=2&cursor=${firstPage.body.nextCursor}`);
    expect(second.body).toEqual({ conversations: [expect.objectContaining({ id: withCy.id })], nextCursor: null });
    const archive = await ann.client.get('/api/conversations?archived=true');
    expect(archive.body).toEqual({ conversations: [], nextCursor: null });
    const badCursor = await ann.client.get('/api/conversations?cursor=nonsense');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.code).toBe('VALIDATION_FAILED');
    await sleep(150);
    expect(eveNews).toEqual([]);
  });
});

describe('people search', () => {
  it('finds by username or display name prefix, never yourself, with your direct conversation', async () => {
    const tag = randomBytes(2).toString('hex');
    const me = await person(`Zed${tag}`);
    const byName = await person(`Zed${tag}`);
    const byDisplay = await person('Qua', { displayName: `Zed${tag} Smith` });
    const underscore = await person('Und');
    const conv = await direct(me, byName);
    const res = await me.client.get(`/api/users/search?q=zed${tag}`);
    expect(res.status).toBe(200);
    const found = res.body.users as { userId: string; directConversationId: string | null }[];
    expect(found.map((u) => u.userId).sort()).toEqual([byName.id, byDisplay.id].sort());
    expect(found.find((u) => u.userId === byName.id)!.directConversationId).toBe(conv.id);
    expect(found.find((u) => u.userId === byDisplay.id)).toMatchObject({ directConversationId: null, displayName: `Zed${tag} Smith` });
    expect(JSON.stringify(res.body)).not.toContain('@');
    // `_` is a character, not a wildcard.
    const wild = await me.client.get(`/api/users/search?q=${underscore.username.slice(0, 2)}_`);
    expect(wild.body.users).toEqual([]);
    const empty = await me.client.get('/api/users/search?q=');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe.runIf(backend === 'networked')('on PostgreSQL', () => {
  it('settles many simultaneous creations of one direct conversation on one row', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0
          ? ann.client.post('/api/conversations/direct', { userId: bob.id })
          : bob.client.post('/api/conversations/direct', { userId: ann.id }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(replies.map((r) => r.body.conversation.id)).size).toBe(1);
    expect((await listOf(bob)).map((c) => c.memberCount)).toEqual([2]);
  });
});
