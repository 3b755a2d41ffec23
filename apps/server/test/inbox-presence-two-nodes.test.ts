import { afterAll, describe, expect, it } from 'vitest';
import type { PresencePayload, TypingPayload, UserPresence } from '@chatpop/protocol';
import { backend, call, collect, connectAccountSocket, connectSocket, sleep, until, type ClientSocket } from './harness';
import { signUpThroughMail, startTwoNodes } from './process';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Two server processes on one PostgreSQL and one Redis, as behind a load balancer.
describe.runIf(backend === 'networked')('presence and typing on two nodes', () => {
  it('reach partners on the other node, and "appear offline" empties a pop chat\'s online list on the other node', async () => {
    const [a, b] = await startTwoNodes('presencenodes', cleanups);
    const sockets: ClientSocket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.close()));

    const ann = a.client();
    const bob = b.client();
    const eve = b.client();
    await signUpThroughMail(ann, { email: 'ann.presence@example.com', password: 'Passw0rd!', username: 'AnnPresence' });
    await signUpThroughMail(bob, { email: 'bob.presence@example.com', password: 'Passw0rd!', username: 'BobPresence' });
    await signUpThroughMail(eve, { email: 'eve.presence@example.com', password: 'Passw0rd!', username: 'EvePresence' });
    const bobId = (await bob.get('/api/me')).body.user.id as string;
    const created = await ann.post('/api/conversations/direct', { username: 'BobPresence' });
    expect(created.status).toBe(201);
    const id = created.body.conversation.id as string;

    const connect = async (url: string, client: typeof ann) => {
      const s = await connectAccountSocket(url, client);
      sockets.push(s);
      return s;
    };
    const annOnA = await connect(a.url, ann);
    const eveOnA = await connect(a.url, eve);
    const annHears = collect<UserPresence>(annOnA, 'user:presence');
    const eveHears = collect<UserPresence>(eveOnA, 'user:presence');
    const bobNow = () => annHears.filter((p) => p.userId === bobId).at(-1);

    // Bob comes online on B: Ann on A hears it.
    const bobOnB = await connect(b.url, bob);
    await until(() => bobNow()?.status === 'online', 15_000, "Bob's presence on A");

    // Ann types on A in the conversation; Bob's list connection on B, which joined no room, hears it.
    const bobTyping = collect<TypingPayload>(bobOnB, 'typing');
    expect((await call(annOnA, 'room:join', { roomId: id, afterSeq: 0 })).ok).toBe(true);
    annOnA.emit('typing', { roomId: id, typing: true });
    await until(() => bobTyping.some((p) => p.roomId === id && p.typing && p.username === 'AnnPresence'), 15_000, 'typing on B');

    // Bob in a pop chat on B, with its chat token only; its host watches the online list on A.
    const chat = await ann.post('/api/chats', { name: 'Two nodes' });
    expect(chat.status).toBe(201);
    const { code, roomId } = chat.body.chat as { code: string; roomId: string };
    const hostToken = (await ann.post(`/api/chats/${code}/join`, {})).body.token as string;
    const bobJoin = await bob.post(`/api/chats/${code}/join`, {});
    const bobName = bobJoin.body.member.username as string;
    const hostTab = await connectSocket(a.url, [hostToken]);
    const bobTab = await connectSocket(b.url, [bobJoin.body.token]);
    sockets.push(hostTab, bobTab);
    const online = collect<PresencePayload>(hostTab, 'presence');
    const names = () => online.at(-1)?.online.map((o) => o.username) ?? [];
    expect((await call(hostTab, 'room:join', { roomId, afterSeq: 0 })).ok).toBe(true);
    expect((await call(bobTab, 'room:join', { roomId, afterSeq: 0 })).ok).toBe(true);
    await until(() => names().includes(bobName), 15_000, 'Bob in the online list');

    // Bob chooses "appear offline" through node A: gone from the list on A (his tab is on B) and offline to Ann.
    expect((await a.client().request('PATCH', '/api/me', { status: 'offline' }, { cookie: `cp_at=${bob.cookies.get('cp_at')}` })).status).toBe(200);
    await until(() => !names().includes(bobName), 15_000, 'Bob out of the online list');
    await until(() => bobNow()?.status === 'offline', 15_000, 'Bob appears offline to Ann');
    expect(bobNow()!.lastSeenAt).not.toBeNull();

    // Back, then really gone: offline with last seen, to Ann only.
    expect((await bob.patch('/api/me', { status: 'online' })).status).toBe(200);
    await until(() => names().includes(bobName) && bobNow()?.status === 'online', 15_000, 'Bob back');
    bobOnB.close();
    bobTab.close();
    await until(() => bobNow()?.status === 'offline', 15_000, 'Bob gone');
    await sleep(300);
    expect(eveHears.filter((p) => p.userId === bobId)).toEqual([]);

    sockets.forEach((s) => s.close());
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 150_000);
});
