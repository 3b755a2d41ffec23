import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@chatpop/protocol';
import { backend, hostWithChat, inboxPerson, startApp, type InboxPerson, type TestApp } from '../../../test/harness';

// The dev seed fills a conversation for demos and the long-list end-to-end test:
// on only when asked for, for this machine only, and it writes what the messaging core would.

let on: TestApp;
let off: TestApp;
beforeAll(async () => {
  on = await startApp({ env: { DEV_SEED: 'true' } });
  off = await startApp();
}, 180_000);
afterAll(async () => {
  await Promise.all([on.destroy(), off.destroy()]);
});

/** A request straight from this machine (no forwarding header, as the harness client would add). */
const seed = (t: TestApp, id: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${t.port}/api/dev/conversations/${id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, any> }));

async function conversation(t: TestApp): Promise<{ ann: InboxPerson; bob: InboxPerson; id: string }> {
  const ann = await inboxPerson(t, 'Ann');
  const bob = await inboxPerson(t, 'Bob');
  const res = await ann.client.post('/api/conversations/direct', { username: bob.username });
  expect(res.status).toBe(201);
  return { ann, bob, id: res.body.conversation.id };
}

describe(`the dev seed (${backend})`, () => {
  it('writes the messages at the next seqs, senders in turn, and they read like any others', async () => {
    const { ann, bob, id } = await conversation(on);
    const first = await seed(on, id, { count: 120, spacingSeconds: 3600 });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ firstSeq: 1, lastSeq: 120 });
    const again = await seed(on, id, { count: 5 });
    expect(again.body).toEqual({ firstSeq: 121, lastSeq: 125 });

    const page = await ann.client.get(`/api/conversations/${id}/messages`);
    expect(page.status).toBe(200);
    const messages = page.body.messages as Message[];
    expect(messages.at(-1)).toMatchObject({ seq: 125, content: 'Message 125' });
    expect(new Set(messages.map((m) => m.username))).toEqual(new Set([ann.username, bob.username]));
    const older = messages.find((m) => m.seq === 100)!;
    const newer = messages.find((m) => m.seq === 101)!;
    expect(Date.parse(newer.createdAt) - Date.parse(older.createdAt)).toBe(3_600_000);
    // Bob's list counts them unread, from the watermarks.
    const row = (await bob.client.get('/api/conversations')).body.conversations.find((c: { id: string }) => c.id === id);
    expect(row).toMatchObject({ unreadCount: expect.any(Number) });
    expect(row.unreadCount).toBeGreaterThanOrEqual(62);
  });

  it('refuses bad input with the one error shape and writes nothing', async () => {
    const { ann, id } = await conversation(on);
    const { chat } = await hostWithChat(on);
    const cases: [string, unknown, number, string][] = [
      [id, {}, 400, 'VALIDATION_FAILED'],
      [id, { count: 0 }, 400, 'VALIDATION_FAILED'],
      [id, { count: 20_001 }, 400, 'VALIDATION_FAILED'],
      [id, { count: 5, spacingSeconds: 0 }, 400, 'VALIDATION_FAILED'],
      [id, { count: 5, extra: true }, 400, 'VALIDATION_FAILED'],
      ['not-a-uuid', { count: 5 }, 400, 'VALIDATION_FAILED'],
      ['0190a000-0000-7000-8000-000000000000', { count: 5 }, 404, 'CONVERSATION_NOT_FOUND'],
      [chat.roomId, { count: 5 }, 404, 'CONVERSATION_NOT_FOUND'],
    ];
    for (const [target, body, status, code] of cases) {
      const res = await seed(on, target, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
    }
    expect((await ann.client.get(`/api/conversations/${id}/messages`)).body.messages).toEqual([]);
  });

  it('is not there through a proxy, nor when it is off', async () => {
    const { ann, id } = await conversation(on);
    const proxied = await seed(on, id, { count: 5 }, { 'x-forwarded-for': '203.0.113.7' });
    expect(proxied.status).toBe(404);
    expect(proxied.body.error.code).toBe('NOT_FOUND');
    expect((await ann.client.get(`/api/conversations/${id}/messages`)).body.messages).toEqual([]);

    const other = await conversation(off);
    const res = await seed(off, other.id, { count: 5 });
    expect(res.status).toBe(404);
    expect((await other.ann.client.get(`/api/conversations/${other.id}/messages`)).body.messages).toEqual([]);
  });
});
