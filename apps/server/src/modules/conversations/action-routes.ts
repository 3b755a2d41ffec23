import type { FastifyInstance } from 'fastify';
import { deleteMessageQuerySchema, forwardBodySchema, pinMessageBodySchema } from '@chatpop/protocol';
import { z } from 'zod';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import { publicMessage } from '../messages/visibility';
import * as actions from './actions';

const idParams = z.object({ id: z.string().max(64) });
const messageParams = z.object({ id: z.string().max(64), messageId: z.string().uuid('There is no such message in this conversation.') });

/** The Inbox's message actions over HTTP (docs/api.md, "Inbox: message actions"): thin handlers over ./actions. */
export async function conversationActionRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.delete('/api/conversations/:id/messages/:messageId', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const { id, messageId } = parse(messageParams, req.params);
    const scope = parse(deleteMessageQuerySchema, req.query).for;
    if (scope === 'me') {
      await actions.deleteForMe(ctx, user, id, messageId);
      return reply.code(204).send();
    }
    return { message: publicMessage(await actions.deleteForEveryone(ctx, user, id, messageId)) };
  });

  app.post('/api/conversations/:id/messages/:messageId/forward', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id, messageId } = parse(messageParams, req.params);
    const body = parse(forwardBodySchema, req.body);
    return { messages: (await actions.forwardMessage(ctx, user, id, messageId, body)).map(publicMessage) };
  });

  app.post('/api/conversations/:id/pinned-message', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    const { messageId } = parse(pinMessageBodySchema, req.body);
    return { pinned: await actions.pinMessage(ctx, user, id, messageId) };
  });

  app.delete('/api/conversations/:id/pinned-message', async (req) => {
    const { user } = await requireUser(ctx, req);
    await actions.unpinMessage(ctx, user, parse(idParams, req.params).id);
    return { pinned: null };
  });
}
