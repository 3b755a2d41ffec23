import type { FastifyInstance } from 'fastify';
import { tipBodySchema } from '@chatpop/protocol';
import { parse } from '../../http';
import { chatAccessOf } from '../payments/http';
import { paymentView } from '../payments/service';
import { tip } from './buy';

/** Tips (SPEC §2.7). */
export async function tipRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.post('/api/chats/:code/tips', async (req, reply) => {
    const access = await chatAccessOf(ctx, req, reply);
    const body = parse(tipBodySchema, req.body);
    const { payment, created } = await tip(ctx, access, body);
    return reply.code(created ? 201 : 200).send({ payment: await paymentView(ctx, payment, 'payer') });
  });
}
