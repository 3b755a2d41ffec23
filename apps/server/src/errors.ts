import type { ErrorCode } from '@chatpop/protocol';

/** A rejection a person should read: a stable code, an HTTP status and a sentence. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const badRequest = (code: ErrorCode, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthenticated = (message = 'Sign in to do that.') => new AppError(401, 'UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do that.', code: ErrorCode = 'FORBIDDEN') =>
  new AppError(403, code, message);
export const notFound = (code: ErrorCode = 'NOT_FOUND', message = 'Not found.') => new AppError(404, code, message);
export const conflict = (code: ErrorCode, message: string) => new AppError(409, code, message);
export const rateLimited = (retryAfterSeconds: number, message = 'Too many attempts. Try again later.') =>
  new AppError(429, 'RATE_LIMITED', message, { retryAfterSeconds }, { 'retry-after': String(Math.max(1, retryAfterSeconds)) });

/** zod issues → the details of a VALIDATION_FAILED error. */
export function validationFailed(issues: { path: PropertyKey[]; message: string }[]): AppError {
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.map(String).join('.')}: ` : '';
  return new AppError(400, 'VALIDATION_FAILED', `${where}${first?.message ?? 'Invalid input.'}`, {
    issues: issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}
