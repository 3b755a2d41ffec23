import type { FastifyInstance } from 'fastify';
import {
  addMembersBodySchema,
  conversationListQuerySchema,
  createDirectBodySchema,
  createGroupBodySchema,
  editMessageBodySchema,
  historyQuerySchema,
  markReadBodySchema,
  memberRoleBodySchema,
  muteBodySchema,
  presenceQuerySchema,
  updateGroupBodySchema,
} from '@chatpop/protocol';
import { z } from 'zod';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import { publicMessage } from '../messages/visibility';
import * as edits from './edits';
import * as groups from './groups';
import * as presence from './presence';
import * as conversations from './service';
import * as settings from './settings';

const idParams = z.object({ id: z.string().max(64) });
const messageParams = z.object({ id: z.string().max(64), messageId: z.string().uuid('There is no such message in this conversation.') });
const memberParams = z.object({ id: z.string().max(64), userId: z.string().uuid('That person is not in this group.') });

/** The Inbox over HTTP (docs/api.md): thin handlers over ./service, every one signed in. */
export async function conversationRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get('/api/conversations', async (req) => {
    const { user } = await requireUser(ctx, req);
    return conversations.listConversations(ctx, user, parse(conversationListQuerySchema, req.query));
  });

  app.post('/api/conversations/direct', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const result = await conversations.createDirect(ctx, user, parse(createDirectBodySchema, req.body));
    return reply.code(result.created ? 201 : 200).send(result);
  });

  app.post('/api/conversations/groups', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    return reply.code(201).send(await conversations.createGroup(ctx, user, parse(createGroupBodySchema, req.body)));
  });

  app.get('/api/conversations/:id', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { conversation: await conversations.getConversation(ctx, user, parse(idParams, req.params).id) };
  });

  app.get('/api/conversations/:id/messages', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    return conversations.conversationHistory(ctx, user, id, parse(historyQuerySchema, req.query));
  });

  app.patch('/api/conversations/:id/messages/:messageId', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id, messageId } = parse(messageParams, req.params);
    const { content } = parse(editMessageBodySchema, req.body);
    return { message: publicMessage(await edits.editMessageAs(ctx, user, id, messageId, content)) };
  });

  app.get('/api/conversations/:id/messages/:messageId/edits', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id, messageId } = parse(messageParams, req.params);
    return edits.messageEdits(ctx, user, id, messageId);
  });

  app.post('/api/conversations/:id/read', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    const { seq } = parse(markReadBodySchema, req.body);
    return { conversation: await conversations.markRead(ctx, user, id, seq) };
  });

  app.post('/api/conversations/:id/unread', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { conversation: await conversations.markUnread(ctx, user, parse(idParams, req.params).id) };
  });

  app.patch('/api/conversations/:id', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    return { conversation: await groups.updateGroup(ctx, user, id, parse(updateGroupBodySchema, req.body)) };
  });

  app.post('/api/conversations/:id/members', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    return { conversation: await groups.addMembers(ctx, user, id, parse(addMembersBodySchema, req.body)) };
  });

  app.delete('/api/conversations/:id/members/:userId', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id, userId } = parse(memberParams, req.params);
    return { conversation: await groups.removeMember(ctx, user, id, userId) };
  });

  app.post('/api/conversations/:id/members/:userId/role', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id, userId } = parse(memberParams, req.params);
    const { role } = parse(memberRoleBodySchema, req.body);
    return { conversation: await groups.setRole(ctx, user, id, userId, role) };
  });

  app.post('/api/conversations/:id/leave', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    await groups.leaveGroup(ctx, user, parse(idParams, req.params).id);
    return reply.code(204).send();
  });

  // Your own settings for a conversation: mute, archive, pin (./settings.ts).
  app.post('/api/conversations/:id/mute', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    const { duration } = parse(muteBodySchema, req.body);
    return { conversation: await settings.mute(ctx, user, id, duration) };
  });

  const preferences = { unmute: settings.unmute, archive: settings.archive, unarchive: settings.unarchive, pin: settings.pin, unpin: settings.unpin };
  for (const [action, run] of Object.entries(preferences)) {
    app.post(`/api/conversations/:id/${action}`, async (req) => {
      const { user } = await requireUser(ctx, req);
      return { conversation: await run(ctx, user, parse(idParams, req.params).id) };
    });
  }

  app.get('/api/conversations/:id/presence', async (req) => {
    const { user } = await requireUser(ctx, req);
    return presence.conversationPresence(ctx, user, parse(idParams, req.params).id);
  });

  app.get('/api/presence', async (req) => {
    const { user } = await requireUser(ctx, req);
    return presence.presenceOf(ctx, user, parse(presenceQuerySchema, req.query).userIds);
  });

  app.get('/api/inbox/summary', async (req) => {
    const { user } = await requireUser(ctx, req);
    return conversations.inboxSummary(ctx, user);
  });
}
