/**
 * Money on the screen: amounts travel as integer minor units (cents) with an
 * ISO currency (SPEC §2.8); people read and type them in dollars.
 */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, whole: boolean): Intl.NumberFormat {
  const key = `${currency}:${whole}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: currency.toUpperCase(),
      minimumFractionDigits: whole ? 0 : 2,
      maximumFractionDigits: 2,
    });
    formatters.set(key, f);
  }
  return f;
}

/** "$5", "$12.50", "-$3" — whole amounts without cents, as prices are usually written. */
export function formatMoney(cents: number, currency = 'usd'): string {
  return formatter(currency, cents % 100 === 0).format(cents / 100);
}

/** Always with cents, for ledgers where columns line up: "$5.00". */
export function formatMoneyExact(cents: number, currency = 'usd'): string {
  return formatter(currency, false).format(cents / 100);
}

/**
 * What a person typed as an amount ("5", "$12.50", "12,5") in cents, or null
 * when it is not an amount with at most two decimals.
 */
export function parseAmount(input: string): number | null {
  const text = input.trim().replace(/^\$/, '').replace(',', '.').trim();
  if (!/^\d{1,7}(\.\d{0,2})?$/.test(text)) return null;
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Cents as an amount field shows them: "5", "15.40". */
export function amountInput(cents: number): string {
  return cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2);
}

/** A countdown: "9:58", "1:02:03", "0:00" when over. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** A duration for a person: "30 seconds", "2 min 30 s", "10 minutes", "1 hour", "5 hours". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} seconds`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    if (s) return `${m} min ${s} s`;
    return m === 1 ? '1 minute' : `${m} minutes`;
  }
  const h = seconds / 3600;
  return h === 1 ? '1 hour' : Number.isInteger(h) ? `${h} hours` : `${Math.floor(h)} h ${Math.round((seconds % 3600) / 60)} min`;
}

