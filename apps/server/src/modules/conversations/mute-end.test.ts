import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConversationEventPayload, ConversationSummary, InboxUnreadPayload, Message } from '@chatpop/protocol';
import {
  backend,
  call,
  collect,
  connectAccountSocket,
  inboxPerson,
  sleep,
  startApp,
  until,
  type ClientSocket,
  type HttpClient,
  type InboxPerson,
  type TestApp,
} from '../../../test/harness';
import { signUpThroughMail, startTwoNodes } from '../../../test/process';

// 8 hours × 0.0001 = 2.9 s; a week × 0.0001 = 60 s. The sweep runs every 100 ms.
const SCALE = 0.0001;
const EIGHT_HOURS_SCALED_MS = 8 * 3600_000 * SCALE;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sendAs = async (socket: ClientSocket, roomId: string, content: string) => {
  const res = await call<{ message: Message }>(socket, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content });
  if (!res.ok) throw new Error(`send failed: ${JSON.stringify(res.error)}`);
  return res.message;
};

const rowOf = async (client: HttpClient, id: string): Promise<ConversationSummary | undefined> => {
  const open = (await client.get('/api/conversations')).body.conversations as ConversationSummary[];
  const archived = (await client.get('/api/conversations?archived=true')).body.conversations as ConversationSummary[];
  return [...open, ...archived].find((c) => c.id === id);
};

/** Every `conversation:updated` and `conversation:new` a socket hears for one conversation. */
function rowsOf(socket: ClientSocket, id: string): ConversationSummary[] {
  const rows: ConversationSummary[] = [];
  const heard = (e: ConversationEventPayload) => {
    if (e.conversation.id === id) rows.push(e.conversation);
  };
  socket.on('conversation:updated', heard);
  socket.on('conversation:new', heard);
  return rows;
}

describe(`a timed mute ends (${backend})`, () => {
  it("takes the muted mark off live on the owner's devices, counts the conversation in the totals again, and notifies again", async () => {
    const t: TestApp = await startApp({ env: { MUTE_DURATION_SCALE: String(SCALE), MUTE_SWEEP_MS: '100' } });
    cleanups.push(() => t.destroy());
    const sockets: ClientSocket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.close()));
    const connect = async (p: InboxPerson) => {
      const s = await connectAccountSocket(t.url, p.client);
      sockets.push(s);
      return s;
    };
    const ann = await inboxPerson(t, 'Ann');
    const bob = await inboxPerson(t, 'Bob');
    const cat = await inboxPerson(t, 'Cat');
    const withBob = (await ann.client.post('/api/conversations/direct', { username: bob.username })).body.conversation.id as string;
    const withCat = (await ann.client.post('/api/conversations/direct', { username: cat.username })).body.conversation.id as string;
    const bobSocket = await connect(bob);
    expect((await call(bobSocket, 'room:join', { roomId: withBob, afterSeq: 0 })).ok).toBe(true);
    await sendAs(bobSocket, withBob, 'one');
    await sendAs(bobSocket, withBob, 'two');

    const laptop = await connect(ann);
    const rows = rowsOf(laptop, withBob);
    const totals = collect<InboxUnreadPayload>(laptop, 'inbox:unread');

    // Muted for "8 hours" (2.9 s here) and archived; the other conversation for "a week" (60 s here).
    const muted = await ann.client.post(`/api/conversations/${withBob}/mute`, { duration: '8h' });
    expect(muted.status).toBe(200);
    expect(muted.body.conversation).toMatchObject({ muted: true, unreadCount: 2 });
    const mutedUntil = Date.parse(muted.body.conversation.mutedUntil);
    expect((await ann.client.post(`/api/conversations/${withBob}/archive`)).status).toBe(200);
    expect((await ann.client.post(`/api/conversations/${withCat}/mute`, { duration: '1w' })).body.conversation).toMatchObject({ muted: true });
    await until(() => rows.at(-1)?.muted === true && rows.at(-1)?.archived === true && totals.at(-1)?.unread === 0, 5_000, 'the mute on the laptop');
    // While muted, a message leaves it in the archive.
    await sendAs(bobSocket, withBob, 'three');
    await until(() => rows.at(-1)?.unreadCount === 3, 5_000, 'the new message on the laptop');
    expect(rows.at(-1)).toMatchObject({ muted: true, archived: true });
    const heardWhileMuted = rows.length;

    // The time runs out: the laptop hears it without asking, once, and what it heard equals a fresh fetch.
    await until(() => rows.at(-1)?.muted === false, EIGHT_HOURS_SCALED_MS + 5_000, 'the end of the mute on the laptop');
    expect(Date.now()).toBeGreaterThanOrEqual(mutedUntil);
    await until(() => totals.at(-1)?.unread === 3, 5_000, 'the totals counting it again');
    await sleep(500);
    expect(rows.length).toBe(heardWhileMuted + 1);
    expect(rows.at(-1)).toEqual(await rowOf(ann.client, withBob));
    expect(rows.at(-1)).toMatchObject({ muted: false, mutedUntil: null, archived: true, unreadCount: 3 });
    expect((await ann.client.get('/api/inbox/summary')).body).toMatchObject({ unread: 3, unreadConversations: 1 });
    // The week-long mute is not over and stays.
    expect(await rowOf(ann.client, withCat)).toMatchObject({ muted: true });

    // It notifies again: the next message brings it out of the archive.
    await sendAs(bobSocket, withBob, 'four');
    await until(() => rows.at(-1)?.archived === false && rows.at(-1)?.unreadCount === 4, 5_000, 'the conversation back from the archive');

    // Muted again, and for good: the sweep leaves it alone.
    expect((await ann.client.post(`/api/conversations/${withBob}/mute`, { duration: 'always' })).body.conversation).toMatchObject({ muted: true, mutedUntil: null });
    await sleep(EIGHT_HOURS_SCALED_MS + 500);
    expect(await rowOf(ann.client, withBob)).toMatchObject({ muted: true, mutedUntil: null });
  });
});

