import type { FastifyInstance } from 'fastify';
import {
  addContactBodySchema,
  blockBodySchema,
  sendContactRequestBodySchema,
  updateContactBodySchema,
} from '@chatpop/protocol';
import { z } from 'zod';
import { parse } from '../../http';
import { requireUser } from '../auth/actor';
import * as contacts from './service';

const userParams = z.object({ userId: z.string().max(64) });
const requestParams = z.object({ id: z.string().max(64) });

/** Contacts, contact requests and blocks over HTTP (docs/api.md, "Contacts and blocking"), every one signed in. */
export async function contactRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get('/api/contacts', async (req) => {
    const { user } = await requireUser(ctx, req);
    return contacts.listContacts(ctx, user);
  });

  app.post('/api/contacts', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const result = await contacts.addContact(ctx, user, parse(addContactBodySchema, req.body));
    return reply.code(result.created ? 201 : 200).send(result);
  });

  app.patch('/api/contacts/:userId', async (req) => {
    const { user } = await requireUser(ctx, req);
    return contacts.updateContact(ctx, user, parse(userParams, req.params).userId, parse(updateContactBodySchema, req.body));
  });

  app.delete('/api/contacts/:userId', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    await contacts.removeContact(ctx, user, parse(userParams, req.params).userId);
    return reply.code(204).send();
  });

  app.get('/api/contact-requests', async (req) => {
    const { user } = await requireUser(ctx, req);
    return contacts.listRequests(ctx, user);
  });

  app.post('/api/contact-requests', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const result = await contacts.sendRequest(ctx, user, parse(sendContactRequestBodySchema, req.body));
    return reply.code(result.request ? 201 : 200).send(result);
  });

  app.post('/api/contact-requests/:id/accept', async (req) => {
    const { user } = await requireUser(ctx, req);
    return { contact: await contacts.acceptRequest(ctx, user, parse(requestParams, req.params).id) };
  });

  app.post('/api/contact-requests/:id/reject', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    await contacts.closeRequest(ctx, user, parse(requestParams, req.params).id, 'addressee');
    return reply.code(204).send();
  });

  app.delete('/api/contact-requests/:id', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    await contacts.closeRequest(ctx, user, parse(requestParams, req.params).id, 'sender');
    return reply.code(204).send();
  });

  app.get('/api/blocks', async (req) => {
    const { user } = await requireUser(ctx, req);
    return contacts.listBlocked(ctx, user);
  });

  app.post('/api/blocks', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    const result = await contacts.block(ctx, user, parse(blockBodySchema, req.body));
    return reply.code(result.created ? 201 : 200).send(result);
  });

  app.delete('/api/blocks/:userId', async (req, reply) => {
    const { user } = await requireUser(ctx, req);
    await contacts.unblock(ctx, user, parse(userParams, req.params).userId);
    return reply.code(204).send();
  });
}
