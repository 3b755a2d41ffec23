import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Message, Payment, PaymentUpdatedPayload } from '@chatpop/protocol';
import { call, collect, connectSocket, guestJoins, hostWithChat, until, startApp, type ClientSocket, type TestApp } from '../../../test/harness';
import { roomCacheKey } from '../messages/service';

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp({ env: { PAYMENT_HOLD_SECONDS: '2', PAYMENTS_SWEEP_MS: '100' } });
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

let keyCounter = 0;
const key = () => `key-${Date.now()}-${++keyCounter}`;

async function tipsChat(extra: Record<string, unknown> = {}) {
  const host = await hostWithChat(t, { settings: { tips: { enabled: true }, ...extra } });
  const fan = await guestJoins(t, host.chat.code);
  return { host, fan, code: host.chat.code, roomId: host.chat.roomId };
}

async function ledger() {
  const res = await t.app.ctx.db.execute(sql`select count(*)::int as n, coalesce(sum(amount_cents - fee_cents - net_cents), 0)::int as off from payments`);
  return (res as unknown as { rows: { n: number; off: number }[] }).rows[0]!;
}

describe('tips on the test provider', () => {
  it('a tip is pending until confirmed, then a tip message reaches the room once', async () => {
    const { fan, code, roomId } = await tipsChat();
    const s = await connectSocket(t.url, [fan.token]);
    sockets.push(s);
    expect((await call(s, 'room:join', { roomId, afterSeq: 0 })).ok).toBe(true);
    const seen = collect<Message>(s, 'message:new');
    const updates = collect<PaymentUpdatedPayload>(s, 'payment:updated');

    const res = await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 300, note: 'Great show!', idempotencyKey: key() });
    expect(res.status).toBe(201);
    const payment = res.body.payment as Payment;
    expect(payment).toMatchObject({ status: 'pending', purpose: 'tip', amountCents: 300, currency: 'usd', provider: 'test', feeCents: 30, netCents: 270 });
    expect(payment.checkout).toEqual({ provider: 'test', path: `/pay/${payment.id}` });
    expect(seen.filter((m) => m.type === 'tip')).toHaveLength(0);

    const confirmed = await fan.client.post(`/api/payments/${payment.id}/confirm`, { outcome: 'succeed' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.payment).toMatchObject({ status: 'succeeded', checkout: null });
    await until(() => seen.some((m) => m.type === 'tip'), 3000, 'tip message');
    const tipMessage = seen.find((m) => m.type === 'tip')!;
    expect(tipMessage).toMatchObject({ content: 'Great show!', amountCents: 300, username: fan.member.username });
    expect(confirmed.body.payment.messageId).toBe(tipMessage.id);

    // The same confirm again, and once more at once: one effect.
    const again = await Promise.all([1, 2, 3].map(() => fan.client.post(`/api/payments/${payment.id}/confirm`, { outcome: 'succeed' })));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    const declineLate = await fan.client.post(`/api/payments/${payment.id}/confirm`, { outcome: 'decline' });
    expect(declineLate.status).toBe(409);
    expect(declineLate.body.error.code).toBe('PAYMENT_STATE');
    const history = await fan.client.get(`/api/chats/${code}/messages`);
    expect(history.body.messages.filter((m: Message) => m.type === 'tip')).toHaveLength(1);
    await until(() => updates.some((u) => u.payment.status === 'succeeded'), 3000, 'payment update');
  });

  it('a tip confirmed again after its announcement was lost reaches the cache and the room again, stored once', async () => {
    const { fan, code, roomId } = await tipsChat();
    const payment = (await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 500, note: 'Lost and found', idempotencyKey: key() })).body.payment as Payment;
    expect((await fan.client.post(`/api/payments/${payment.id}/confirm`, { outcome: 'succeed' })).status).toBe(200);
    // As if the node had died between the commit and the announcement: nothing cached, nobody told.
    const room = (await t.app.ctx.rooms.byRoomId(roomId))!;
    const cacheKey = await roomCacheKey(t.app.ctx, room);
    await t.app.ctx.cache.drop(cacheKey);
    const s = await connectSocket(t.url, [fan.token]);
    sockets.push(s);
    const joined = await call<{ lastSeq: number }>(s, 'room:join', { roomId, afterSeq: 0 });
    const seen = collect<Message>(s, 'message:new');

    const again = await fan.client.post(`/api/payments/${payment.id}/confirm`, { outcome: 'succeed' });
    expect(again.status).toBe(200);
    await until(() => seen.some((m) => m.type === 'tip' && m.content === 'Lost and found'), 3000, 'the tip broadcast again');
    const tip = seen.find((m) => m.type === 'tip')!;
    expect(joined.ok && tip.seq).toBe(joined.ok && joined.lastSeq);
    expect((await t.app.ctx.cache.range(cacheKey, tip.seq, tip.seq)).messages.map((m) => m.id)).toEqual([tip.id]);
    const history = await fan.client.get(`/api/chats/${code}/messages`);
    expect(history.body.messages.filter((m: Message) => m.type === 'tip').map((m: Message) => m.id)).toEqual([tip.id]);
  });

  it('a declined tip writes nothing; a tip without a note says so', async () => {
    const { fan, code } = await tipsChat();
    const declined = (await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 100, idempotencyKey: key() })).body.payment as Payment;
    const res = await fan.client.post(`/api/payments/${declined.id}/confirm`, { outcome: 'decline' });
    expect(res.status).toBe(200);
    expect(res.body.payment).toMatchObject({ status: 'failed' });
    expect((await fan.client.post(`/api/payments/${declined.id}/confirm`, { outcome: 'succeed' })).body.error.code).toBe('PAYMENT_STATE');
    const ok = (await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 100, idempotencyKey: key() })).body.payment as Payment;
    await fan.client.post(`/api/payments/${ok.id}/confirm`, { outcome: 'succeed' });
    const tipsSeen = (await fan.client.get(`/api/chats/${code}/messages`)).body.messages.filter((m: Message) => m.type === 'tip');
    expect(tipsSeen).toHaveLength(1);
    expect(tipsSeen[0].content).toBe('Tipped the host');
  });

  it('the same idempotency key gives the same payment; with another body it is refused', async () => {
    const { fan, code } = await tipsChat();
    const k = key();
    const first = await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 500, idempotencyKey: k });
    const second = await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 500, idempotencyKey: k });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.payment.id).toBe(first.body.payment.id);
    const racing = await Promise.all([1, 2, 3, 4].map(() => fan.client.post(`/api/chats/${code}/tips`, { amountCents: 700, idempotencyKey: `${k}-race` })));
    expect(new Set(racing.map((r) => r.body.payment.id)).size).toBe(1);
    const other = await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 600, idempotencyKey: k });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses bad tips with a code and changes nothing', async () => {
    const { host, fan, code } = await tipsChat({ blockedTerms: ['spoiler'] });
    const before = await ledger();
    const cases: [unknown, number, string][] = [
      [{ amountCents: 99, idempotencyKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ amountCents: 50_001, idempotencyKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ amountCents: 100 }, 400, 'VALIDATION_FAILED'],
      [{ amountCents: 100, note: 'x'.repeat(201), idempotencyKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ amountCents: 100, note: 'big SPOILER ahead', idempotencyKey: key() }, 400, 'BLOCKED_TERM'],
      [{ amountCents: 100, note: 'you are a shit host', idempotencyKey: key() }, 400, 'CONTENT_PROFANE'],
    ];
    for (const [body, status, code2] of cases) {
      const res = await fan.client.post(`/api/chats/${code}/tips`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code).toBe(code2);
      expect(res.body.error.message).toBeTruthy();
    }
    // The host tips nobody; a visitor who has not joined cannot pay.
    expect((await host.client.post(`/api/chats/${code}/tips`, { amountCents: 100, idempotencyKey: key() })).body.error.code).toBe('FORBIDDEN');
    expect((await t.client().post(`/api/chats/${code}/tips`, { amountCents: 100, idempotencyKey: key() })).body.error.code).toBe('NOT_A_MEMBER');
    // Tips off: 403.
    const off = await hostWithChat(t);
    const guest = await guestJoins(t, off.chat.code);
    const disabled = await guest.client.post(`/api/chats/${off.chat.code}/tips`, { amountCents: 100, idempotencyKey: key() });
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.code).toBe('FEATURE_DISABLED');
    expect((await ledger()).n).toBe(before.n);
  });

  it('a timed-out participant cannot tip; a banned one cannot pay at all', async () => {
    const { host, fan, code } = await tipsChat({ backroom: { enabled: true, seatPriceCents: 500, seatLimit: 5 } });
    await host.client.post(`/api/chats/${code}/members/${fan.member.id}/moderate`, { action: 'timeout', seconds: 60 });
    expect((await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 100, idempotencyKey: key() })).body.error.code).toBe('TIMED_OUT');
    await host.client.post(`/api/chats/${code}/members/${fan.member.id}/moderate`, { action: 'ban' });
    expect((await fan.client.post(`/api/chats/${code}/backroom/seats`, { idempotencyKey: key() })).body.error.code).toBe('BANNED');
  });
});

