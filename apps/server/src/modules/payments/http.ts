import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { deviceId, parse } from '../../http';
import { optionalUser } from '../auth/actor';
import { accessChat, type ChatAccess, type Viewer } from '../chats/policy';

const codeParams = z.object({ code: z.string().max(32) });

/** The viewer of a request (signed-in user and device) without issuing a device cookie. */
export async function viewerOf(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<Viewer> {
  const actor = await optionalUser(ctx, req);
  return { user: actor?.user ?? null, deviceId: deviceId(req, reply, { create: false, secure: ctx.config.cookieSecure }), sessionId: actor?.sessionId ?? null };
}

/** The chat of a `/api/chats/:code/…` money route, through the chats policy (403 PRIVATE_CHAT, 404 CHAT_NOT_FOUND). */
export async function chatAccessOf(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<ChatAccess & { viewer: Viewer }> {
  const { code } = parse(codeParams, req.params);
  const viewer = await viewerOf(ctx, req, reply);
  return { ...(await accessChat(ctx, code.toUpperCase(), viewer)), viewer };
}
