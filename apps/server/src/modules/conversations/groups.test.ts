import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConversationDetail,
  type ConversationEventPayload,
  type ConversationRemovedPayload,
  type Message,
} from '@chatpop/protocol';
import { call, collect, connectAccountSocket, sleep, startApp, until, type ClientSocket, type TestApp, inboxPerson, type InboxPerson } from '../../../test/harness';

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

const person = (prefix: string): Promise<Person> => inboxPerson(t, prefix);

async function socketOf(p: Person) {
  const s = await connectAccountSocket(t.url, p.client);
  sockets.push(s);
  return s;
}

/** Ann (admin) with Bob, Cy and Di, in that order of joining. */
async function club(extra: Record<string, unknown> = {}) {
  const [ann, bob, cy, di] = await Promise.all([person('Ann'), person('Bob'), person('Cy'), person('Di')]);
  const res = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username, di.username], name: 'Club', ...extra });
  expect(res.status).toBe(201);
  return { ann, bob, cy, di, id: (res.body.conversation as ConversationDetail).id };
}

const detail = async (p: Person, id: string) => (await p.client.get(`/api/conversations/${id}`)).body.conversation as ConversationDetail;
const roles = async (p: Person, id: string) => Object.fromEntries((await detail(p, id)).members.map((m) => [m.username, m.role]));
async function notes(p: Person, id: string): Promise<string[]> {
  const res = await p.client.get(`/api/conversations/${id}/messages`);
  return (res.body.messages as Message[]).filter((m) => m.type === 'system').map((m) => m.content);
}