// Both nodes sweep; each mute's end reaches each of the owner's devices once.
describe.runIf(backend === 'networked')('a timed mute ends on two nodes', () => {
  it('is announced exactly once to devices on either node', async () => {
    const [a, b] = await startTwoNodes('muteend', cleanups, { MUTE_DURATION_SCALE: String(SCALE), MUTE_SWEEP_MS: '50' });
    const sockets: ClientSocket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.close()));

    const ann = a.client();
    const bob = b.client();
    await signUpThroughMail(ann, { email: 'ann.muteend@example.com', password: 'Passw0rd!', username: 'AnnMuteEnd' });
    await signUpThroughMail(bob, { email: 'bob.muteend@example.com', password: 'Passw0rd!', username: 'BobMuteEnd' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      // Three conversations of Ann's (one direct, two groups with Bob and a third person), all muted for "8 hours".
      if (i === 0) ids.push((await ann.post('/api/conversations/direct', { username: 'BobMuteEnd' })).body.conversation.id);
      else {
        const other = b.client();
        await signUpThroughMail(other, { email: `other${i}.muteend@example.com`, password: 'Passw0rd!', username: `OtherMuteEnd${i}` });
        const group = await ann.post('/api/conversations/groups', { usernames: ['BobMuteEnd', `OtherMuteEnd${i}`] });
        expect(group.status).toBe(201);
        ids.push(group.body.conversation.id);
      }
    }
    const onA = await connectAccountSocket(a.url, ann);
    const onB = await connectAccountSocket(b.url, ann);
    sockets.push(onA, onB);
    const heard = { a: new Map<string, ConversationSummary[]>(), b: new Map<string, ConversationSummary[]>() };
    for (const [node, socket] of [['a', onA], ['b', onB]] as const) {
      for (const id of ids) heard[node].set(id, rowsOf(socket, id));
    }
    for (const id of ids) expect((await ann.post(`/api/conversations/${id}/mute`, { duration: '8h' })).body.conversation).toMatchObject({ muted: true });
    // Rows heard since the mute, without the muted mark (what came before the mute, as the creation, does not count).
    const ends = (node: 'a' | 'b', id: string) => {
      const rows = heard[node].get(id) ?? [];
      const since = rows.findIndex((r) => r.muted);
      return since < 0 ? 0 : rows.slice(since).filter((r) => !r.muted).length;
    };
    await until(() => ids.every((id) => ends('a', id) >= 1 && ends('b', id) >= 1), EIGHT_HOURS_SCALED_MS + 10_000, 'the ends on both devices');
    await sleep(1_000);
    for (const id of ids) {
      expect(ends('a', id)).toBe(1);
      expect(ends('b', id)).toBe(1);
      expect(await rowOf(ann, id)).toMatchObject({ muted: false, mutedUntil: null });
    }
  });
});
