import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { ACCESS_TOKEN_TTL_SECONDS } from '@chatpop/protocol';
import { AppError } from '../../errors';

export const CHAT_TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** Clock skew tolerated between nodes when checking `iat`. */
const CLOCK_SKEW_SECONDS = 30;
const ISSUER = 'chatpop';
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/**
 * The chat session token of SPEC §2.2: bound to chat, participation and
 * username, and, for a signed-in participation, to the session it was issued
 * in (`sid`), so that ending the session ends what the token opens.
 */
export interface ChatClaims {
  roomId: string;
  memberId: string;
  username: string;
  /** The account session of a signed-in participation; null for an anonymous one. */
  sessionId: string | null;
}

/** A confirmation link works only for the registration that mailed it: a newer one of the address voids it. */
export interface ConfirmationClaims {
  userId: string;
  registrationId: string;
}

export interface Tokens {
  signAccess(claims: AccessClaims): Promise<string>;
  verifyAccess(token: string): Promise<AccessClaims>;
  signChat(claims: ChatClaims): Promise<string>;
  verifyChat(token: string): Promise<ChatClaims>;
  /** The link that confirms an account's email (SPEC §3): names the account and its registration, 24 hours. */
  signEmailConfirmation(claims: ConfirmationClaims): Promise<string>;
  verifyEmailConfirmation(token: string): Promise<ConfirmationClaims>;
}

export const EMAIL_CONFIRMATION_TTL_SECONDS = 24 * 60 * 60;

export function createTokens(secret: string): Tokens {
  const key = new TextEncoder().encode(secret);

  async function sign(payload: Record<string, string>, audience: string, subject: string, ttlSeconds: number) {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
  }

  async function verify(token: string, audience: string) {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new AppError(401, 'TOKEN_INVALID', 'The token is missing or malformed.');
    }
    try {
      const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience, algorithms: ['HS256'] });
      const now = Math.floor(Date.now() / 1000);
      if (typeof payload.iat !== 'number' || payload.iat > now + CLOCK_SKEW_SECONDS) {
        throw new AppError(401, 'TOKEN_INVALID', 'The token is dated in the future.');
      }
      return payload;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) {
        throw new AppError(401, 'TOKEN_EXPIRED', 'The token has expired. Open the chat again.');
      }
      throw new AppError(401, 'TOKEN_INVALID', 'The token is not valid.');
    }
  }

  return {
    signAccess: ({ userId, sessionId }) => sign({ sid: sessionId }, 'access', userId, ACCESS_TOKEN_TTL_SECONDS),
    async verifyAccess(token) {
      const p = await verify(token, 'access');
      if (typeof p.sub !== 'string' || typeof p.sid !== 'string') throw new AppError(401, 'TOKEN_INVALID', 'The token is not valid.');
      return { userId: p.sub, sessionId: p.sid };
    },
    signChat: ({ roomId, memberId, username, sessionId }) =>
      sign({ rid: roomId, usr: username, ...(sessionId ? { sid: sessionId } : {}) }, 'chat', memberId, CHAT_TOKEN_TTL_SECONDS),
    async verifyChat(token) {
      const p = await verify(token, 'chat');
      if (typeof p.sub !== 'string' || typeof p.rid !== 'string' || typeof p.usr !== 'string' || (p.sid !== undefined && !(typeof p.sid === 'string' && SESSION_ID.test(p.sid)))) {
        throw new AppError(401, 'TOKEN_INVALID', 'The token is not valid.');
      }
      return { roomId: p.rid, memberId: p.sub, username: p.usr, sessionId: typeof p.sid === 'string' ? p.sid : null };
    },
    signEmailConfirmation: ({ userId, registrationId }) => sign({ reg: registrationId }, 'confirm-email', userId, EMAIL_CONFIRMATION_TTL_SECONDS),
    async verifyEmailConfirmation(token) {
      const p = await verify(token, 'confirm-email');
      if (typeof p.sub !== 'string' || typeof p.reg !== 'string') throw new AppError(401, 'TOKEN_INVALID', 'The token is not valid.');
      return { userId: p.sub, registrationId: p.reg };
    },
  };
}

/** Refresh tokens are opaque: `<sessionId>.<secret>`; only the secret's hash is stored. */
export function newRefreshSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function parseRefreshToken(token: string | undefined): { sessionId: string; secret: string } | null {
  if (!token) return null;
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(token);
  return match ? { sessionId: match[1]!, secret: match[2]! } : null;
}
