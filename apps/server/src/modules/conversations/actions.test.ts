import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConversationDetail,
  type ConversationEventPayload,
  type ConversationSummary,
  type InboxUnreadPayload,
  type Message,
  type MessageDeletedPayload,
  type MessageHiddenPayload,
  type PinUpdatedPayload,
  type RoomJoinResult,
  type RoomRangeResult,
} from '@chatpop/protocol';
import { messageMentions, messages, pinnedMessages } from '../../db/schema';
import { call, collect, connectAccountSocket, startApp, until, type ClientSocket, type TestApp, inboxPerson, type InboxPerson } from '../../../test/harness';

/*
 * The Inbox's message actions (docs/api.md, "Inbox: message actions"): delete
 * for me and for everyone, forward, pin, and @mention badges, over HTTP and
 * the socket, with every refusal changing nothing and outsiders seeing nothing.
 */

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp();
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await t.app.ctx.settings.set('messageEditWindowSeconds', 900);
});
afterAll(async () => {
  await t.destroy();
});

const WAIT_MS = 10_000;

type Person = InboxPerson;

const person = (prefix: string): Promise<Person> => inboxPerson(t, prefix);

async function socketOf(p: Person): Promise<ClientSocket> {
  const s = await connectAccountSocket(t.url, p.client);
  sockets.push(s);
  return s;
}

/** A connection of `p` that has joined the conversation. */
async function joined(p: Person, roomId: string): Promise<ClientSocket> {
  const s = await socketOf(p);
  const res = await call(s, 'room:join', { roomId, afterSeq: 0 });
  expect(res.ok).toBe(true);
  return s;
}

