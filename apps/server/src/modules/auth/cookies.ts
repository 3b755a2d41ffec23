import type { FastifyReply } from 'fastify';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from '@chatpop/protocol';
import type { Config } from '../../config';
import { COOKIE_ACCESS, COOKIE_REFRESH } from '../../http';
import type { SignedIn } from './service';

/** The refresh cookie only travels to the auth routes that use it. */
export const REFRESH_PATH = '/api/auth';

export function setSessionCookiesOn(reply: FastifyReply, config: Config, signedIn: SignedIn) {
  const base = { httpOnly: true, sameSite: 'lax' as const, secure: config.cookieSecure };
  reply.setCookie(COOKIE_ACCESS, signedIn.accessToken, { ...base, path: '/', maxAge: ACCESS_TOKEN_TTL_SECONDS });
  reply.setCookie(COOKIE_REFRESH, signedIn.refreshToken, { ...base, path: REFRESH_PATH, maxAge: REFRESH_TOKEN_TTL_SECONDS });
}

export function clearSessionCookiesOn(reply: FastifyReply) {
  reply.clearCookie(COOKIE_ACCESS, { path: '/' });
  reply.clearCookie(COOKIE_REFRESH, { path: REFRESH_PATH });
}
