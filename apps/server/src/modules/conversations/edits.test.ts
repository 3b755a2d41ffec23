import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ConversationDetail, type ConversationEventPayload, type Message, type MessageEdits } from '@chatpop/protocol';
import { messages } from '../../db/schema';
import { call, collect, connectAccountSocket, guestJoins, hostWithChat, connectSocket, startApp, until, type ClientSocket, type TestApp, inboxPerson, type InboxPerson } from '../../../test/harness';

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

type Person = InboxPerson;

const person = (prefix: string): Promise<Person> => inboxPerson(t, prefix);

async function joined(p: Person, roomId: string) {
  const s = await connectAccountSocket(t.url, p.client);
  sockets.push(s);
  const res = await call(s, 'room:join', { roomId, afterSeq: 0 });
  expect(res.ok).toBe(true);
  return s;
}

async function send(s: ClientSocket, roomId: string, content: string, replyToId?: string) {
  const res = await call<{ message: Message }>(s, 'message:send', { roomId, clientId: `e-${randomBytes(6).toString('hex')}`, content, ...(replyToId ? { replyToId } : {}) });
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return res.message;
}

async function pair() {
  const [ann, bob] = await Promise.all([person('Ann'), person('Bob')]);
  const conv = (await ann.client.post('/api/conversations/direct', { username: bob.username })).body.conversation as ConversationDetail;
  return { ann, bob, id: conv.id };
}

/** Makes a message as old as `seconds`, as the clock would after that long. */
async function age(messageId: string, seconds: number) {
  await t.app.ctx.db
    .update(messages)
    .set({ createdAt: sql`now() - make_interval(secs => ${seconds})` })
    .where(eq(messages.id, messageId));
  // The cached copy keeps its own time; edits read the database.
}

const edits = async (p: Person, id: string, messageId: string) => (await p.client.get(`/api/conversations/${id}/messages/${messageId}/edits`)) as { status: number; body: MessageEdits & { error?: { code: string } } };

