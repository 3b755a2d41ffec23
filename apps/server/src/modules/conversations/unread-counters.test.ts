import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MENTION_COUNT_MAX, UNREAD_COUNT_MAX, type ConversationDetail, type ConversationSummary, type InboxSummary, type Message } from '@chatpop/protocol';
import { backend, call, connectAccountSocket, inboxPerson, startApp, type ClientSocket, type InboxPerson, type TestApp } from '../../../test/harness';

/*
 * The unread, mention and sent counters kept per membership (docs/decisions.md,
 * "Unread counters") against a count over the messages themselves, after each
 * kind of change that moves them: sends, reads, deletes for everyone and for
 * me, edits that add or drop a mention, mutes, leaving and coming back, and
 * sends and reads racing each other.
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

interface Someone extends InboxPerson {
  socket: ClientSocket;
}

async function someone(prefix: string): Promise<Someone> {
  const p = await inboxPerson(t, prefix);
  const socket = await connectAccountSocket(t.url, p.client);
  sockets.push(socket);
  return { ...p, socket };
}

const joins = new Map<string, Promise<unknown>>();
async function send(from: Someone, roomId: string, content: string): Promise<Message> {
  const key = `${from.id}:${roomId}`;
  if (!joins.has(key)) joins.set(key, call(from.socket, 'room:join', { roomId, afterSeq: 0 }));
  expect(await joins.get(key)).toMatchObject({ ok: true });
  const res = await call<{ message: Message }>(from.socket, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content });
  if (!res.ok) throw new Error(`send failed: ${JSON.stringify(res.error)}`);
  return res.message;
}

async function ok<T = any>(p: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const res = await p;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

const read = (p: Someone, roomId: string, seq: number) => ok(p.client.post(`/api/conversations/${roomId}/read`, { seq }));

/** What the list says of each conversation: unread and mentions. */
async function rows(p: Someone): Promise<Map<string, { unread: number; mentions: number }>> {
  const { conversations } = await ok<{ conversations: ConversationSummary[] }>(p.client.get('/api/conversations?limit=30'));
  return new Map(conversations.map((c) => [c.id, { unread: c.unreadCount, mentions: c.mentionCount }]));
}

const summary = (p: Someone) => ok<InboxSummary>(p.client.get('/api/inbox/summary'));

/**
 * The same figures counted over the messages, as the Inbox defines them:
 * others' messages past the read watermark, neither system lines nor deleted
 * (for everyone, or by the member for themselves); mentions past it; what
 * the member wrote.
 */
async function counted(userId: string) {
  const result = await t.app.ctx.db.execute(sql`
    select m.room_id,
      least((select count(*) from messages x
        where x.room_id = m.room_id and x.seq > m.last_read_seq and x.member_id is distinct from m.id
          and x.type <> 'system' and x.deleted_at is null
          and not exists (select 1 from message_hides h where h.member_id = m.id and h.seq = x.seq)), ${UNREAD_COUNT_MAX})::int as unread,
      least((select count(*) from message_mentions mm where mm.member_id = m.id and mm.seq > m.last_read_seq), ${MENTION_COUNT_MAX})::int as mentions,
      (m.notifications_muted_until is null or m.notifications_muted_until <= now()) as audible,
      m.marked_unread_at is not null as marked
    from members m join rooms r on r.id = m.room_id
    where m.user_id = ${userId}::uuid and m.removed_at is null and r.kind in ('direct', 'group')
  `);
  const all = (result as unknown as { rows: { room_id: string; unread: number; mentions: number; audible: boolean; marked: boolean }[] }).rows.map((r) => ({
    ...r,
    unread: Number(r.unread),
    mentions: Number(r.mentions),
  }));
  const audible = all.filter((r) => r.audible);
  const sent = (await t.app.ctx.db.execute(sql`
    select count(*)::int as n from messages x join members m on m.id = x.member_id join rooms r on r.id = m.room_id
    where m.user_id = ${userId}::uuid and r.kind in ('direct', 'group') and x.type <> 'system'
  `)) as unknown as { rows: { n: number }[] };
  return {
    rows: new Map(all.map((r) => [r.room_id, { unread: r.unread, mentions: r.mentions }])),
    unread: audible.reduce((n, r) => n + r.unread, 0),
    unreadConversations: audible.filter((r) => r.unread > 0 || r.marked).length,
    mentions: audible.reduce((n, r) => n + r.mentions, 0),
    messagesSent: Number(sent.rows[0]!.n),
  };
}

