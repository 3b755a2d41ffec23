import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { validationFailed } from './errors';

export const COOKIE_ACCESS = 'cp_at';
export const COOKIE_REFRESH = 'cp_rt';
export const COOKIE_DEVICE = 'cp_did';
const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** Parses input with its protocol schema; a failure is a 400 VALIDATION_FAILED listing each rule broken. */
export function parse<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw validationFailed(result.error.issues);
  return result.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether an id from a path or body can name a row at all: anything else is
 * answered "not found" by the caller, without asking the database (which
 * would refuse it as a malformed uuid).
 */
export const isUuid = (id: string): boolean => UUID.test(id);

/**
 * The key `@fastify/cookie` signs cookies with, derived from the server's
 * secret (JWT_SECRET) for this one use: every node of a deployment derives
 * the same, and a token key never signs a cookie.
 */
export function cookieSigningKey(serverSecret: string): string {
  return createHmac('sha256', serverSecret).update('chatpop cookie signing').digest('base64url');
}

/**
 * The anonymous device id. The server issues it, signed (`<id>.<HMAC>`, so a
 * browser cannot make one up or borrow another's), and httpOnly (page scripts
 * never see it), on the first chat request that lacks one. A cookie the
 * server did not sign counts as none: with `create` a fresh one replaces it.
 * Per-device limits count the network as well (docs/security.md): dropping
 * the cookie gets a new device, never more of what a network may do.
 */
export function deviceId(req: FastifyRequest, reply: FastifyReply, opts: { create: boolean; secure: boolean }): string | null {
  const existing = req.cookies[COOKIE_DEVICE];
  if (existing) {
    const { valid, value } = req.unsignCookie(existing);
    if (valid && value !== null && DEVICE_ID_PATTERN.test(value)) return value;
  }
  if (!opts.create) return null;
  const id = randomBytes(18).toString('base64url');
  reply.setCookie(COOKIE_DEVICE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: opts.secure,
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
    signed: true,
  });
  // Later reads in this request see it too.
  req.cookies[COOKIE_DEVICE] = reply.signCookie(id);
  return id;
}
