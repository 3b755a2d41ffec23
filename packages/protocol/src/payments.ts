import { z } from 'zod';
import { memberSchema } from './chats';
import { messageSchema } from './messages';

/**
 * Money (SPEC §2.5–§2.8, §7): Back Room seats, paid pins and tips, paid through
 * Stripe or the built-in test provider. Amounts are integer minor units (cents).
 */
export const CURRENCY = 'usd';
export const PAYMENT_PURPOSES = ['seat', 'pin', 'tip'] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];
/**
 * `pending` until the provider settles it; then `succeeded` (the effect is
 * done), `failed` (declined), `expired` (never completed within the hold; what
 * it held is released) or later `refunded` (the effect reversed where that
 * makes sense: a refunded seat is revoked, a refunded pin taken down).
 */
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'expired', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const PAYMENT_PROVIDERS = ['test', 'stripe'] as const;
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];

export const TIP_MIN_CENTS = 100;
export const TIP_MAX_CENTS = 50_000;
export const PIN_MIN_CENTS = 100;
export const PIN_MAX_CENTS = 50_000;
export const TIP_NOTE_MAX_CHARS = 200;
export const PIN_TEXT_MAX_CHARS = 500;
/** A seat (or a pin's price) is held this long while its payment is pending. */
export const PAYMENT_HOLD_SECONDS = 600;

/** SPEC §7: how long a paid pin lasts, by amount. `minCents` is the tier's lowest amount. */
export const PIN_TIERS: readonly { minCents: number; seconds: number }[] = [
  { minCents: 100, seconds: 30 },
  { minCents: 200, seconds: 150 },
  { minCents: 500, seconds: 300 },
  { minCents: 1_000, seconds: 600 },
  { minCents: 2_000, seconds: 1_800 },
  { minCents: 5_000, seconds: 3_600 },
  { minCents: 10_000, seconds: 7_200 },
  { minCents: 20_000, seconds: 10_800 },
  { minCents: 30_000, seconds: 14_400 },
  { minCents: 40_000, seconds: 18_000 },
];

/** Seconds a pin of this amount stays pinned (SPEC §7). */
export function pinDurationSeconds(amountCents: number): number {
  let seconds = PIN_TIERS[0]!.seconds;
  for (const tier of PIN_TIERS) if (amountCents >= tier.minCents) seconds = tier.seconds;
  return seconds;
}

/** The minimum raise over the top pin: the larger of $1 and 10 % (rounded up to the cent). */
export function pinStepCents(topCents: number): number {
  return Math.max(100, Math.ceil(topCents / 10));
}

/** What the next pin costs: the chat's base price with no pin in force, else the top pin plus the step. */
export function pinQuoteCents(basePriceCents: number, topCents: number | null): number {
  return topCents === null ? basePriceCents : topCents + pinStepCents(topCents);
}

/** "$5", "$5.50". */
export function formatCents(cents: number, currency = CURRENCY): string {
  const symbol = currency === 'usd' ? '$' : `${currency.toUpperCase()} `;
  return cents % 100 === 0 ? `${symbol}${cents / 100}` : `${symbol}${(cents / 100).toFixed(2)}`;
}

/** The refund rule shown at checkout for each purpose (SPEC §2.8, §7): what happens to the money when things change. */
export const REFUND_RULES: Record<PaymentPurpose, string> = {
  pin: 'A paid pin that the host or a moderator takes down, or that is removed because its author was banned or timed out, is not refunded. The host can refund any payment from Earnings.',
  tip: 'A tip is a gift to the host and is not refunded when its message is taken down. The host can refund it from Earnings.',
  seat: 'Your seat is held for you while you pay and released if the payment fails. A seat the host refunds from Earnings ends at once.',
};

/** The rule on refunds for moderated paid messages (the pin's rule). */
export const PAID_MESSAGE_REFUND_POLICY = REFUND_RULES.pin;

/** Chosen by the client once per purchase attempt; sending it again returns the same payment. */
export const idempotencyKeySchema = z
  .string()
  .min(8, 'An idempotency key has at least 8 characters.')
  .max(64, 'An idempotency key has at most 64 characters.')
  .regex(/^[A-Za-z0-9_-]+$/, 'An idempotency key uses letters, digits, - and _.');