describe('group info', () => {
  it('is changed by admins, or by everyone when the group allows it, with a system message each', async () => {
    const { ann, bob, id } = await club();
    const refused = await bob.client.patch(`/api/conversations/${id}`, { name: 'Bob’s club' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect((await bob.client.patch(`/api/conversations/${id}`, { permissions: { send: 'admins' } })).status).toBe(403);
    expect((await detail(ann, id)).name).toBe('Club');

    const renamed = await ann.client.patch(`/api/conversations/${id}`, { name: 'Book club', description: 'Monthly', permissions: { editInfo: 'everyone' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.conversation).toMatchObject({ name: 'Book club', description: 'Monthly', permissions: { editInfo: 'everyone', send: 'everyone' } });
    expect((await bob.client.patch(`/api/conversations/${id}`, { name: 'Bob’s book club' })).status).toBe(200);
    expect(await notes(ann, id)).toEqual([
      expect.stringContaining('created the group'),
      expect.stringContaining('added'),
      `${ann.username} renamed the group to “Book club”`,
      `${ann.username} changed the group description`,
      `${ann.username} let everyone edit the group info`,
      `${bob.username} renamed the group to “Bob’s book club”`,
    ]);
    const blank = await ann.client.patch(`/api/conversations/${id}`, { name: '  ' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('is only for groups: a direct conversation answers NOT_A_GROUP', async () => {
    const [ann, bob, cy] = await Promise.all([person('Ann'), person('Bob'), person('Cy')]);
    const direct = (await ann.client.post('/api/conversations/direct', { username: bob.username })).body.conversation as ConversationDetail;
    for (const res of [
      await ann.client.patch(`/api/conversations/${direct.id}`, { name: 'x' }),
      await ann.client.post(`/api/conversations/${direct.id}/members`, { usernames: [cy.username] }),
      await ann.client.post(`/api/conversations/${direct.id}/leave`),
    ]) {
      expect([res.status, res.body.error.code]).toEqual([400, 'NOT_A_GROUP']);
    }
    expect((await detail(ann, direct.id)).memberCount).toBe(2);
  });
});

describe('members', () => {
  it('are added by admins (or everyone, if allowed), see the history, and start with nothing unread', async () => {
    const { ann, bob, id } = await club();
    const annSocket = await socketOf(ann);
    await call(annSocket, 'room:join', { roomId: id, afterSeq: 0 });
    await call(annSocket, 'message:send', { roomId: id, clientId: 'ann-before-1', content: 'before Eve' });
    const eve = await person('Eve');
    const eveSocket = await socketOf(eve);
    const eveNews = collect<ConversationEventPayload>(eveSocket, 'conversation:new');

    const refused = await bob.client.post(`/api/conversations/${id}/members`, { usernames: [eve.username] });
    expect(refused.status).toBe(403);
    const added = await ann.client.post(`/api/conversations/${id}/members`, { memberIds: [eve.id] });
    expect(added.status).toBe(200);
    expect(added.body.conversation.memberCount).toBe(5);
    await until(() => eveNews.length === 1, 5_000, "Eve's new conversation");
    expect(eveNews[0]!.conversation).toMatchObject({ id, unreadCount: 0, myRole: 'member', memberCount: 5 });
    const history = await eve.client.get(`/api/conversations/${id}/messages`);
    expect(history.body.messages.map((m: Message) => m.content)).toContain('before Eve');
    expect(await notes(ann, id)).toContain(`${ann.username} added ${eve.username}`);

    const again = await ann.client.post(`/api/conversations/${id}/members`, { usernames: [eve.username] });
    expect([again.status, again.body.error.code]).toEqual([409, 'ALREADY_A_MEMBER']);
    const ghost = await ann.client.post(`/api/conversations/${id}/members`, { usernames: ['NoSuchUser9'] });
    expect([ghost.status, ghost.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    const empty = await ann.client.post(`/api/conversations/${id}/members`, {});
    expect([empty.status, empty.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await detail(ann, id)).memberCount).toBe(5);

    await ann.client.patch(`/api/conversations/${id}`, { permissions: { addMembers: 'everyone' } });
    const fay = await person('Fay');
    expect((await bob.client.post(`/api/conversations/${id}/members`, { usernames: [fay.username] })).status).toBe(200);
  });

  it('are removed by admins only: the removed lose the conversation at once, live and over HTTP', async () => {
    const { ann, bob, cy, id } = await club();
    const bobSocket = await socketOf(bob);
    await call(bobSocket, 'room:join', { roomId: id, afterSeq: 0 });
    const gone = collect<ConversationRemovedPayload>(bobSocket, 'conversation:removed');
    const bobGot = collect<Message>(bobSocket, 'message:new');

    const byMember = await cy.client.delete(`/api/conversations/${id}/members/${bob.id}`);
    expect([byMember.status, byMember.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const self = await ann.client.delete(`/api/conversations/${id}/members/${ann.id}`);
    expect(self.status).toBe(400);
    const stranger = await person('Eve');
    const notIn = await ann.client.delete(`/api/conversations/${id}/members/${stranger.id}`);
    expect([notIn.status, notIn.body.error.code]).toEqual([404, 'MEMBER_NOT_FOUND']);

    const removed = await ann.client.delete(`/api/conversations/${id}/members/${bob.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.conversation.memberCount).toBe(3);
    await until(() => gone.length === 1, 5_000, 'conversation:removed');
    expect(gone[0]).toEqual({ conversationId: id, reason: 'removed' });
    expect((await bob.client.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await bob.client.get('/api/conversations')).body.conversations).toEqual([]);
    const refusedSend = await call(bobSocket, 'message:send', { roomId: id, clientId: 'bob-after-1', content: 'still here?' });
    expect(refusedSend.ok).toBe(false);
    const annSocket = await socketOf(ann);
    await call(annSocket, 'room:join', { roomId: id, afterSeq: 0 });
    const seen = bobGot.length;
    await call(annSocket, 'message:send', { roomId: id, clientId: 'ann-after-1', content: 'without Bob' });
    await sleep(200);
    expect(bobGot.length).toBe(seen);
    expect(await notes(ann, id)).toContain(`${ann.username} removed ${bob.username}`);
  });
});

describe('roles', () => {
  it('are given and taken by admins, and the last admin cannot be demoted', async () => {
    const { ann, bob, cy, di, id } = await club();
    expect((await cy.client.post(`/api/conversations/${id}/members/${bob.id}/role`, { role: 'admin' })).status).toBe(403);
    const last = await ann.client.post(`/api/conversations/${id}/members/${ann.id}/role`, { role: 'member' });
    expect([last.status, last.body.error.code]).toEqual([400, 'LAST_ADMIN']);
    expect(await roles(ann, id)).toMatchObject({ [ann.username]: 'admin' });

    const bobSocket = await socketOf(bob);
    // A list event is an upsert: while the group's own "new" is still gathering, the promotion rides on it.
    const bobUpdates = collect<ConversationEventPayload>(bobSocket, 'conversation:updated');
    const bobNews = collect<ConversationEventPayload>(bobSocket, 'conversation:new');
    expect((await ann.client.post(`/api/conversations/${id}/members/${bob.id}/role`, { role: 'admin' })).status).toBe(200);
    await until(() => [...bobUpdates, ...bobNews].some((e) => e.conversation.id === id && e.conversation.myRole === 'admin'), 5_000, "Bob's own role");
    expect((await bob.client.get(`/api/conversations/${id}`)).body.conversation.myRole).toBe('admin');
    // Now Bob may demote Ann, and remove Cy.
    expect((await bob.client.post(`/api/conversations/${id}/members/${ann.id}/role`, { role: 'member' })).status).toBe(200);
    expect((await bob.client.delete(`/api/conversations/${id}/members/${cy.id}`)).status).toBe(200);
    expect(await roles(bob, id)).toEqual({ [ann.username]: 'member', [bob.username]: 'admin', [di.username]: 'member' });
    expect(await notes(bob, id)).toEqual(
      expect.arrayContaining([`${ann.username} made ${bob.username} an admin`, `${bob.username} made ${ann.username} a member, no longer an admin`]),
    );
  });

  it('follow a change on a live connection: a member promoted under "only admins send" may send at once', async () => {
    const { ann, bob, id } = await club({ permissions: { send: 'admins' } });
    const bobSocket = await socketOf(bob);
    await call(bobSocket, 'room:join', { roomId: id, afterSeq: 0 });
    expect(await call(bobSocket, 'message:send', { roomId: id, clientId: 'bob-muted-1', content: 'hi' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await ann.client.post(`/api/conversations/${id}/members/${bob.id}/role`, { role: 'admin' });
    await until(
      async () => (await call(bobSocket, 'message:send', { roomId: id, clientId: `bob-admin-${Date.now()}`, content: 'now I can' })).ok,
      5_000,
      "Bob's send as admin",
    );
  });
});

describe('leaving', () => {
  it('is for anyone; when the last admin leaves, the longest-standing member becomes admin', async () => {
    const { ann, bob, cy, di, id } = await club();
    const annSocket = await socketOf(ann);
    const gone = collect<ConversationRemovedPayload>(annSocket, 'conversation:removed');
    expect((await di.client.post(`/api/conversations/${id}/leave`)).status).toBe(204);
    expect((await ann.client.post(`/api/conversations/${id}/leave`)).status).toBe(204);
    await until(() => gone.length === 1, 5_000, 'conversation:removed');
    expect(gone[0]).toEqual({ conversationId: id, reason: 'left' });
    expect(await roles(bob, id)).toEqual({ [bob.username]: 'admin', [cy.username]: 'member' });
    expect((await notes(bob, id)).slice(-3)).toEqual([`${di.username} left`, `${ann.username} left`, `${bob.username} is now an admin`]);
    expect((await ann.client.post(`/api/conversations/${id}/leave`)).status).toBe(404);

    // Added back, Ann stands newest.
    expect((await bob.client.post(`/api/conversations/${id}/members`, { memberIds: [ann.id] })).status).toBe(200);
    expect((await detail(ann, id)).members.map((m) => m.username)).toEqual([bob.username, cy.username, ann.username]);
    expect((await detail(ann, id)).unreadCount).toBe(0);
  });

  it('by two admins at once promotes exactly one member', async () => {
    for (let round = 0; round < 3; round++) {
      const { ann, bob, cy, di, id } = await club();
      expect((await ann.client.post(`/api/conversations/${id}/members/${bob.id}/role`, { role: 'admin' })).status).toBe(200);
      const left = await Promise.all([ann.client.post(`/api/conversations/${id}/leave`), bob.client.post(`/api/conversations/${id}/leave`)]);
      expect(left.map((r) => r.status)).toEqual([204, 204]);
      expect(await roles(cy, id)).toEqual({ [cy.username]: 'admin', [di.username]: 'member' });
      expect((await notes(cy, id)).filter((n) => n.endsWith('is now an admin'))).toEqual([`${cy.username} is now an admin`]);
    }
  });
});
