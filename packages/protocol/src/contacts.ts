import { z } from 'zod';
import { personSchema } from './inbox';

/**
 * Contacts, contact requests and blocks (SPEC §4; docs/api.md, "Contacts and
 * blocking"). A contact is one-sided (your address book); a request asks the
 * other person to add you back, and accepting it adds each to the other's.
 */

export const CONTACT_NICKNAME_MAX_CHARS = 50;
/** Contacts, requests and blocked people are listed whole, up to this many. */
export const CONTACT_LIST_MAX = 1000;

const userId = z.string().uuid('There is no such person.');

export const contactSchema = personSchema.extend({
  nickname: z.string().nullable(),
  favourite: z.boolean(),
  addedAt: z.string(),
});
export type Contact = z.infer<typeof contactSchema>;

export const contactListSchema = z.object({ contacts: z.array(contactSchema) });
export type ContactList = z.infer<typeof contactListSchema>;

/** `POST /api/contacts`: by user id or by username. */
export const addContactBodySchema = z
  .object({
    userId: userId.optional(),
    username: z.string().trim().min(1).max(100).optional(),
    nickname: z
      .string()
      .trim()
      .max(CONTACT_NICKNAME_MAX_CHARS, `A nickname can have at most ${CONTACT_NICKNAME_MAX_CHARS} characters.`)
      .optional(),
  })
  .strict()
  .refine((b) => (b.username === undefined) !== (b.userId === undefined), 'Name the person by username or by user id.');
export type AddContactBody = z.input<typeof addContactBodySchema>;

/** `PATCH /api/contacts/:userId`: `nickname: null` or `""` clears it. */
export const updateContactBodySchema = z
  .object({
    nickname: z
      .string()
      .trim()
      .max(CONTACT_NICKNAME_MAX_CHARS, `A nickname can have at most ${CONTACT_NICKNAME_MAX_CHARS} characters.`)
      .nullable()
      .optional(),
    favourite: z.boolean('Favourite is true or false.').optional(),
  })
  .strict()
  .refine((b) => b.nickname !== undefined || b.favourite !== undefined, 'Change the nickname, the favourite star or both.');
export type UpdateContactBody = z.input<typeof updateContactBodySchema>;

export const contactResponseSchema = z.object({ contact: contactSchema, created: z.boolean().optional() });
export type ContactResponse = z.infer<typeof contactResponseSchema>;

export const contactRequestSchema = z.object({
  id: z.string(),
  /** The other person: the sender of an incoming request, the addressee of an outgoing one. */
  person: personSchema,
  direction: z.enum(['incoming', 'outgoing']),
  createdAt: z.string(),
});
export type ContactRequest = z.infer<typeof contactRequestSchema>;

export const contactRequestListSchema = z.object({
  incoming: z.array(contactRequestSchema),
  outgoing: z.array(contactRequestSchema),
});
export type ContactRequestList = z.infer<typeof contactRequestListSchema>;

/** `POST /api/contact-requests`: by user id or by username. */
export const sendContactRequestBodySchema = z
  .object({
    userId: userId.optional(),
    username: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .refine((b) => (b.username === undefined) !== (b.userId === undefined), 'Name the person by username or by user id.');
export type SendContactRequestBody = z.input<typeof sendContactRequestBodySchema>;

export const blockedPersonSchema = personSchema.extend({ blockedAt: z.string() });
export type BlockedPerson = z.infer<typeof blockedPersonSchema>;
export const blockListSchema = z.object({ blocked: z.array(blockedPersonSchema) });
export type BlockList = z.infer<typeof blockListSchema>;

/**
 * `POST /api/blocks`: an account by user id, or a pop chat's participant by
 * member id (only one who wears the verified badge: signed in under their
 * reserved username; docs/decisions.md).
 */
export const blockBodySchema = z
  .object({
    userId: userId.optional(),
    roomId: z.string().max(64).optional(),
    memberId: z.string().max(64).optional(),
  })
  .strict()
  .refine((b) => (b.userId !== undefined) !== (b.roomId !== undefined && b.memberId !== undefined), 'Name the person by user id, or by chat and member id.')
  .refine((b) => (b.roomId === undefined) === (b.memberId === undefined), 'A chat participant is named by both the chat and the member id.');
export type BlockBody = z.input<typeof blockBodySchema>;

/** `POST /api/blocks` answers with the person now blocked. */
export const blockResponseSchema = z.object({ blocked: blockedPersonSchema, created: z.boolean() });
export type BlockResponse = z.infer<typeof blockResponseSchema>;

/**
 * `contacts:changed` on the user's own channel: something about their
 * contacts, requests or blocks changed (on another device, or someone sent,
 * answered or cancelled a request). The client fetches what `what` names.
 */
export const contactsChangedPayloadSchema = z.object({
  what: z.array(z.enum(['contacts', 'requests', 'blocks'])),
  /** A request just sent to this user, as their incoming list shows it. */
  request: contactRequestSchema.optional(),
});
export type ContactsChangedPayload = z.infer<typeof contactsChangedPayloadSchema>;
