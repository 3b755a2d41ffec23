import type { FastifyInstance } from 'fastify';
import {
  conversationListQuerySchema,
  createDirectBodySchema,
  createGroupBodySchema,
  historyQuerySchema,
  markReadBodySchema,
  userSearchQuerySchema,
} from '@chatpop/protocol';
import { z } from 'zod';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import * as conversations from './service';

const idParams = z.object({ id: z.string().max(64) });

/** The Inbox over HTTP (docs/api.md): thin handlers over ./service, every one signed in. */
export async function conversationRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get('/api/conversations', async (req) => {
    const { user } = await requireUser(ctx, req);
    return conversations.listConversations(ctx, user, parse(conversationListQuerySchema, req.query));
  });

  app.post('/api/conversations/direct', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const result = await conversations.createDirect(ctx, user, parse(createDirectBodySchema, req.body));
    return reply.code(result.created ? 201 : 200).send(result);
  });

  app.post('/api/conversations/groups', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    return reply.code(201).send(await conversations.createGroup(ctx, user, parse(createGroupBodySchema, req.body)));
  });

  app.get('/api/conversations/:id', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { conversation: await conversations.getConversation(ctx, user, parse(idParams, req.params).id) };
  });

  app.get('/api/conversations/:id/messages', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    return conversations.conversationHistory(ctx, user, id, parse(historyQuerySchema, req.query));
  });

  app.post('/api/conversations/:id/read', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    const { seq } = parse(markReadBodySchema, req.body);
    return { conversation: await conversations.markRead(ctx, user, id, seq) };
  });

  app.post('/api/conversations/:id/unread', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { conversation: await conversations.markUnread(ctx, user, parse(idParams, req.params).id) };
  });

  app.get('/api/inbox/summary', async (req) => {
    const { user } = await requireUser(ctx, req);
    return conversations.inboxSummary(ctx, user);
  });

  app.get('/api/users/search', async (req) => {
    const { user } = await requireUser(ctx, req);
    return conversations.searchPeople(ctx, user, parse(userSearchQuerySchema, req.query).q);
  });
}
