import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import type { Message, Payment } from '@chatpop/protocol';
import { guestJoins, hostWithChat, startApp, until, type HttpClient, type TestApp } from '../../../test/harness';
import { startStripeStandIn, type StripeStandIn } from '../../../test/stripe-stand-in';

const WEBHOOK_SECRET = 'whsec_test_chatpop_0123456789';
const stripe = new Stripe('sk_test_unused_for_signing');

let t: TestApp;
let api: StripeStandIn;
beforeAll(async () => {
  api = await startStripeStandIn();
  t = await startApp({
    env: {
      STRIPE_SECRET_KEY: 'sk_test_chatpop',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_PUBLISHABLE_KEY: 'pk_test_chatpop',
      STRIPE_API_URL: api.url,
      PAYMENT_HOLD_SECONDS: '3',
      PAYMENTS_SWEEP_MS: '100',
    },
  });
});
afterAll(async () => {
  await t.destroy();
  await api.close();
});

let keyCounter = 0;
const key = () => `stripe-${Date.now()}-${++keyCounter}`;

function deliver(payload: string, opts: { secret?: string; timestamp?: number; header?: string } = {}) {
  const header =
    opts.header ??
    stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, ...(opts.timestamp ? { timestamp: opts.timestamp } : {}) });
  return t.client().request('POST', '/api/payments/webhook', payload, { 'stripe-signature': header });
}

async function chat() {
  const host = await hostWithChat(t, {
    settings: { tips: { enabled: true }, backroom: { enabled: true, seatPriceCents: 500, seatLimit: 1 }, pins: { enabled: true, basePriceCents: 100 } },
  });
  const fan = await guestJoins(t, host.chat.code);
  return { host, fan, code: host.chat.code };
}

