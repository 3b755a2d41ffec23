import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@chatpop/protocol';
import { backend, call, connectAccountSocket, inboxPerson, sleep, startApp, type ClientSocket, type InboxPerson, type TestApp } from '../../../test/harness';

/*
 * Every socket event about a conversation, sent by someone signed in who is
 * not in it: each gets its one stable error, nothing changes, and the
 * members hear nothing.
 */

let t: TestApp;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  t = await startApp();
}, 180_000);
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await t.destroy();
});

async function socketOf(p: InboxPerson) {
  const s = await connectAccountSocket(t.url, p.client);
  sockets.push(s);
  return s;
}

describe(`conversation socket events from a non-member (${backend})`, () => {
  it('each answer their stable error, change nothing and reach no member', async () => {
    const [ann, bob, eve] = [await inboxPerson(t, 'pa'), await inboxPerson(t, 'pb'), await inboxPerson(t, 'pe')];
    const created = await ann.client.post('/api/conversations/direct', { username: bob.username });
    expect(created.status).toBe(201);
    const id = created.body.conversation.id as string;
    const [annSocket, bobSocket, eveSocket] = [await socketOf(ann), await socketOf(bob), await socketOf(eve)];
    for (const s of [annSocket, bobSocket]) expect(await call(s, 'room:join', { roomId: id, afterSeq: 0 })).toMatchObject({ ok: true });
    const sent = await call<{ message: Message }>(annSocket, 'message:send', { roomId: id, clientId: 'perm-0001', content: 'members only' });
    if (!sent.ok) throw new Error(JSON.stringify(sent.error));
    const message = sent.message;
    const before = await ann.client.get(`/api/conversations/${id}/messages`);

    const heard: string[] = [];
    // Presence lists keep coming from the members' own joins (debounced); they must never name Eve.
    const presence: unknown[] = [];
    for (const s of [annSocket, bobSocket]) {
      for (const event of ['message:new', 'message:updated', 'message:deleted', 'reaction:updated', 'typing', 'receipt'] as const) {
        s.on(event, () => heard.push(event));
      }
      s.on('presence', (p) => presence.push(p));
    }

    // Not in it, or no such conversation: the same answer, so its existence does not leak.
    const expected: [string, unknown, string][] = [
      ['room:join', { roomId: id, afterSeq: 0 }, 'CONVERSATION_NOT_FOUND'],
      ['message:send', { roomId: id, clientId: 'eve-0001', content: 'let me in' }, 'NOT_A_MEMBER'],
      ['message:range', { roomId: id, afterSeq: 0 }, 'NOT_A_MEMBER'],
      ['message:edit', { roomId: id, messageId: message.id, content: 'changed' }, 'NOT_A_MEMBER'],
      ['message:delete', { roomId: id, messageId: message.id }, 'NOT_A_MEMBER'],
      ['reaction:set', { roomId: id, messageId: message.id, emoji: '👍', on: true }, 'NOT_A_MEMBER'],
      ['receipt:read', { roomId: id, seq: message.seq }, 'CONVERSATION_NOT_FOUND'],
      ['receipt:delivered', { roomId: id, seq: message.seq }, 'CONVERSATION_NOT_FOUND'],
    ];
    const answers: Record<string, unknown> = {};
    for (const [event, payload] of expected) {
      const res = await call(eveSocket, event as never, payload as never);
      answers[event] = res.ok ? 'ok' : (res as { error: { code: string } }).error.code;
    }
    expect(answers).toEqual(Object.fromEntries(expected.map(([event, , code]) => [event, code])));
    // Typing has no answer: it is dropped.
    eveSocket.emit('typing', { roomId: id, typing: true });

    await sleep(300);
    expect(heard).toEqual([]);
    expect(JSON.stringify(presence)).not.toContain(eve.username);
    const after = await ann.client.get(`/api/conversations/${id}/messages`);
    expect(after.body).toEqual(before.body);
    const row = (await bob.client.get(`/api/conversations/${id}`)).body.conversation;
    expect({ unread: row.unreadCount, lastSeq: row.lastSeq }).toEqual({ unread: 1, lastSeq: message.seq });
  });
});
