import { afterAll, describe, expect, it } from 'vitest';
import type { ConversationEventPayload, InboxUnreadPayload, Message, MessageHiddenPayload, PinUpdatedPayload, ReceiptPayload, TypingPayload } from '@chatpop/protocol';
import { backend, call, collect, connectAccountSocket, sleep, until, type ClientSocket } from './harness';
import { signUpThroughMail, startTwoNodes } from './process';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Two server processes on one PostgreSQL and one Redis, as behind a load balancer.
describe.runIf(backend === 'networked')('the Inbox on two nodes', () => {
  it('carries messages, receipts and list events between members on different nodes, and to nobody else', async () => {
    const [a, b] = await startTwoNodes('inboxnodes', cleanups);
    const sockets: ClientSocket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.close()));

    const ann = a.client();
    const bob = b.client();
    const eve = b.client();
    await signUpThroughMail(ann, { email: 'ann.nodes@example.com', password: 'Passw0rd!', username: 'AnnNodes' });
    await signUpThroughMail(bob, { email: 'bob.nodes@example.com', password: 'Passw0rd!', username: 'BobNodes' });
    await signUpThroughMail(eve, { email: 'eve.nodes@example.com', password: 'Passw0rd!', username: 'EveNodes' });

    const connect = async (url: string, client: typeof ann) => {
      const s = await connectAccountSocket(url, client);
      sockets.push(s);
      return s;
    };
    const annOnA = await connect(a.url, ann);
    const bobOnB = await connect(b.url, bob);
    const bobsOtherDeviceOnA = await connect(a.url, bob);
    const eveOnA = await connect(a.url, eve);
    const bobNews = collect<ConversationEventPayload>(bobsOtherDeviceOnA, 'conversation:new');
    const eveHeard: unknown[] = [];
    for (const event of ['message:new', 'conversation:new', 'conversation:updated', 'inbox:unread', 'receipt', 'message:hidden', 'pin:updated', 'typing'] as const) {
      eveOnA.on(event, (p: unknown) => eveHeard.push(p));
    }

    // Made on A, heard by Bob's device wherever it is connected.
    const created = await ann.post('/api/conversations/direct', { username: 'BobNodes' });
    expect(created.status).toBe(201);
    const id = created.body.conversation.id as string;
    await until(() => bobNews.some((n) => n.conversation.id === id), 10_000, "Bob's other device hears of the conversation");

    const bobGot = collect<Message>(bobOnB, 'message:new');
    const annReceipts = collect<ReceiptPayload>(annOnA, 'receipt');
    const bobTotals = collect<InboxUnreadPayload>(bobsOtherDeviceOnA, 'inbox:unread');
    expect((await call(annOnA, 'room:join', { roomId: id, afterSeq: 0 })).ok).toBe(true);
    expect((await call(bobOnB, 'room:join', { roomId: id, afterSeq: 0 })).ok).toBe(true);
    // Ann types on A: Bob hears it on B (joined) and on his device on A (through his own channel); Ann does not hear herself.
    const bobTypingOnB = collect<TypingPayload>(bobOnB, 'typing');
    const bobTypingOnA = collect<TypingPayload>(bobsOtherDeviceOnA, 'typing');
    const annTyping = collect<TypingPayload>(annOnA, 'typing');
    annOnA.emit('typing', { roomId: id, typing: true });
    await until(() => bobTypingOnB.some((p) => p.roomId === id && p.username === 'AnnNodes' && p.typing), 10_000, 'typing on B');
    await until(() => bobTypingOnA.some((p) => p.roomId === id && p.username === 'AnnNodes' && p.typing), 10_000, "typing on Bob's device on A");
    annOnA.emit('typing', { roomId: id, typing: false });
    await until(() => bobTypingOnB.some((p) => p.roomId === id && !p.typing), 10_000, 'typing stopped on B');
    expect(annTyping).toEqual([]);

    const sent = await call<{ message: Message }>(annOnA, 'message:send', { roomId: id, clientId: 'ann-on-a-0001', content: 'across nodes' });
    expect(sent.ok).toBe(true);
    await until(() => bobGot.some((m) => m.content === 'across nodes'), 10_000, 'the message on B');
    await until(() => bobTotals.some((t) => t.unread === 1), 10_000, "Bob's unread on his device on A");

    // Bob reads on B: Ann on A gets the receipt, Bob's device on A clears its badge.
    expect(await call(bobOnB, 'receipt:read', { roomId: id, seq: 1 })).toMatchObject({ ok: true, readSeq: 1, deliveredSeq: 1 });
    await until(() => annReceipts.some((r) => r.readSeq === 1), 10_000, 'the read receipt on A');
    await until(() => bobTotals.at(-1)?.unread === 0, 10_000, "the badge cleared on Bob's device on A");

    // Ann pins on A: Bob on B sees it at the top. Bob deletes it for himself through B: his device on A drops it too.
    const bobPins = collect<PinUpdatedPayload>(bobOnB, 'pin:updated');
    const hiddenOnA = collect<MessageHiddenPayload>(bobsOtherDeviceOnA, 'message:hidden');
    const messageId = sent.ok ? sent.message.id : '';
    expect((await ann.post(`/api/conversations/${id}/pinned-message`, { messageId })).status).toBe(200);
    await until(() => bobPins.some((p) => p.pinned?.message.id === messageId), 10_000, 'the pin on B');
    expect((await bob.delete(`/api/conversations/${id}/messages/${messageId}?for=me`)).status).toBe(204);
    await until(() => hiddenOnA.some((h) => h.id === messageId), 10_000, "the delete-for-me on Bob's device on A");
    await until(() => bobPins.at(-1)?.pinned === null, 10_000, 'the pin gone for Bob on B');

    // Eve, connected to the same node, heard none of it.
    await sleep(300);
    expect(eveHeard).toEqual([]);
    const eveJoin = await call(eveOnA, 'room:join', { roomId: id, afterSeq: 0 });
    expect(eveJoin).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });

    sockets.forEach((s) => s.close());
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 120_000);
});
