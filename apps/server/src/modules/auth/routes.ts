import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  confirmEmailBodySchema,
  loginBodySchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  registerBodySchema,
} from '@chatpop/protocol';
import { COOKIE_REFRESH, deviceId, parse } from '../../http';
import { AppError } from '../../errors';
import { optionalUser, requireUser } from './actor';
import { clearSessionCookiesOn, setSessionCookiesOn } from './cookies';
import * as auth from './service';

export async function authRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const client = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });

  const setSessionCookies = (reply: FastifyReply, signedIn: auth.SignedIn) => setSessionCookiesOn(reply, ctx.config, signedIn);
  const clearSessionCookies = clearSessionCookiesOn;

  app.post('/api/auth/register', async (req, reply) => {
    const body = parse(registerBodySchema, req.body);
    const device = deviceId(req, reply, { create: false, secure: ctx.config.cookieSecure });
    const registered = await auth.register(ctx, body, { ...client(req), deviceId: device });
    return reply.code(202).send(registered);
  });

  app.post('/api/auth/confirm-email', async (req, reply) => {
    const { token } = parse(confirmEmailBodySchema, req.body);
    const signedIn = await auth.confirmEmail(ctx, token, client(req));
    setSessionCookies(reply, signedIn);
    return { user: auth.toPublicUser(signedIn.user) };
  });

  app.post('/api/auth/login', async (req, reply) => {
    const body = parse(loginBodySchema, req.body);
    const signedIn = await auth.login(ctx, body, client(req));
    setSessionCookies(reply, signedIn);
    return { user: auth.toPublicUser(signedIn.user) };
  });

  app.post('/api/auth/refresh', async (req, reply) => {
    try {
      const signedIn = await auth.refresh(ctx, req.cookies[COOKIE_REFRESH]);
      setSessionCookies(reply, signedIn);
      return { user: auth.toPublicUser(signedIn.user) };
    } catch (err) {
      if (err instanceof AppError && err.status === 401) clearSessionCookies(reply);
      throw err;
    }
  });

  app.post('/api/auth/logout', async (req, reply) => {
    const actor = await requireUser(ctx, req).catch(() => null);
    const sessionId = actor?.sessionId ?? (await auth.sessionOfRefreshToken(ctx, req.cookies[COOKIE_REFRESH]));
    if (sessionId) await auth.logout(ctx, sessionId);
    clearSessionCookies(reply);
    return reply.code(204).send();
  });

  app.post('/api/auth/logout-all', async (req, reply) => {
    const actor = await requireUser(ctx, req);
    await auth.logoutAll(ctx, actor.user.id);
    clearSessionCookies(reply);
    return reply.code(204).send();
  });

  app.post('/api/auth/password-reset', async (req, reply) => {
    const { email } = parse(passwordResetRequestSchema, req.body);
    const message = await auth.requestPasswordReset(ctx, email, req.ip);
    return reply.code(202).send({ message });
  });

  app.post('/api/auth/password-reset/confirm', async (req, reply) => {
    const body = parse(passwordResetConfirmSchema, req.body);
    const signedIn = await auth.confirmPasswordReset(ctx, body, client(req));
    setSessionCookies(reply, signedIn);
    return { user: auth.toPublicUser(signedIn.user) };
  });

  /**
   * Who is signed in, for pages that work either way: 200 with the user or
   * with null, never a 401 (a signed-out visitor's console stays clean). An
   * expired access token is renewed here from the refresh cookie, which
   * travels to /api/auth; a refresh token that no longer works is cleared.
   */
  app.get('/api/auth/session', async (req, reply) => {
    const actor = await optionalUser(ctx, req).catch(() => null);
    if (actor) return { user: auth.toPublicUser(actor.user) };
    if (!req.cookies[COOKIE_REFRESH]) return { user: null };
    try {
      const signedIn = await auth.refresh(ctx, req.cookies[COOKIE_REFRESH]);
      setSessionCookies(reply, signedIn);
      return { user: auth.toPublicUser(signedIn.user) };
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401) throw err;
      clearSessionCookies(reply);
      return { user: null };
    }
  });

  app.get('/api/me', async (req) => {
    const actor = await requireUser(ctx, req);
    return { user: auth.toPublicUser(actor.user) };
  });

  app.get('/api/me/sessions', async (req) => {
    const actor = await requireUser(ctx, req);
    return { sessions: await auth.sessionsOf(ctx, actor.user.id, actor.sessionId) };
  });
}