async function send(s: ClientSocket, roomId: string, content: string, replyToId?: string): Promise<Message> {
  const res = await call<{ message: Message }>(s, 'message:send', { roomId, clientId: `a-${randomBytes(6).toString('hex')}`, content, ...(replyToId ? { replyToId } : {}) });
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return res.message;
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

const detail = async (p: Person, id: string): Promise<ConversationDetail> => {
  const res = await p.client.get(`/api/conversations/${id}`);
  expect(res.status).toBe(200);
  return res.body.conversation;
};
const rowOf = async (p: Person, id: string): Promise<ConversationSummary | undefined> =>
  ((await p.client.get('/api/conversations')).body.conversations as ConversationSummary[]).find((c) => c.id === id);
const page = async (p: Person, id: string, query = ''): Promise<{ messages: Message[]; withheld: number[] }> => {
  const res = await p.client.get(`/api/conversations/${id}/messages${query}`);
  expect(res.status).toBe(200);
  return res.body;
};
const summaryOf = async (p: Person) => (await p.client.get('/api/inbox/summary')).body as { unread: number; mentions: number };

/** Everything a room holds, straight from the database: what a refusal must leave as it was. */
async function stored(roomId: string) {
  const rows = await t.app.ctx.db.select().from(messages).where(eq(messages.roomId, roomId));
  return rows.map((r) => ({ id: r.id, seq: r.seq, content: r.content, deletedAt: r.deletedAt?.toISOString() ?? null })).sort((a, b) => a.seq - b.seq);
}

/** A list row as a device hears it, latest per conversation. */
function listRows(socket: ClientSocket) {
  const rows = new Map<string, ConversationSummary>();
  const take = (e: ConversationEventPayload) => rows.set(e.conversation.id, e.conversation);
  socket.on('conversation:new', take);
  socket.on('conversation:updated', take);
  return rows;
}

/** Events equal a fresh fetch: the row a device holds from events is the row the list answers now. */
async function eventsMatchFetch(p: Person, rows: Map<string, ConversationSummary>, id: string) {
  let fresh: ConversationSummary | undefined;
  await until(
    async () => {
      fresh = await rowOf(p, id);
      return JSON.stringify(rows.get(id)) === JSON.stringify(fresh);
    },
    WAIT_MS,
    `${p.username}'s list events to equal a fresh fetch`,
  );
}

const del = (p: Person, id: string, messageId: string, scope: string | null) =>
  p.client.delete(`/api/conversations/${id}/messages/${messageId}${scope === null ? '' : `?for=${scope}`}`);

describe('delete for everyone', () => {
  it('leaves a tombstone every member sees at once; quotes say it was deleted; the list preview follows', async () => {
    const [ann, bob, eve] = await Promise.all([person('Ann'), person('Bob'), person('Eve')]);
    const conv = await direct(ann, bob);
    const annSocket = await joined(ann, conv.id);
    const bobSocket = await joined(bob, conv.id);
    const bobRows = listRows(bobSocket);
    const outsider = await socketOf(eve);
    const seenByOutsider = [...['message:deleted', 'message:updated', 'message:new', 'conversation:updated'].map((e) => collect(outsider, e))];

    const original = await send(annSocket, conv.id, 'Meet at 5?');
    const reply = await send(bobSocket, conv.id, 'Sure', original.id);
    expect(reply.replyTo).toMatchObject({ id: original.id, seq: original.seq, deleted: false });
    const last = await send(annSocket, conv.id, 'Oops, wrong chat');
    const deleted = collect<MessageDeletedPayload>(bobSocket, 'message:deleted');
    const updated = collect<Message>(bobSocket, 'message:updated');

    const res = await del(ann, conv.id, last.id, 'everyone');
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({ id: last.id, seq: last.seq, content: '', deletedAt: expect.any(String) });
    await until(() => deleted.some((d) => d.id === last.id), WAIT_MS, 'the tombstone live');
    // Bob's preview shows the newest message was deleted, as a fresh fetch would.
    await eventsMatchFetch(bob, bobRows, conv.id);
    expect((await rowOf(bob, conv.id))!.lastMessage).toMatchObject({ id: last.id, deleted: true, content: '' });

    // Over the socket too; the reply's quote now says the original was deleted.
    const viaSocket = await call<{ message: Message }>(annSocket, 'message:delete', { roomId: conv.id, messageId: original.id, for: 'everyone' });
    expect(viaSocket).toMatchObject({ ok: true, message: { id: original.id, content: '' } });
    await until(() => updated.some((m) => m.id === reply.id && m.replyTo?.deleted === true), WAIT_MS, 'the quote to follow');
    const history = await page(bob, conv.id);
    expect(history.messages.find((m) => m.id === original.id)).toMatchObject({ content: '', deletedAt: expect.any(String) });
    expect(history.messages.find((m) => m.id === reply.id)!.replyTo).toMatchObject({ deleted: true, content: '' });

    // Again is harmless.
    expect((await del(ann, conv.id, original.id, 'everyone')).status).toBe(200);
    expect(seenByOutsider.every((list) => list.length === 0)).toBe(true);
  });

  it('is for the author alone, or a group admin; refusals change nothing', async () => {
    const [ann, bob, cy, eve] = await Promise.all([person('Ann'), person('Bob'), person('Cy'), person('Eve')]);
    const conv = await direct(ann, bob);
    const g = await group(ann, [bob, cy]);
    const annSocket = await joined(ann, conv.id);
    const bobSocket = await joined(bob, g.id);
    const annsWords = await send(annSocket, conv.id, 'mine to delete');
    const bobsWords = await send(bobSocket, g.id, 'a member speaks');
    const before = { conv: await stored(conv.id), g: await stored(g.id) };

    const refusals: [Person, string, string, string | null, number, string][] = [
      [bob, conv.id, annsWords.id, 'everyone', 403, 'NOT_YOUR_MESSAGE'],
      [cy, g.id, bobsWords.id, 'everyone', 403, 'NOT_YOUR_MESSAGE'],
      [ann, g.id, g.lastMessage!.id, 'everyone', 400, 'SYSTEM_MESSAGE'],
      [eve, conv.id, annsWords.id, 'everyone', 404, 'CONVERSATION_NOT_FOUND'],
      [eve, conv.id, annsWords.id, 'me', 404, 'CONVERSATION_NOT_FOUND'],
      [ann, conv.id, bobsWords.id, 'everyone', 404, 'MESSAGE_NOT_FOUND'],
      [ann, conv.id, '0190a0b0-0000-7000-8000-000000000000', 'everyone', 404, 'MESSAGE_NOT_FOUND'],
      [ann, conv.id, annsWords.id, null, 400, 'VALIDATION_FAILED'],
      [ann, conv.id, annsWords.id, 'nobody', 400, 'VALIDATION_FAILED'],
    ];
    for (const [who, id, messageId, scope, status, code] of refusals) {
      const res = await del(who, id, messageId, scope);
      expect([who.username, scope, res.status, res.body?.error?.code]).toEqual([who.username, scope, status, code]);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    expect((await del(ann, conv.id, 'not-a-uuid', 'everyone')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await t.client().delete(`/api/conversations/${conv.id}/messages/${annsWords.id}?for=everyone`)).status).toBe(401);
    // The socket answers alike.
    const cySocket = await joined(cy, g.id);
    expect(await call(cySocket, 'message:delete', { roomId: g.id, messageId: bobsWords.id })).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_MESSAGE' } });
    expect(await call(cySocket, 'message:delete', { roomId: g.id, messageId: bobsWords.id, for: 'all' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect({ conv: await stored(conv.id), g: await stored(g.id) }).toEqual(before);

    // The group's admin may.
    const byAdmin = await del(ann, g.id, bobsWords.id, 'everyone');
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.message).toMatchObject({ id: bobsWords.id, content: '' });
  });
});

describe('delete for me', () => {
  it('hides a message from me on every device and in every read, and from nobody else', async () => {
    const [ann, bob] = await Promise.all([person('Ann'), person('Bob')]);
    const conv = await direct(ann, bob);
    const annPhone = await joined(ann, conv.id);
    const annLaptop = await socketOf(ann);
    const bobSocket = await joined(bob, conv.id);
    const annRows = listRows(annLaptop);
    const bobRows = listRows(bobSocket);
    const first = await send(bobSocket, conv.id, 'first');
    const secret = await send(bobSocket, conv.id, 'forget I said this');
    const hiddenOnPhone = collect<MessageHiddenPayload>(annPhone, 'message:hidden');
    const hiddenOnLaptop = collect<MessageHiddenPayload>(annLaptop, 'message:hidden');
    const hiddenForBob = collect<MessageHiddenPayload>(bobSocket, 'message:hidden');
    expect((await rowOf(ann, conv.id))!.unreadCount).toBe(2);

    const res = await del(ann, conv.id, secret.id, 'me');
    expect(res.status).toBe(204);
    const payload = { roomId: conv.id, id: secret.id, seq: secret.seq };
    await until(() => hiddenOnPhone.length === 1 && hiddenOnLaptop.length === 1, WAIT_MS, 'both of my devices to hear');
    expect(hiddenOnPhone[0]).toEqual(payload);

    // Every read leaves it out for me and names its seq as withheld: history, a join's replay, a gap fill.
    const mine = await page(ann, conv.id);
    expect(mine.messages.map((m) => m.id)).not.toContain(secret.id);
    expect(mine.withheld).toContain(secret.seq);
    const again = await socketOf(ann);
    const replay = await call<RoomJoinResult>(again, 'room:join', { roomId: conv.id, afterSeq: first.seq - 1 });
    expect(replay).toMatchObject({ ok: true, withheld: [secret.seq] });
    expect(replay.ok && replay.messages.map((m) => m.id)).toEqual([first.id]);
    const range = await call<RoomRangeResult>(again, 'message:range', { roomId: conv.id, afterSeq: 0 });
    expect(range.ok && range.messages.map((m) => m.id)).not.toContain(secret.id);
    expect(range.ok && range.withheld).toContain(secret.seq);
    // Nor is it unread, my newest message, or anything I can act on.
    await eventsMatchFetch(ann, annRows, conv.id);
    expect(await rowOf(ann, conv.id)).toMatchObject({ unreadCount: 1, lastMessage: { id: first.id } });
    expect((await del(ann, conv.id, secret.id, 'me')).body.error.code).toBe('MESSAGE_NOT_FOUND');
    expect((await ann.client.get(`/api/conversations/${conv.id}/messages/${secret.id}/edits`)).body.error.code).toBe('MESSAGE_NOT_FOUND');
    expect((await ann.client.post(`/api/conversations/${conv.id}/pinned-message`, { messageId: secret.id })).body.error.code).toBe('MESSAGE_NOT_FOUND');

    // Bob still has it, as it was.
    expect((await page(bob, conv.id)).messages.find((m) => m.id === secret.id)).toMatchObject({ content: 'forget I said this', deletedAt: null });
    expect((await rowOf(bob, conv.id))!.lastMessage).toMatchObject({ id: secret.id });
    expect(hiddenForBob).toEqual([]);
    await eventsMatchFetch(bob, bobRows, conv.id);

    // A message of my own, over the socket, and a tombstone: both are mine to hide.
    const own = await send(annPhone, conv.id, 'my own words');
    expect(await call(annPhone, 'message:delete', { roomId: conv.id, messageId: own.id, for: 'me' })).toEqual({ ok: true });
    expect((await del(bob, conv.id, secret.id, 'everyone')).status).toBe(200);
    expect((await del(bob, conv.id, secret.id, 'me')).status).toBe(204);
    expect((await page(bob, conv.id)).messages.map((m) => m.id)).not.toContain(secret.id);
    expect((await page(bob, conv.id)).messages.map((m) => m.id)).toContain(own.id);
  });
});

describe('forward', () => {
  it('copies a message into the conversations I name, labelled forwarded, once however often it is sent', async () => {
    const [ann, bob, cy, dan] = await Promise.all([person('Ann'), person('Bob'), person('Cy'), person('Dan')]);
    const source = await direct(ann, bob);
    const toCy = await direct(ann, cy);
    const g = await group(ann, [cy, dan]);
    const bobSocket = await joined(bob, source.id);
    const cySocket = await joined(cy, toCy.id);
    const danSocket = await joined(dan, g.id);
    const danRows = listRows(danSocket);
    const cyHears = collect<Message>(cySocket, 'message:new');
    const danHears = collect<Message>(danSocket, 'message:new');
    const asked = await send(bobSocket, source.id, `Anyone up for pizza, @${cy.username}?`);
    const original = await send(bobSocket, source.id, 'The lake at 5, bring towels', asked.id);

    const body = { to: [toCy.id, g.id], clientId: `fwd-${randomBytes(6).toString('hex')}` };
    const res = await ann.client.post(`/api/conversations/${source.id}/messages/${original.id}/forward`, body);
    expect(res.status).toBe(200);
    const copies: Message[] = res.body.messages;
    expect(copies.map((m) => m.roomId)).toEqual([toCy.id, g.id]);
    for (const copy of copies) {
      expect(copy).toMatchObject({ content: 'The lake at 5, bring towels', forwarded: true, replyTo: null, username: ann.username, type: 'normal' });
    }
    await until(() => cyHears.some((m) => m.id === copies[0]!.id) && danHears.some((m) => m.id === copies[1]!.id), WAIT_MS, 'the copies live');
    await eventsMatchFetch(dan, danRows, g.id);
    expect((await rowOf(dan, g.id))!.lastMessage).toMatchObject({ id: copies[1]!.id, content: 'The lake at 5, bring towels' });
    expect((await page(cy, toCy.id)).messages.at(-1)).toMatchObject({ id: copies[0]!.id, forwarded: true });
    // The original is no copy; sending the same forward again answers the same copies.
    expect((await page(bob, source.id)).messages.find((m) => m.id === original.id)!.forwarded).toBeUndefined();
    const again = await ann.client.post(`/api/conversations/${source.id}/messages/${original.id}/forward`, body);
    expect(again.body.messages.map((m: Message) => m.id)).toEqual(copies.map((m) => m.id));
    expect((await stored(g.id)).filter((m) => m.content === 'The lake at 5, bring towels')).toHaveLength(1);

    // A copy of a copy is a copy; a forwarded text mentions nobody; nobody edits a forwarded copy.
    const mention = await ann.client.post(`/api/conversations/${source.id}/messages/${asked.id}/forward`, { to: [g.id], clientId: `fwd-${randomBytes(6).toString('hex')}` });
    expect(mention.status).toBe(200);
    expect((await rowOf(cy, g.id))!.mentionCount).toBe(0);
    const onward = await cy.client.post(`/api/conversations/${toCy.id}/messages/${copies[0]!.id}/forward`, { to: [g.id], clientId: `fwd-${randomBytes(6).toString('hex')}` });
    expect(onward.body.messages[0]).toMatchObject({ forwarded: true, username: cy.username });
    const edit = await ann.client.patch(`/api/conversations/${g.id}/messages/${copies[1]!.id}`, { content: 'changed' });
    expect([edit.status, edit.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('is refused, writing nothing anywhere, into a conversation I am not in or may not send to, and for what I cannot read', async () => {
    const [ann, bob, cy, eve] = await Promise.all([person('Ann'), person('Bob'), person('Cy'), person('Eve')]);
    const source = await direct(ann, bob);
    const open = await direct(ann, cy);
    const quiet = await group(bob, [ann, cy], { permissions: { send: 'admins' } });
    const theirs = await direct(bob, eve);
    const annSocket = await joined(ann, source.id);
    const words = await send(annSocket, source.id, 'forward me');
    const gone = await send(annSocket, source.id, 'about to go');
    expect((await del(ann, source.id, gone.id, 'everyone')).status).toBe(200);
    const forgotten = await send(annSocket, source.id, 'forgotten');
    expect((await del(ann, source.id, forgotten.id, 'me')).status).toBe(204);
    const rooms = [source.id, open.id, quiet.id, theirs.id];
    const before = await Promise.all(rooms.map(stored));

    const forward = (who: Person, from: string, messageId: string, body: unknown) =>
      who.client.post(`/api/conversations/${from}/messages/${messageId}/forward`, body);
    const clientId = `fwd-${randomBytes(6).toString('hex')}`;
    const cases: [Person, string, string, unknown, number, string, unknown?][] = [
      [ann, source.id, words.id, { to: [open.id, theirs.id], clientId }, 404, 'CONVERSATION_NOT_FOUND', { conversationId: theirs.id }],
      [ann, source.id, words.id, { to: [open.id, quiet.id], clientId }, 403, 'FORBIDDEN', { conversationId: quiet.id }],
      [ann, source.id, words.id, { to: [open.id, '0190a0b0-0000-7000-8000-000000000000'], clientId }, 404, 'CONVERSATION_NOT_FOUND'],
      [ann, source.id, gone.id, { to: [open.id], clientId }, 400, 'MESSAGE_DELETED'],
      [ann, source.id, forgotten.id, { to: [open.id], clientId }, 404, 'MESSAGE_NOT_FOUND'],
      [ann, quiet.id, quiet.lastMessage!.id, { to: [open.id], clientId }, 400, 'SYSTEM_MESSAGE'],
      [eve, source.id, words.id, { to: [theirs.id], clientId }, 404, 'CONVERSATION_NOT_FOUND'],
      [ann, source.id, words.id, { to: [], clientId }, 400, 'VALIDATION_FAILED'],
      [ann, source.id, words.id, { to: [open.id, open.id], clientId }, 400, 'VALIDATION_FAILED'],
      [ann, source.id, words.id, { to: Array.from({ length: 6 }, () => open.id), clientId }, 400, 'VALIDATION_FAILED'],
      [ann, source.id, words.id, { to: [open.id], clientId: 'no spaces allowed' }, 400, 'VALIDATION_FAILED'],
      [ann, source.id, words.id, { to: [open.id] }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [who, from, messageId, body, status, code, details] of cases) {
      const res = await forward(who, from, messageId, body);
      expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([JSON.stringify(body), status, code]);
      if (details) expect(res.body.error.details).toEqual(details);
    }
    const anonymous = await t.client().post(`/api/conversations/${source.id}/messages/${words.id}/forward`, { to: [open.id], clientId });
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await Promise.all(rooms.map(stored))).toEqual(before);
    // Where I may send, it goes.
    expect((await forward(ann, source.id, words.id, { to: [open.id], clientId })).status).toBe(200);
  });
});

describe('pinned message', () => {
  it('shows at the top for every member, live, with a note; unpinning and deleting take it down', async () => {
    const [ann, bob] = await Promise.all([person('Ann'), person('Bob')]);
    const conv = await direct(ann, bob);
    const annSocket = await joined(ann, conv.id);
    const bobSocket = await joined(bob, conv.id);
    const bobPins = collect<PinUpdatedPayload>(bobSocket, 'pin:updated');
    const bobNew = collect<Message>(bobSocket, 'message:new');
    const address = await send(annSocket, conv.id, '12 Lake Road');
    const other = await send(annSocket, conv.id, 'see you');

    // In a direct conversation either person pins.
    const res = await bob.client.post(`/api/conversations/${conv.id}/pinned-message`, { messageId: address.id });
    expect(res.status).toBe(200);
    expect(res.body.pinned).toMatchObject({ message: { id: address.id, content: '12 Lake Road' }, pinnedBy: { username: bob.username } });
    await until(() => bobPins.some((p) => p.pinned?.message.id === address.id), WAIT_MS, 'the pin live');
    await until(() => bobNew.some((m) => m.type === 'system' && m.content === `${bob.username} pinned a message`), WAIT_MS, 'the note');
    expect((await detail(ann, conv.id)).pinnedMessage).toMatchObject({ message: { id: address.id }, pinnedBy: { username: bob.username } });
    // The same pin again is no news.
    const notes = (await stored(conv.id)).length;
    expect((await ann.client.post(`/api/conversations/${conv.id}/pinned-message`, { messageId: address.id })).status).toBe(200);
    expect((await stored(conv.id)).length).toBe(notes);

    // Another pin takes its place; unpinning says so; twice is 404.
    expect((await ann.client.post(`/api/conversations/${conv.id}/pinned-message`, { messageId: other.id })).body.pinned.message.id).toBe(other.id);
    const unpin = await ann.client.delete(`/api/conversations/${conv.id}/pinned-message`);
    expect([unpin.status, unpin.body]).toEqual([200, { pinned: null }]);
    await until(() => bobPins.at(-1)?.pinned === null, WAIT_MS, 'the unpin live');
    expect((await stored(conv.id)).at(-1)!.content).toBe(`${ann.username} unpinned a message`);
    expect((await ann.client.delete(`/api/conversations/${conv.id}/pinned-message`)).body.error.code).toBe('PIN_NOT_FOUND');
    expect((await detail(bob, conv.id)).pinnedMessage).toBeNull();

    // A pinned message deleted for everyone is pinned no more.
    expect((await ann.client.post(`/api/conversations/${conv.id}/pinned-message`, { messageId: address.id })).status).toBe(200);
    const pinsBefore = bobPins.length;
    expect((await del(ann, conv.id, address.id, 'everyone')).status).toBe(200);
    await until(() => bobPins.length > pinsBefore && bobPins.at(-1)?.pinned === null, WAIT_MS, 'the deleted pin to go');
    expect((await detail(bob, conv.id)).pinnedMessage).toBeNull();
    expect(await t.app.ctx.db.select().from(pinnedMessages).where(eq(pinnedMessages.roomId, conv.id))).toEqual([]);

    // A pinned message I deleted for myself is not pinned for me, and still is for Bob.
    expect((await ann.client.post(`/api/conversations/${conv.id}/pinned-message`, { messageId: other.id })).status).toBe(200);
    const annPins = collect<PinUpdatedPayload>(annSocket, 'pin:updated');
    expect((await del(ann, conv.id, other.id, 'me')).status).toBe(204);
    await until(() => annPins.at(-1)?.pinned === null, WAIT_MS, 'my pin to go');
    expect((await detail(ann, conv.id)).pinnedMessage).toBeNull();
    expect((await detail(bob, conv.id)).pinnedMessage).toMatchObject({ message: { id: other.id } });
  });

  it('is for admins in a group unless its editInfo permission lets everyone; refusals change nothing', async () => {
    const [ann, bob, cy, eve] = await Promise.all([person('Ann'), person('Bob'), person('Cy'), person('Eve')]);
    const g = await group(ann, [bob, cy]);
    const bobSocket = await joined(bob, g.id);
    const eveSocket = await socketOf(eve);
    const eveHears = [collect(eveSocket, 'pin:updated'), collect(eveSocket, 'message:new')];
    const words = await send(bobSocket, g.id, 'pin me');
    const gone = await send(bobSocket, g.id, 'soon gone');
    expect((await del(bob, g.id, gone.id, 'everyone')).status).toBe(200);
    const before = await stored(g.id);

    const pin = (who: Person, body: unknown) => who.client.post(`/api/conversations/${g.id}/pinned-message`, body);
    const cases: [Person, unknown, number, string][] = [
      [bob, { messageId: words.id }, 403, 'FORBIDDEN'],
      [eve, { messageId: words.id }, 404, 'CONVERSATION_NOT_FOUND'],
      [ann, { messageId: gone.id }, 400, 'MESSAGE_DELETED'],
      [ann, { messageId: g.lastMessage!.id }, 400, 'SYSTEM_MESSAGE'],
      [ann, { messageId: '0190a0b0-0000-7000-8000-000000000000' }, 404, 'MESSAGE_NOT_FOUND'],
      [ann, { messageId: 'nope' }, 400, 'VALIDATION_FAILED'],
      [ann, {}, 400, 'VALIDATION_FAILED'],
    ];
    for (const [who, body, status, code] of cases) {
      const res = await pin(who, body);
      expect([who.username, JSON.stringify(body), res.status, res.body.error.code]).toEqual([who.username, JSON.stringify(body), status, code]);
    }
    expect((await bob.client.delete(`/api/conversations/${g.id}/pinned-message`)).body.error.code).toBe('FORBIDDEN');
    expect((await eve.client.delete(`/api/conversations/${g.id}/pinned-message`)).body.error.code).toBe('CONVERSATION_NOT_FOUND');
    expect((await t.client().post(`/api/conversations/${g.id}/pinned-message`, { messageId: words.id })).status).toBe(401);
    expect(await stored(g.id)).toEqual(before);
    expect((await detail(ann, g.id)).pinnedMessage).toBeNull();

    expect((await pin(ann, { messageId: words.id })).status).toBe(200);
    expect((await ann.client.patch(`/api/conversations/${g.id}`, { permissions: { editInfo: 'everyone' } })).status).toBe(200);
    expect((await bob.client.delete(`/api/conversations/${g.id}/pinned-message`)).status).toBe(200);
    expect(eveHears.every((list) => list.length === 0)).toBe(true);
  });
});

describe('mentions', () => {
  it('raise a badge for whom they name until they read past them, from the watermark', async () => {
    const [ann, bob, cy] = await Promise.all([person('Ann'), person('Bob'), person('Cy')]);
    const g = await group(ann, [bob, cy]);
    const annSocket = await joined(ann, g.id);
    const bobLaptop = await socketOf(bob);
    const bobRows = listRows(bobLaptop);
    const bobTotals = collect<InboxUnreadPayload>(bobLaptop, 'inbox:unread');

    await send(annSocket, g.id, `@${bob.username.toUpperCase()} and @${cy.username}, lunch? (mail ${bob.username}@example.com)`);
    await send(annSocket, g.id, `@${ann.username} talking to myself, and @nobody_here`);
    const second = await send(annSocket, g.id, `once more @${bob.username} @${bob.username}`);
    expect(await rowOf(bob, g.id)).toMatchObject({ unreadCount: 3, mentionCount: 2 });
    expect(await rowOf(ann, g.id)).toMatchObject({ mentionCount: 0 });
    expect(await summaryOf(bob)).toMatchObject({ unread: 3, mentions: 2 });
    expect(await summaryOf(cy)).toMatchObject({ mentions: 1 });
    await until(() => bobTotals.at(-1)?.mentions === 2, WAIT_MS, 'the mention total live');
    await eventsMatchFetch(bob, bobRows, g.id);

    // Deleting one for everyone takes its mention with it; reading past the rest clears the badge.
    expect((await del(ann, g.id, second.id, 'everyone')).status).toBe(200);
    await until(async () => (await rowOf(bob, g.id))!.mentionCount === 1, WAIT_MS, 'the deleted mention to go');
    await eventsMatchFetch(bob, bobRows, g.id);
    expect((await bob.client.post(`/api/conversations/${g.id}/read`, { seq: second.seq })).body.conversation).toMatchObject({ mentionCount: 0, unreadCount: 0 });
    await until(() => bobTotals.at(-1)?.mentions === 0, WAIT_MS, 'the total to clear');
    await eventsMatchFetch(bob, bobRows, g.id);
    // Cy deletes his for himself: no badge either.
    const cyRow = (await rowOf(cy, g.id))!;
    expect(cyRow.mentionCount).toBe(1);
    const mentionOfCy = (await page(cy, g.id)).messages.find((m) => m.content.startsWith('@'))!;
    expect((await del(cy, g.id, mentionOfCy.id, 'me')).status).toBe(204);
    expect((await rowOf(cy, g.id))!.mentionCount).toBe(0);
  });

  it('follow an edit of the text', async () => {
    const [ann, bob] = await Promise.all([person('Ann'), person('Bob')]);
    const g = await group(ann, [bob, await person('Cy')]);
    const annSocket = await joined(ann, g.id);
    const plain = await send(annSocket, g.id, 'lunch?');
    expect((await rowOf(bob, g.id))!.mentionCount).toBe(0);
    expect((await ann.client.patch(`/api/conversations/${g.id}/messages/${plain.id}`, { content: `lunch, @${bob.username}?` })).status).toBe(200);
    expect((await rowOf(bob, g.id))!.mentionCount).toBe(1);
    expect((await ann.client.patch(`/api/conversations/${g.id}/messages/${plain.id}`, { content: 'lunch, anyone?' })).status).toBe(200);
    expect((await rowOf(bob, g.id))!.mentionCount).toBe(0);
    expect(await t.app.ctx.db.select().from(messageMentions).where(eq(messageMentions.messageId, plain.id))).toEqual([]);
  });
});

describe('the edit window', () => {
  it('is in the conversation’s details, as the runtime setting says', async () => {
    const [ann, bob] = await Promise.all([person('Ann'), person('Bob')]);
    const conv = await direct(ann, bob);
    expect((await detail(ann, conv.id)).editWindowSeconds).toBe(900);
    await t.app.ctx.settings.set('messageEditWindowSeconds', 120);
    expect((await detail(bob, conv.id)).editWindowSeconds).toBe(120);
  });
});
