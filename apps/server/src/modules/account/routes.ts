import type { FastifyInstance } from 'fastify';
import { AVATAR_MAX_BYTES, changePasswordBodySchema, updateProfileBodySchema } from '@chatpop/protocol';
import { z } from 'zod';
import { AppError } from '../../errors';
import { deviceId, parse } from '../../http';
import { requireUser } from '../auth/actor';
import { clearSessionCookiesOn } from '../auth/cookies';
import { toPublicUser } from '../auth/service';
import * as account from './service';

const sessionParams = z.object({ id: z.string().uuid('There is no such session of yours.') });
const avatarParams = z.object({ file: z.string().regex(/^[A-Za-z0-9_-]{1,100}\.webp$/, 'No such avatar.') });

export async function accountRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  // An avatar arrives as the raw request body (any image type, or octet-stream): its content decides what it is.
  // Only the avatar route raises the body limit; elsewhere in this plugin such a body stops at the global 64 KiB.
  app.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/, { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );

  app.patch('/api/me', async (req, reply) => {
    const actor = await requireUser(ctx, req);
    const body = parse(updateProfileBodySchema, req.body);
    const user = await account.updateProfile(ctx, actor.user, body, deviceId(req, reply, { create: false, secure: ctx.config.cookieSecure }));
    return { user: toPublicUser(user) };
  });

  app.put('/api/me/avatar', { bodyLimit: AVATAR_MAX_BYTES }, async (req) => {
    const actor = await requireUser(ctx, req);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new AppError(415, 'FILE_TYPE_UNSUPPORTED', 'Send the image itself as the request body (JPEG, PNG, WebP or GIF).');
    }
    const user = await account.setAvatar(ctx, actor.user, req.body);
    return { user: toPublicUser(user) };
  });

  app.delete('/api/me/avatar', async (req) => {
    const actor = await requireUser(ctx, req);
    return { user: toPublicUser(await account.removeAvatar(ctx, actor.user)) };
  });

  app.get('/api/avatars/:file', async (req, reply) => {
    const { file } = parse(avatarParams, req.params);
    const stored = await ctx.storage.get(`avatars/${file}`);
    if (!stored) throw new AppError(404, 'NOT_FOUND', 'No such avatar.');
    // A new avatar gets a new key, so a stored one never changes.
    return reply.header('content-type', stored.contentType).header('cache-control', 'public, max-age=31536000, immutable').send(stored.data);
  });

  app.delete('/api/me/sessions/:id', async (req, reply) => {
    const actor = await requireUser(ctx, req);
    const { id } = parse(sessionParams, req.params);
    await account.revokeSession(ctx, actor.user, id);
    if (id === actor.sessionId) clearSessionCookiesOn(reply);
    return reply.code(204).send();
  });

  app.post('/api/me/sessions/revoke-others', async (req, reply) => {
    const actor = await requireUser(ctx, req);
    await account.revokeOtherSessions(ctx, actor.user, actor.sessionId);
    return reply.code(204).send();
  });

  app.post('/api/me/password', async (req, reply) => {
    const actor = await requireUser(ctx, req);
    const body = parse(changePasswordBodySchema, req.body);
    await account.changePassword(ctx, actor.user, actor.sessionId, body);
    return reply.code(204).send();
  });
}
