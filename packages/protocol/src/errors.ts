import { z } from 'zod';

/** Every stable error code a client can meet. docs/api.md explains each one. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'SESSION_REVOKED',
  'FORBIDDEN',
  'CSRF_REJECTED',
  'NOT_FOUND',
  'CHAT_NOT_FOUND',
  'PRIVATE_CHAT',
  'ACCESS_CODE_WRONG',
  'EMAIL_NOT_CONFIRMED',
  'CONFIRM_TOKEN_INVALID',
  'USERNAME_INVALID',
  'USERNAME_TAKEN',
  'USERNAME_NOT_ROLLED',
  'USERNAME_ALREADY_SET',
  'USERNAME_GENERATION_FAILED',
  'ROLLS_EXHAUSTED',
  'ANONYMOUS_LIMIT_REACHED',
  'PASSWORD_WRONG',
  'RESET_TOKEN_INVALID',
  'FILE_TYPE_UNSUPPORTED',
  'NOT_A_MEMBER',
  'ALREADY_JOINED',
  'MESSAGE_TOO_LONG',
  'MESSAGE_EMPTY',
  'REPLY_NOT_FOUND',
  'CHAT_LOCKED',
  'BANNED',
  'TIMED_OUT',
  'SLOW_MODE',
  'BLOCKED_TERM',
  'LINKS_BLOCKED',
  'NEWCOMER_WAIT',
  'MESSAGE_NOT_FOUND',
  'MEMBER_NOT_FOUND',
  'REPORT_NOT_FOUND',
  'REACTION_LIMIT',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Socket acknowledgements: the same error shape as HTTP, or ok with a payload. */
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: ErrorBody['error'] };