const cents = (min: number, max: number, what: string) =>
  z
    .number()
    .int('Amounts are whole cents.')
    .min(min, `${what} is at least ${formatCents(min)}.`)
    .max(max, `${what} is at most ${formatCents(max)}.`);

// ---- request bodies -----------------------------------------------------------

/** `POST /api/chats/:code/backroom/seats` */
export const seatPurchaseBodySchema = z.object({ idempotencyKey: idempotencyKeySchema }).strict();
export type SeatPurchaseBody = z.infer<typeof seatPurchaseBodySchema>;

/**
 * `POST /api/chats/:code/pins`: pin one of your messages (`messageId`) or send a
 * new one as a paid pin (`text`). `quotedCents` is the price the server quoted
 * (`pins.quoteCents`); `amountCents` may be more.
 */
export const pinPurchaseBodySchema = z
  .object({
    messageId: z.string().uuid('Unknown message.').optional(),
    text: z.string().trim().min(1, 'Write the message to pin.').max(PIN_TEXT_MAX_CHARS, `A pinned message can have at most ${PIN_TEXT_MAX_CHARS} characters.`).optional(),
    amountCents: cents(PIN_MIN_CENTS, PIN_MAX_CENTS, 'A pin'),
    quotedCents: z.number().int().min(0),
    idempotencyKey: idempotencyKeySchema,
  })
  .strict()
  .refine((b) => (b.messageId === undefined) !== (b.text === undefined), {
    message: 'Pin either one of your messages (messageId) or a new message (text).',
    path: ['messageId'],
  })
  .refine((b) => b.amountCents >= b.quotedCents, { message: 'Pay at least the quoted price.', path: ['amountCents'] });
export type PinPurchaseBody = z.infer<typeof pinPurchaseBodySchema>;

/** `POST /api/chats/:code/tips` */
export const tipBodySchema = z
  .object({
    amountCents: cents(TIP_MIN_CENTS, TIP_MAX_CENTS, 'A tip'),
    note: z.string().trim().max(TIP_NOTE_MAX_CHARS, `A note can have at most ${TIP_NOTE_MAX_CHARS} characters.`).optional(),
    idempotencyKey: idempotencyKeySchema,
  })
  .strict();
export type TipBody = z.infer<typeof tipBodySchema>;

/** `POST /api/payments/:id/confirm` (test provider only): the checkout page's two buttons. */
export const confirmPaymentBodySchema = z.object({ outcome: z.enum(['succeed', 'decline']) }).strict();
export type ConfirmPaymentBody = z.infer<typeof confirmPaymentBodySchema>;

// ---- views --------------------------------------------------------------------

/** How the payer completes a pending payment. */
export const checkoutSchema = z.discriminatedUnion('provider', [
  /** The built-in test provider's page on the web app ("Test mode — no real money"). */
  z.object({ provider: z.literal('test'), path: z.string() }),
  /** Stripe's Payment Element, mounted with these. */
  z.object({ provider: z.literal('stripe'), clientSecret: z.string(), publishableKey: z.string() }),
]);
export type Checkout = z.infer<typeof checkoutSchema>;

export const paymentSchema = z.object({
  id: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  purpose: z.enum(PAYMENT_PURPOSES),
  amountCents: z.number().int(),
  currency: z.string(),
  /** Platform fee and what the host gets: amountCents = feeCents + netCents. */
  feeCents: z.number().int(),
  netCents: z.number().int(),
  provider: z.enum(PAYMENT_PROVIDERS),
  /** What it buys, as a sentence ("Back Room seat in Friday Q&A"). */
  description: z.string(),
  chat: z.object({ code: z.string(), name: z.string() }),
  /** A tip's note, or a pin's new text. */
  note: z.string().nullable(),
  /** For a pin: the message pinned (null until a new-text pin is fulfilled). */
  messageId: z.string().nullable(),
  /** Only to the payer while pending. */
  checkout: checkoutSchema.nullable(),
  /** Why it failed, expired or was refunded, in words. */
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  /** When a pending payment expires and releases what it holds. */
  expiresAt: z.string(),
  completedAt: z.string().nullable(),
  refundedAt: z.string().nullable(),
  /** Only in the host's view (earnings). */
  payer: z.object({ username: z.string() }).nullable().optional(),
});
export type Payment = z.infer<typeof paymentSchema>;

