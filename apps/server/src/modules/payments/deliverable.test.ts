import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Message, Payment, PaymentUpdatedPayload } from '@chatpop/protocol';
import { backend, call, collect, connectSocket, guestJoins, hostWithChat, startApp, until, type ClientSocket, type HttpClient, type TestApp } from '../../../test/harness';

// Paid messages and seats pass the chat's rules before any charge and again when the money arrives; what can no
// longer be delivered then is refunded in full and the payer is told (docs/payments.md, "Deliverable").

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp({ env: { PAYMENTS_SWEEP_MS: '100' } });
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

let keyCounter = 0;
const key = () => `deliver-${Date.now()}-${++keyCounter}`;

const ALL_ON = { tips: { enabled: true }, pins: { enabled: true, basePriceCents: 100 }, backroom: { enabled: true, seatPriceCents: 500, seatLimit: 5 } };

async function shop(settings: Record<string, unknown> = {}) {
  const host = await hostWithChat(t, { settings: { ...ALL_ON, ...settings } });
  const fan = await guestJoins(t, host.chat.code);
  const { code, roomId } = host.chat;
  return {
    host,
    fan,
    code,
    roomId,
    settings: (s: Record<string, unknown>) => host.client.patch(`/api/chats/${code}`, { settings: s }),
    ban: () => host.client.post(`/api/chats/${code}/members/${fan.member.id}/moderate`, { action: 'ban' }),
  };
}

const tip = (c: HttpClient, code: string, note?: string) => c.post(`/api/chats/${code}/tips`, { amountCents: 300, ...(note ? { note } : {}), idempotencyKey: key() });
const pin = (c: HttpClient, code: string, text: string) => c.post(`/api/chats/${code}/pins`, { text, amountCents: 100, quotedCents: 100, idempotencyKey: key() });
const seat = (c: HttpClient, code: string) => c.post(`/api/chats/${code}/backroom/seats`, { idempotencyKey: key() });
const confirm = (c: HttpClient, id: string) => c.post(`/api/payments/${id}/confirm`, { outcome: 'succeed' });

