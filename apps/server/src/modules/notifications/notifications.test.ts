import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Message, Notification, NotificationNewPayload, NotificationsReadPayload } from '@chatpop/protocol';
import { userBlocks } from '../../db/schema';
import {
  call,
  collect,
  connectAccountSocket,
  connectSocket,
  guestJoins,
  hostWithChat,
  inboxPerson,
  seedMessages,
  startApp,
  until,
  type ClientSocket,
  type InboxPerson,
  type TestApp,
} from '../../../test/harness';

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

const person = (prefix: string) => inboxPerson(t, prefix);
const settled = () => t.app.ctx.notifications.idle();

async function socketOf(p: InboxPerson, chatTokens: string[] = []) {
  const s = await connectAccountSocket(t.url, p.client, { chatTokens });
  sockets.push(s);
  return s;
}

const joinedRooms = new WeakMap<ClientSocket, Set<string>>();

/** Sends as the socket's account, joining the room first as the web does when it opens a conversation. */
async function send(socket: ClientSocket, roomId: string, content: string, replyToId?: string) {
  const joined = joinedRooms.get(socket) ?? new Set<string>();
  joinedRooms.set(socket, joined);
  if (!joined.has(roomId)) {
    const res = await call(socket, 'room:join', { roomId, afterSeq: 0 });
    if (!res.ok) throw new Error(`join failed: ${JSON.stringify(res.error)}`);
    joined.add(roomId);
  }
  const res = await call<{ message: Message }>(socket, 'message:send', { roomId, clientId: `c-${randomBytes(6).toString('hex')}`, content, ...(replyToId ? { replyToId } : {}) });
  if (!res.ok) throw new Error(`send failed: ${JSON.stringify(res.error)}`);
  return res.message;
}

async function direct(a: InboxPerson, b: InboxPerson): Promise<string> {
  const res = await a.client.post('/api/conversations/direct', { username: b.username });
  expect([200, 201]).toContain(res.status);
  return res.body.conversation.id;
}

async function group(a: InboxPerson, others: InboxPerson[]): Promise<string> {
  const res = await a.client.post('/api/conversations/groups', { usernames: others.map((o) => o.username), name: 'Notify group' });
  expect(res.status).toBe(201);
  return res.body.conversation.id;
}

