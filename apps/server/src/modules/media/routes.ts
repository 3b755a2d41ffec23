import type { FastifyInstance } from 'fastify';
import { MEDIA_VARIANTS } from '@chatpop/protocol';
import { z } from 'zod';
import { AppError } from '../../errors';
import { parse } from '../../http';
import { servePhoto, uploadPhoto } from './service';

const mediaParams = z.object({ id: z.string().max(64), variant: z.string().max(16) });
const mediaQuery = z.object({ key: z.string().max(512).optional() });

const bearer = (header: string | undefined) => (header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined);

/** Photos over HTTP (docs/api.md, "Media"): the upload and the fetch. */
export async function mediaRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  // Only in this plugin: any body, handed over as the raw stream. Its content decides what it is, never
  // its declared type, and it is streamed to disk with its own limit rather than gathered in memory.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post('/api/media', async (req, reply) => {
    const length = req.headers['content-length'] ? Number(req.headers['content-length']) : null;
    const body = req.body as NodeJS.ReadableStream | undefined;
    if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
      throw new AppError(415, 'MEDIA_TYPE_UNSUPPORTED', 'Send the photo itself as the request body.');
    }
    try {
      // The key rides in `Authorization: Bearer`, or in `?key=` where a relay passes no such header.
      const key = bearer(req.headers.authorization) ?? parse(mediaQuery, req.query).key;
      return reply.code(201).send(await uploadPhoto(ctx, key, req.raw, Number.isFinite(length) ? length : null));
    } catch (err) {
      // Refused before the body was read: the rest of it is not wanted on this connection.
      if (!req.raw.readableEnded) void reply.header('connection', 'close');
      throw err;
    }
  });

  app.get('/api/media/:id/:variant', async (req, reply) => {
    const { id, variant } = parse(mediaParams, req.params);
    if (!(MEDIA_VARIANTS as readonly string[]).includes(variant)) throw new AppError(404, 'MEDIA_NOT_FOUND', 'There is no such photo.');
    const { key } = parse(mediaQuery, req.query);
    const media = await servePhoto(ctx, id, variant as (typeof MEDIA_VARIANTS)[number], key ?? bearer(req.headers.authorization));
    return reply
      .header('content-type', media.contentType)
      .header('content-length', media.size)
      .header('cache-control', media.cacheControl)
      .header('content-disposition', 'inline')
      .header('x-content-type-options', 'nosniff')
      .send(media.stream);
  });
}
