import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { SearchHit, SearchResult } from '@chatpop/protocol';
import { messages, userBlocks } from '../../db/schema';
import { findParticipation } from '../chats/repo';
import { sendMessage } from '../messages/service';
import { guestJoins, hostWithChat, inboxPerson, startApp, type HttpClient, type InboxPerson, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

let n = 0;
/** A word no other test writes, so each test reads only its own hits. */
const word = (base: string) => `${base}${Date.now().toString(36)}${++n}`;

/** Writes a message through the real write path as `userId`'s participation (or a device's, by member id). */
async function say(roomId: string, who: { userId: string } | { memberId: string }, content: string) {
  const ctx = t.app.ctx;
  const room = (await ctx.rooms.byRoomId(roomId))!;
  const member =
    'userId' in who
      ? (await findParticipation(ctx.db, roomId, { userId: who.userId }))!
      : (await (await import('../chats/repo')).findMember(ctx.db, who.memberId))!;
  const { message } = await sendMessage(ctx, room, member, { clientId: `s-${++n}-${Date.now()}`, content });
  ctx.broadcast.message(room, message);
  return message;
}

const search = (client: HttpClient, params: Record<string, string>) => client.get<SearchResult & { error?: { code: string; message: string } }>(`/api/search?${new URLSearchParams(params)}`);

async function hitsOf(client: HttpClient, params: Record<string, string>): Promise<SearchHit[]> {
  const res = await search(client, params);
  if (res.status !== 200) throw new Error(`search: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.hits;
}

const texts = (hits: SearchHit[]) => hits.map((h) => h.segments.map((s) => s.text).join(''));

async function direct(a: InboxPerson, b: InboxPerson): Promise<string> {
  const res = await a.client.post('/api/conversations/direct', { userId: b.id });
  if (res.status !== 201 && res.status !== 200) throw new Error(`direct: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.conversation.id;
}

async function group(admin: InboxPerson, others: InboxPerson[], name = 'Search group'): Promise<string> {
  const res = await admin.client.post('/api/conversations/groups', { name, memberIds: others.map((o) => o.id) });
  if (res.status !== 201) throw new Error(`group: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.conversation.id;
}

/** A pop chat of a host, with `people` joined under their accounts. */
async function popChat(people: InboxPerson[], chat: Record<string, unknown> = {}) {
  const host = await hostWithChat(t, chat);
  expect((await host.client.post(`/api/chats/${host.chat.code}/join`, {})).status).toBeLessThan(300);
  for (const p of people) {
    if (host.chat.accessCode) await p.client.post(`/api/chats/${host.chat.code}/access`, { accessCode: host.chat.accessCode });
    const joined = await p.client.post(`/api/chats/${host.chat.code}/join`, {});
    if (joined.status >= 300) throw new Error(`join: ${joined.status} ${JSON.stringify(joined.body)}`);
  }
  return host;
}

describe('message search: what the searcher may read', () => {
  it('finds messages of conversations one is in, with highlighted segments, and nothing of other people’s', async () => {
    const [me, friend, stranger] = await Promise.all([inboxPerson(t, 'sma'), inboxPerson(t, 'smb'), inboxPerson(t, 'smc')]);
    const w = word('kiwi');
    const dm = await direct(me, friend);
    const theirs = await direct(friend, stranger);
    await say(dm, { userId: friend.id }, `Bring the ${w} <b>please</b> tomorrow`);
    await say(theirs, { userId: stranger.id }, `A secret ${w} for friend only`);

    const hits = await hitsOf(me.client, { q: w });
    expect(hits).toHaveLength(1);
    const [hit] = hits;
    expect(hit!.room).toMatchObject({ id: dm, kind: 'direct', name: friend.username, code: null });
    expect(hit!.author).toEqual({ username: friend.username, userId: friend.id });
    expect(hit!.segments).toEqual([
      { text: 'Bring the ', match: false },
      { text: w, match: true },
      { text: ' <b>please</b> tomorrow', match: false },
    ]);
    expect(hit!.seq).toBeGreaterThan(0);
    // The stranger finds their own, never mine.
    expect(texts(await hitsOf(stranger.client, { q: w }))).toEqual([`A secret ${w} for friend only`]);
  });

  it('a former group member finds nothing of the group any more', async () => {
    const [admin, b, c] = await Promise.all([inboxPerson(t, 'sga'), inboxPerson(t, 'sgb'), inboxPerson(t, 'sgc')]);
    const w = word('lemon');
    const g = await group(admin, [b, c]);
    await say(g, { userId: admin.id }, `${w} before anyone left`);
    expect(await hitsOf(b.client, { q: w })).toHaveLength(1);
    expect((await b.client.post(`/api/conversations/${g}/leave`)).status).toBeLessThan(300);
    expect(await hitsOf(b.client, { q: w })).toEqual([]);
    expect(await hitsOf(b.client, { q: w, in: g })).toEqual([]);
    // Removed by an admin: the same.
    expect((await admin.client.delete(`/api/conversations/${g}/members/${c.id}`)).status).toBeLessThan(300);
    expect(await hitsOf(c.client, { q: w })).toEqual([]);
    expect(await hitsOf(admin.client, { q: w })).toHaveLength(1);
  });

  it('never finds a deleted message, one deleted for me, or a blocked person’s', async () => {
    const [me, friend, other] = await Promise.all([inboxPerson(t, 'sda'), inboxPerson(t, 'sdb'), inboxPerson(t, 'sdc')]);
    const w = word('melon');
    const g = await group(me, [friend, other]);
    const gone = await say(g, { userId: friend.id }, `${w} deleted for everyone`);
    const mineGone = await say(g, { userId: friend.id }, `${w} deleted for me`);
    await say(g, { userId: friend.id }, `${w} still here`);
    await say(g, { userId: other.id }, `${w} from the one I block`);
    expect(await hitsOf(me.client, { q: w })).toHaveLength(4);

    expect((await friend.client.delete(`/api/conversations/${g}/messages/${gone.id}?for=everyone`)).status).toBe(200);
    expect((await me.client.delete(`/api/conversations/${g}/messages/${mineGone.id}?for=me`)).status).toBe(204);
    await t.app.ctx.db.insert(userBlocks).values({ blockerId: me.id, blockedId: other.id });

    expect(texts(await hitsOf(me.client, { q: w }))).toEqual([`${w} still here`]);
    // Deleted for me is mine alone; the block is the blocker's: the others still find them.
    expect(texts(await hitsOf(friend.client, { q: w })).sort()).toEqual([`${w} deleted for me`, `${w} from the one I block`, `${w} still here`].sort());
    expect(await hitsOf(other.client, { q: w })).toHaveLength(3);
  });

  it('pop chats: a participant finds, an outsider and a private chat without its code do not, a ban ends it', async () => {
    const [me, outsider, banned] = await Promise.all([inboxPerson(t, 'spa'), inboxPerson(t, 'spb'), inboxPerson(t, 'spc')]);
    const w = word('mango');
    const open = await popChat([me, banned]);
    await say(open.chat.roomId, { userId: open.user.id }, `${w} said the host`);
    const hits = await hitsOf(me.client, { q: w });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.room).toMatchObject({ id: open.chat.roomId, kind: 'pop', code: open.chat.code, name: 'Test chat' });
    expect(await hitsOf(outsider.client, { q: w })).toEqual([]);
    expect(await hitsOf(outsider.client, { q: w, in: open.chat.roomId })).toEqual([]);

    const privateChat = await popChat([me], { access: 'private' });
    await say(privateChat.chat.roomId, { userId: privateChat.user.id }, `${w} behind the access code`);
    expect(await hitsOf(me.client, { q: w })).toHaveLength(2);
    // Knowing the room id is not enough: without the code (and a participation) nothing.
    expect(await hitsOf(outsider.client, { q: w, in: privateChat.chat.roomId })).toEqual([]);

    expect(await hitsOf(banned.client, { q: w })).toHaveLength(1);
    const member = (await findParticipation(t.app.ctx.db, open.chat.roomId, { userId: banned.id }))!;
    const ban = await open.client.post(`/api/chats/${open.chat.code}/members/${member.id}/moderate`, { action: 'ban' });
    expect(ban.status).toBe(200);
    expect(await hitsOf(banned.client, { q: w })).toEqual([]);
  });

  it('a silently hidden participant’s messages are found by no one else; they find their own', async () => {
    const [me, hiddenOne] = await Promise.all([inboxPerson(t, 'sha'), inboxPerson(t, 'shb')]);
    const w = word('papaya');
    const chat = await popChat([me, hiddenOne]);
    await say(chat.chat.roomId, { userId: hiddenOne.id }, `${w} before the hide`);
    const member = (await findParticipation(t.app.ctx.db, chat.chat.roomId, { userId: hiddenOne.id }))!;
    expect((await chat.client.post(`/api/chats/${chat.chat.code}/members/${member.id}/moderate`, { action: 'hide' })).status).toBe(200);
    await say(chat.chat.roomId, { userId: hiddenOne.id }, `${w} after the hide`);
    const [stored] = await t.app.ctx.db.select().from(messages).where(eq(messages.content, `${w} after the hide`));
    expect(stored!.hidden).toBe(true);

    expect(texts(await hitsOf(me.client, { q: w }))).toEqual([`${w} before the hide`]);
    expect(texts(await hitsOf(chat.client, { q: w }))).toEqual([`${w} before the hide`]);
    expect(texts(await hitsOf(hiddenOne.client, { q: w }))).toEqual([`${w} after the hide`, `${w} before the hide`]);
  });

  it('a Back Room is searched while one holds a seat, not after a refund', async () => {
    const [me] = await Promise.all([inboxPerson(t, 'sba')]);
    const w = word('guava');
    const host = await popChat([me], { settings: { backroom: { enabled: true, seatPriceCents: 500, seatLimit: 10 } } });
    const code = host.chat.code;
    const seat = await me.client.post(`/api/chats/${code}/backroom/seats`, { idempotencyKey: `k-${word('seat')}` });
    expect(seat.status).toBe(201);
    expect((await me.client.post(`/api/payments/${seat.body.payment.id}/confirm`, { outcome: 'succeed' })).status).toBe(200);
    const entry = await host.client.get(`/api/chats/${code}/backroom`);
    expect((await me.client.get(`/api/chats/${code}/backroom`)).status).toBe(200);
    const backroomId = entry.body.roomId as string;
    await say(backroomId, { userId: host.user.id }, `${w} for seat holders`);

    const hits = await hitsOf(me.client, { q: w });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.room).toMatchObject({ id: backroomId, kind: 'backroom', code, name: 'Test chat' });
    expect(await hitsOf(host.client, { q: w })).toHaveLength(1);

    expect((await host.client.post(`/api/payments/${seat.body.payment.id}/refund`)).status).toBe(200);
    expect(await hitsOf(me.client, { q: w })).toEqual([]);
    expect(await hitsOf(me.client, { q: w, in: backroomId })).toEqual([]);
    expect(await hitsOf(host.client, { q: w })).toHaveLength(1);
  });

  it('an anonymous participation is not the account’s: guests find nothing and need to sign in', async () => {
    const host = await hostWithChat(t);
    const guest = await guestJoins(t, host.chat.code);
    const res = await search(guest.client, { q: 'anything' });
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('UNAUTHENTICATED');
  });
});

describe('message search: query syntax, filters, paging', () => {
  it('reads "phrases", -exclusions and or', async () => {
    const [me, friend] = await Promise.all([inboxPerson(t, 'sqa'), inboxPerson(t, 'sqb')]);
    const a = word('alpha');
    const b = word('beta');
    const dm = await direct(me, friend);
    await say(dm, { userId: friend.id }, `${a} ${b} together`);
    await say(dm, { userId: friend.id }, `${b} then ${a} reversed`);
    await say(dm, { userId: friend.id }, `${a} alone`);
    await say(dm, { userId: friend.id }, `${b} alone`);

    expect(await hitsOf(me.client, { q: `${a} ${b}` })).toHaveLength(2);
    expect(texts(await hitsOf(me.client, { q: `"${a} ${b}"` }))).toEqual([`${a} ${b} together`]);
    expect(texts(await hitsOf(me.client, { q: `${a} -${b}` }))).toEqual([`${a} alone`]);
    expect(await hitsOf(me.client, { q: `${a} or ${b}` })).toHaveLength(4);
    // Case does not matter; the matched words come back marked.
    const upper = await hitsOf(me.client, { q: `"${a.toUpperCase()} ${b}"` });
    expect(upper[0]!.segments.filter((s) => s.match).map((s) => s.text)).toEqual([a, b]);
  });

  it('filters by conversation, author, link, media and date range', async () => {
    const [me, friend, third] = await Promise.all([inboxPerson(t, 'sfa'), inboxPerson(t, 'sfb'), inboxPerson(t, 'sfc')]);
    const w = word('plum');
    const dm = await direct(me, friend);
    const g = await group(me, [friend, third], 'Plum pickers');
    await say(dm, { userId: friend.id }, `${w} see https://example.com/plums`);
    await say(dm, { userId: me.id }, `${w} from me`);
    await say(g, { userId: third.id }, `${w} in the group www.example.org`);
    const media = await say(g, { userId: third.id }, `${w} photo caption`);
    await t.app.ctx.db.update(messages).set({ type: 'media' }).where(eq(messages.id, media.id));

    expect(await hitsOf(me.client, { q: w })).toHaveLength(4);
    expect(texts(await hitsOf(me.client, { q: w, in: dm })).sort()).toEqual([`${w} from me`, `${w} see https://example.com/plums`].sort());
    expect((await hitsOf(me.client, { q: w, in: g }))[0]!.room.name).toBe('Plum pickers');
    expect(texts(await hitsOf(me.client, { q: w, from: third.id })).sort()).toEqual([`${w} in the group www.example.org`, `${w} photo caption`].sort());
    expect(texts(await hitsOf(me.client, { q: w, has: 'link' })).sort()).toEqual([`${w} in the group www.example.org`, `${w} see https://example.com/plums`].sort());
    expect(texts(await hitsOf(me.client, { q: w, has: 'media' }))).toEqual([`${w} photo caption`]);
    expect(texts(await hitsOf(me.client, { q: w, from: third.id, has: 'link', in: g }))).toEqual([`${w} in the group www.example.org`]);

    const today = new Date().toISOString().slice(0, 10);
    expect(await hitsOf(me.client, { q: w, after: today, before: today })).toHaveLength(4);
    expect(await hitsOf(me.client, { q: w, before: '2020-01-01' })).toEqual([]);
    expect(await hitsOf(me.client, { q: w, after: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
  });

  it('pages newest first with a cursor, without repeats or gaps', async () => {
    const [me, friend] = await Promise.all([inboxPerson(t, 'spga'), inboxPerson(t, 'spgb')]);
    const w = word('fig');
    const dm = await direct(me, friend);
    for (let i = 0; i < 7; i++) await say(dm, { userId: i % 2 ? me.id : friend.id }, `${w} number ${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: SearchResult } = await search(me.client, { q: w, limit: '3', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...texts(res.body.hits));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `${w} number ${i}`));
  });
});

describe('message search: bad input', () => {
  it('refuses empty, too long, operator-only and exclusion-only queries and bad filters, each with its code', async () => {
    const me = await inboxPerson(t, 'sxa');
    const cases: [Record<string, string>, string][] = [
      [{}, 'SEARCH_QUERY_EMPTY'],
      [{ q: '   ' }, 'SEARCH_QUERY_EMPTY'],
      [{ q: 'x'.repeat(201) }, 'SEARCH_QUERY_TOO_LONG'],
      [{ q: '"" - -' }, 'SEARCH_QUERY_NO_TERMS'],
      [{ q: '!&|()' }, 'SEARCH_QUERY_NO_TERMS'],
      [{ q: '-spam' }, 'SEARCH_QUERY_NO_TERMS'],
      [{ q: 'ham or -spam' }, 'SEARCH_QUERY_NO_TERMS'],
      [{ q: 'ok', cursor: 'not-a-cursor' }, 'SEARCH_CURSOR_INVALID'],
      [{ q: 'ok', cursor: Buffer.from('2026-01-01T00:00:00.000000Z|nope').toString('base64url') }, 'SEARCH_CURSOR_INVALID'],
      [{ q: 'ok', in: 'not-a-uuid' }, 'VALIDATION_FAILED'],
      [{ q: 'ok', from: 'x' }, 'VALIDATION_FAILED'],
      [{ q: 'ok', has: 'gif' }, 'VALIDATION_FAILED'],
      [{ q: 'ok', after: 'yesterday' }, 'VALIDATION_FAILED'],
      [{ q: 'ok', after: '2026-02-01', before: '2026-01-01' }, 'VALIDATION_FAILED'],
      [{ q: 'ok', limit: '0' }, 'VALIDATION_FAILED'],
      [{ q: 'ok', limit: '51' }, 'VALIDATION_FAILED'],
    ];
    for (const [params, code] of cases) {
      const res = await search(me.client, params);
      expect({ params, status: res.status, code: res.body.error?.code }).toEqual({ params, status: 400, code });
      expect(typeof res.body.error?.message).toBe('string');
    }
    // A query with odd characters is read as words, not as a syntax error.
    expect((await search(me.client, { q: `it's (a) "test` })).status).toBe(200);
    expect((await t.client().get('/api/search?q=ok')).status).toBe(401);
  });
});

describe('message search: rate limit', () => {
  it('answers 429 RATE_LIMITED past 60 searches a minute, per account', async () => {
    const [me, other] = await Promise.all([inboxPerson(t, 'srla'), inboxPerson(t, 'srlb')]);
    for (let i = 0; i < 60; i++) expect((await search(me.client, { q: `word${i}` })).status).toBe(200);
    const refused = await search(me.client, { q: 'one more' });
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('RATE_LIMITED');
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await search(other.client, { q: 'one more' })).status).toBe(200);
  });
});

describe('people search', () => {
  it('finds by prefix and by a close spelling of the username or display name', async () => {
    const me = await inboxPerson(t, 'ppa');
    const target = await inboxPerson(t, 'zanzi');
    expect((await target.client.patch('/api/me', { displayName: 'Quintessa Fairweather' })).status).toBe(200);
    const byPrefix = await me.client.get(`/api/users/search?q=zanzi`);
    expect(byPrefix.status).toBe(200);
    expect(byPrefix.body.users.map((u: { userId: string }) => u.userId)).toContain(target.id);
    // A typo: no prefix matches, trigrams do.
    const fuzzy = await me.client.get(`/api/users/search?q=${target.username.replace('zanzi', 'zamzi')}`);
    expect(fuzzy.body.users.map((u: { userId: string }) => u.userId)).toContain(target.id);
    const byName = await me.client.get(`/api/users/search?q=${encodeURIComponent('quintesa fairweather')}`);
    expect(byName.body.users.map((u: { userId: string }) => u.userId)).toContain(target.id);
    // The exact username comes first.
    const exact = await me.client.get(`/api/users/search?q=${target.username}`);
    expect(exact.body.users[0]).toMatchObject({ userId: target.id, username: target.username, directConversationId: null });
    expect(JSON.stringify(exact.body)).not.toContain('@example.com');
  });

  it('a block either way hides each from the other', async () => {
    const [a, b, c] = await Promise.all([inboxPerson(t, 'pba'), inboxPerson(t, 'pbb'), inboxPerson(t, 'pbc')]);
    const ids = async (who: InboxPerson, q: string) =>
      ((await who.client.get(`/api/users/search?q=${q}`)).body.users as { userId: string }[]).map((u) => u.userId);
    expect(await ids(a, b.username)).toContain(b.id);
    await t.app.ctx.db.insert(userBlocks).values({ blockerId: a.id, blockedId: b.id });
    expect(await ids(a, b.username)).not.toContain(b.id);
    expect(await ids(b, a.username)).not.toContain(a.id);
    expect(await ids(c, b.username)).toContain(b.id);
    expect(await ids(c, a.username)).toContain(a.id);
  });
});