async function started(res: { status: number; body: any }): Promise<Payment> {
  if (res.status !== 201) throw new Error(`purchase: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.payment;
}

async function paymentCount(roomId: string): Promise<number> {
  const res = await t.app.ctx.db.execute(sql`select count(*)::int as n from payments where room_id = ${roomId}::uuid`);
  return (res as unknown as { rows: { n: number }[] }).rows[0]!.n;
}

const paidMessages = async (c: HttpClient, code: string) =>
  ((await c.get(`/api/chats/${code}/messages`)).body.messages as Message[]).filter((m) => m.type === 'tip' || m.type === 'pin');

/** A refunded payment as its payer reads it: in full, never delivered, with the reason. */
function expectRefunded(payment: Payment, reason: RegExp) {
  expect(payment).toMatchObject({ status: 'refunded', completedAt: null, checkout: null });
  expect(payment.refundedAt).not.toBeNull();
  expect(payment.failureReason).toMatch(reason);
  expect(payment.failureReason).toMatch(/refunded in full/i);
}

describe(`before any charge (${backend})`, () => {
  it('a locked or ended chat refuses paid messages with a clear code, and lockdown refuses paid links; nothing is charged', async () => {
    const s = await shop();
    expect((await s.settings({ locked: true })).status).toBe(200);
    for (const res of [await tip(s.fan.client, s.code, 'hi'), await pin(s.fan.client, s.code, 'hello all')]) {
      expect([res.status, res.body.error?.code]).toEqual([403, 'CHAT_LOCKED']);
      expect(res.body.error.message).toMatch(/locked/);
    }
    // A seat is for the Back Room, which a lock of the chat does not close.
    expect((await seat(s.fan.client, s.code)).status).toBe(201);
    expect((await s.settings({ locked: false, lockdown: { active: true, slowModeSeconds: 0, newcomerMinutes: 0, blockLinks: true } })).status).toBe(200);
    for (const text of ['see example.com', 'https://spam.example/x', 'go to exa\u200bmple.com now']) {
      for (const res of [await tip(s.fan.client, s.code, text), await pin(s.fan.client, s.code, text)]) {
        expect([text, res.status, res.body.error?.code]).toEqual([text, 400, 'LINKS_BLOCKED']);
      }
    }
    // Text without a link passes lockdown (paid messages skip its waits).
    expect((await pin(s.fan.client, s.code, 'no links here')).status).toBe(201);
    const before = await paymentCount(s.roomId);
    expect((await s.host.client.post(`/api/chats/${s.code}/end`)).status).toBe(200);
    for (const res of [await tip(s.fan.client, s.code), await pin(s.fan.client, s.code, 'too late'), await seat(s.fan.client, s.code)]) {
      expect([res.status, res.body.error?.code]).toEqual([403, 'CHAT_LOCKED']);
    }
    expect(await paymentCount(s.roomId)).toBe(before);
  });
});

describe(`when the money arrives (${backend})`, () => {
  it('a tip paid after a ban is refunded in full, never posted, and the payer is told', async () => {
    const s = await shop();
    const fanSocket = await connectSocket(t.url, [s.fan.token]);
    sockets.push(fanSocket);
    expect((await call(fanSocket, 'room:join', { roomId: s.roomId, afterSeq: 0 })).ok).toBe(true);
    const updates = collect<PaymentUpdatedPayload>(fanSocket, 'payment:updated');
    const payment = await started(await tip(s.fan.client, s.code, 'thanks!'));
    expect((await s.ban()).status).toBe(200);

    const res = await confirm(s.fan.client, payment.id);
    expect(res.status).toBe(200);
    expectRefunded(res.body.payment, /banned/);
    expect(res.body.payment.messageId).toBeNull();
    // Told live on the connection they still had, and on the receipt.
    await until(() => updates.some((u) => u.payment.id === payment.id && u.payment.status === 'refunded'), 5000, 'payment:updated refunded');
    const receipt = (await s.fan.client.get(`/api/payments/${payment.id}`)).body.payment as Payment;
    expectRefunded(receipt, /banned/);
    expect(await paidMessages(s.host.client, s.code)).toEqual([]);
    // Confirming again changes nothing and says the same.
    const again = await confirm(s.fan.client, payment.id);
    expect([again.status, again.body.payment?.status]).toEqual([200, 'refunded']);
    const earnings = (await s.host.client.get('/api/earnings')).body;
    expect(earnings.total).toMatchObject({ netCents: 0, refundedCents: 300 });
  });

  it('a pin paid after the chat ended, and a tip paid while it is locked, are refunded and never posted', async () => {
    const s = await shop();
    const pinPayment = await started(await pin(s.fan.client, s.code, 'look at me'));
    const tipPayment = await started(await tip(s.fan.client, s.code, 'for you'));
    expect((await s.settings({ locked: true })).status).toBe(200);
    expectRefunded((await confirm(s.fan.client, tipPayment.id)).body.payment, /locked/);
    expect((await s.host.client.post(`/api/chats/${s.code}/end`)).status).toBe(200);
    expectRefunded((await confirm(s.fan.client, pinPayment.id)).body.payment, /ended/);
    expect(await paidMessages(s.host.client, s.code)).toEqual([]);
    const money = (await s.host.client.get(`/api/chats/${s.code}/money`)).body;
    expect(money.pins).toMatchObject({ pins: [], quoteCents: 100 });
  });

  it('paid text the rules refuse by the time it is paid is refunded: a new blocked term, lockdown on links', async () => {
    const s = await shop();
    const pinPayment = await started(await pin(s.fan.client, s.code, 'my shop at example.com'));
    const tipPayment = await started(await tip(s.fan.client, s.code, 'buy crypto now'));
    expect((await s.settings({ blockedTerms: ['crypto'], lockdown: { active: true, slowModeSeconds: 0, newcomerMinutes: 0, blockLinks: true } })).status).toBe(200);
    expectRefunded((await confirm(s.fan.client, pinPayment.id)).body.payment, /links/i);
    expectRefunded((await confirm(s.fan.client, tipPayment.id)).body.payment, /crypto/);
    expect(await paidMessages(s.host.client, s.code)).toEqual([]);
    // What still passes is delivered as before.
    const ok = await started(await tip(s.fan.client, s.code, 'plain thanks'));
    expect((await confirm(s.fan.client, ok.id)).body.payment.status).toBe('succeeded');
    expect((await paidMessages(s.host.client, s.code)).map((m) => m.content)).toEqual(['plain thanks']);
  });

  it('a pin of a message deleted before the payment is refunded', async () => {
    const s = await shop();
    const fanSocket = await connectSocket(t.url, [s.fan.token]);
    sockets.push(fanSocket);
    expect((await call(fanSocket, 'room:join', { roomId: s.roomId, afterSeq: 0 })).ok).toBe(true);
    const sent = await call<{ message: Message }>(fanSocket, 'message:send', { roomId: s.roomId, clientId: `c${Date.now()}x`, content: 'pin this one' });
    if (!sent.ok) throw new Error(sent.error.code);
    const res = await s.fan.client.post(`/api/chats/${s.code}/pins`, { messageId: sent.message.id, amountCents: 100, quotedCents: 100, idempotencyKey: key() });
    const payment = await started(res);
    expect((await s.host.client.request('DELETE', `/api/chats/${s.code}/messages/${sent.message.id}`, undefined, { 'x-chatpop-csrf': '1' })).status).toBe(200);
    expectRefunded((await confirm(s.fan.client, payment.id)).body.payment, /not in this chat/);
    expect((await s.host.client.get(`/api/chats/${s.code}/money`)).body.pins.pins).toEqual([]);
  });

  it('a seat bought before a ban does not open the Back Room after it; the seat goes back on sale', async () => {
    const s = await shop();
    const payment = await started(await seat(s.fan.client, s.code));
    expect((await s.fan.client.get(`/api/chats/${s.code}/money`)).body.backroom.seatsTaken).toBe(1);
    expect((await s.ban()).status).toBe(200);
    const res = await confirm(s.fan.client, payment.id);
    expectRefunded(res.body.payment, /banned/);
    const money = (await s.host.client.get(`/api/chats/${s.code}/money`)).body;
    expect(money.backroom).toMatchObject({ seatsTaken: 0, full: false });
    const members = (await s.host.client.get(`/api/chats/${s.code}/backroom/members`)).body.members as { username: string }[];
    expect(members.map((m) => m.username)).not.toContain(s.fan.member.username);
  });
});
