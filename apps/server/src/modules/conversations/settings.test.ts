import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CONVERSATION_PIN_LIMIT,
  type ConversationEventPayload,
  type ConversationSummary,
  type InboxUnreadPayload,
  type Message,
} from '@chatpop/protocol';
import { backend, call, collect, connectAccountSocket, startApp, until, type ClientSocket, type HttpClient, type TestApp, inboxPerson, type InboxPerson } from '../../../test/harness';

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

async function direct(a: Person, b: Person): Promise<string> {
  const res = await a.client.post('/api/conversations/direct', { username: b.username });
  expect([200, 201]).toContain(res.status);
  return res.body.conversation.id;
}

async function send(socket: ClientSocket, roomId: string, content: string) {
  const res = await call<{ message: Message }>(socket, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content });
  if (!res.ok) throw new Error(`send failed: ${JSON.stringify(res.error)}`);
  return res.message;
}

const list = async (p: Person, archived = false): Promise<ConversationSummary[]> => {
  const res = await p.client.get(`/api/conversations${archived ? '?archived=true' : ''}`);
  expect(res.status).toBe(200);
  return res.body.conversations;
};
const rowOf = async (p: Person, id: string) => [...(await list(p)), ...(await list(p, true))].find((c) => c.id === id);
const summaryOf = async (p: Person) => (await p.client.get('/api/inbox/summary')).body;

function rowsHeard(socket: ClientSocket): ConversationSummary[] {
  const rows: ConversationSummary[] = [];
  socket.on('conversation:updated', (e: ConversationEventPayload) => rows.push(e.conversation));
  socket.on('conversation:new', (e: ConversationEventPayload) => rows.push(e.conversation));
  return rows;
}

/** Ann and Bob in a direct conversation, Bob's socket in it, and `n` messages from Bob that Ann has not read. */
async function unreadFromBob(n: number) {
  const ann = await person('Ann');
  const bob = await person('Bob');
  const id = await direct(ann, bob);
  const bobSocket = await socketOf(bob);
  expect((await call(bobSocket, 'room:join', { roomId: id, afterSeq: 0 })).ok).toBe(true);
  for (let i = 0; i < n; i++) await send(bobSocket, id, `hello ${i}`);
  return { ann, bob, id, bobSocket };
}

describe(`mute (${backend})`, () => {
  it('mutes for 8 hours, a week or always, for me alone; my other devices follow and my totals leave it out', async () => {
    const { ann, bob, id } = await unreadFromBob(2);
    const laptop = await socketOf(ann);
    const rows = rowsHeard(laptop);
    const totals = collect<InboxUnreadPayload>(laptop, 'inbox:unread');
    expect(await summaryOf(ann)).toMatchObject({ unread: 2, unreadConversations: 1 });

    const before = Date.now();
    const eight = await ann.client.post(`/api/conversations/${id}/mute`, { duration: '8h' });
    expect(eight.status).toBe(200);
    expect(eight.body.conversation).toMatchObject({ id, muted: true, unreadCount: 2 });
    const until8h = Date.parse(eight.body.conversation.mutedUntil);
    expect(until8h).toBeGreaterThanOrEqual(before + 8 * 3600_000 - 1000);
    expect(until8h).toBeLessThanOrEqual(Date.now() + 8 * 3600_000);
    // The row keeps its own count; the totals drop it.
    expect(await summaryOf(ann)).toMatchObject({ unread: 0, unreadConversations: 0 });
    await until(() => rows.at(-1)?.muted === true && totals.at(-1)?.unread === 0, 10_000, 'the mute on the other device');
    expect(rows.at(-1)).toEqual(await rowOf(ann, id));

    const week = await ann.client.post(`/api/conversations/${id}/mute`, { duration: '1w' });
    expect(Date.parse(week.body.conversation.mutedUntil)).toBeGreaterThanOrEqual(before + 7 * 86_400_000 - 1000);
    const always = await ann.client.post(`/api/conversations/${id}/mute`, { duration: 'always' });
    expect(always.body.conversation).toMatchObject({ muted: true, mutedUntil: null });
    expect(await rowOf(ann, id)).toMatchObject({ muted: true, mutedUntil: null });

    // Bob's side is his own.
    expect(await rowOf(bob, id)).toMatchObject({ muted: false, mutedUntil: null });

    const unmuted = await ann.client.post(`/api/conversations/${id}/unmute`);
    expect(unmuted.status).toBe(200);
    expect(unmuted.body.conversation).toMatchObject({ muted: false, mutedUntil: null });
    expect(await summaryOf(ann)).toMatchObject({ unread: 2, unreadConversations: 1 });
    await until(() => rows.at(-1)?.muted === false && totals.at(-1)?.unread === 2, 10_000, 'the unmute on the other device');
    // Unmuting what is not muted changes nothing and still answers.
    expect((await ann.client.post(`/api/conversations/${id}/unmute`)).body.conversation).toMatchObject({ muted: false });
  });
});

