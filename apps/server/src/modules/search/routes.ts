import type { FastifyInstance } from 'fastify';
import { searchQuerySchema, userSearchQuerySchema } from '@chatpop/protocol';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import * as search from './service';

/** Search over HTTP (docs/api.md): messages and people, signed in. */
export async function searchRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get('/api/search', async (req) => {
    const { user } = await requireUser(ctx, req);
    return search.searchMessages(ctx, user, parse(searchQuerySchema, req.query));
  });

  app.get('/api/users/search', async (req) => {
    const { user } = await requireUser(ctx, req);
    return search.searchPeople(ctx, user, parse(userSearchQuerySchema, req.query).q);
  });
}
