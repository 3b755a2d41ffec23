import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS, loginBodySchema, registerBodySchema } from '@chatpop/protocol';
import { COOKIE_ACCESS, COOKIE_REFRESH, parse } from '../../http';
import { AppError } from '../../errors';
import { requireUser } from './actor';
import * as auth from './service';

const REFRESH_PATH = '/api/auth';

export async function authRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const client = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });

  function setSessionCookies(reply: FastifyReply, signedIn: auth.SignedIn) {
    const base = { httpOnly: true, sameSite: 'lax' as const, secure: ctx.config.cookieSecure };
    reply.setCookie(COOKIE_ACCESS, signedIn.accessToken, { ...base, path: '/', maxAge: ACCESS_TOKEN_TTL_SECONDS });
    reply.setCookie(COOKIE_REFRESH, signedIn.refreshToken, { ...base, path: REFRESH_PATH, maxAge: REFRESH_TOKEN_TTL_SECONDS });
  }
  function clearSessionCookies(reply: FastifyReply) {
    reply.clearCookie(COOKIE_ACCESS, { path: '/' });
    reply.clearCookie(COOKIE_REFRESH, { path: REFRESH_PATH });
  }

  app.post('/api/auth/register', async (req, reply) => {
    const body = parse(registerBodySchema, req.body);
    const signedIn = await auth.register(ctx, body, client(req));
    setSessionCookies(reply, signedIn);
    return reply.code(201).send({ user: auth.toPublicUser(signedIn.user) });
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

  app.get('/api/me', async (req) => {
    const actor = await requireUser(ctx, req);
    return { user: auth.toPublicUser(actor.user) };
  });

  app.get('/api/me/sessions', async (req) => {
    const actor = await requireUser(ctx, req);
    return { sessions: await auth.sessionsOf(ctx, actor.user.id, actor.sessionId) };
  });
}
