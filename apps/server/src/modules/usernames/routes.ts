import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { usernameCheckQuerySchema } from '@chatpop/protocol';
import { z } from 'zod';
import { deviceId, parse } from '../../http';
import { optionalUser } from '../auth/actor';
import { accessChat } from '../chats/policy';
import type { Identity } from './repo';
import * as usernames from './service';

const codeParams = z.object({ code: z.string().max(32) });

export async function usernameRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const secure = ctx.config.cookieSecure;
  const code = (req: FastifyRequest) => parse(codeParams, req.params).code.toUpperCase();

  /** The asker: the signed-in user and this browser's device (issued now if it brought none the server signed). */
  async function asker(req: FastifyRequest, reply: FastifyReply) {
    const actor = await optionalUser(ctx, req);
    const device = deviceId(req, reply, { create: true, secure })!;
    const who: Identity = actor ? { userId: actor.user.id, deviceId: device } : { deviceId: device };
    return { user: actor?.user ?? null, device, who };
  }

  app.get('/api/usernames/check', async (req, reply) => {
    const { username } = parse(usernameCheckQuerySchema, req.query);
    await ctx.limits.consume('usernameCheck', req.ip);
    const actor = await optionalUser(ctx, req);
    return usernames.checkAvailability(ctx, username, { user: actor?.user ?? null, deviceId: deviceId(req, reply, { create: false, secure }) });
  });

  app.get('/api/usernames/mine', async (req, reply) => {
    const actor = await optionalUser(ctx, req);
    const device = deviceId(req, reply, { create: false, secure });
    return usernames.ownedName(ctx, actor ? { userId: actor.user.id } : device ? { deviceId: device } : null, actor?.user ?? null);
  });

  app.get('/api/chats/:code/usernames', async (req, reply) => {
    const a = await asker(req, reply);
    await accessChat(ctx, code(req), { user: a.user, deviceId: a.device });
    return usernames.joinOptions(ctx, a.who, a.user);
  });

  app.post('/api/chats/:code/usernames/roll', async (req, reply) => {
    const a = await asker(req, reply);
    const access = await accessChat(ctx, code(req), { user: a.user, deviceId: a.device });
    usernames.checkRoll(access.room);
    // Per device and per network: a browser that drops its cookie gets a new device, but not a new network.
    const keys = [`${access.room.id}:device:${a.device}`, `${access.room.id}:ip:${req.ip}`];
    return usernames.roll(ctx, access.room, a.who, keys);
  });
}
