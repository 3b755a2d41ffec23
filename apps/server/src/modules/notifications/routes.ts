import type { FastifyInstance } from 'fastify';
import { markNotificationsReadBodySchema, notificationListQuerySchema, pushSubscriptionBodySchema, pushUnsubscribeBodySchema } from '@chatpop/protocol';
import { z } from 'zod';
import { isUuid, parse } from '../../http';
import { requireUser } from '../auth/actor';
import { notificationNotFound } from './policy';
import * as notifications from './service';

const idParams = z.object({ id: z.string().max(64) });

/** The notification centre and Web Push over HTTP (docs/api.md): thin handlers over ./service, every one signed in. */
export async function notificationRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get('/api/notifications', async (req) => {
    const { user } = await requireUser(ctx, req);
    return notifications.listNotifications(ctx, user, parse(notificationListQuerySchema, req.query));
  });

  app.post('/api/notifications/:id/read', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { id } = parse(idParams, req.params);
    if (!isUuid(id)) throw notificationNotFound();
    const { unread, notifications: [notification] } = await notifications.markRead(ctx, user, [id]);
    return { notification, unread };
  });

  app.post('/api/notifications/read', async (req) => {
    const { user } = await requireUser(ctx, req);
    const body = parse(markNotificationsReadBodySchema, req.body);
    return notifications.markRead(ctx, user, body.all ? null : body.ids!);
  });

  app.get('/api/push', async (req) => {
    const { user } = await requireUser(ctx, req);
    return notifications.pushStatus(ctx, user);
  });

  app.post('/api/push/subscriptions', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const body = parse(pushSubscriptionBodySchema, req.body);
    return reply.code(201).send(await notifications.subscribe(ctx, user, body, req.headers['user-agent'] ?? null));
  });

  app.post('/api/push/unsubscribe', async (req) => {
    const { user } = await requireUser(ctx, req);
    const { endpoint } = parse(pushUnsubscribeBodySchema, req.body);
    return notifications.unsubscribe(ctx, user, endpoint);
  });
}