export const paymentResponseSchema = z.object({ payment: paymentSchema });
export type PaymentResponse = z.infer<typeof paymentResponseSchema>;
export const paymentListSchema = z.object({ payments: z.array(paymentSchema) });
export type PaymentList = z.infer<typeof paymentListSchema>;

export const pinViewSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  amountCents: z.number().int(),
  pinnedAt: z.string(),
  pinnedUntil: z.string(),
  /** The pinned message as everyone sees it. */
  message: messageSchema,
});
export type PinView = z.infer<typeof pinViewSchema>;

export const backroomStateSchema = z.object({
  enabled: z.boolean(),
  seatPriceCents: z.number().int(),
  seatLimit: z.number().int(),
  /** Sold seats plus seats held by pending payments. */
  seatsTaken: z.number().int(),
  full: z.boolean(),
  /** The viewer holds a seat (or is the host). */
  isMember: z.boolean(),
  /** The viewer's payment for a seat that is still pending, if any. */
  pendingPaymentId: z.string().nullable(),
  /** The Back Room's room id, only for its members and the host. */
  roomId: z.string().nullable(),
});
export type BackroomState = z.infer<typeof backroomStateSchema>;

export const pinsStateSchema = z.object({
  enabled: z.boolean(),
  basePriceCents: z.number().int(),
  /** What a pin costs now; send it back as `quotedCents`. */
  quoteCents: z.number().int(),
  /** Active pins, highest amount first (then the earlier one); the first is the top pin. */
  pins: z.array(pinViewSchema),
});
export type PinsState = z.infer<typeof pinsStateSchema>;

/** `GET /api/chats/:code/money` */
export const moneyStateSchema = z.object({
  currency: z.string(),
  provider: z.enum(PAYMENT_PROVIDERS),
  backroom: backroomStateSchema,
  pins: pinsStateSchema,
  tips: z.object({ enabled: z.boolean(), minCents: z.number().int(), maxCents: z.number().int() }),
  refundPolicy: z.string(),
});
export type MoneyState = z.infer<typeof moneyStateSchema>;

/** `GET /api/chats/:code/backroom`: for members and the host. */
export const backroomEntrySchema = z.object({
  roomId: z.string(),
  member: memberSchema,
  /** A chat session token for the Back Room, for the socket (`room:join` with it). */
  token: z.string(),
});
export type BackroomEntry = z.infer<typeof backroomEntrySchema>;

/** `GET /api/chats/:code/backroom/members`: host only. */
export const backroomMembersSchema = z.object({
  members: z.array(memberSchema.extend({ online: z.boolean(), seatSince: z.string().nullable() })),
});
export type BackroomMembers = z.infer<typeof backroomMembersSchema>;

const totalsSchema = z.object({
  count: z.number().int(),
  grossCents: z.number().int(),
  feeCents: z.number().int(),
  netCents: z.number().int(),
  refundedCents: z.number().int(),
});
export type EarningsTotals = z.infer<typeof totalsSchema>;

/** `GET /api/earnings`: succeeded and refunded payments of the host's chats. */
export const earningsSchema = z.object({
  currency: z.string(),
  total: totalsSchema,
  chats: z.array(totalsSchema.extend({ code: z.string(), name: z.string() })),
  payments: z.array(paymentSchema),
});
export type Earnings = z.infer<typeof earningsSchema>;

// ---- socket payloads ----------------------------------------------------------

/** `pins:updated`: the full ordered active list, on every pin, expiry, take-down and refund. */
export interface PinsUpdatedPayload {
  roomId: string;
  quoteCents: number;
  pins: PinView[];
}
/** `backroom:updated`: the seat count changed (to everyone in the pop chat). */
export interface BackroomUpdatedPayload {
  roomId: string;
  seatsTaken: number;
  seatLimit: number;
  full: boolean;
}
/** `payment:updated`: to the payer's connections in the chat. */
export interface PaymentUpdatedPayload {
  roomId: string;
  payment: Payment;
}
