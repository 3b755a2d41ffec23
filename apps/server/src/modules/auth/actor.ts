import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context';
import { AppError, unauthenticated } from '../../errors';
import { COOKIE_ACCESS } from '../../http';
import type { UserRow } from '../../db/schema';
import * as repo from './repo';

export interface SignedInActor {
  user: UserRow;
  sessionId: string;
}

/**
 * The signed-in user of a request, or null for a visitor. An expired or
 * revoked access token is a 401 (the client refreshes and retries) rather than
 * a silent downgrade to anonymous, which would make a signed-in user join a
 * chat as someone else.
 */
export async function optionalUser(ctx: AppContext, req: FastifyRequest): Promise<SignedInActor | null> {
  const token = req.cookies[COOKIE_ACCESS];
  if (!token) return null;
  return actorFromAccessToken(ctx, token);
}

/** The account an access token speaks for (HTTP cookie or socket handshake); 401 when expired, forged or signed out. */
export async function actorFromAccessToken(ctx: AppContext, token: string): Promise<SignedInActor> {
  const claims = await ctx.tokens.verifyAccess(token);
  const session = await repo.findSession(ctx.db, claims.sessionId);
  if (!session || session.revokedAt || session.userId !== claims.userId) {
    throw new AppError(401, 'SESSION_REVOKED', 'This session has ended. Sign in again.');
  }
  const user = await repo.findUserById(ctx.db, claims.userId);
  if (!user) throw new AppError(401, 'SESSION_REVOKED', 'This session has ended. Sign in again.');
  return { user, sessionId: session.id };
}

/**
 * The session a signed-in participation's chat session token names, if it
 * is still live (not signed out, not expired); 401 SESSION_REVOKED otherwise.
 */
export async function liveSession(ctx: AppContext, sessionId: string): Promise<{ id: string; userId: string }> {
  const session = await repo.findSession(ctx.db, sessionId);
  if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) throw sessionEnded();
  return { id: session.id, userId: session.userId };
}

/** The answer to a token or connection of a session that ended. */
export const sessionEnded = () =>
  new AppError(401, 'SESSION_REVOKED', 'You were signed out, on this device or another. Sign in again to keep chatting.');

export async function requireUser(ctx: AppContext, req: FastifyRequest): Promise<SignedInActor> {
  const actor = await optionalUser(ctx, req);
  if (!actor) throw unauthenticated();
  return actor;
}
