import { hash, verify } from '@node-rs/argon2';
import { uuidv7 } from 'uuidv7';
import { randomBytes, randomUUID } from 'node:crypto';
import Bowser from 'bowser';
import {
  PASSWORD_RESET_TTL_MINUTES,
  REFRESH_TOKEN_TTL_SECONDS,
  checkUsername,
  type LoginBody,
  type PasswordResetConfirm,
  type PublicUser,
  type RegisterBody,
  type SessionInfo,
} from '@chatpop/protocol';
import { track, type AppContext } from '../../context';
import { AppError, badRequest, conflict } from '../../errors';
import { uniqueViolation } from '../../db/errors';
import type { UserRow } from '../../db/schema';
import { claim, findClaim, releaseClaims } from '../usernames/repo';
import * as repo from './repo';
import { hashSecret, newRefreshSecret, parseRefreshToken } from './tokens';

/** argon2id with the library's defaults (OWASP's recommended minimums or better). */
export const hashPassword = (password: string) => hash(password, { algorithm: 2 });
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
  /** The browser's anonymous device id, when it has one: its chat name may be claimed at registration. */
  deviceId?: string | null;
}

export const avatarUrl = (key: string | null) => (key ? `/api/avatars/${key.slice(key.indexOf('/') + 1)}` : null);

export function toPublicUser(u: UserRow): PublicUser {
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    displayName: u.displayName,
    bio: u.bio,
    avatarUrl: avatarUrl(u.avatarKey),
    status: u.status,
    privacy: { hideReadReceipts: u.hideReadReceipts, hideLastSeen: u.hideLastSeen, whoCanMessage: u.whoCanMessage },
    createdAt: u.createdAt.toISOString(),
  };
}

const usernameTaken = () => conflict('USERNAME_TAKEN', 'That username is taken. Try another one.');

/** An address nobody confirmed within a week is free again: its account counts as absent and is swept. */
export const PENDING_REGISTRATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const PENDING_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const pendingCutoff = () => new Date(Date.now() - PENDING_REGISTRATION_TTL_MS);
/** An unconfirmed account past its week: treated as no account. */
const lapsed = (user: UserRow) => !user.emailConfirmedAt && user.registeredAt.getTime() <= pendingCutoff().getTime();

/** Deletes unconfirmed accounts older than a week, with their names; returns how many went. */
export function sweepPendingRegistrations(ctx: AppContext): Promise<number> {
  return repo.deletePendingRegistrations(ctx.db, pendingCutoff());
}

/** Sweeps lapsed registrations now and then (harmless on several nodes at once). */
export function startPendingRegistrationSweeper(ctx: AppContext): NodeJS.Timeout {
  const timer = setInterval(() => {
    sweepPendingRegistrations(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'pending registration sweep failed'));
  }, PENDING_SWEEP_INTERVAL_MS);
  timer.unref();
  return timer;
}

const REGISTER_REPLY =
  'Almost there: we sent a link to that address. Open it to confirm your email and sign in. The link works for 24 hours.';

/**
 * Creates an account that signs in once its email is confirmed (SPEC §3).
 * The reply is the same whether or not the email already has an account, so
 * registration tells nobody who has one: a new address gets the confirmation
 * link; an address with a confirmed account gets a notice. The mail goes out
 * after the reply.
 *
 * An address nobody confirmed yet belongs to whoever reads its mail, not to
 * whoever registered it first: a new registration replaces the earlier one
 * whole (password, username, a new link; the earlier links stop working), so
 * a stranger who registered someone's address first keeps nothing once its
 * owner registers. Past a week unconfirmed, an account is as good as absent.
 *
 * A reserved username passes every rule of a typed name and is claimed
 * platform-wide in the same transaction: a name held only by this browser's
 * anonymous device is adopted (join as `robert`, register `robert`, get the
 * badge); any other holder makes it 409, whatever the email, and of two
 * racing registrations one wins.
 */
