import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationSummary, Message, TypingPayload, UserPresence } from '@chatpop/protocol';
import { backend, call, collect, connectAccountSocket, guestJoins, hostWithChat, inboxPerson, sleep, startApp, until, type ClientSocket, type InboxPerson, type TestApp } from '../../../test/harness';

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

const person = (prefix: string) => inboxPerson(t, prefix);

async function socketOf(p: InboxPerson) {
  const s = await connectAccountSocket(t.url, p.client);
  sockets.push(s);
  return s;
}

async function send(socket: ClientSocket, roomId: string, content: string) {
  return call<{ message: Message }>(socket, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content });
}

async function group(creator: InboxPerson, others: InboxPerson[]): Promise<string> {
  const res = await creator.client.post('/api/conversations/groups', { usernames: others.map((o) => o.username) });
  expect(res.status).toBe(201);
  return res.body.conversation.id;
}

const REFUSAL = { code: 'PERSON_UNAVAILABLE' };
const found = async (searcher: InboxPerson, target: InboxPerson) =>
  ((await searcher.client.get(`/api/users/search?q=${target.username}`)).body.users as { userId: string }[]).some((u) => u.userId === target.id);
const seesPresence = async (viewer: InboxPerson, of: InboxPerson) =>
  ((await viewer.client.get(`/api/presence?userIds=${of.id}`)).body.presence as UserPresence[]).some((p) => p.userId === of.id);
const mentionsIn = async (p: InboxPerson, roomId: string) =>
  ((await p.client.get('/api/conversations')).body.conversations as ConversationSummary[]).find((c) => c.id === roomId)?.mentionCount;

/*
 * The block matrix (SPEC §4): every action Ann can take towards Bob, once
 * with Ann the blocker and once with Ann the blocked. Either way, each is
 * refused with the same generic refusal — or, for search, presence and
 * mentions, silently comes to nothing — and each works again after unblocking.
 */
describe.each([
  { who: 'Ann blocked Bob', annBlocks: true },
  { who: 'Bob blocked Ann', annBlocks: false },
])(`block matrix: $who (${backend})`, ({ annBlocks }) => {
  it('refuses messaging, group adds, invites, contact requests; hides search, presence and mentions; unblocking restores them', async () => {
    const [ann, bob, cy, dee] = await Promise.all([person('Ann'), person('Bob'), person('Cy'), person('Dee')]);
    // Before the block: a direct conversation, a group with all three, Ann's own group, Bob's group with an invite link.
    const direct = (await ann.client.post('/api/conversations/direct', { username: bob.username })).body.conversation.id as string;
    const shared = await group(cy, [ann, bob]);
    const annsGroup = await group(ann, [cy, dee]);
    const bobsGroup = await group(bob, [cy, dee]);
    const invite = (await bob.client.post(`/api/conversations/${bobsGroup}/invites`, { expiresInHours: 24, maxUses: 5 })).body.invite.token as string;
    const annSocket = await socketOf(ann);
    const bobSocket = await socketOf(bob);
    for (const [s, id] of [[annSocket, direct], [bobSocket, direct], [bobSocket, shared]] as const) {
      expect((await call(s, 'room:join', { roomId: id, afterSeq: 0 })).ok).toBe(true);
    }
    expect((await send(annSocket, direct, 'before')).ok).toBe(true);
    const annHearsTyping = collect<TypingPayload>(annSocket, 'typing');
    bobSocket.emit('typing', { roomId: direct, typing: true });
    await until(() => annHearsTyping.length === 1, 5_000, 'Bob typing before the block');
    bobSocket.emit('typing', { roomId: direct, typing: false });
    await until(() => annHearsTyping.length === 2, 5_000, 'Bob stopping');
    expect(await found(ann, bob)).toBe(true);
    expect(await seesPresence(ann, bob)).toBe(true);

    const [blocker, blocked] = annBlocks ? [ann, bob] : [bob, ann];
    const made = await blocker.client.post('/api/blocks', { userId: blocked.id });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ created: true, blocked: { userId: blocked.id, username: blocked.username } });

    // Direct messages, both ways, over the socket; the conversation itself cannot be opened anew.
    const annSends = await send(annSocket, direct, 'after');
    const bobSends = await send(bobSocket, direct, 'after');
    expect(annSends).toMatchObject({ ok: false, error: REFUSAL });
    expect(bobSends).toMatchObject({ ok: false, error: REFUSAL });
    const reopen = await ann.client.post('/api/conversations/direct', { username: bob.username });
    expect(reopen.status).toBe(403);
    expect(reopen.body.error).toMatchObject(REFUSAL);
    const history = await ann.client.get(`/api/conversations/${direct}/messages`);
    expect((history.body.messages as Message[]).map((m) => m.content)).toEqual(['before']);
    // Nor reactions, both ways.
    const first = (history.body.messages as Message[])[0]!;
    for (const s of [annSocket, bobSocket]) {
      expect(await call(s, 'reaction:set', { roomId: direct, messageId: first.id, emoji: '👍', on: true })).toMatchObject({ ok: false, error: REFUSAL });
    }

    // Group adds: a new group with Bob, Bob added to Ann's group, and Ann to Bob's.
    const newGroup = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username] });
    expect(newGroup.status).toBe(403);
    expect(newGroup.body.error).toMatchObject(REFUSAL);
    const add = await ann.client.post(`/api/conversations/${annsGroup}/members`, { usernames: [bob.username] });
    expect(add.status).toBe(403);
    expect(add.body.error).toMatchObject(REFUSAL);
    const addBack = await bob.client.post(`/api/conversations/${bobsGroup}/members`, { usernames: [ann.username] });
    expect(addBack.body.error).toMatchObject(REFUSAL);

    // Invites: Ann cannot join Bob's group with his link.
    const join = await ann.client.post(`/api/invites/${invite}/accept`);
    expect(join.status).toBe(403);
    expect(join.body.error).toMatchObject(REFUSAL);

    // Contact requests and contacts, both ways.
    for (const [from, to] of [[ann, bob], [bob, ann]] as const) {
      const req = await from.client.post('/api/contact-requests', { userId: to.id });
      expect(req.status).toBe(403);
      expect(req.body.error).toMatchObject(REFUSAL);
      const add = await from.client.post('/api/contacts', { userId: to.id });
      expect(add.body.error).toMatchObject(REFUSAL);
    }
    expect((await ann.client.get('/api/contact-requests')).body).toEqual({ incoming: [], outgoing: [] });

    // Every refusal reads the same whoever blocked whom: the blocked person learns nothing more.
    expect(reopen.body.error.message).toBe('You can’t do that with this person.');

    // People search, both ways.
    expect(await found(ann, bob)).toBe(false);
    expect(await found(bob, ann)).toBe(false);
    expect(await found(ann, cy)).toBe(true);

    // Presence, both ways, by person and by conversation.
    expect(await seesPresence(ann, bob)).toBe(false);
    expect(await seesPresence(bob, ann)).toBe(false);
    const members = (await ann.client.get(`/api/conversations/${shared}/presence`)).body.presence as UserPresence[];
    expect(members.map((p) => p.userId)).toEqual([cy.id]);

    // Mentions: in the group they share, Bob's @Ann records nothing for Ann; his @Cy still counts.
    const mention = await send(bobSocket, shared, `hello @${ann.username} and @${cy.username}`);
    expect(mention.ok ? null : mention.error).toBeNull();
    await expect.poll(() => mentionsIn(cy, shared)).toBe(1);
    expect(await mentionsIn(ann, shared)).toBe(0);

    // Typing does not cross the block (the typing gate has long let Bob start again by now).
    bobSocket.emit('typing', { roomId: direct, typing: true });
    await sleep(500);
    expect(annHearsTyping).toHaveLength(2);

    // Unblocking (only the blocker can) restores everything.
    const wrongSide = await blocked.client.delete(`/api/blocks/${blocker.id}`);
    expect(wrongSide.status).toBe(404);
    expect((await blocker.client.delete(`/api/blocks/${blocked.id}`)).status).toBe(204);
    expect((await send(annSocket, direct, 'after unblock')).ok).toBe(true);
    expect(await found(bob, ann)).toBe(true);
    expect(await seesPresence(ann, bob)).toBe(true);
    expect((await ann.client.post(`/api/invites/${invite}/accept`)).body.joined).toBe(true);
  });
});