describe('editing', () => {
  it('changes your message for everyone at once, marks it edited and keeps every earlier version', async () => {
    const { ann, bob, id } = await pair();
    const annSocket = await joined(ann, id);
    const bobSocket = await joined(bob, id);
    const updates = collect<Message>(bobSocket, 'message:updated');
    const original = await send(annSocket, id, 'See you at 6');
    expect(original.editedAt).toBeUndefined();

    const first = await call<{ message: Message }>(annSocket, 'message:edit', { roomId: id, messageId: original.id, content: ' See you at 7 ' });
    expect(first).toMatchObject({ ok: true, message: { id: original.id, seq: original.seq, content: 'See you at 7', editedAt: expect.any(String) } });
    await until(() => updates.some((m) => m.content === 'See you at 7'), 5_000, 'the edit, live');
    const second = await ann.client.patch(`/api/conversations/${id}/messages/${original.id}`, { content: 'See you at 8' });
    expect(second.status).toBe(200);
    expect(second.body.message).toMatchObject({ content: 'See you at 8', editedAt: expect.any(String) });

    const page = await bob.client.get(`/api/conversations/${id}/messages`);
    expect(page.body.messages.find((m: Message) => m.id === original.id)).toMatchObject({ content: 'See you at 8', editedAt: expect.any(String) });
    const history = await edits(bob, id, original.id);
    expect(history.status).toBe(200);
    expect(history.body.message.content).toBe('See you at 8');
    expect(history.body.versions.map((v) => v.content)).toEqual(['See you at 6', 'See you at 7']);
    expect(history.body.versions[0]!.from).toBe(original.createdAt);
    expect(history.body.versions[0]!.until).toBe(history.body.versions[1]!.from);
    expect(history.body.versions[1]!.until).toBe(second.body.message.editedAt);
    // The same text again is no new version.
    await ann.client.patch(`/api/conversations/${id}/messages/${original.id}`, { content: 'See you at 8' });
    expect((await edits(ann, id, original.id)).body.versions).toHaveLength(2);

    const eve = await person('Eve');
    expect((await edits(eve, id, original.id)).status).toBe(404);
  });

  it('updates the quotes of replies and the list preview', async () => {
    const { ann, bob, id } = await pair();
    const annSocket = await joined(ann, id);
    const bobSocket = await joined(bob, id);
    const question = await send(annSocket, id, 'Pizza?');
    const reply = await send(bobSocket, id, 'Yes!', question.id);
    const updates = collect<Message>(bobSocket, 'message:updated');
    await call(annSocket, 'message:edit', { roomId: id, messageId: question.id, content: 'Pasta?' });
    await until(() => updates.some((m) => m.id === reply.id && m.replyTo?.content === 'Pasta?'), 5_000, 'the quote');
    const page = await bob.client.get(`/api/conversations/${id}/messages`);
    expect(page.body.messages.find((m: Message) => m.id === reply.id).replyTo.content).toBe('Pasta?');

    const list = collect<ConversationEventPayload>(bobSocket, 'conversation:updated');
    await call(bobSocket, 'message:edit', { roomId: id, messageId: reply.id, content: 'Yes, pasta!' });
    await until(() => list.some((e) => e.conversation.lastMessage?.content === 'Yes, pasta!'), 5_000, 'the preview');
  });

  it('is refused, changing nothing, for others’ messages, system messages, bad text and unknown messages', async () => {
    const [ann, bob, cy] = await Promise.all([person('Ann'), person('Bob'), person('Cy')]);
    const g = (await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username] })).body.conversation as ConversationDetail;
    const annSocket = await joined(ann, g.id);
    const mine = await send(annSocket, g.id, 'mine');
    const system = (await ann.client.get(`/api/conversations/${g.id}/messages`)).body.messages[0] as Message;
    expect(system.type).toBe('system');

    const byBob = await bob.client.patch(`/api/conversations/${g.id}/messages/${mine.id}`, { content: 'hijacked' });
    expect([byBob.status, byBob.body.error.code]).toEqual([403, 'NOT_YOUR_MESSAGE']);
    const ofSystem = await ann.client.patch(`/api/conversations/${g.id}/messages/${system.id}`, { content: 'rewritten' });
    expect([ofSystem.status, ofSystem.body.error.code]).toEqual([403, 'NOT_YOUR_MESSAGE']);
    const empty = await ann.client.patch(`/api/conversations/${g.id}/messages/${mine.id}`, { content: '   ' });
    expect([empty.status, empty.body.error.code]).toEqual([400, 'MESSAGE_EMPTY']);
    const long = await ann.client.patch(`/api/conversations/${g.id}/messages/${mine.id}`, { content: 'x'.repeat(10_001) });
    expect([long.status, long.body.error.code]).toEqual([400, 'MESSAGE_TOO_LONG']);
    const unknown = await ann.client.patch(`/api/conversations/${g.id}/messages/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`, { content: 'x' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'MESSAGE_NOT_FOUND']);
    const outsider = await person('Eve');
    const byOutsider = await outsider.client.patch(`/api/conversations/${g.id}/messages/${mine.id}`, { content: 'x' });
    expect([byOutsider.status, byOutsider.body.error.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);

    const history = await edits(cy, g.id, mine.id);
    expect(history.body).toMatchObject({ message: { content: 'mine' }, versions: [] });
    expect(history.body.message.editedAt).toBeUndefined();
  });

  it('stops at the edge of the window, by the server clock, and the window is a runtime setting', async () => {
    const { ann, id } = await pair();
    const annSocket = await joined(ann, id);
    const inside = await send(annSocket, id, 'inside');
    const outside = await send(annSocket, id, 'outside');
    await age(inside.id, 15 * 60 - 5);
    await age(outside.id, 15 * 60 + 1);
    expect(await call(annSocket, 'message:edit', { roomId: id, messageId: inside.id, content: 'inside, edited' })).toMatchObject({ ok: true });
    const late = await call(annSocket, 'message:edit', { roomId: id, messageId: outside.id, content: 'too late' });
    expect(late).toMatchObject({ ok: false, error: { code: 'EDIT_WINDOW_PASSED', details: { windowSeconds: 900 } } });
    expect((await edits(ann, id, outside.id)).body).toMatchObject({ message: { content: 'outside' }, versions: [] });

    await t.app.ctx.settings.set('messageEditWindowSeconds', 30 * 60);
    expect(await call(annSocket, 'message:edit', { roomId: id, messageId: outside.id, content: 'in time now' })).toMatchObject({ ok: true });
    await t.app.ctx.settings.set('messageEditWindowSeconds', 0);
    const fresh = await send(annSocket, id, 'no edits at all');
    await age(fresh.id, 1);
    expect(await call(annSocket, 'message:edit', { roomId: id, messageId: fresh.id, content: 'x' })).toMatchObject({ ok: false, error: { code: 'EDIT_WINDOW_PASSED' } });
  });

  it('does not exist in pop chats', async () => {
    const { chat } = await hostWithChat(t);
    const guest = await guestJoins(t, chat.code);
    const s = await connectSocket(t.url, [guest.token]);
    sockets.push(s);
    await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0 });
    const sent = await send(s, chat.roomId, 'typo');
    expect(await call(s, 'message:edit', { roomId: chat.roomId, messageId: sent.id, content: 'fixed' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