/** The list and the dashboard agree with the count over the messages. */
async function expectExact(p: Someone) {
  const [listed, totals, truth] = await Promise.all([rows(p), summary(p), counted(p.id)]);
  expect(listed).toEqual(truth.rows);
  expect({ unread: totals.unread, unreadConversations: totals.unreadConversations, mentions: totals.mentions, messagesSent: totals.messagesSent }).toEqual({
    unread: truth.unread,
    unreadConversations: truth.unreadConversations,
    mentions: truth.mentions,
    messagesSent: truth.messagesSent,
  });
}

async function groupOf(creator: Someone, others: Someone[]): Promise<ConversationDetail> {
  const body = await ok<{ conversation: ConversationDetail }>(creator.client.post('/api/conversations/groups', { usernames: others.map((o) => o.username) }), 201);
  return body.conversation;
}

async function directOf(a: Someone, b: Someone): Promise<ConversationDetail> {
  const res = await a.client.post('/api/conversations/direct', { username: b.username });
  expect([200, 201]).toContain(res.status);
  return res.body.conversation;
}

describe(`unread counters (${backend})`, () => {
  it('stay exact through sends, reads, deletes, edits, mutes, leaving and coming back', async () => {
    const [alice, bob, carol] = [await someone('ua'), await someone('ub'), await someone('uc')];
    const g = await groupOf(alice, [bob, carol]);
    const d = await directOf(alice, bob);

    const m1 = await send(bob, g.id, 'one');
    const m2 = await send(bob, g.id, `two for @${alice.username}`);
    const m3 = await send(bob, g.id, 'three');
    const m4 = await send(carol, g.id, 'four');
    const m5 = await send(carol, g.id, 'five');
    await send(bob, d.id, 'direct one');
    await send(bob, d.id, 'direct two');
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 5, mentions: 1 });
    expect((await rows(alice)).get(d.id)).toEqual({ unread: 2, mentions: 0 });
    expect(await summary(alice)).toMatchObject({ unread: 7, unreadConversations: 2, mentions: 1, messagesSent: 0 });
    // A sender has read everything before their own message: carol's four and five leave her nothing unread.
    expect((await rows(carol)).get(g.id)).toEqual({ unread: 0, mentions: 0 });
    expect(await summary(bob)).toMatchObject({ unread: 2, messagesSent: 5 });
    for (const p of [alice, bob, carol]) await expectExact(p);

    // Reading up to the mention clears it and the two before it.
    await read(alice, g.id, m2.seq);
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 3, mentions: 0 });
    expect(m1.seq).toBeLessThan(m2.seq);

    // Deleted for everyone: no longer unread for anyone behind it.
    await ok(bob.client.delete(`/api/conversations/${g.id}/messages/${m3.id}?for=everyone`));
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 2, mentions: 0 });
    // Deleted for me: no longer unread for me alone.
    await ok(alice.client.delete(`/api/conversations/${g.id}/messages/${m4.id}?for=me`), 204);
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 1, mentions: 0 });
    expect((await rows(bob)).get(g.id)).toEqual({ unread: 2, mentions: 0 });
    for (const p of [alice, bob, carol]) await expectExact(p);

    // An edit that names alice raises her mention badge; the next edit that drops her lowers it again.
    await ok(carol.client.patch(`/api/conversations/${g.id}/messages/${m5.id}`, { content: `five, @${alice.username}` }));
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 1, mentions: 1 });
    await ok(carol.client.patch(`/api/conversations/${g.id}/messages/${m5.id}`, { content: 'five again' }));
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 1, mentions: 0 });
    await expectExact(alice);

    // Muted: the row keeps its count, the totals leave it out.
    await ok(alice.client.post(`/api/conversations/${g.id}/mute`, { duration: 'always' }));
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 1, mentions: 0 });
    expect(await summary(alice)).toMatchObject({ unread: 2, unreadConversations: 1 });
    await expectExact(alice);
    await ok(alice.client.post(`/api/conversations/${g.id}/unmute`));
    expect(await summary(alice)).toMatchObject({ unread: 3, unreadConversations: 2 });

    // Bob leaves: the group leaves his list and totals; what he sent there still counts as sent.
    await ok(bob.client.post(`/api/conversations/${g.id}/leave`), 204);
    const m6 = await send(carol, g.id, 'six');
    expect((await rows(bob)).has(g.id)).toBe(false);
    expect(await summary(bob)).toMatchObject({ unread: 0, messagesSent: 5 });
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 2, mentions: 0 });
    for (const p of [alice, bob, carol]) await expectExact(p);

    // Added back, he starts with everything so far read; only what comes after is unread.
    await ok(alice.client.post(`/api/conversations/${g.id}/members`, { usernames: [bob.username] }));
    expect((await rows(bob)).get(g.id)).toEqual({ unread: 0, mentions: 0 });
    await send(carol, g.id, `seven for @${bob.username}`);
    expect((await rows(bob)).get(g.id)).toEqual({ unread: 1, mentions: 1 });
    for (const p of [alice, bob, carol]) await expectExact(p);

    // Read to the end, then marked unread: nothing to count, but the conversation counts as unread.
    const { conversation } = await ok<{ conversation: ConversationSummary }>(alice.client.get(`/api/conversations/${g.id}`));
    await read(alice, g.id, conversation.lastSeq);
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 0, mentions: 0 });
    await ok(alice.client.post(`/api/conversations/${g.id}/unread`));
    expect(await summary(alice)).toMatchObject({ unread: 2, unreadConversations: 2 });
    expect(m6.seq).toBeGreaterThan(m5.seq);
    for (const p of [alice, bob, carol]) await expectExact(p);
  });

  it('stay exact when sends, reads and deletes race', async () => {
    const alice = await someone('ra');
    // Sixteen senders, so that none of them meets the send rate limit (5 a second): at most four sends each
    // however the two rounds fall within one second.
    const senders: Someone[] = [];
    for (let i = 0; i < 16; i++) senders.push(await someone(`r${i}`));
    const g = await groupOf(alice, senders);
    const first = await send(senders[0]!, g.id, 'first');
    // A read past what is stored yet is refused (SEQ_OUT_OF_RANGE) and changes nothing; racing, some are.
    const tryRead = (seq: number) => alice.client.post(`/api/conversations/${g.id}/read`, { seq });
    const by = (i: number) => senders[i % senders.length]!;
    // They send while alice reads: all at once.
    const [sent] = await Promise.all([
      Promise.all(Array.from({ length: 24 }, (_, i) => send(by(i), g.id, `m${i} @${alice.username}`))),
      Promise.all(Array.from({ length: 12 }, (_, i) => tryRead(first.seq + 2 * i))),
    ]);
    await expectExact(alice);
    // Then a third are deleted by their authors while they go on sending and alice goes on reading.
    await Promise.all([
      ...sent.filter((_, i) => i % 3 === 0).map((m, k) => ok(by(3 * k).client.delete(`/api/conversations/${g.id}/messages/${m.id}?for=everyone`))),
      ...Array.from({ length: 16 }, (_, i) => send(by(i), g.id, `n${i} @${alice.username}`)),
      ...Array.from({ length: 8 }, (_, i) => tryRead(first.seq + 20 + 2 * i)),
    ]);
    for (const p of [alice, ...senders]) await expectExact(p);
    const { conversation } = await ok<{ conversation: ConversationSummary }>(alice.client.get(`/api/conversations/${g.id}`));
    expect(conversation.unreadCount).toBeGreaterThan(0);
    await read(alice, g.id, conversation.lastSeq);
    expect((await rows(alice)).get(g.id)).toEqual({ unread: 0, mentions: 0 });
    await expectExact(alice);
  });
});
