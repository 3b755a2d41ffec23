import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessBodySchema, createChatBodySchema, joinBodySchema, profilesQuerySchema, updateChatBodySchema } from '@chatpop/protocol';
import { z } from 'zod';
import { deviceId, parse } from '../../http';
import { optionalUser, requireUser } from '../auth/actor';
import { isModerator } from '../moderation/rules';
import { memberListView, selfView, updateSettings } from '../moderation/service';
import { accessChat, type Viewer } from './policy';
import { profilesOf } from './profiles';
import * as chats from './service';
import * as repo from './repo';

const codeParams = z.object({ code: z.string().max(32) });

export async function chatRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const secure = ctx.config.cookieSecure;

  async function viewer(req: FastifyRequest, reply: FastifyReply, createDevice = true): Promise<Viewer> {
    const actor = await optionalUser(ctx, req);
    return { user: actor?.user ?? null, deviceId: deviceId(req, reply, { create: createDevice, secure }), sessionId: actor?.sessionId ?? null };
  }
  const code = (req: FastifyRequest) => parse(codeParams, req.params).code.toUpperCase();

  app.post('/api/chats', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const body = parse(createChatBodySchema, req.body);
    const room = await chats.createChat(ctx, user, body);
    return reply.code(201).send({ chat: await chats.chatView(ctx, room, true) });
  });

  app.get('/api/chats/mine', async (req) => {
    const { user } = await requireUser(ctx, req);
    const [hosting, joined] = await Promise.all([repo.roomsHostedBy(ctx.db, user.id), repo.roomsJoinedBy(ctx.db, user.id)]);
    return {
      hosting: await chats.chatViews(ctx, hosting, () => true),
      joined: await chats.chatViews(ctx, joined, () => false),
    };
  });

  app.get('/api/chats/:code', async (req, reply) => {
    const access = await accessChat(ctx, code(req), await viewer(req, reply));
    return {
      chat: await chats.chatView(ctx, access.room, access.isHost),
      viewer: { isHost: access.isHost, canRead: access.canRead },
    };
  });

  app.patch('/api/chats/:code', async (req, reply) => {
    const v = await viewer(req, reply, false);
    const access = await accessChat(ctx, code(req), v, { requireRead: false });
    const body = parse(updateChatBodySchema, req.body);
    const room = await updateSettings(ctx, { room: access.room, member: access.member, isHost: access.isHost, userId: v.user?.id ?? null }, body);
    return { chat: await chats.chatView(ctx, room, access.isHost) };
  });

  app.post('/api/chats/:code/access', async (req, reply) => {
    const v = await viewer(req, reply);
    const access = await accessChat(ctx, code(req), v, { requireRead: false });
    const body = parse(accessBodySchema, req.body);
    await chats.grantAccess(ctx, access.room, v.deviceId!, body.accessCode, req.ip);
    return { chat: await chats.chatView(ctx, access.room, access.isHost), viewer: { isHost: access.isHost, canRead: true } };
  });

  app.post('/api/chats/:code/join', async (req, reply) => {
    const v = await viewer(req, reply);
    const access = await accessChat(ctx, code(req), v);
    const body = parse(joinBodySchema, req.body);
    const joined = await chats.join(ctx, access, v, body, req.ip);
    return reply.code(joined.created ? 201 : 200).send({
      member: chats.toMember(joined.member),
      token: joined.token,
      chat: await chats.chatView(ctx, access.room, access.isHost),
    });
  });

  app.get('/api/chats/:code/me', async (req, reply) => {
    const v = await viewer(req, reply);
    const access = await accessChat(ctx, code(req), v);
    if (!access.member) return { member: null, token: null };
    await chats.noteDevice(ctx, access.member, v.deviceId);
    return { member: selfView(access.member), token: await chats.tokenFor(ctx, access.member, access.sessionId) };
  });

  app.get('/api/chats/:code/members', async (req, reply) => {
    const access = await accessChat(ctx, code(req), await viewer(req, reply));
    const [members, online] = await Promise.all([repo.listMembers(ctx.db, access.room.id), ctx.presence.online(access.room.id).catch(() => [])]);
    const onlineIds = new Set(online.map((o) => o.memberId));
    const forModerator = access.isHost || isModerator(access.member);
    const selfId = access.member?.id ?? null;
    const profiles = await profilesOf(ctx.db, access.room.id, members.filter((m) => m.verified).map((m) => m.id));
    return {
      members: members.map((m) => ({ ...memberListView(m, forModerator, selfId), online: onlineIds.has(m.id), profile: profiles.get(m.id) ?? null })),
    };
  });

  // The faces and names behind the verified participants of the messages a reader sees.
  app.get('/api/chats/:code/profiles', async (req, reply) => {
    const access = await accessChat(ctx, code(req), await viewer(req, reply));
    const { ids } = parse(profilesQuerySchema, req.query);
    return { profiles: Object.fromEntries(await profilesOf(ctx.db, access.room.id, ids)) };
  });
}
