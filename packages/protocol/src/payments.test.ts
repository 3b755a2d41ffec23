import { describe, expect, it } from 'vitest';
import { formatCents, pinDurationSeconds, pinPurchaseBodySchema, pinQuoteCents, pinStepCents, tipBodySchema } from './index';

describe('pin tiers (SPEC §7)', () => {
  it.each([
    [100, 30],
    [199, 30],
    [200, 150],
    [499, 150],
    [500, 300],
    [999, 300],
    [1_000, 600],
    [1_999, 600],
    [2_000, 1_800],
    [4_999, 1_800],
    [5_000, 3_600],
    [10_000, 7_200],
    [20_000, 10_800],
    [30_000, 14_400],
    [39_999, 14_400],
    [40_000, 18_000],
    [50_000, 18_000],
  ])('%i cents → %i s', (cents, seconds) => {
    expect(pinDurationSeconds(cents)).toBe(seconds);
  });
});

describe('pin pricing (SPEC §2.6)', () => {
  it('costs the base price with no pin in force', () => {
    expect(pinQuoteCents(100, null)).toBe(100);
    expect(pinQuoteCents(300, null)).toBe(300);
  });
  it('steps by the larger of $1 and 10 %', () => {
    expect(pinStepCents(500)).toBe(100);
    expect(pinStepCents(1_000)).toBe(100);
    expect(pinStepCents(1_001)).toBe(101);
    expect(pinStepCents(2_500)).toBe(250);
    expect(pinQuoteCents(100, 1_000)).toBe(1_100);
    expect(pinQuoteCents(100, 1_200)).toBe(1_320);
  });
});

describe('payment bodies', () => {
  const key = 'abcdefgh1234';
  it('tips are $1 to $500 in whole cents', () => {
    expect(tipBodySchema.safeParse({ amountCents: 100, idempotencyKey: key }).success).toBe(true);
    expect(tipBodySchema.safeParse({ amountCents: 50_000, note: 'Great show', idempotencyKey: key }).success).toBe(true);
    expect(tipBodySchema.safeParse({ amountCents: 99, idempotencyKey: key }).success).toBe(false);
    expect(tipBodySchema.safeParse({ amountCents: 50_001, idempotencyKey: key }).success).toBe(false);
    expect(tipBodySchema.safeParse({ amountCents: 150.5, idempotencyKey: key }).success).toBe(false);
    expect(tipBodySchema.safeParse({ amountCents: 100 }).success).toBe(false);
    expect(tipBodySchema.safeParse({ amountCents: 100, idempotencyKey: 'short' }).success).toBe(false);
  });
  it('a pin names a message or a new text, never both, and pays at least the quote', () => {
    const id = '0190b0a0-0000-7000-8000-000000000000';
    expect(pinPurchaseBodySchema.safeParse({ messageId: id, amountCents: 100, quotedCents: 100, idempotencyKey: key }).success).toBe(true);
    expect(pinPurchaseBodySchema.safeParse({ text: 'hello', amountCents: 150, quotedCents: 100, idempotencyKey: key }).success).toBe(true);
    expect(pinPurchaseBodySchema.safeParse({ messageId: id, text: 'x', amountCents: 100, quotedCents: 100, idempotencyKey: key }).success).toBe(false);
    expect(pinPurchaseBodySchema.safeParse({ amountCents: 100, quotedCents: 100, idempotencyKey: key }).success).toBe(false);
    expect(pinPurchaseBodySchema.safeParse({ text: 'hi', amountCents: 100, quotedCents: 200, idempotencyKey: key }).success).toBe(false);
    expect(pinPurchaseBodySchema.safeParse({ text: '   ', amountCents: 100, quotedCents: 100, idempotencyKey: key }).success).toBe(false);
  });
  it('formats cents', () => {
    expect(formatCents(500)).toBe('$5');
    expect(formatCents(1_250)).toBe('$12.50');
  });
});
