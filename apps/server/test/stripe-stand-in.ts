import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A local stand-in for the part of Stripe's HTTP API the server uses
 * (PaymentIntents create/retrieve/capture/cancel, refunds), reached through the
 * real `stripe` SDK by its host/port/protocol settings. Stripe's servers are
 * the one external thing the tests fake; the SDK and our code run for real.
 */
export interface StandInIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  description: string | null;
  status: 'requires_payment_method' | 'requires_capture' | 'processing' | 'succeeded' | 'canceled';
  client_secret: string;
  metadata: Record<string, string>;
  last_payment_error: { message: string } | null;
  created: number;
  livemode: false;
}

export interface StripeStandIn {
  url: string;
  intents: Map<string, StandInIntent>;
  refunds: { id: string; payment_intent: string }[];
  /** Every request, as "METHOD /path". */
  requests: string[];
  /** Answer every request with a 500 until set back to false. */
  down: boolean;
  /** What the card does when the payer pays: the intent becomes succeeded, or failed with a decline. */
  pay(id: string, outcome?: 'succeed' | 'decline'): StandInIntent;
  /** A Stripe event around an intent, as the webhook would carry it. */
  event(type: string, intent: StandInIntent): string;
  close(): Promise<void>;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const intents = new Map<string, StandInIntent>();
  const refunds: { id: string; payment_intent: string }[] = [];
  const requests: string[] = [];
  const idempotent = new Map<string, { status: number; body: unknown }>();

  const state = { down: false };

  async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req') });
    res.end(JSON.stringify(body));
  }

  const error = (message: string, type = 'invalid_request_error') => ({ error: { type, message } });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(`${req.method} ${url.pathname}`);
    if (state.down) return send(res, 500, error('Stripe is down (stand-in).', 'api_error'));
    if (!String(req.headers.authorization ?? '').startsWith('Bearer sk_test_')) return send(res, 401, error('Invalid API key.'));
    const form = req.method === 'POST' ? await readForm(req) : new URLSearchParams();
    const key = req.headers['idempotency-key'];
    const cacheKey = typeof key === 'string' ? `${req.method} ${url.pathname} ${key}` : null;
    if (cacheKey && idempotent.has(cacheKey)) {
      const hit = idempotent.get(cacheKey)!;
      return send(res, hit.status, hit.body);
    }
    const reply = (status: number, body: unknown) => {
      if (cacheKey) idempotent.set(cacheKey, { status, body });
      send(res, status, body);
    };

    const parts = url.pathname.split('/').filter(Boolean); // v1, payment_intents, id, action
    if (parts[0] !== 'v1') return send(res, 404, error('Unknown path.'));
    if (parts[1] === 'payment_intents' && req.method === 'POST' && parts.length === 2) {
      const amount = Number(form.get('amount'));
      if (!Number.isInteger(amount) || amount < 50) return reply(400, error('Amount must be at least 50 cents.'));
      const metadata: Record<string, string> = {};
      for (const [k, v] of form) {
        const m = /^metadata\[(.+)\]$/.exec(k);
        if (m) metadata[m[1]!] = v;
      }
      const id = newId('pi');
      const intent: StandInIntent = {
        id,
        object: 'payment_intent',
        amount,
        currency: form.get('currency') ?? 'usd',
        description: form.get('description'),
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
        metadata,
        last_payment_error: null,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
      };
      intents.set(id, intent);
      return reply(200, intent);
    }
    if (parts[1] === 'payment_intents' && parts[2]) {
      const intent = intents.get(parts[2]);
      if (!intent) return reply(404, error(`No such payment_intent: '${parts[2]}'`));
      if (req.method === 'GET' && parts.length === 3) return reply(200, intent);
      if (req.method === 'POST' && parts[3] === 'cancel') {
        if (intent.status === 'succeeded' || intent.status === 'canceled') {
          return reply(400, error(`This PaymentIntent's status is ${intent.status}, so it cannot be canceled.`));
        }
        intent.status = 'canceled';
        return reply(200, intent);
      }
      if (req.method === 'POST' && parts[3] === 'capture') {
        if (intent.status !== 'requires_capture') return reply(400, error('This PaymentIntent could not be captured.'));
        intent.status = 'succeeded';
        return reply(200, intent);
      }
    }
    if (parts[1] === 'refunds' && req.method === 'POST') {
      const pi = form.get('payment_intent') ?? '';
      const intent = intents.get(pi);
      if (!intent) return reply(404, error(`No such payment_intent: '${pi}'`));
      if (intent.status !== 'succeeded') return reply(400, error('This PaymentIntent has no successful charge to refund.'));
      if (refunds.some((r) => r.payment_intent === pi)) return reply(400, error('Charge has already been refunded.', 'invalid_request_error'));
      const refund = { id: newId('re'), object: 'refund', payment_intent: pi, amount: intent.amount, status: 'succeeded' };
      refunds.push(refund);
      return reply(200, refund);
    }
    return send(res, 404, error('Unknown path.'));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, error(String(err), 'api_error')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    intents,
    refunds,
    requests,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    pay(id, outcome = 'succeed') {
      const intent = intents.get(id);
      if (!intent) throw new Error(`no intent ${id}`);
      if (outcome === 'succeed') {
        intent.status = 'succeeded';
        intent.last_payment_error = null;
      } else {
        intent.status = 'requires_payment_method';
        intent.last_payment_error = { message: 'Your card was declined.' };
      }
      return { ...intent };
    },
    event(type, intent) {
      return JSON.stringify({
        id: newId('evt'),
        object: 'event',
        api_version: '2025-01-01',
        created: Math.floor(Date.now() / 1000),
        type,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: { object: intent },
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
