import { describe, expect, it } from 'vitest';
import { amountInput, formatCountdown, formatDuration, formatMoney, formatMoneyExact, parseAmount } from './money';
import { activePins } from './use-live-pins';

describe('money on the screen', () => {
  it('writes whole amounts without cents and others with them', () => {
    expect(formatMoney(500)).toBe('$5');
    expect(formatMoney(1250)).toBe('$12.50');
    expect(formatMoney(5)).toBe('$0.05');
    expect(formatMoney(-300)).toBe('-$3');
    expect(formatMoneyExact(500)).toBe('$5.00');
    expect(formatMoney(1000, 'eur')).toBe('€10');
  });

  it('reads what a person types as cents, and refuses what is not an amount', () => {
    expect(parseAmount('5')).toBe(500);
    expect(parseAmount(' $12.5 ')).toBe(1250);
    expect(parseAmount('12,05')).toBe(1205);
    expect(parseAmount('0.99')).toBe(99);
    expect(parseAmount('3.')).toBe(300);
    expect(parseAmount(amountInput(1540))).toBe(1540);
    expect(amountInput(1540)).toBe('15.40');
    expect(amountInput(500)).toBe('5');
    for (const bad of ['', 'abc', '1.234', '-5', '1e3', '5 dollars', '.5.']) expect(parseAmount(bad)).toBeNull();
  });

  it('counts down in minutes and seconds, with hours when there are some', () => {
    expect(formatCountdown(598_200)).toBe('9:59');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
    expect(formatCountdown(-5)).toBe('0:00');
  });

  it('says how long a pin lasts as the tiers are written', () => {
    expect(formatDuration(30)).toBe('30 seconds');
    expect(formatDuration(150)).toBe('2 min 30 s');
    expect(formatDuration(600)).toBe('10 minutes');
    expect(formatDuration(3600)).toBe('1 hour');
    expect(formatDuration(18_000)).toBe('5 hours');
  });
});

describe('pins in force', () => {
  it('keeps the pins whose time is not up, in the given order', () => {
    const pin = (id: string, until: number) => ({ id, roomId: 'r', amountCents: 100, pinnedAt: '', pinnedUntil: new Date(until).toISOString(), message: {} as never });
    const now = Date.parse('2026-01-01T12:00:00Z');
    const pins = [pin('a', now + 60_000), pin('b', now - 1), pin('c', now + 1)];
    expect(activePins(pins, now).map((p) => p.id)).toEqual(['a', 'c']);
  });
});
