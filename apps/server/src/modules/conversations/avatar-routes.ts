import type { FastifyInstance } from 'fastify';
import { AVATAR_MAX_BYTES } from '@chatpop/protocol';
import { z } from 'zod';
import { AppError } from '../../errors';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import { setGroupAvatar } from './groups';

const idParams = z.object({ id: z.string().max(64) });

/** A group's photo over HTTP: the image itself as the body, as for a profile photo. */
export async function groupAvatarRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  // Only in this plugin: an image body (any type, or octet-stream) whose content decides what it is.
  app.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.put('/api/conversations/:id/avatar', { bodyLimit: AVATAR_MAX_BYTES }, async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new AppError(415, 'FILE_TYPE_UNSUPPORTED', 'Send the image itself as the request body (JPEG, PNG, WebP or GIF).');
    }
    return { conversation: await setGroupAvatar(ctx, user, id, req.body) };
  });

  app.delete('/api/conversations/:id/avatar', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { conversation: await setGroupAvatar(ctx, user, parse(idParams, req.params).id, null) };
  });
}
