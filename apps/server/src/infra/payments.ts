import Stripe from 'stripe';
import type { PaymentProvider } from '@chatpop/protocol';
import type { Config } from '../config';
import { AppError } from '../errors';

/**
 * Where the money moves (docs/payments.md). Two implementations of one
 * interface: Stripe (PaymentIntents; effects only on a verified webhook or a
 * server-side retrieve of the intent) and the built-in test provider (no money
 * moves; the checkout page's confirm is its "webhook"). Both end in the same
 * fulfilment path (modules/payments/service.ts).
 */
export interface CreateIntentInput {
  paymentId: string;
  amountCents: number;
  currency: string;
  description: string;
}

export interface Intent {
  /** The provider's id for the payment (Stripe: `pi_…`). */
  ref: string;
  /** Stripe's client secret for the Payment Element; null for the test provider. */
  clientSecret: string | null;
}

/** Where a provider says a payment stands. */
export type IntentState = 'pending' | 'succeeded' | 'failed' | 'canceled';

export interface IntentStatus {
  ref: string;
  state: IntentState;
  amountCents: number;
  currency: string;
  /** Our payment id, from the intent's metadata. */
  paymentId: string | null;
  /** The provider's words when it failed. */
  failure: string | null;
}

/** A verified webhook event that concerns a payment. */
export interface WebhookEvent {
  id: string;
  type: string;
  intent: IntentStatus | null;
}

export interface PaymentGateway {
  readonly name: PaymentProvider;
  /** For the web's Payment Element; empty for the test provider. */
  readonly publishableKey: string;
  create(input: CreateIntentInput): Promise<Intent>;
  /** The provider's current view (null: the provider keeps none, as the test provider). */
  retrieve(ref: string): Promise<IntentStatus | null>;
  /** Stops a pending intent from ever succeeding (a hold that expired). */
  cancel(ref: string): Promise<void>;
  /** Gives the whole amount back. Safe to call twice for one payment. */
  refund(ref: string, paymentId: string): Promise<void>;
  /** Checks the signature on the raw body and parses the event; throws WEBHOOK_SIGNATURE_INVALID. */
  verifyWebhook(rawBody: Buffer, signature: string | undefined): WebhookEvent;
}

/** No money moves: the database is the only record, and the checkout page decides. */
export class TestGateway implements PaymentGateway {
  readonly name = 'test' as const;
  readonly publishableKey = '';

  async create(input: CreateIntentInput): Promise<Intent> {
    return { ref: `test_${input.paymentId}`, clientSecret: null };
  }
  async retrieve(): Promise<IntentStatus | null> {
    return null;
  }
  async cancel(): Promise<void> {}
  async refund(): Promise<void> {}
  verifyWebhook(): WebhookEvent {
    throw new AppError(400, 'WEBHOOK_SIGNATURE_INVALID', 'Stripe is not configured on this server, so no webhook is accepted.');
  }
}

/** Stripe's webhook tolerance: a signature older than this is refused (replays). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const providerFailed = (err: unknown) =>
  new AppError(502, 'PAYMENT_PROVIDER_FAILED', 'The payment provider could not be reached. Nothing was charged; try again.', {
    provider: 'stripe',
    reason: err instanceof Error ? err.message.slice(0, 200) : 'unknown',
  });

export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe' as const;
  readonly publishableKey: string;
  private readonly stripe: Stripe;
  private readonly webhookSecret: string;

  constructor(opts: { secretKey: string; webhookSecret: string; publishableKey: string; apiUrl?: string }) {
    const api = opts.apiUrl ? new URL(opts.apiUrl) : null;
    this.stripe = new Stripe(opts.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
      ...(api
        ? {
            host: api.hostname,
            port: api.port || (api.protocol === 'https:' ? 443 : 80),
            protocol: api.protocol === 'http:' ? 'http' : 'https',
          }
        : {}),
    });
    this.webhookSecret = opts.webhookSecret;
    this.publishableKey = opts.publishableKey;
  }

  async create(input: CreateIntentInput): Promise<Intent> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: input.currency,
          description: input.description,
          metadata: { paymentId: input.paymentId },
          automatic_payment_methods: { enabled: true },
        },
        // A retried create (ours or the SDK's) never makes a second intent for one payment.
        { idempotencyKey: `chatpop-create-${input.paymentId}` },
      );
      if (!intent.client_secret) throw new Error('Stripe returned no client secret');
      return { ref: intent.id, clientSecret: intent.client_secret };
    } catch (err) {
      throw providerFailed(err);
    }
  }

  async retrieve(ref: string): Promise<IntentStatus> {
    try {
      return toStatus(await this.stripe.paymentIntents.retrieve(ref));
    } catch (err) {
      throw providerFailed(err);
    }
  }

  async cancel(ref: string): Promise<void> {
    try {
      await this.stripe.paymentIntents.cancel(ref, {}, { idempotencyKey: `chatpop-cancel-${ref}` });
    } catch (err) {
      // Already succeeded or canceled: the caller reads the intent to learn which.
      if (err instanceof Stripe.errors.StripeInvalidRequestError) return;
      throw providerFailed(err);
    }
  }

  async refund(ref: string, paymentId: string): Promise<void> {
    try {
      await this.stripe.refunds.create({ payment_intent: ref }, { idempotencyKey: `chatpop-refund-${paymentId}` });
    } catch (err) {
      throw providerFailed(err);
    }
  }

  verifyWebhook(rawBody: Buffer, signature: string | undefined): WebhookEvent {
    let event: Stripe.Event;
    try {
      if (!signature) throw new Error('no signature');
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret, WEBHOOK_TOLERANCE_SECONDS);
    } catch {
      throw new AppError(400, 'WEBHOOK_SIGNATURE_INVALID', 'The webhook signature does not verify.');
    }
    const object = event.data.object as { object?: string };
    const intent = object.object === 'payment_intent' ? toStatus(object as Stripe.PaymentIntent) : null;
    return { id: event.id, type: event.type, intent };
  }
}

function toStatus(intent: Stripe.PaymentIntent): IntentStatus {
  const state: IntentState =
    intent.status === 'succeeded'
      ? 'succeeded'
      : intent.status === 'canceled'
        ? 'canceled'
        : intent.status === 'requires_payment_method' && intent.last_payment_error
          ? 'failed'
          : 'pending';
  return {
    ref: intent.id,
    state,
    amountCents: intent.amount,
    currency: intent.currency,
    paymentId: intent.metadata?.paymentId ?? null,
    failure: intent.last_payment_error?.message ?? null,
  };
}

export function createGateway(config: Pick<Config, 'stripe'>): PaymentGateway {
  return config.stripe ? new StripeGateway(config.stripe) : new TestGateway();
}
