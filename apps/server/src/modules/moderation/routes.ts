import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  moderateMemberBodySchema,
  reactionBodySchema,
  reportBodySchema,
  reportsQuerySchema,
  resolveReportBodySchema,
} from '@chatpop/protocol';
import { z } from 'zod';
import { deviceId, parse } from '../../http';
import { optionalUser } from '../auth/actor';
import { accessChat } from '../chats/policy';
import { chatView } from '../chats/service';
import { publicMessage } from '../messages/visibility';
import type { RoomActor } from './policy';
import * as moderation from './service';

const codeParams = z.object({ code: z.string().max(32) });
const messageParams = codeParams.extend({ id: z.string().uuid('Unknown message.') });
const memberParams = codeParams.extend({ memberId: z.string().uuid('Unknown participant.') });
const reportParams = codeParams.extend({ id: z.string().uuid('Unknown report.') });

/** Host and moderator powers, reports and reactions over HTTP (docs/api.md, "Moderation"). */
export async function moderationRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  async function actor(req: FastifyRequest, reply: FastifyReply): Promise<RoomActor> {
    const { code } = parse(codeParams, req.params);
    const signedIn = await optionalUser(ctx, req);
    const access = await accessChat(ctx, code.toUpperCase(), {
      user: signedIn?.user ?? null,
      deviceId: deviceId(req, reply, { create: false, secure: ctx.config.cookieSecure }),
    });
    return { room: access.room, member: access.member, isHost: access.isHost, userId: signedIn?.user.id ?? null };
  }

  app.delete('/api/chats/:code/messages/:id', async (req, reply) => {
    const { id } = parse(messageParams, req.params);
    const message = await moderation.deleteMessage(ctx, await actor(req, reply), id);
    return { message: publicMessage(message) };
  });

  app.post('/api/chats/:code/messages/:id/reactions', async (req, reply) => {
    const { id } = parse(messageParams, req.params);
    const body = parse(reactionBodySchema, req.body);
    const reactions = await moderation.setReaction(ctx, await actor(req, reply), id, body.emoji, body.on);
    return { messageId: id, reactions };
  });

  app.post('/api/chats/:code/messages/:id/report', async (req, reply) => {
    const { id } = parse(messageParams, req.params);
    const body = parse(reportBodySchema, req.body);
    const { report, created } = await moderation.reportMessage(ctx, await actor(req, reply), id, body);
    return reply.code(created ? 201 : 200).send({ report });
  });

  app.get('/api/chats/:code/reports', async (req, reply) => {
    const query = parse(reportsQuerySchema, req.query);
    return { reports: await moderation.listReports(ctx, await actor(req, reply), query.status) };
  });

  app.post('/api/chats/:code/reports/:id/resolve', async (req, reply) => {
    const { id } = parse(reportParams, req.params);
    const body = parse(resolveReportBodySchema, req.body);
    return { report: await moderation.resolveReport(ctx, await actor(req, reply), id, body.status) };
  });

  app.post('/api/chats/:code/members/:memberId/moderate', async (req, reply) => {
    const { memberId } = parse(memberParams, req.params);
    const body = parse(moderateMemberBodySchema, req.body);
    return { member: await moderation.moderateMember(ctx, await actor(req, reply), memberId, body) };
  });

  app.get('/api/chats/:code/audit', async (req, reply) => {
    return { entries: await moderation.listAudit(ctx, await actor(req, reply)) };
  });

  app.post('/api/chats/:code/end', async (req, reply) => {
    const room = await moderation.endChat(ctx, await actor(req, reply));
    return { chat: await chatView(ctx, room, true) };
  });

  app.post('/api/chats/:code/access-code/rotate', async (req, reply) => {
    const room = await moderation.rotateAccessCode(ctx, await actor(req, reply));
    return { chat: await chatView(ctx, room, true) };
  });
}