describe(`archive (${backend})`, () => {
  it('moves a conversation to the archive and back, and a new message brings it back unless muted', async () => {
    const { ann, id, bobSocket } = await unreadFromBob(1);
    const phone = await socketOf(ann);
    const rows = rowsHeard(phone);

    const archived = await ann.client.post(`/api/conversations/${id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.conversation).toMatchObject({ id, archived: true });
    expect((await list(ann)).map((c) => c.id)).not.toContain(id);
    expect((await list(ann, true)).map((c) => c.id)).toEqual([id]);
    expect(await summaryOf(ann)).toMatchObject({ conversations: 1, archived: 1 });
    await until(() => rows.at(-1)?.archived === true, 10_000, 'the archive on the other device');

    // A new message: back in the list, on every device.
    await send(bobSocket, id, 'are you there?');
    await until(() => rows.at(-1)?.archived === false && rows.at(-1)?.lastMessage?.content === 'are you there?', 10_000, 'back from the archive');
    expect((await list(ann)).map((c) => c.id)).toEqual([id]);
    expect(rows.at(-1)).toEqual(await rowOf(ann, id));

    // Muted and archived: it stays in the archive.
    await ann.client.post(`/api/conversations/${id}/mute`, { duration: 'always' });
    await ann.client.post(`/api/conversations/${id}/archive`);
    await send(bobSocket, id, 'still there?');
    await until(() => rows.at(-1)?.lastMessage?.content === 'still there?', 10_000, 'the message heard');
    expect(rows.at(-1)).toMatchObject({ archived: true, muted: true, unreadCount: 3 });
    expect((await list(ann, true)).map((c) => c.id)).toEqual([id]);

    const back = await ann.client.post(`/api/conversations/${id}/unarchive`);
    expect(back.body.conversation).toMatchObject({ archived: false, muted: true });
    expect((await list(ann)).map((c) => c.id)).toEqual([id]);
  });
});

describe(`pin a conversation (${backend})`, () => {
  it(`puts pinned conversations first, at most ${CONVERSATION_PIN_LIMIT}, with a clear refusal past that which changes nothing`, async () => {
    const ann = await person('Ann');
    const others = await Promise.all(Array.from({ length: CONVERSATION_PIN_LIMIT + 2 }, (_, i) => person(`P${i}`)));
    const ids: string[] = [];
    for (const o of others) ids.push(await direct(ann, o));
    // Newest first by activity: the last made is on top.
    expect((await list(ann)).map((c) => c.id)).toEqual([...ids].reverse());

    const oldest = ids[0]!;
    const pinned = await ann.client.post(`/api/conversations/${oldest}/pin`);
    expect(pinned.status).toBe(200);
    expect(pinned.body.conversation).toMatchObject({ id: oldest, pinned: true });
    expect((await list(ann))[0]!.id).toBe(oldest);
    // Pinning again is no change.
    expect((await ann.client.post(`/api/conversations/${oldest}/pin`)).status).toBe(200);

    for (const id of ids.slice(1, CONVERSATION_PIN_LIMIT)) expect((await ann.client.post(`/api/conversations/${id}/pin`)).status).toBe(200);
    const page = await list(ann);
    expect(page.slice(0, CONVERSATION_PIN_LIMIT).every((c) => c.pinned)).toBe(true);
    expect(page.slice(CONVERSATION_PIN_LIMIT).some((c) => c.pinned)).toBe(false);

    const extra = ids[CONVERSATION_PIN_LIMIT]!;
    const refused = await ann.client.post(`/api/conversations/${extra}/pin`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'CONVERSATION_PIN_LIMIT', details: { limit: CONVERSATION_PIN_LIMIT } });
    expect(refused.body.error.message).toMatch(/up to 5/);
    expect(await rowOf(ann, extra)).toMatchObject({ pinned: false });

    // Archiving unpins, which frees a place; an archived conversation cannot be pinned.
    expect((await ann.client.post(`/api/conversations/${oldest}/archive`)).body.conversation).toMatchObject({ archived: true, pinned: false });
    const archivedPin = await ann.client.post(`/api/conversations/${oldest}/pin`);
    expect(archivedPin.status).toBe(409);
    expect(archivedPin.body.error.code).toBe('CONVERSATION_ARCHIVED');
    expect(await rowOf(ann, oldest)).toMatchObject({ archived: true, pinned: false });
    expect((await ann.client.post(`/api/conversations/${extra}/pin`)).status).toBe(200);

    const unpinned = await ann.client.post(`/api/conversations/${extra}/unpin`);
    expect(unpinned.body.conversation).toMatchObject({ pinned: false });
  });

  it('lets only as many of several pins at once through as there are places', async () => {
    const ann = await person('Ann');
    const others = await Promise.all(Array.from({ length: CONVERSATION_PIN_LIMIT + 3 }, (_, i) => person(`Q${i}`)));
    const ids: string[] = [];
    for (const o of others) ids.push(await direct(ann, o));
    const replies = await Promise.all(ids.map((id) => ann.client.post(`/api/conversations/${id}/pin`)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(CONVERSATION_PIN_LIMIT);
    expect(replies.filter((r) => r.status === 409 && r.body.error.code === 'CONVERSATION_PIN_LIMIT')).toHaveLength(3);
    expect((await list(ann)).filter((c) => c.pinned)).toHaveLength(CONVERSATION_PIN_LIMIT);
  });
});

describe(`bad input to mute, archive and pin (${backend})`, () => {
  it('is refused with the one error shape and changes nothing', async () => {
    const { ann, bob, id } = await unreadFromBob(0);
    const eve = await person('Eve');
    const before = await rowOf(ann, id);

    const bad: [HttpClient, string, unknown, number, string][] = [
      [ann.client, `/api/conversations/${id}/mute`, {}, 400, 'VALIDATION_FAILED'],
      [ann.client, `/api/conversations/${id}/mute`, { duration: 'forever' }, 400, 'VALIDATION_FAILED'],
      [ann.client, `/api/conversations/${id}/mute`, { duration: '8h', extra: true }, 400, 'VALIDATION_FAILED'],
      [ann.client, `/api/conversations/${id}/mute`, { duration: 8 }, 400, 'VALIDATION_FAILED'],
      [ann.client, '/api/conversations/not-an-id/pin', {}, 404, 'CONVERSATION_NOT_FOUND'],
      [ann.client, `/api/conversations/${crypto.randomUUID()}/archive`, {}, 404, 'CONVERSATION_NOT_FOUND'],
      // Someone else's conversation is as unknown as a made-up one.
      [eve.client, `/api/conversations/${id}/mute`, { duration: '8h' }, 404, 'CONVERSATION_NOT_FOUND'],
      [eve.client, `/api/conversations/${id}/archive`, {}, 404, 'CONVERSATION_NOT_FOUND'],
      [eve.client, `/api/conversations/${id}/pin`, {}, 404, 'CONVERSATION_NOT_FOUND'],
      [t.client(), `/api/conversations/${id}/pin`, {}, 401, 'UNAUTHENTICATED'],
    ];
    for (const [client, path, body, status, code] of bad) {
      const res = await client.post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(res.body.error.code, path).toBe(code);
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
    for (const action of ['mute', 'unmute', 'archive', 'unarchive', 'pin', 'unpin']) {
      const res = await t.client().post(`/api/conversations/${id}/${action}`, { duration: '8h' });
      expect([action, res.status, res.body.error.code]).toEqual([action, 401, 'UNAUTHENTICATED']);
    }
    // Not JSON: the CSRF rule refuses it before anything else.
    const form = await ann.client.request('POST', `/api/conversations/${id}/archive`, 'x=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect([form.status, form.body.error.code]).toEqual([403, 'CSRF_REJECTED']);

    expect(await rowOf(ann, id)).toEqual(before);
    expect(await rowOf(bob, id)).toMatchObject({ muted: false, archived: false, pinned: false });
  });
});