export async function register(ctx: AppContext, body: RegisterBody, client: ClientInfo): Promise<{ message: string }> {
  let username: string | null = null;
  if (body.username !== undefined && body.username.trim() !== '') {
    const check = checkUsername(body.username);
    if (!check.ok) throw badRequest('USERNAME_INVALID', check.message!, { rule: check.rule });
    username = check.username;
  }
  await ctx.limits.consume('register', client.ip);
  const passwordHash = await hashPassword(body.password);
  const usernameLower = username?.toLowerCase() ?? null;
  // Lapsed registrations in the way (of this address, or holding this name) are gone before anything is claimed.
  await repo.deletePendingRegistrations(ctx.db, pendingCutoff(), { email: body.email, usernameLower });
  let outcome: { created: UserRow } | { existing: UserRow };
  try {
    outcome = await ctx.db.transaction(async (tx) => {
      const registrationId = randomUUID();
      const created = await repo.insertUserUnlessEmailTaken(tx, { id: uuidv7(), email: body.email, passwordHash, username, usernameLower, registrationId });
      if (created) {
        if (username && !(await claim(tx, username, { userId: created.id }, { adoptFromDevice: client.deviceId }))) throw usernameTaken();
        return { created };
      }
      const existing = await repo.lockUserByEmail(tx, body.email);
      if (!existing) throw new Error('email conflict without an account');
      if (existing.emailConfirmedAt) {
        // The email has an account: the username still answers as it would for anyone.
        if (username) {
          const holder = await findClaim(tx, usernameLower!);
          if (holder && !(holder.userId === null && holder.deviceId === client.deviceId)) throw usernameTaken();
        }
        return { existing };
      }
      // Unconfirmed: this registration replaces the earlier one (its name is released, this one's claimed).
      await releaseClaims(tx, existing.id);
      if (username && !(await claim(tx, username, { userId: existing.id }, { adoptFromDevice: client.deviceId }))) throw usernameTaken();
      const replaced = await repo.replaceRegistration(tx, existing.id, { passwordHash, username, usernameLower, registrationId });
      if (!replaced) throw new Error('pending registration vanished under its lock');
      return { created: replaced };
    });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'users_username_lower_key' || constraint === 'usernames_pkey') throw usernameTaken();
    throw err;
  }
  if ('created' in outcome) sendConfirmation(ctx, outcome.created, body.next);
  else notifyRegistrationAttempt(ctx, outcome.existing.email);
  return { message: REGISTER_REPLY };
}

/** The confirmation link: a signed token naming the account, good for 24 hours and, by the update it makes, once. */
function sendConfirmation(ctx: AppContext, user: UserRow, next?: string) {
  track(
    ctx,
    (async () => {
      const token = await ctx.tokens.signEmailConfirmation({ userId: user.id, registrationId: user.registrationId });
      await ctx.mailer.send({
        to: user.email,
        subject: 'Confirm your email to finish creating your ChatPop account',
        text: [
          'Welcome to ChatPop! Confirm that this is your email address to finish creating your account:',
          '',
          `${ctx.config.publicWebUrl}/confirm-email?token=${token}${next && next !== '/' ? `&next=${encodeURIComponent(next)}` : ''}`,
          '',
          'The link works for 24 hours, and only the newest one mailed to you does: registering again replaces an earlier registration.',
          'If you did not create an account, ignore this email: nothing happens without the link.',
        ].join('\n'),
      });
    })().catch((err: unknown) => ctx.log.error({ err }, 'confirmation mail not sent')),
  );
}

const confirmInvalid = () =>
  badRequest('CONFIRM_TOKEN_INVALID', 'This confirmation link is invalid, used, expired or replaced by a newer registration. Sign in to get a new one.');

/** Confirms an account's email from its link and signs this browser in; a link works once. */
export async function confirmEmail(ctx: AppContext, token: string, client: ClientInfo): Promise<SignedIn> {
  await ctx.limits.consume('emailConfirm', client.ip);
  const claims = await ctx.tokens.verifyEmailConfirmation(token).catch(() => {
    throw confirmInvalid();
  });
  // Only the address's latest registration, and only within its week.
  const user = await repo.confirmEmail(ctx.db, claims.userId, { registrationId: claims.registrationId, registeredAfter: pendingCutoff() });
  if (!user) throw confirmInvalid();
  return startSession(ctx, user, client);
}

/** Tells an account's owner that someone tried to register with their email (and how to get back in). */
function notifyRegistrationAttempt(ctx: AppContext, email: string) {
  sendInBackground(ctx, {
    to: email,
    subject: 'Someone tried to create a ChatPop account with your email',
    text: [
      'Someone tried to create a new ChatPop account with this email address, which already has one.',
      '',
      `If it was you, sign in at ${ctx.config.publicWebUrl}/login, or reset your password at ${ctx.config.publicWebUrl}/forgot-password.`,
      'If it was not you, you can ignore this email: nothing changed.',
    ].join('\n'),
  });
}

/** Mail that must not hold up (or, by its timing, reveal anything in) the reply. */
export function sendInBackground(ctx: AppContext, mail: { to: string; subject: string; text: string }) {
  track(
    ctx,
    ctx.mailer.send(mail).catch((err: unknown) => ctx.log.error({ err, subject: mail.subject }, 'mail not sent')),
  );
}

export async function login(ctx: AppContext, body: LoginBody, client: ClientInfo): Promise<SignedIn> {
  await ctx.limits.consume('loginIp', client.ip);
  await ctx.limits.consume('loginAccount', body.email);
  const user = await repo.findUserByEmail(ctx.db, body.email);
  dummyHash ??= hashPassword('not-a-real-password-1A');
  const ok = await verify(user?.passwordHash ?? (await dummyHash), body.password);
  if (!user || !ok || lapsed(user)) throw new AppError(401, 'INVALID_CREDENTIALS', 'The email or password is wrong.');
  if (!user.emailConfirmedAt) {
    // Only the owner of the password learns this; the link goes to the address again.
    sendConfirmation(ctx, user);
    throw new AppError(403, 'EMAIL_NOT_CONFIRMED', 'Confirm your email first: we sent the link to your address again.');
  }
  return startSession(ctx, user, client);
}

