import { hash, verify } from '@node-rs/argon2';
import { uuidv7 } from 'uuidv7';
import { REFRESH_TOKEN_TTL_SECONDS, checkUsernameFormat, type PublicUser, type RegisterBody, type LoginBody, type SessionInfo } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import { AppError, badRequest, conflict } from '../../errors';
import { uniqueViolation } from '../../db/errors';
import type { UserRow } from '../../db/schema';
import * as repo from './repo';
import { hashSecret, newRefreshSecret, parseRefreshToken } from './tokens';

/** argon2id with the library's defaults (OWASP's recommended minimums or better). */
const hashPassword = (password: string) => hash(password, { algorithm: 2 });
/** Compared against when the email is unknown, so a miss costs as much time as a wrong password. */
let dummyHash: Promise<string> | undefined;

export interface SignedIn {
  user: UserRow;
  accessToken: string;
  refreshToken: string;
}

export interface ClientInfo {
  ip: string;
  userAgent: string | undefined;
}

export function toPublicUser(u: UserRow): PublicUser {
  return { id: u.id, email: u.email, username: u.username, displayName: u.displayName, createdAt: u.createdAt.toISOString() };
}

export async function register(ctx: AppContext, body: RegisterBody, client: ClientInfo): Promise<SignedIn> {
  let username: string | null = null;
  if (body.username !== undefined && body.username.trim() !== '') {
    const check = checkUsernameFormat(body.username);
    if (!check.ok) throw badRequest('USERNAME_INVALID', check.message!, { rule: check.rule });
    username = check.username;
  }
  await ctx.limits.consume('register', client.ip);
  const passwordHash = await hashPassword(body.password);
  let user: UserRow;
  try {
    user = await repo.insertUser(ctx.db, {
      id: uuidv7(),
      email: body.email,
      passwordHash,
      username,
      usernameLower: username?.toLowerCase() ?? null,
    });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'users_username_lower_key') throw conflict('USERNAME_TAKEN', 'That username is taken. Try another one.');
    if (constraint !== null) {
      throw conflict('EMAIL_TAKEN', 'An account with this email already exists. Sign in instead.');
    }
    throw err;
  }
  return startSession(ctx, user, client);
}

export async function login(ctx: AppContext, body: LoginBody, client: ClientInfo): Promise<SignedIn> {
  await ctx.limits.consume('loginIp', client.ip);
  await ctx.limits.consume('loginAccount', body.email);
  const user = await repo.findUserByEmail(ctx.db, body.email);
  dummyHash ??= hashPassword('not-a-real-password-1A');
  const ok = await verify(user?.passwordHash ?? (await dummyHash), body.password);
  if (!user || !ok) throw new AppError(401, 'INVALID_CREDENTIALS', 'The email or password is wrong.');
  return startSession(ctx, user, client);
}

async function startSession(ctx: AppContext, user: UserRow, client: ClientInfo): Promise<SignedIn> {
  const secret = newRefreshSecret();
  const session = await repo.insertSession(ctx.db, {
    id: crypto.randomUUID(),
    userId: user.id,
    tokenHash: hashSecret(secret),
    userAgent: client.userAgent?.slice(0, 300) ?? null,
    ip: client.ip,
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000),
  });
  return {
    user,
    accessToken: await ctx.tokens.signAccess({ userId: user.id, sessionId: session.id }),
    refreshToken: `${session.id}.${secret}`,
  };
}

/**
 * Rotates the refresh token. A token that was already rotated away is a sign
 * of theft: the whole session is revoked (SPEC §3).
 */
export async function refresh(ctx: AppContext, token: string | undefined): Promise<SignedIn> {
  const parsed = parseRefreshToken(token);
  if (!parsed) throw new AppError(401, 'UNAUTHENTICATED', 'Sign in again.');
  const session = await repo.findSession(ctx.db, parsed.sessionId);
  if (!session || session.revokedAt) throw new AppError(401, 'SESSION_REVOKED', 'This session has ended. Sign in again.');
  if (session.expiresAt.getTime() <= Date.now()) throw new AppError(401, 'TOKEN_EXPIRED', 'Your session has expired. Sign in again.');
  const presented = hashSecret(parsed.secret);
  const secret = newRefreshSecret();
  const rotated = presented === session.tokenHash && (await repo.rotateSession(ctx.db, session.id, presented, hashSecret(secret)));
  if (!rotated) {
    await repo.revokeSession(ctx.db, session.id);
    ctx.log.warn({ sessionId: session.id }, 'refresh token reuse: session revoked');
    throw new AppError(401, 'SESSION_REVOKED', 'This session has ended. Sign in again.');
  }
  const user = await repo.findUserById(ctx.db, session.userId);
  if (!user) throw new AppError(401, 'SESSION_REVOKED', 'This session has ended. Sign in again.');
  return {
    user,
    accessToken: await ctx.tokens.signAccess({ userId: user.id, sessionId: session.id }),
    refreshToken: `${session.id}.${secret}`,
  };
}

/** The session a refresh token belongs to, if the token is its current one. */
export async function sessionOfRefreshToken(ctx: AppContext, token: string | undefined): Promise<string | null> {
  const parsed = parseRefreshToken(token);
  if (!parsed) return null;
  const session = await repo.findSession(ctx.db, parsed.sessionId);
  return session && session.tokenHash === hashSecret(parsed.secret) ? session.id : null;
}

export async function logout(ctx: AppContext, sessionId: string) {
  await repo.revokeSession(ctx.db, sessionId);
}

export async function logoutAll(ctx: AppContext, userId: string) {
  await repo.revokeAllSessions(ctx.db, userId);
}

export async function sessionsOf(ctx: AppContext, userId: string, currentSessionId: string): Promise<SessionInfo[]> {
  const rows = await repo.listActiveSessions(ctx.db, userId);
  return rows.map((s) => ({
    id: s.id,
    userAgent: s.userAgent,
    ip: s.ip,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt.toISOString(),
    current: s.id === currentSessionId,
  }));
}
