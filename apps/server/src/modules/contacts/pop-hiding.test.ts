import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Message, ReactionUpdatedPayload, TypingPayload } from '@chatpop/protocol';
import {
  backend,
  call,
  collect,
  connectSocket,
  guestJoins,
  hostWithChat,
  inboxPerson,
  sleep,
  startApp,
  until,
  HttpClient,
  type ClientSocket,
  type InboxPerson,
  type TestApp,
} from '../../../test/harness';

/*
 * A block in a pop chat hides the blocked person's messages, reactions and
 * typing from the blocker only — live, in history pages, in a join's replay
 * and in gap fills — and the blocked person notices nothing. On the
 * networked backend the blocker and the blocked sit on two nodes sharing
 * PostgreSQL and Redis, so the hiding holds across the adapter.
 */

let a: TestApp;
let b: TestApp;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  a = await startApp();
  b = backend === 'networked' ? await startApp({ databaseUrl: a.config.databaseUrl, redisPrefix: a.config.redisPrefix, jwtSecret: a.config.jwtSecret }) : a;
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  if (b !== a) await b.stop();
  await a.destroy();
});

async function joinAs(p: InboxPerson, code: string) {
  const res = await p.client.post(`/api/chats/${code}/join`, { username: p.username });
  expect(res.body.member.verified).toBe(true);
  return { member: res.body.member as { id: string }, token: res.body.token as string };
}

async function socket(app: TestApp, token: string, roomId: string) {
  const s = await connectSocket(app.url, [token]);
  sockets.push(s);
  const joined = await call<{ messages: Message[] }>(s, 'room:join', { roomId, afterSeq: 0 });
  expect(joined.ok).toBe(true);
  return s;
}

const send = (s: ClientSocket, roomId: string, content: string) =>
  call<{ message: Message }>(s, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content });

