/** The constraint a unique violation hit (PostgreSQL 23505), through Drizzle's error wrapping; else null. */
export function uniqueViolation(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const rec = e as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (rec.code === '23505') return typeof rec.constraint === 'string' ? rec.constraint : '';
    e = rec.cause;
  }
  return null;
}
