import type { FastifyInstance } from 'fastify';

/**
 * Development and embedded mode only (registered when `config.devOutbox`):
 * the mails this process sent, for the web's `/dev/outbox` page. Elsewhere
 * the path is a plain 404.
 */
export async function devRoutes(app: FastifyInstance) {
  const outbox = app.ctx.outbox;
  app.get('/api/dev/outbox', async () => ({ mails: outbox?.list() ?? [] }));
}