export async function startSession(ctx: AppContext, user: UserRow, client: ClientInfo): Promise<SignedIn> {
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
    await ctx.sessionSockets.ended(await repo.revokeSession(ctx.db, session.id));
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

/** Signs one session out; its live connections end with it. */
export async function logout(ctx: AppContext, sessionId: string) {
  await ctx.sessionSockets.ended(await repo.revokeSession(ctx.db, sessionId));
}

/** Signs every session of the account out; every live connection of theirs ends at once, on every node. */
export async function logoutAll(ctx: AppContext, userId: string) {
  await ctx.sessionSockets.ended(await repo.revokeAllSessions(ctx.db, userId));
}

/** "Chrome on macOS", from a user agent; null when it names no browser. */
export function deviceLabel(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (!browser) return null;
  return os ? `${browser} on ${os}` : browser;
}

export async function sessionsOf(ctx: AppContext, userId: string, currentSessionId: string): Promise<SessionInfo[]> {
  const rows = await repo.listActiveSessions(ctx.db, userId);
  return rows.map((s) => ({
    id: s.id,
    userAgent: s.userAgent,
    device: deviceLabel(s.userAgent),
    ip: s.ip,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt.toISOString(),
    current: s.id === currentSessionId,
  }));
}

const RESET_REPLY = `If an account uses that email, we sent it a link to reset the password. The link works for ${PASSWORD_RESET_TTL_MINUTES} minutes.`;

/**
 * Starts a password reset (SPEC §3). The reply is the same whether or not the
 * email has an account, and the token and the mail are made after the reply,
 * so neither the answer nor its timing tells who has an account.
 */
export async function requestPasswordReset(ctx: AppContext, email: string, ip: string): Promise<string> {
  await ctx.limits.consume('passwordResetIp', ip);
  await ctx.limits.consume('passwordResetEmail', email);
  track(
    ctx,
    (async () => {
      const user = await repo.findUserByEmail(ctx.db, email);
      if (!user || lapsed(user)) return;
      const token = randomBytes(32).toString('base64url');
      await repo.replaceResetToken(ctx.db, {
        id: uuidv7(),
        userId: user.id,
        tokenHash: hashSecret(token),
        ip,
        expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MINUTES * 60_000),
      });
      await ctx.mailer.send({
        to: user.email,
        subject: 'Reset your ChatPop password',
        text: [
          'Someone (hopefully you) asked to reset the password of your ChatPop account.',
          '',
          `Choose a new password here: ${ctx.config.publicWebUrl}/reset-password?token=${token}`,
          '',
          `The link works once, for ${PASSWORD_RESET_TTL_MINUTES} minutes. If you did not ask for it, ignore this email: your password stays as it is.`,
        ].join('\n'),
      });
    })().catch((err: unknown) => ctx.log.error({ err }, 'password reset not sent')),
  );
  return RESET_REPLY;
}

const resetInvalid = () => badRequest('RESET_TOKEN_INVALID', 'This reset link is invalid, used or expired. Ask for a new one.');

/**
 * Sets a new password from a reset link: the link works once and only until
 * it expires; every session of the account ends, and this browser is signed
 * in afresh.
 */
export async function confirmPasswordReset(ctx: AppContext, body: PasswordResetConfirm, client: ClientInfo): Promise<SignedIn> {
  await ctx.limits.consume('passwordResetConfirm', client.ip);
  const tokenHash = hashSecret(body.token);
  const reset = await repo.findResetToken(ctx.db, tokenHash);
  if (!reset || reset.usedAt || reset.expiresAt.getTime() <= Date.now()) throw resetInvalid();
  const passwordHash = await hashPassword(body.password);
  const { user, ended } = await ctx.db.transaction(async (tx) => {
    // Compare-and-set: of two uses of one link, one wins.
    if (!(await repo.useResetToken(tx, reset.id))) throw resetInvalid();
    await repo.setPassword(tx, reset.userId, passwordHash);
    // The link reached the address: that confirms it too.
    await repo.confirmEmail(tx, reset.userId);
    const ended = await repo.revokeAllSessions(tx, reset.userId);
    return { user: await repo.findUserById(tx, reset.userId), ended };
  });
  await ctx.sessionSockets.ended(ended);
  if (!user) throw resetInvalid();
  notifyPasswordChanged(ctx, user);
  return startSession(ctx, user, client);
}

export function notifyPasswordChanged(ctx: AppContext, user: UserRow) {
  sendInBackground(ctx, {
    to: user.email,
    subject: 'Your ChatPop password was changed',
    text: [
      'The password of your ChatPop account was just changed, and your other sessions were signed out.',
      '',
      `If you did not do this, reset your password at ${ctx.config.publicWebUrl}/forgot-password right away.`,
    ].join('\n'),
  });
}
