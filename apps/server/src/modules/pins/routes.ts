import type { FastifyInstance } from 'fastify';
import { pinPurchaseBodySchema } from '@chatpop/protocol';
import { z } from 'zod';
import { parse } from '../../http';
import { chatAccessOf } from '../payments/http';
import { paymentView } from '../payments/service';
import { buyPin } from './buy';
import * as pins from './service';

const pinParams = z.object({ code: z.string().max(32), pinId: z.string().uuid('Unknown pin.') });

/** Paid pins (SPEC §2.6). */
export async function pinRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.post('/api/chats/:code/pins', async (req, reply) => {
    const access = await chatAccessOf(ctx, req, reply);
    const body = parse(pinPurchaseBodySchema, req.body);
    const { payment, created } = await buyPin(ctx, access, body);
    return reply.code(created ? 201 : 200).send({ payment: await paymentView(ctx, payment, 'payer') });
  });

  app.delete('/api/chats/:code/pins/:pinId', async (req, reply) => {
    const { pinId } = parse(pinParams, req.params);
    const access = await chatAccessOf(ctx, req, reply);
    const list = await pins.unpin(ctx, { room: access.room, member: access.member, isHost: access.isHost, userId: access.viewer.user?.id ?? null }, pinId);
    return { pins: list };
  });
}