async function bell(p: InboxPerson, query = ''): Promise<{ notifications: Notification[]; unread: number; nextCursor: string | null }> {
  await settled();
  const res = await p.client.get(`/api/notifications${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('notifications from messages', () => {
  it('tells of a direct message, a mention and a reply, live and in the list, with deep links', async () => {
    const [ann, bob, cy] = await Promise.all([person('nann'), person('nbob'), person('ncy')]);
    const dm = await direct(ann, bob);
    const annSocket = await socketOf(ann);
    const bobSocket = await socketOf(bob);
    const bobHeard = collect<NotificationNewPayload>(bobSocket, 'notification:new');

    const hello = await send(annSocket, dm, 'hello bob');
    await until(() => bobHeard.length === 1, 5_000, 'the direct message notification');
    expect(bobHeard[0]!.unread).toBe(1);
    expect(bobHeard[0]!.notification).toMatchObject({
      kind: 'direct_message',
      count: 1,
      read: false,
      actor: { userId: ann.id, username: ann.username },
      room: { id: dm, kind: 'direct', code: null },
      messageId: hello.id,
      seq: hello.seq,
      preview: 'hello bob',
      link: `/inbox/${dm}?at=${hello.seq}`,
    });
    // The author is told nothing of their own message.
    expect((await bell(ann)).notifications).toEqual([]);

    const g = await group(ann, [bob, cy]);
    const cyHeard = collect<NotificationNewPayload>(await socketOf(cy), 'notification:new');
    // Named twice in one message: one notification. Case does not matter.
    const mention = await send(annSocket, g, `hey @${cy.username.toUpperCase()} and again @${cy.username}, ann@example.com is not a mention`);
    await until(() => cyHeard.some((e) => e.notification.kind === 'mention'), 5_000, 'the mention');
    const cyBell = await bell(cy);
    const cyMention = cyBell.notifications.find((n) => n.kind === 'mention')!;
    expect(cyMention).toMatchObject({ count: 1, messageId: mention.id, link: `/inbox/${g}?at=${mention.seq}`, room: { kind: 'group', name: 'Notify group' } });
    expect(cyBell.notifications.filter((n) => n.kind === 'mention')).toHaveLength(1);
    // Bob, in the group but not named, has no mention.
    expect((await bell(bob)).notifications.some((n) => n.kind === 'mention')).toBe(false);

    // Bob replies to Cy's message: Cy hears of the reply; a reply that also mentions says mention, once.
    const cyMessage = await send(sockets.at(-1)!, g, 'a question from cy');
    await send(bobSocket, g, 'an answer', cyMessage.id);
    await until(() => cyHeard.some((e) => e.notification.kind === 'reply'), 5_000, 'the reply');
    const reply = (await bell(cy)).notifications.find((n) => n.kind === 'reply')!;
    expect(reply).toMatchObject({ actor: { username: bob.username }, preview: 'an answer', room: { id: g } });
    // Replying to your own message tells nobody.
    const before = (await bell(cy)).notifications.length;
    await send(sockets.at(-1)!, g, 'talking to myself', cyMessage.id);
    expect((await bell(cy)).notifications.length).toBe(before);
  });

  it('tells an account of a mention in a pop chat, never an anonymous participant, once per message', async () => {
    const host = await hostWithChat(t);
    const fan = await person('npop');
    const joined = await fan.client.post(`/api/chats/${host.chat.code}/join`, {});
    expect([200, 201]).toContain(joined.status);
    const guest = await guestJoins(t, host.chat.code);
    const guestSocket = await connectSocket(t.url, [guest.token]);
    sockets.push(guestSocket);
    expect((await call(guestSocket, 'room:join', { roomId: host.chat.roomId, afterSeq: 0 })).ok).toBe(true);

    const sent = await send(guestSocket, host.chat.roomId, `@${fan.username} what do you think? @${guest.member.username}`);
    await until(async () => (await bell(fan)).notifications.length === 1, 5_000, 'the pop chat mention');
    const [n] = (await bell(fan)).notifications;
    expect(n).toMatchObject({
      kind: 'mention',
      actor: { userId: null, username: guest.member.username },
      room: { id: host.chat.roomId, kind: 'pop', code: host.chat.code },
      link: `/chat/${host.chat.code}?at=${sent.seq}`,
    });
  });

  it('gathers 100 mentions within a minute into one notification that counts them', async () => {
    const host = await hostWithChat(t);
    const fan = await person('nbusy');
    expect([200, 201]).toContain((await fan.client.post(`/api/chats/${host.chat.code}/join`, {})).status);
    const heard = collect<NotificationNewPayload>(await socketOf(fan), 'notification:new');
    const guest = await guestJoins(t, host.chat.code);
    const sent = await seedMessages(t, host.chat.roomId, guest.member.id, 100, `@${fan.username} ping`);
    const { notifications, unread } = await bell(fan);
    expect(notifications).toHaveLength(1);
    expect(unread).toBe(1);
    expect(notifications[0]).toMatchObject({ kind: 'mention', count: 100, messageId: sent.at(-1)!.id, seq: sent.at(-1)!.seq });
    // Live, each event is the same notification counting up: the bell shows one.
    await until(() => heard.length === 100, 5_000, 'the live events');
    expect(new Set(heard.map((e) => e.notification.id)).size).toBe(1);
    expect(heard.at(-1)!.notification.count).toBe(100);

    // Once read, the next mention starts a new one.
    expect((await fan.client.post('/api/notifications/read', { all: true })).status).toBe(200);
    await seedMessages(t, host.chat.roomId, guest.member.id, 1, `@${fan.username} again`);
    const after = await bell(fan);
    expect(after.notifications.map((n) => [n.count, n.read])).toEqual([
      [1, false],
      [100, true],
    ]);
  });
});

describe('who is not notified', () => {
  it('a muted conversation and a block either way produce none', async () => {
    const [ann, bob, cy, dee] = await Promise.all([person('mann'), person('mbob'), person('mcy'), person('mdee')]);
    const annSocket = await socketOf(ann);

    // Bob muted his conversation with Ann.
    const muted = await direct(ann, bob);
    expect((await bob.client.post(`/api/conversations/${muted}/mute`, { duration: 'always' })).status).toBe(200);
    await send(annSocket, muted, `@${bob.username} are you there?`);

    // Cy blocked Ann; Ann blocked Dee.
    const db = t.app.ctx.db;
    await db.insert(userBlocks).values([
      { blockerId: cy.id, blockedId: ann.id },
      { blockerId: ann.id, blockedId: dee.id },
    ]);
    const g = await group(bob, [ann, cy, dee]);
    await send(annSocket, g, `@${cy.username} @${dee.username} @${bob.username} hi all`);

    await settled();
    expect((await bell(bob)).notifications.map((n) => n.kind)).toEqual(['mention']);
    expect((await bell(bob)).notifications[0]!.room!.id).toBe(g);
    // Cy and Dee were added to the group by Bob (no block with him), and hear nothing from Ann.
    expect((await bell(cy)).notifications.map((n) => n.kind)).toEqual(['group_added']);
    expect((await bell(dee)).notifications.map((n) => n.kind)).toEqual(['group_added']);
  });

  it('stores as read, without a push, what happens in the conversation the user has open', async () => {
    const [ann, bob] = await Promise.all([person('vann'), person('vbob')]);
    const dm = await direct(ann, bob);
    const bobSocket = await socketOf(bob);
    expect((await call(bobSocket, 'room:join', { roomId: dm, afterSeq: 0 })).ok).toBe(true);
    await send(await socketOf(ann), dm, 'you are looking at this');
    const { notifications, unread } = await bell(bob);
    expect(notifications.map((n) => [n.kind, n.read])).toEqual([['direct_message', true]]);
    expect(unread).toBe(0);
  });
});

describe('notifications from groups and money', () => {
  it('tells the people added to a group, by whom', async () => {
    const [ann, bob, cy, dee] = await Promise.all([person('gann'), person('gbob'), person('gcy'), person('gdee')]);
    const g = await group(ann, [bob, cy]);
    const bobBell = await bell(bob);
    expect(bobBell.notifications).toMatchObject([{ kind: 'group_added', actor: { userId: ann.id }, room: { id: g, name: 'Notify group' }, link: `/inbox/${g}` }]);
    expect((await bell(ann)).notifications).toEqual([]);
    expect((await ann.client.post(`/api/conversations/${g}/members`, { usernames: [dee.username] })).status).toBe(200);
    expect((await bell(dee)).notifications).toMatchObject([{ kind: 'group_added', actor: { username: ann.username } }]);
  });

  it('tells the host of a tip and a payer whose pin was outbid', async () => {
    const host = await hostWithChat(t, { settings: { tips: { enabled: true }, pins: { enabled: true, basePriceCents: 100 } } });
    const hostPerson: InboxPerson = { client: host.client, id: host.user.id, username: host.user.username! };
    const [first, second] = await Promise.all([person('pfirst'), person('psecond')]);
    for (const p of [first, second]) expect([200, 201]).toContain((await p.client.post(`/api/chats/${host.chat.code}/join`, {})).status);
    const key = () => randomUUID();
    const pay = async (p: InboxPerson, path: string, body: Record<string, unknown>) => {
      const res = await p.client.post(`/api/chats/${host.chat.code}/${path}`, { ...body, idempotencyKey: key() });
      expect(res.status).toBe(201);
      expect((await p.client.post(`/api/payments/${res.body.payment.id}/confirm`, { outcome: 'succeed' })).status).toBe(200);
    };
    await pay(first, 'tips', { amountCents: 500, note: 'Great show' });
    await until(async () => (await bell(hostPerson)).notifications.length === 1, 5_000, 'the tip notification');
    expect((await bell(hostPerson)).notifications[0]).toMatchObject({
      kind: 'tip_received',
      amountCents: 500,
      actor: { userId: first.id, username: first.username },
      preview: 'Great show',
      room: { code: host.chat.code },
    });

    await pay(first, 'pins', { text: 'first pin', amountCents: 100, quotedCents: 100 });
    await pay(second, 'pins', { text: 'higher pin', amountCents: 200, quotedCents: 200 });
    await until(async () => (await bell(first)).notifications.length === 1, 5_000, 'the outbid notification');
    expect((await bell(first)).notifications[0]).toMatchObject({ kind: 'pin_outbid', amountCents: 200, actor: { username: second.username }, preview: 'higher pin' });
    // The one who outbid is not told of being outbid.
    expect((await bell(second)).notifications).toEqual([]);
  });

  it('takes any other kind through one call, contact requests included', async () => {
    const [ann, bob] = await Promise.all([person('cann'), person('cbob')]);
    const heard = collect<NotificationNewPayload>(await socketOf(bob), 'notification:new');
    t.app.ctx.notifications.notify(bob.id, { kind: 'contact_request', actorUserId: ann.id, actorName: ann.username });
    await until(() => heard.length === 1, 5_000, 'the contact request');
    expect(heard[0]!.notification).toMatchObject({ kind: 'contact_request', room: null, actor: { username: ann.username }, link: '/contacts' });
    // …and a block silences it too.
    await t.app.ctx.db.insert(userBlocks).values({ blockerId: bob.id, blockedId: ann.id });
    t.app.ctx.notifications.notify(bob.id, { kind: 'contact_request', actorUserId: ann.id, actorName: ann.username });
    expect((await bell(bob)).notifications).toHaveLength(1);
  });
});

describe('the bell', () => {
  it('marks one read and all read, on every device, and pages with a cursor', async () => {
    const [ann, bob] = await Promise.all([person('rann'), person('rbob')]);
    const annSocket = await socketOf(ann);
    // Five conversations, so five notifications that do not gather.
    for (let i = 0; i < 5; i++) {
      const [other] = await Promise.all([person(`rx${i}`)]);
      const g = await group(other, [bob, ann]);
      await send(annSocket, g, `@${bob.username} number ${i}`);
    }
    const all = await bell(bob);
    expect(all.unread).toBe(10); // five groups joined, five mentions
    const otherDevice = await socketOf(bob);
    const reads = collect<NotificationsReadPayload>(otherDevice, 'notifications:read');

    const page1 = await bell(bob, '?limit=4');
    expect(page1.notifications).toHaveLength(4);
    const page2 = await bell(bob, `?limit=4&cursor=${page1.nextCursor}`);
    const page3 = await bell(bob, `?limit=4&cursor=${page2.nextCursor}`);
    expect(page3.nextCursor).toBeNull();
    expect([...page1.notifications, ...page2.notifications, ...page3.notifications].map((n) => n.id)).toEqual(all.notifications.map((n) => n.id));

    const one = all.notifications[0]!;
    const read = await bob.client.post(`/api/notifications/${one.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ notification: { id: one.id, read: true }, unread: 9 });
    await until(() => reads.length === 1, 5_000, 'the read on the other device');
    expect(reads[0]).toEqual({ ids: [one.id], unread: 9 });
    expect((await bell(bob, '?unread=true')).notifications.map((n) => n.id)).not.toContain(one.id);

    const allRead = await bob.client.post('/api/notifications/read', { all: true });
    expect(allRead.body.unread).toBe(0);
    await until(() => reads.length === 2, 5_000, 'mark all read on the other device');
    expect(reads[1]).toEqual({ ids: null, unread: 0 });
    expect((await bell(bob)).notifications.every((n) => n.read)).toBe(true);
  });

  it('refuses someone else’s notification (404, nothing changes) and bad bodies (400)', async () => {
    const [ann, bob] = await Promise.all([person('xann'), person('xbob')]);
    await direct(ann, bob);
    await send(await socketOf(ann), await direct(ann, bob), 'for bob');
    const [theirs] = (await bell(bob)).notifications;
    expect(theirs).toBeDefined();

    const other = await ann.client.post(`/api/notifications/${theirs!.id}/read`);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOTIFICATION_NOT_FOUND');
    expect((await ann.client.post(`/api/notifications/not-an-id/read`)).body.error.code).toBe('NOTIFICATION_NOT_FOUND');
    const bulk = await ann.client.post('/api/notifications/read', { ids: [theirs!.id] });
    expect(bulk.status).toBe(404);
    expect((await bell(bob)).notifications[0]!.read).toBe(false);

    for (const body of [{}, { all: false }, { ids: [] }, { ids: ['nope'] }, { ids: [theirs!.id], all: true }]) {
      const res = await bob.client.post('/api/notifications/read', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await bob.client.get('/api/notifications?cursor=garbage')).status).toBe(400);
    expect((await bob.client.get('/api/notifications?limit=0')).status).toBe(400);
    expect((await t.client().get('/api/notifications')).status).toBe(401);
    expect((await bell(bob)).unread).toBe(1);
  });

  it('is right after a reconnect: what came while away is in the fetch', async () => {
    const [ann, bob] = await Promise.all([person('wann'), person('wbob')]);
    const dm = await direct(ann, bob);
    const annSocket = await socketOf(ann);
    const away = await socketOf(bob);
    away.close();
    await send(annSocket, dm, 'while you were away');
    const g = await group(ann, [bob, await person('wcy')]);
    await send(annSocket, g, `@${bob.username} see this`);
    await settled();
    const back = await socketOf(bob);
    const heard = collect<NotificationNewPayload>(back, 'notification:new');
    const { notifications, unread } = await bell(bob);
    expect(unread).toBe(3);
    expect(notifications.map((n) => n.kind).sort()).toEqual(['direct_message', 'group_added', 'mention']);
    await send(annSocket, dm, 'and now live');
    await until(() => heard.length === 1, 5_000, 'the live event after reconnect');
    // The direct messages gathered: still three unread.
    expect(heard[0]).toMatchObject({ unread: 3, notification: { kind: 'direct_message', count: 2 } });
  });
});