async function tip(client: HttpClient, code: string, amountCents = 300): Promise<Payment> {
  const res = await client.post(`/api/chats/${code}/tips`, { amountCents, note: 'via Stripe', idempotencyKey: key() });
  if (res.status !== 201) throw new Error(`tip: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.payment;
}

const intentOf = (payment: Payment) => [...api.intents.values()].find((i) => i.metadata.paymentId === payment.id)!;
const tipCount = async (client: HttpClient, code: string) =>
  (await client.get(`/api/chats/${code}/messages`)).body.messages.filter((m: Message) => m.type === 'tip').length;

describe('Stripe through the SDK and a local stand-in of its API', () => {
  it('creates a PaymentIntent and gives the Payment Element what it needs', async () => {
    const { fan, code } = await chat();
    const payment = await tip(fan.client, code, 1_250);
    const intent = intentOf(payment);
    expect(intent).toMatchObject({ amount: 1_250, currency: 'usd', metadata: { paymentId: payment.id } });
    expect(payment).toMatchObject({ provider: 'stripe', status: 'pending' });
    expect(payment.checkout).toEqual({ provider: 'stripe', clientSecret: intent.client_secret, publishableKey: 'pk_test_chatpop' });
    expect((await t.client().get(`/api/chats/${code}/money`)).body.provider).toBe('stripe');
    // The test provider's confirm does not exist here.
    expect((await fan.client.post(`/api/payments/${payment.id}/confirm`, { outcome: 'succeed' })).status).toBe(404);
  });

  it('the same webhook five times, and out of order, has one effect', async () => {
    const { fan, code } = await chat();
    const payment = await tip(fan.client, code);
    const declined = api.pay(intentOf(payment).id, 'decline');
    const failedEvent = api.event('payment_intent.payment_failed', declined);
    expect((await deliver(failedEvent)).status).toBe(200);
    expect((await fan.client.get(`/api/payments/${payment.id}`)).body.payment).toMatchObject({ status: 'pending', failureReason: 'Your card was declined.' });

    const succeeded = api.event('payment_intent.succeeded', api.pay(intentOf(payment).id, 'succeed'));
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => deliver(succeeded)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // The late failure (delivered after the success) changes nothing.
    expect((await deliver(failedEvent)).status).toBe(200);
    expect((await deliver(api.event('payment_intent.canceled', { ...intentOf(payment), status: 'canceled' }))).status).toBe(200);
    const after = (await fan.client.get(`/api/payments/${payment.id}`)).body.payment;
    expect(after).toMatchObject({ status: 'succeeded', failureReason: null });
    expect(await tipCount(fan.client, code)).toBe(1);
  });

  it('verifies the signature: valid, tampered, wrong secret, old timestamp, missing', async () => {
    const { fan, code } = await chat();
    const payment = await tip(fan.client, code);
    // The event says succeeded; Stripe itself (the stand-in) still has it unpaid, so only the webhook can move it.
    const payload = api.event('payment_intent.succeeded', { ...intentOf(payment), status: 'succeeded' });
    const tampered = payload.replace('"amount":300', '"amount":30000');
    expect(tampered).not.toBe(payload);
    const goodHeader = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const refused = [
      await deliver(tampered, { header: goodHeader }),
      await deliver(payload, { secret: 'whsec_someone_else' }),
      await deliver(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      await deliver(payload, { header: '' }),
      await t.client().request('POST', '/api/payments/webhook', payload),
    ];
    for (const res of refused) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
    expect((await fan.client.get(`/api/payments/${payment.id}`)).body.payment.status).toBe('pending');
    expect(await tipCount(fan.client, code)).toBe(0);
    expect((await deliver(payload)).status).toBe(200);
    expect((await fan.client.get(`/api/payments/${payment.id}`)).body.payment.status).toBe('succeeded');
  });

  it('a lost webhook is made up by a server-side check of the intent', async () => {
    const { fan, code } = await chat();
    const payment = await tip(fan.client, code);
    api.pay(intentOf(payment).id, 'succeed');
    const before = api.requests.length;
    const res = await fan.client.get(`/api/payments/${payment.id}`);
    expect(res.body.payment.status).toBe('succeeded');
    expect(api.requests.slice(before)).toContain(`GET /v1/payment_intents/${intentOf(payment).id}`);
    expect(await tipCount(fan.client, code)).toBe(1);
  });

  it('a refund goes through Stripe and revokes the seat', async () => {
    const { host, fan, code } = await chat();
    const seat = (await fan.client.post(`/api/chats/${code}/backroom/seats`, { idempotencyKey: key() })).body.payment as Payment;
    await deliver(api.event('payment_intent.succeeded', api.pay(intentOf(seat).id, 'succeed')));
    expect((await fan.client.get(`/api/chats/${code}/backroom`)).status).toBe(200);
    const res = await host.client.post(`/api/payments/${seat.id}/refund`);
    expect(res.status).toBe(200);
    expect(api.refunds).toContainEqual(expect.objectContaining({ payment_intent: intentOf(seat).id }));
    expect((await fan.client.get(`/api/chats/${code}/backroom`)).status).toBe(403);
  });

  it('an expired hold cancels its intent; money that arrives later is refunded, not fulfilled', async () => {
    const { fan, code } = await chat();
    const payment = await tip(fan.client, code);
    await until(async () => intentOf(payment).status === 'canceled', 8000, 'intent canceled');
    expect((await fan.client.get(`/api/payments/${payment.id}`)).body.payment.status).toBe('expired');

    // Another one is paid just as its hold ends: the webhook finds it expired and gives the money back.
    const late = await tip(fan.client, code, 400);
    await t.app.ctx.db.execute(sql`update payments set expires_at = now() - interval '1 second' where id = ${late.id}::uuid`);
    const paid = api.pay(intentOf(late).id, 'succeed');
    expect((await deliver(api.event('payment_intent.succeeded', paid))).status).toBe(200);
    const after = (await fan.client.get(`/api/payments/${late.id}`)).body.payment;
    expect(after.status).toBe('refunded');
    expect(api.refunds).toContainEqual(expect.objectContaining({ payment_intent: intentOf(late).id }));
    expect(await tipCount(fan.client, code)).toBe(0);
  });

  it('money for what can no longer be delivered goes back through Stripe: a tip after a ban, a seat after the end', async () => {
    const { host, fan, code } = await chat();
    const payment = await tip(fan.client, code);
    expect((await host.client.post(`/api/chats/${code}/members/${fan.member.id}/moderate`, { action: 'ban' })).status).toBe(200);
    const paid = api.pay(intentOf(payment).id, 'succeed');
    expect((await deliver(api.event('payment_intent.succeeded', paid))).status).toBe(200);
    const after = (await fan.client.get(`/api/payments/${payment.id}`)).body.payment as Payment;
    expect(after).toMatchObject({ status: 'refunded', completedAt: null });
    expect(after.failureReason).toMatch(/Not delivered: .*banned.*Refunded in full/);
    expect(api.refunds.filter((r) => r.payment_intent === intentOf(payment).id)).toHaveLength(1);
    // The same webhook again: nothing more happens, nothing is refunded twice.
    expect((await deliver(api.event('payment_intent.succeeded', paid))).status).toBe(200);
    expect(api.refunds.filter((r) => r.payment_intent === intentOf(payment).id)).toHaveLength(1);
    expect(await tipCount(host.client, code)).toBe(0);

    // A seat paid after the chat ended, noticed by a server-side check of the intent (its webhook lost).
    const other = await chat();
    const seat = (await other.fan.client.post(`/api/chats/${other.code}/backroom/seats`, { idempotencyKey: key() })).body.payment as Payment;
    expect((await other.host.client.post(`/api/chats/${other.code}/end`)).status).toBe(200);
    api.pay(intentOf(seat).id, 'succeed');
    const looked = (await other.fan.client.get(`/api/payments/${seat.id}`)).body.payment as Payment;
    expect(looked.status).toBe('refunded');
    expect(looked.failureReason).toMatch(/ended/);
    expect(api.refunds).toContainEqual(expect.objectContaining({ payment_intent: intentOf(seat).id }));
    expect((await other.host.client.get(`/api/chats/${other.code}/money`)).body.backroom.seatsTaken).toBe(0);
  });

  it('Stripe unreachable: 502, nothing charged, nothing held; a pending payment still reads from the ledger', async () => {
    const { fan, code } = await chat();
    const pending = await tip(fan.client, code);
    api.down = true;
    try {
      const read = await fan.client.get(`/api/payments/${pending.id}`);
      expect(read.status).toBe(200);
      expect(read.body.payment.status).toBe('pending');
      const res = await fan.client.post(`/api/chats/${code}/backroom/seats`, { idempotencyKey: key() });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('PAYMENT_PROVIDER_FAILED');
    } finally {
      api.down = false;
    }
    const state = (await fan.client.get(`/api/chats/${code}/money`)).body.backroom;
    expect(state).toMatchObject({ seatsTaken: 0, full: false });
    const receipts = (await fan.client.get('/api/payments')).body.payments;
    expect(receipts[0]).toMatchObject({ purpose: 'seat', status: 'failed' });
  });
});