describe(`blocking: bad input (${backend})`, () => {
  it('refuses blocking yourself, unknown people, malformed bodies; a second block is the same block; unblocking someone not blocked is a 404', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const self = await ann.client.post('/api/blocks', { userId: ann.id });
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('BLOCK_SELF');
    const unknown = await ann.client.post('/api/blocks', { userId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('USER_NOT_FOUND');
    for (const body of [{}, { userId: 'nope' }, { userId: bob.id, roomId: 'x', memberId: 'y' }, { roomId: 'x' }, { userId: bob.id, extra: 1 }]) {
      const res = await ann.client.post('/api/blocks', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await ann.client.get('/api/blocks')).body.blocked).toEqual([]);

    expect((await ann.client.post('/api/blocks', { userId: bob.id })).status).toBe(201);
    const again = await ann.client.post('/api/blocks', { userId: bob.id });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    const list = (await ann.client.get('/api/blocks')).body.blocked as { userId: string }[];
    expect(list.map((b) => b.userId)).toEqual([bob.id]);
    // Bob cannot see Ann's list, nor does his own show her.
    expect((await bob.client.get('/api/blocks')).body.blocked).toEqual([]);

    const notBlocked = await bob.client.delete(`/api/blocks/${ann.id}`);
    expect(notBlocked.status).toBe(404);
    const selfUnblock = await ann.client.delete(`/api/blocks/${ann.id}`);
    expect(selfUnblock.body.error.code).toBe('BLOCK_SELF');
    expect((await t.client().post('/api/blocks', { userId: bob.id })).status).toBe(401);
    expect((await t.client().get('/api/blocks')).status).toBe(401);
  });

  it('blocks a pop chat participant by member id only when they wear their username; an anonymous one is refused; a member id of another chat is not found', async () => {
    const host = await hostWithChat(t);
    const other = await hostWithChat(t);
    const ann = await person('Ann');
    const bob = await person('Bob');
    const bobJoin = await bob.client.post(`/api/chats/${host.chat.code}/join`, { username: bob.username });
    expect(bobJoin.body.member.verified).toBe(true);
    const guest = await guestJoins(t, host.chat.code);

    const anon = await ann.client.post('/api/blocks', { roomId: host.chat.roomId, memberId: guest.member.id });
    expect(anon.status).toBe(400);
    expect(anon.body.error.message).toMatch(/signed in under their username/);
    const elsewhere = await ann.client.post('/api/blocks', { roomId: other.chat.roomId, memberId: bobJoin.body.member.id });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe('MEMBER_NOT_FOUND');
    expect((await ann.client.get('/api/blocks')).body.blocked).toEqual([]);

    const ok = await ann.client.post('/api/blocks', { roomId: host.chat.roomId, memberId: bobJoin.body.member.id });
    expect(ok.status).toBe(201);
    expect(ok.body.blocked).toMatchObject({ userId: bob.id, username: bob.username });
  });
});