describe('reading a room reads its notifications', () => {
  it('a conversation read up to a message reads the notifications at or before it, on every device', async () => {
    const [ann, bob, cy] = await Promise.all([person('dann'), person('dbob'), person('dcy')]);
    const dm = await direct(ann, bob);
    const g = await group(cy, [ann, bob]);
    const annSocket = await socketOf(ann);
    const first = await send(annSocket, dm, 'one');
    const second = await send(annSocket, dm, 'two');
    await send(annSocket, g, `@${bob.username} over here`);
    const before = await bell(bob);
    expect(before.notifications.map((n) => [n.kind, n.count, n.read]).sort()).toEqual([
      ['direct_message', 2, false],
      ['group_added', 1, false],
      ['mention', 1, false],
    ]);
    const dmNote = before.notifications.find((n) => n.kind === 'direct_message')!;

    const phone = await socketOf(bob);
    const laptop = await socketOf(bob);
    const reads = collect<NotificationsReadPayload>(laptop, 'notifications:read');
    // Read up to the first message only: the notification points at the second, so it stays unread.
    expect((await call(phone, 'receipt:read', { roomId: dm, seq: first.seq })).ok).toBe(true);
    await settled();
    expect(reads).toEqual([]);
    expect((await bell(bob)).unread).toBe(3);

    expect((await call(phone, 'receipt:read', { roomId: dm, seq: second.seq })).ok).toBe(true);
    await until(() => reads.length === 1, 5_000, 'the read on the other device');
    expect(reads[0]).toEqual({ ids: [dmNote.id], unread: 2 });
    // The group's notifications are another room's: untouched.
    const after = await bell(bob);
    expect(after.unread).toBe(2);
    expect(after.notifications.filter((n) => !n.read).map((n) => n.room!.id)).toEqual([g, g]);
    // Ann opened the group to write in it, which read her "added to the group"; Bob's reads are his alone.
    expect((await bell(ann)).notifications.map((n) => [n.kind, n.read])).toEqual([['group_added', true]]);

    // The HTTP read does the same: the mention and "added to the group" go.
    const lastSeq = (await bob.client.get(`/api/conversations/${g}`)).body.conversation.lastSeq as number;
    expect((await bob.client.post(`/api/conversations/${g}/read`, { seq: lastSeq })).status).toBe(200);
    await until(() => reads.length === 2, 5_000, 'the group read on the other device');
    expect(reads[1]!.unread).toBe(0);
    expect(new Set(reads[1]!.ids)).toEqual(new Set(after.notifications.filter((n) => !n.read).map((n) => n.id)));
    expect((await bell(bob)).notifications.every((n) => n.read)).toBe(true);

    // A read that moves nothing announces nothing.
    expect((await call(phone, 'receipt:read', { roomId: dm, seq: second.seq })).ok).toBe(true);
    await settled();
    expect(reads).toHaveLength(2);
  });

  it('opening a conversation reads what is behind its watermark; a notification behind it is stored read', async () => {
    const [ann, bob, cy] = await Promise.all([person('oann'), person('obob'), person('ocy')]);
    const g = await group(ann, [bob, cy]);
    expect((await bell(bob)).unread).toBe(1);
    const laptop = await socketOf(bob);
    const reads = collect<NotificationsReadPayload>(laptop, 'notifications:read');
    // Opening the group (nothing new to read in it): "added to the group" is read.
    expect((await call(await socketOf(bob), 'room:join', { roomId: g, afterSeq: 0 })).ok).toBe(true);
    await until(() => reads.length === 1, 5_000, 'the group opened');
    expect(reads[0]!.unread).toBe(0);

    // Bob read up to a message (on a device) before the notification about it was worked out: it is stored read.
    const mention = await send(await socketOf(ann), g, `@${bob.username} early`);
    await settled();
    expect((await bob.client.post(`/api/conversations/${g}/read`, { seq: mention.seq })).status).toBe(200);
    t.app.ctx.notifications.notify(bob.id, {
      kind: 'mention',
      actorUserId: cy.id,
      actorName: cy.username,
      roomId: g,
      messageId: mention.id,
      seq: mention.seq,
      preview: 'late',
    });
    const { notifications, unread } = await bell(bob);
    expect(unread).toBe(0);
    expect(notifications.filter((n) => n.kind === 'mention').map((n) => n.read)).toEqual([true, true]);
  });

  it('opening a pop chat reads its notifications; an anonymous participation reads nobody’s', async () => {
    const host = await hostWithChat(t);
    const fan = await person('opop');
    const joined = await fan.client.post(`/api/chats/${host.chat.code}/join`, {});
    expect([200, 201]).toContain(joined.status);
    const guest = await guestJoins(t, host.chat.code);
    const guestSocket = await connectSocket(t.url, [guest.token]);
    sockets.push(guestSocket);
    await send(guestSocket, host.chat.roomId, `@${fan.username} look`);
    await until(async () => (await bell(fan)).unread === 1, 5_000, 'the pop chat mention');
    const [mention] = (await bell(fan)).notifications;

    const bellDevice = await socketOf(fan);
    const reads = collect<NotificationsReadPayload>(bellDevice, 'notifications:read');
    // The guest's own join of the room touches nobody's bell.
    await settled();
    expect(reads).toEqual([]);
    const chatDevice = await socketOf(fan, [joined.body.token]);
    expect((await call(chatDevice, 'room:join', { roomId: host.chat.roomId, afterSeq: 0 })).ok).toBe(true);
    await until(() => reads.length === 1, 5_000, 'the chat opened');
    expect(reads[0]).toEqual({ ids: [mention!.id], unread: 0 });
    expect((await bell(fan)).notifications.map((n) => n.read)).toEqual([true]);
  });
});
