import type { FastifyInstance } from 'fastify';
import { historyQuerySchema } from '@chatpop/protocol';
import { z } from 'zod';
import { deviceId, parse } from '../../http';
import { optionalUser } from '../auth/actor';
import { accessChat } from '../chats/policy';
import { withoutBlocked } from '../contacts/hiding';
import { history } from './service';

const codeParams = z.object({ code: z.string().max(32) });

export async function messageRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get('/api/chats/:code/messages', async (req, reply) => {
    const { code } = parse(codeParams, req.params);
    const query = parse(historyQuerySchema, req.query);
    const actor = await optionalUser(ctx, req);
    const access = await accessChat(ctx, code.toUpperCase(), {
      user: actor?.user ?? null,
      deviceId: deviceId(req, reply, { create: false, secure: ctx.config.cookieSecure }),
    });
    // A signed-in reader does not see what people they blocked wrote; a participation answers for its account.
    const reader = access.member ? access.member.userId : (actor?.user.id ?? null);
    return withoutBlocked(ctx.db, access.room, reader, await history(ctx, access.room, query, access.member?.id ?? null));
  });
}