describe('ledger, settings, receipts and earnings', () => {
  it('the fee follows the runtime setting and the ledger refuses an unbalanced row', async () => {
    await t.app.ctx.settings.set('platformFeeBasisPoints', 1500);
    try {
      const { fan, code } = await tipsChat();
      const p = (await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 1_001, idempotencyKey: key() })).body.payment;
      expect(p).toMatchObject({ amountCents: 1_001, feeCents: 150, netCents: 851 });
    } finally {
      await t.app.ctx.settings.set('platformFeeBasisPoints', 1000);
    }
    await expect(t.app.ctx.db.execute(sql`update payments set fee_cents = fee_cents + 1`)).rejects.toThrow();
    expect((await ledger()).off).toBe(0);
  });

  it('the daily spending cap counts pending and paid payments', async () => {
    await t.app.ctx.settings.set('dailySpendingCapCents', 1_000);
    try {
      const { fan, code } = await tipsChat();
      const a = await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 600, idempotencyKey: key() });
      expect(a.status).toBe(201);
      await fan.client.post(`/api/payments/${a.body.payment.id}/confirm`, { outcome: 'succeed' });
      const b = await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 400, idempotencyKey: key() });
      expect(b.status).toBe(201);
      const c = await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 100, idempotencyKey: key() });
      expect(c.status).toBe(403);
      expect(c.body.error).toMatchObject({ code: 'SPENDING_CAP_REACHED', details: { capCents: 1_000, spentCents: 1_000 } });
      // A declined payment gives its share back.
      await fan.client.post(`/api/payments/${b.body.payment.id}/confirm`, { outcome: 'decline' });
      expect((await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 100, idempotencyKey: key() })).status).toBe(201);
    } finally {
      await t.app.ctx.settings.set('dailySpendingCapCents', 50_000);
    }
  });

  it('a pending payment that is never completed expires', async () => {
    const { fan, code } = await tipsChat();
    const p = (await fan.client.post(`/api/chats/${code}/tips`, { amountCents: 200, idempotencyKey: key() })).body.payment as Payment;
    await until(async () => (await fan.client.get(`/api/payments/${p.id}`)).body.payment.status === 'expired', 6000, 'expiry');
    const late = await fan.client.post(`/api/payments/${p.id}/confirm`, { outcome: 'succeed' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('PAYMENT_STATE');
    expect((await fan.client.get(`/api/chats/${code}/messages`)).body.messages.filter((m: Message) => m.type === 'tip')).toHaveLength(0);
  });

  it('receipts for the payer, earnings and refunds for the host, nothing for anyone else', async () => {
    const { host, fan, code } = await tipsChat();
    const other = await guestJoins(t, code);
    const ids: string[] = [];
    for (const amount of [300, 1_000]) {
      const p = (await fan.client.post(`/api/chats/${code}/tips`, { amountCents: amount, idempotencyKey: key() })).body.payment;
      await fan.client.post(`/api/payments/${p.id}/confirm`, { outcome: 'succeed' });
      ids.push(p.id);
    }
    const receipts = (await fan.client.get('/api/payments')).body.payments as Payment[];
    expect(receipts.map((r) => r.id)).toEqual([...ids].reverse());
    expect(receipts[0]).toMatchObject({ description: expect.stringContaining('Tip to the host'), chat: { code } });
    expect((await other.client.get('/api/payments')).body.payments).toEqual([]);
    expect((await other.client.get(`/api/payments/${ids[0]}`)).status).toBe(404);
    expect((await other.client.post(`/api/payments/${ids[0]}/confirm`, { outcome: 'succeed' })).status).toBe(404);
    expect((await other.client.post(`/api/payments/${ids[0]}/refund`)).status).toBe(404);
    expect((await fan.client.post(`/api/payments/${ids[0]}/refund`)).body.error.code).toBe('FORBIDDEN');
    // The host sees the payment with the payer's name, but cannot confirm it.
    const hostView = await host.client.get(`/api/payments/${ids[0]}`);
    expect(hostView.body.payment.payer.username).toBe(fan.member.username);
    expect((await host.client.post(`/api/payments/${ids[0]}/confirm`, { outcome: 'succeed' })).status).toBe(404);

    const refunded = await host.client.post(`/api/payments/${ids[0]}/refund`);
    expect(refunded.status).toBe(200);
    expect(refunded.body.payment).toMatchObject({ status: 'refunded' });
    expect((await host.client.post(`/api/payments/${ids[0]}/refund`)).body.error.code).toBe('PAYMENT_STATE');

    const earnings = (await host.client.get('/api/earnings')).body;
    expect(earnings.total).toEqual({ count: 2, grossCents: 1_300, feeCents: 100, netCents: 900, refundedCents: 300 });
    expect(earnings.chats).toEqual([expect.objectContaining({ code, count: 2, grossCents: 1_300, refundedCents: 300 })]);
    expect(earnings.payments).toHaveLength(2);
    expect((await t.client().get('/api/earnings')).status).toBe(401);
    const stranger = await hostWithChat(t);
    expect((await stranger.client.get('/api/earnings')).body.total.count).toBe(0);
  });
});
