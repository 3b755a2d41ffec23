import type { FastifyInstance } from 'fastify';
import { createInviteBodySchema, inviteTokenSchema } from '@chatpop/protocol';
import { z } from 'zod';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import * as invites from './invites';

const idParams = z.object({ id: z.string().max(64) });
const inviteParams = z.object({ id: z.string().max(64), inviteId: z.string().uuid('There is no such invite link.') });
const tokenParams = z.object({ token: inviteTokenSchema });

/** Group invite links over HTTP (docs/api.md), every route signed in. */
export async function inviteRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.post('/api/conversations/:id/invites', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const invite = await invites.createInvite(ctx, user, parse(idParams, req.params).id, parse(createInviteBodySchema, req.body ?? {}));
    return reply.code(201).send({ invite });
  });

  app.get('/api/conversations/:id/invites', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { invites: await invites.listInvites(ctx, user, parse(idParams, req.params).id) };
  });

  app.delete('/api/conversations/:id/invites/:inviteId', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const { id, inviteId } = parse(inviteParams, req.params);
    await invites.revokeInvite(ctx, user, id, inviteId);
    return reply.code(204).send();
  });

  app.get('/api/invites/:token', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { invite: await invites.previewInvite(ctx, user, parse(tokenParams, req.params).token) };
  });

  app.post('/api/invites/:token/accept', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const result = await invites.acceptInvite(ctx, user, parse(tokenParams, req.params).token);
    return reply.code(result.joined ? 201 : 200).send(result);
  });
}
