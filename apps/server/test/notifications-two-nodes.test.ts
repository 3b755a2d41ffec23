import { afterAll, describe, expect, it } from 'vitest';
import type { Message, NotificationNewPayload, NotificationsReadPayload } from '@chatpop/protocol';
import { backend, call, collect, connectAccountSocket, sleep, until, type ClientSocket } from './harness';
import { signUpThroughMail, startTwoNodes } from './process';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Two server processes on one PostgreSQL and one Redis, as behind a load balancer.
describe.runIf(backend === 'networked')('notifications on two nodes', () => {
  it('reach the user’s connections on the other node, reads too, and a reconnect fetches what was missed', async () => {
    const [a, b] = await startTwoNodes('notifynodes', cleanups);
    const sockets: ClientSocket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.close()));

    const ann = a.client();
    const bob = b.client();
    const eve = b.client();
    await signUpThroughMail(ann, { email: 'ann.bell@example.com', password: 'Passw0rd!', username: 'AnnBell' });
    await signUpThroughMail(bob, { email: 'bob.bell@example.com', password: 'Passw0rd!', username: 'BobBell' });
    await signUpThroughMail(eve, { email: 'eve.bell@example.com', password: 'Passw0rd!', username: 'EveBell' });
    const connect = async (url: string, client: typeof ann) => {
      const s = await connectAccountSocket(url, client);
      sockets.push(s);
      return s;
    };
    const annOnA = await connect(a.url, ann);
    const bobOnB = await connect(b.url, bob);
    const eveOnB = await connect(b.url, eve);
    const bobHeard = collect<NotificationNewPayload>(bobOnB, 'notification:new');
    const bobReads = collect<NotificationsReadPayload>(bobOnB, 'notifications:read');
    const eveHeard = collect<NotificationNewPayload>(eveOnB, 'notification:new');

    const id = (await ann.post('/api/conversations/direct', { username: 'BobBell' })).body.conversation.id as string;
    expect((await call(annOnA, 'room:join', { roomId: id, afterSeq: 0 })).ok).toBe(true);
    const sent = await call<{ message: Message }>(annOnA, 'message:send', { roomId: id, clientId: 'bell-a-0001', content: 'hello from node A' });
    expect(sent.ok).toBe(true);
    await until(() => bobHeard.length === 1, 10_000, "the notification on Bob's connection on B");
    expect(bobHeard[0]).toMatchObject({ unread: 1, notification: { kind: 'direct_message', preview: 'hello from node A', link: `/inbox/${id}?at=1` } });

    // Bob reads it through A: his connection on B hears it.
    const read = await a.client().get('/api/notifications');
    expect(read.status).toBe(401);
    const bobViaA = a.client();
    for (const [k, v] of bob.cookies) bobViaA.cookies.set(k, v);
    expect((await bobViaA.post('/api/notifications/read', { all: true })).body.unread).toBe(0);
    await until(() => bobReads.length === 1, 10_000, 'the read on B');
    expect(bobReads[0]).toEqual({ ids: null, unread: 0 });

    // Bob goes away; two more come while he is; back on the other node, the fetch has them.
    bobOnB.close();
    await call(annOnA, 'message:send', { roomId: id, clientId: 'bell-a-0002', content: 'are you there?' });
    await call(annOnA, 'message:send', { roomId: id, clientId: 'bell-a-0003', content: 'hello?' });
    await until(async () => (await bob.get('/api/notifications')).body.unread === 1, 10_000, 'the missed ones stored');
    const back = await connect(a.url, bob);
    const heardBack = collect<NotificationNewPayload>(back, 'notification:new');
    const list = await bobViaA.get('/api/notifications');
    expect(list.body.unread).toBe(1);
    expect(list.body.notifications[0]).toMatchObject({ kind: 'direct_message', count: 2, read: false, preview: 'hello?' });
    await call(annOnA, 'message:send', { roomId: id, clientId: 'bell-a-0004', content: 'live again' });
    await until(() => heardBack.length === 1, 10_000, 'live again after the reconnect');
    expect(heardBack[0]!.notification).toMatchObject({ count: 3, preview: 'live again' });

    // Eve, on Bob's node, heard none of it.
    await sleep(300);
    expect(eveHeard).toEqual([]);
  });
});
