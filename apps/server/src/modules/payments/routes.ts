import type { FastifyInstance } from 'fastify';
import { CURRENCY, PAID_MESSAGE_REFUND_POLICY, TIP_MAX_CENTS, TIP_MIN_CENTS, confirmPaymentBodySchema, type MoneyState } from '@chatpop/protocol';
import { z } from 'zod';
import { AppError } from '../../errors';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import * as backroom from '../backroom/service';
import * as pins from '../pins/service';
import { chatAccessOf, viewerOf } from './http';
import { canView, paymentNotFound, viewerPayerKeys } from './policy';
import * as repo from './repo';
import * as payments from './service';

const idParams = z.object({ id: z.string().uuid('Unknown payment.') });
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export const WEBHOOK_PATH = '/api/payments/webhook';

/** Payments, receipts, earnings and the Stripe webhook (docs/api.md, "Money"). */
export async function paymentRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get('/api/chats/:code/money', async (req, reply): Promise<MoneyState> => {
    const access = await chatAccessOf(ctx, req, reply);
    const [backroomState, pinsState] = await Promise.all([backroom.state(ctx, access), pins.state(ctx, access.room)]);
    return {
      currency: CURRENCY,
      provider: ctx.payments.name,
      backroom: backroomState,
      pins: pinsState,
      tips: { enabled: access.room.settings.tips.enabled, minCents: TIP_MIN_CENTS, maxCents: TIP_MAX_CENTS },
      refundPolicy: PAID_MESSAGE_REFUND_POLICY,
    };
  });

  /** The payment if the viewer may see it (payer or host of its chat), else 404. */
  async function visible(req: Parameters<typeof viewerOf>[1], reply: Parameters<typeof viewerOf>[2]) {
    const { id } = parse(idParams, req.params);
    const viewer = await viewerOf(ctx, req, reply);
    const payment = await repo.findPayment(ctx.db, id);
    if (!payment) throw paymentNotFound();
    const room = await ctx.rooms.byRoomId(payment.roomId);
    const as = canView(payment, room, viewerPayerKeys(viewer), viewer.user?.id ?? null);
    if (!as) throw paymentNotFound();
    return { payment, as };
  }

  app.get('/api/payments', async (req, reply) => {
    const viewer = await viewerOf(ctx, req, reply);
    const rows = await repo.listForPayer(ctx.db, viewerPayerKeys(viewer));
    return { payments: await Promise.all(rows.map((p) => payments.paymentView(ctx, p, 'payer'))) };
  });

  app.get('/api/payments/:id', async (req, reply) => {
    const found = await visible(req, reply);
    const as = found.as;
    let payment = found.payment;
    // Stripe: a pending payment is checked with Stripe itself, so a lost webhook never loses an effect.
    if (payment.status === 'pending' && payment.provider === 'stripe' && payment.providerRef && ctx.payments.name === 'stripe') {
      try {
        const intent = await ctx.payments.retrieve(payment.providerRef);
        if (intent?.state === 'succeeded') payment = (await payments.succeed(ctx, payment.id)) ?? payment;
        else if (intent?.state === 'canceled') payment = (await payments.fail(ctx, payment.id, 'The payment was canceled.')) ?? payment;
      } catch (err) {
        // Stripe unreachable: the ledger answers as it stands; the webhook or the next look settles it.
        ctx.log.warn({ err, paymentId: payment.id }, 'could not check a payment intent');
      }
    }
    return { payment: await payments.paymentView(ctx, payment, as) };
  });

  app.post('/api/payments/:id/confirm', async (req, reply) => {
    const { payment, as } = await visible(req, reply);
    const body = parse(confirmPaymentBodySchema, req.body);
    // Only the test provider's own payments, only while it is the provider, only by the payer.
    if (as !== 'payer' || payment.provider !== 'test' || ctx.payments.name !== 'test') throw paymentNotFound();
    const wanted = body.outcome === 'succeed' ? 'succeeded' : 'failed';
    let result = payment;
    // Succeed runs even for a payment that already succeeded: it announces the paid message again, in case the first announcement was lost.
    if (body.outcome === 'succeed') result = (await payments.succeed(ctx, payment.id)) ?? payment;
    else if (payment.status === 'pending') result = (await payments.fail(ctx, payment.id, 'Declined on the test checkout.')) ?? payment;
    // Paid, but what it bought could no longer be delivered (a ban, a lock, the end, the rules): refunded in full at
    // once, and the payment says why. That is this confirm's answer, not a conflict.
    const undelivered = body.outcome === 'succeed' && result.status === 'refunded' && result.completedAt === null;
    if (result.status !== wanted && !undelivered) {
      const why =
        result.status === 'expired'
          ? 'This payment expired before it was completed. Start a new purchase.'
          : `This payment is already ${result.status}.`;
      throw new AppError(409, 'PAYMENT_STATE', why, { status: result.status });
    }
    return { payment: await payments.paymentView(ctx, result, 'payer') };
  });

  app.post('/api/payments/:id/refund', async (req, reply) => {
    const { payment, as } = await visible(req, reply);
    if (as !== 'host') throw new AppError(403, 'FORBIDDEN', 'Only the host of this chat can refund its payments.');
    const refunded = await payments.refund(ctx, payment);
    return { payment: await payments.paymentView(ctx, refunded, 'host') };
  });

  app.get('/api/earnings', async (req) => {
    const { user } = await requireUser(ctx, req);
    return payments.earnings(ctx, user.id);
  });

  // Stripe signs the exact bytes it sent: this route reads the body raw (and is exempt from the CSRF check, app.ts).
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
    raw.post(WEBHOOK_PATH, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (req) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.headers['stripe-signature'];
      const event = ctx.payments.verifyWebhook(body, typeof signature === 'string' ? signature : undefined);
      await handleWebhook(event);
      return { received: true };
    });
  });

  /**
   * Succeeded and canceled are final in Stripe, so acting on them is safe in
   * any order and any number of times (the status moves once); a failed
   * attempt only notes why (the payer may try another card until the hold ends).
   */
  async function handleWebhook(event: ReturnType<typeof ctx.payments.verifyWebhook>) {
    const intent = event.intent;
    if (!intent?.paymentId) return;
    const payment = await repo.findPayment(ctx.db, intent.paymentId);
    if (!payment || payment.provider !== 'stripe' || payment.providerRef !== intent.ref) {
      ctx.log.warn({ eventId: event.id, ref: intent.ref }, 'webhook for an unknown payment ignored');
      return;
    }
    if (intent.amountCents !== payment.amountCents || intent.currency !== payment.currency) {
      ctx.log.error({ eventId: event.id, paymentId: payment.id }, 'webhook amount does not match the ledger; ignored');
      return;
    }
    if (event.type === 'payment_intent.succeeded' && intent.state === 'succeeded') {
      const after = await payments.succeed(ctx, payment.id);
      if (after && (after.status === 'expired' || after.status === 'failed')) await payments.refundLate(ctx, payment.id);
    } else if (event.type === 'payment_intent.canceled') {
      await payments.fail(ctx, payment.id, 'The payment was canceled.');
    } else if (event.type === 'payment_intent.payment_failed') {
      await repo.setFailureReason(ctx.db, payment.id, intent.failure ?? 'The card was declined.');
    }
  }
}