describe(`pop chats: a block hides the blocked person from the blocker only (${backend}${backend === 'networked' ? ', two nodes' : ''})`, () => {
  it('live messages, reactions and typing; history, replay and range; the blocked person sees no difference; unblocking shows them again', async () => {
    const host = await hostWithChat(a);
    const { code, roomId } = host.chat;
    const ann = await inboxPerson(a, 'Ann');
    const bob = await inboxPerson(a, 'Bob');
    const annIn = await joinAs(ann, code);
    const bobIn = await joinAs(bob, code);
    const guest = await guestJoins(a, code);

    // Ann on node A, Bob and the guest on node B.
    const annS = await socket(a, annIn.token, roomId);
    const bobS = await socket(b, bobIn.token, roomId);
    const guestS = await socket(b, guest.token, roomId);
    const annNew = collect<Message>(annS, 'message:new');
    const annSkip = collect<{ seq: number }>(annS, 'message:skip');
    const annReactions = collect<ReactionUpdatedPayload>(annS, 'reaction:updated');
    const annTyping = collect<TypingPayload>(annS, 'typing');
    const guestNew = collect<Message>(guestS, 'message:new');
    const guestReactions = collect<ReactionUpdatedPayload>(guestS, 'reaction:updated');
    const guestTyping = collect<TypingPayload>(guestS, 'typing');
    const bobNew = collect<Message>(bobS, 'message:new');

    const before = await send(bobS, roomId, 'bob before the block');
    expect(before.ok).toBe(true);
    await until(() => annNew.some((m) => m.content === 'bob before the block'), 5_000, 'Bob reaches Ann before the block');

    const blocked = await ann.client.post('/api/blocks', { roomId, memberId: bobIn.member.id });
    expect(blocked.status).toBe(201);

    // Live: Bob's message and typing reach the guest, not Ann, who steps over its seq; Bob's ack is as always.
    const hidden = await send(bobS, roomId, 'bob after the block');
    expect(hidden.ok).toBe(true);
    const hiddenSeq = hidden.ok ? hidden.message.seq : -1;
    bobS.emit('typing', { roomId, typing: true });
    const guestMsg = await send(guestS, roomId, 'guest speaks');
    const guestMessage = guestMsg.ok ? guestMsg.message : null;
    expect(guestMessage).not.toBeNull();
    await until(() => guestNew.some((m) => m.content === 'bob after the block') && guestTyping.some((p) => p.memberId === bobIn.member.id), 5_000, 'the guest hears Bob');
    await until(() => annSkip.some((s) => s.seq === hiddenSeq) && annNew.some((m) => m.content === 'guest speaks'), 5_000, 'Ann steps over Bob');
    expect(annNew.map((m) => m.content)).not.toContain('bob after the block');
    expect(annTyping.filter((p) => p.memberId === bobIn.member.id)).toEqual([]);

    // Reactions: Bob's reaction on the guest's message is off Ann's list, on the guest's.
    const reacted = await call(bobS, 'reaction:set', { roomId, messageId: guestMessage!.id, emoji: '👍', on: true });
    expect(reacted.ok).toBe(true);
    await until(() => guestReactions.some((r) => r.messageId === guestMessage!.id), 5_000, 'the guest sees the reaction');
    expect(guestReactions.at(-1)!.reactions).toMatchObject([{ emoji: '👍', count: 1, members: [{ id: bobIn.member.id }] }]);
    await until(() => annReactions.some((r) => r.messageId === guestMessage!.id), 5_000, 'Ann’s view of the reactions');
    expect(annReactions.at(-1)!.reactions).toEqual([]);
    // Ann reacting too: her answer and her view leave Bob out; the guest sees both.
    const annReacts = await call<{ reactions: { emoji: string; count: number }[] }>(annS, 'reaction:set', { roomId, messageId: guestMessage!.id, emoji: '👍', on: true });
    expect(annReacts.ok && annReacts.reactions).toMatchObject([{ emoji: '👍', count: 1 }]);
    await until(() => guestReactions.at(-1)!.reactions[0]?.count === 2, 5_000, 'the guest sees two');
    await until(() => annReactions.at(-1)!.reactions[0]?.count === 1, 5_000, 'Ann sees one');
    await sleep(200);
    expect(annReactions.at(-1)!.reactions[0]!.members.map((m) => m.id)).toEqual([annIn.member.id]);

    // History (HTTP, on either node): Bob's messages withheld for Ann, his reaction off; the guest reads all.
    const annOnB = new HttpClient(b.url, ann.client.ip);
    for (const [k, v] of ann.client.cookies) annOnB.cookies.set(k, v);
    for (const client of [ann.client, annOnB]) {
      const page = (await client.get(`/api/chats/${code}/messages`)).body;
      const contents = (page.messages as Message[]).map((m) => m.content);
      expect(contents).not.toContain('bob before the block');
      expect(contents).not.toContain('bob after the block');
      expect(page.withheld).toEqual(expect.arrayContaining([hiddenSeq]));
      expect((page.messages as Message[]).find((m) => m.id === guestMessage!.id)!.reactions[0]!.count).toBe(1);
    }
    const guestPage = (await guest.client.get(`/api/chats/${code}/messages`)).body.messages as Message[];
    expect(guestPage.map((m) => m.content)).toEqual(expect.arrayContaining(['bob before the block', 'bob after the block']));

    // Replay on a rejoin and a gap fill: the same.
    const again = await connectSocket(b.url, [annIn.token]);
    sockets.push(again);
    const replay = await call<{ messages: Message[]; withheld: number[] }>(again, 'room:join', { roomId, afterSeq: 0 });
    expect(replay.ok && replay.messages.map((m) => m.content)).not.toContain('bob after the block');
    expect(replay.ok && replay.withheld).toContain(hiddenSeq);
    const range = await call<{ messages: Message[]; withheld: number[] }>(again, 'message:range', { roomId, afterSeq: 0 });
    expect(range.ok && range.messages.map((m) => m.content)).not.toContain('bob after the block');
    expect(range.ok && range.withheld).toContain(hiddenSeq);

    // Bob notices nothing: he gets Ann's messages and his own as before.
    expect((await send(annS, roomId, 'ann speaks')).ok).toBe(true);
    await until(() => bobNew.some((m) => m.content === 'ann speaks'), 5_000, 'Ann reaches Bob');
    const bobPage = (await bob.client.get(`/api/chats/${code}/messages`)).body;
    expect((bobPage.messages as Message[]).map((m) => m.content)).toEqual(expect.arrayContaining(['bob after the block', 'ann speaks']));
    expect(bobPage.withheld).toEqual([]);

    // Unblocked: Bob is back in Ann's history and live.
    expect((await ann.client.delete(`/api/blocks/${bob.id}`)).status).toBe(204);
    const after = (await ann.client.get(`/api/chats/${code}/messages`)).body.messages as Message[];
    expect(after.map((m) => m.content)).toEqual(expect.arrayContaining(['bob before the block', 'bob after the block']));
    await send(bobS, roomId, 'bob unblocked');
    await until(() => annNew.some((m) => m.content === 'bob unblocked'), 5_000, 'Bob live again');
  });

  it('the blocked person’s join notice: hidden from the blocker live, in history and replay; seen by everyone else and by them', async () => {
    const host = await hostWithChat(a);
    const { code, roomId } = host.chat;
    const ann = await inboxPerson(a, 'Jann');
    const bob = await inboxPerson(a, 'Jbob');
    expect((await ann.client.post('/api/blocks', { userId: bob.id })).status).toBe(201);
    const annIn = await joinAs(ann, code);
    const guest = await guestJoins(a, code);
    const annS = await socket(a, annIn.token, roomId);
    const guestS = await socket(b, guest.token, roomId);
    const annNew = collect<Message>(annS, 'message:new');
    const annSkip = collect<{ seq: number }>(annS, 'message:skip');
    const guestNew = collect<Message>(guestS, 'message:new');

    // Bob joins on node B; so does someone else, whom Ann sees arrive.
    const bobOnB = new HttpClient(b.url, bob.client.ip);
    for (const [k, v] of bob.client.cookies) bobOnB.cookies.set(k, v);
    const bobIn = await joinAs({ ...bob, client: bobOnB }, code);
    const other = await guestJoins(a, code);
    const bobJoined = `${bob.username} joined`;
    await until(() => guestNew.some((m) => m.content === bobJoined), 5_000, 'the guest sees Bob join');
    const notice = guestNew.find((m) => m.content === bobJoined)!;
    expect(notice).toMatchObject({ type: 'system', memberId: bobIn.member.id });
    await until(() => annNew.some((m) => m.content === `${other.member.username} joined`), 5_000, 'Ann sees the other join');
    await until(() => annSkip.some((s) => s.seq === notice.seq), 5_000, 'Ann steps over Bob’s notice');
    expect(annNew.map((m) => m.content)).not.toContain(bobJoined);

    // History and replay: withheld for Ann; there for the guest and for Bob himself.
    const annPage = (await ann.client.get(`/api/chats/${code}/messages`)).body;
    expect((annPage.messages as Message[]).map((m) => m.content)).not.toContain(bobJoined);
    expect(annPage.withheld).toContain(notice.seq);
    const replay = await call<{ messages: Message[]; withheld: number[] }>(annS, 'room:join', { roomId, afterSeq: 0 });
    expect(replay.ok && replay.messages.map((m) => m.content)).not.toContain(bobJoined);
    expect(replay.ok && replay.withheld).toContain(notice.seq);
    for (const client of [guest.client, bob.client]) {
      const page = (await client.get(`/api/chats/${code}/messages`)).body;
      expect((page.messages as Message[]).map((m) => m.content)).toContain(bobJoined);
      expect(page.withheld).toEqual([]);
    }

    // Unblocked, the notice is back in Ann's history.
    expect((await ann.client.delete(`/api/blocks/${bob.id}`)).status).toBe(204);
    expect(((await ann.client.get(`/api/chats/${code}/messages`)).body.messages as Message[]).map((m) => m.content)).toContain(bobJoined);
  });
});
