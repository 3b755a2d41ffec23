import { verify } from '@node-rs/argon2';
import { and, eq } from 'drizzle-orm';
import { checkUsername, type ChangePasswordBody, type UpdateProfileBody, type updateProfileBodySchema } from '@chatpop/protocol';
import type { z } from 'zod';
import type { AppContext } from '../../context';
import { uniqueViolation } from '../../db/errors';
import { members, type UserRow } from '../../db/schema';
import { AppError, badRequest, conflict, notFound } from '../../errors';
import * as authRepo from '../auth/repo';
import { hashPassword, notifyPasswordChanged } from '../auth/service';
import { claim } from '../usernames/repo';
import { newAvatarKey, processAvatar } from './avatar';

export type { UpdateProfileBody };

/**
 * Edits the profile (SPEC §3): display name, bio, status, privacy, and — for
 * an account that has none — a reserved username, claimed as at registration
 * (this browser's anonymous name may be adopted). The user's chat
 * participations under that name get their badge.
 */
export async function updateProfile(
  ctx: AppContext,
  user: UserRow,
  body: z.output<typeof updateProfileBodySchema>,
  deviceId: string | null,
): Promise<UserRow> {
  let username: string | undefined;
  if (body.username !== undefined) {
    if (user.username) throw conflict('USERNAME_ALREADY_SET', `Your reserved username is ${user.username}; it cannot be changed.`);
    const check = checkUsername(body.username);
    if (!check.ok) throw badRequest('USERNAME_INVALID', check.message!, { rule: check.rule });
    username = check.username;
  }
  const patch: Partial<UserRow> = {};
  if (body.displayName !== undefined) patch.displayName = body.displayName ? body.displayName : null;
  if (body.bio !== undefined) patch.bio = body.bio;
  if (body.status !== undefined && body.status !== user.status) {
    patch.status = body.status;
    // "Appear offline": last seen stops at this moment, as if the person had just left.
    if (body.status === 'offline') patch.lastSeenAt = new Date();
  }
  if (body.privacy?.hideReadReceipts !== undefined) patch.hideReadReceipts = body.privacy.hideReadReceipts;
  if (body.privacy?.hideLastSeen !== undefined) patch.hideLastSeen = body.privacy.hideLastSeen;
  if (body.privacy?.whoCanMessage !== undefined) patch.whoCanMessage = body.privacy.whoCanMessage;
  if (!username && Object.keys(patch).length === 0) return user;
  let updated: UserRow;
  try {
    updated = await ctx.db.transaction(async (tx) => {
      if (username) {
        if (!(await claim(tx, username, { userId: user.id }, { adoptFromDevice: deviceId }))) {
          throw conflict('USERNAME_TAKEN', 'That username is taken. Try another one.');
        }
        patch.username = username;
        patch.usernameLower = username.toLowerCase();
        await tx
          .update(members)
          .set({ verified: true })
          .where(and(eq(members.userId, user.id), eq(members.usernameLower, username.toLowerCase())));
      }
      return authRepo.updateUser(tx, user.id, patch);
    });
  } catch (err) {
    if (uniqueViolation(err) !== null) throw conflict('USERNAME_TAKEN', 'That username is taken. Try another one.');
    throw err;
  }
  await ctx.accountPresence.profileChanged(user, updated);
  return updated;
}

/** Replaces the avatar with the uploaded image, resized; the old file goes once the new one is in place. */
export async function setAvatar(ctx: AppContext, user: UserRow, data: Buffer): Promise<UserRow> {
  await ctx.limits.consume('avatarUpload', user.id);
  const image = await processAvatar(data);
  const key = newAvatarKey(user.id);
  await ctx.storage.put(key, image);
  const updated = await authRepo.updateUser(ctx.db, user.id, { avatarKey: key });
  if (user.avatarKey) await ctx.storage.delete(user.avatarKey).catch((err: unknown) => ctx.log.warn({ err }, 'old avatar not deleted'));
  return updated;
}

export async function removeAvatar(ctx: AppContext, user: UserRow): Promise<UserRow> {
  if (!user.avatarKey) return user;
  const updated = await authRepo.updateUser(ctx.db, user.id, { avatarKey: null });
  await ctx.storage.delete(user.avatarKey).catch((err: unknown) => ctx.log.warn({ err }, 'avatar not deleted'));
  return updated;
}

/** Signs one of the user's own sessions out; someone else's session is as unknown as a made-up id. */
export async function revokeSession(ctx: AppContext, user: UserRow, sessionId: string): Promise<void> {
  const session = await authRepo.findSession(ctx.db, sessionId);
  if (!session || session.userId !== user.id || session.revokedAt) throw notFound('NOT_FOUND', 'There is no such session of yours.');
  await ctx.sessionSockets.ended(await authRepo.revokeSession(ctx.db, sessionId));
}

export async function revokeOtherSessions(ctx: AppContext, user: UserRow, currentSessionId: string): Promise<void> {
  await ctx.sessionSockets.ended(await authRepo.revokeOtherSessions(ctx.db, user.id, currentSessionId));
}

/** A new password, given the current one; every other session ends. */
export async function changePassword(ctx: AppContext, user: UserRow, currentSessionId: string, body: ChangePasswordBody): Promise<void> {
  await ctx.limits.consume('passwordChange', user.id);
  if (!(await verify(user.passwordHash, body.currentPassword))) {
    throw new AppError(403, 'PASSWORD_WRONG', 'Your current password is not right.');
  }
  const passwordHash = await hashPassword(body.newPassword);
  const ended = await ctx.db.transaction(async (tx) => {
    await authRepo.setPassword(tx, user.id, passwordHash);
    return authRepo.revokeOtherSessions(tx, user.id, currentSessionId);
  });
  await ctx.sessionSockets.ended(ended);
  notifyPasswordChanged(ctx, user);
}
