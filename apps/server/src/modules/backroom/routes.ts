import type { FastifyInstance } from 'fastify';
import { historyQuerySchema, seatPurchaseBodySchema } from '@chatpop/protocol';
import { parse } from '../../http';
import { withoutBlocked } from '../contacts/hiding';
import { history } from '../messages/service';
import { chatAccessOf } from '../payments/http';
import { paymentView } from '../payments/service';
import { buySeat } from './buy';
import * as backroom from './service';

/** The Back Room over HTTP (SPEC §2.5); its messages go over the socket like any chat's. */
export async function backroomRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.post('/api/chats/:code/backroom/seats', async (req, reply) => {
    const access = await chatAccessOf(ctx, req, reply);
    const body = parse(seatPurchaseBodySchema, req.body);
    const { payment, created } = await buySeat(ctx, access, body.idempotencyKey);
    return reply.code(created ? 201 : 200).send({ payment: await paymentView(ctx, payment, 'payer') });
  });

  app.get('/api/chats/:code/backroom', async (req, reply) => {
    return backroom.entry(ctx, await chatAccessOf(ctx, req, reply));
  });

  app.get('/api/chats/:code/backroom/messages', async (req, reply) => {
    const access = await chatAccessOf(ctx, req, reply);
    const query = parse(historyQuerySchema, req.query);
    const { room, member } = await backroom.accessBackroom(ctx, access);
    return withoutBlocked(ctx.db, room, member.userId, await history(ctx, room, query, member.id));
  });

  app.get('/api/chats/:code/backroom/members', async (req, reply) => {
    return backroom.memberList(ctx, await chatAccessOf(ctx, req, reply));
  });
}
