import { z } from 'zod';
import { clientIdSchema, messageSchema } from './messages';

/**
 * Message actions of the Inbox (SPEC §4): delete for me and for everyone,
 * forward, pin a message in a conversation, and the @mentions that raise a
 * badge. docs/api.md ("Inbox: message actions") says who may do what.
 */

// ---- delete -----------------------------------------------------------------

/** `me`: hidden for you alone, on every device of yours; `everyone`: a tombstone all members see. */
export const DELETE_SCOPES = ['me', 'everyone'] as const;
export type DeleteScope = (typeof DELETE_SCOPES)[number];

const deleteScope = z.enum(DELETE_SCOPES, 'Say whom to delete it for: me or everyone.');

/** `DELETE /api/conversations/:id/messages/:messageId?for=me|everyone`. */
export const deleteMessageQuerySchema = z.object({ for: deleteScope }).strict();

/**
 * The socket's `message:delete` in a conversation: `for` defaults to
 * everyone, as a pop chat's delete is.
 */
export const conversationMessageDeleteSchema = z
  .object({
    roomId: z.string().uuid('Unknown conversation.'),
    messageId: z.string().uuid('Unknown message.'),
    for: deleteScope.default('everyone'),
  })
  .strict();

/**
 * `message:hidden` (server → every connection of the user who deleted it
 * for themselves): drop it from the view; later reads leave it out and name
 * its seq in `withheld`.
 */
export interface MessageHiddenPayload {
  roomId: string;
  id: string;
  seq: number;
}

// ---- forward ----------------------------------------------------------------

/** How many conversations one message may be forwarded to at once. */
export const FORWARD_TARGETS_MAX = 5;

/**
 * `POST /api/conversations/:id/messages/:messageId/forward`: a copy of the
 * message in each conversation of `to`, labelled forwarded. `clientId` makes a
 * retry harmless: a target that already has a copy under it answers with that
 * copy (client ids are per sender and per conversation).
 */
export const forwardBodySchema = z
  .object({
    to: z
      .array(z.string().uuid('There is no such conversation in your Inbox.'))
      .min(1, 'Choose at least one conversation to forward to.')
      .max(FORWARD_TARGETS_MAX, `Forward to at most ${FORWARD_TARGETS_MAX} conversations at once.`)
      .refine((ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length, 'Name each conversation once.'),
    clientId: clientIdSchema,
  })
  .strict();
export type ForwardBody = z.infer<typeof forwardBodySchema>;

/** The copies, one per conversation of `to`, in its order. */
export const forwardResultSchema = z.object({ messages: z.array(messageSchema) });
export type ForwardResult = z.infer<typeof forwardResultSchema>;

// ---- pin --------------------------------------------------------------------

/** `POST /api/conversations/:id/pin {messageId}`: pins it, replacing the message pinned before. */
export const pinMessageBodySchema = z.object({ messageId: z.string().uuid('There is no such message in this conversation.') }).strict();

/** The message pinned at the top of a conversation. */
export const pinnedMessageSchema = z.object({
  message: messageSchema,
  pinnedBy: z.object({ memberId: z.string(), username: z.string() }),
  pinnedAt: z.string(),
});
export type PinnedMessage = z.infer<typeof pinnedMessageSchema>;

export const pinnedResponseSchema = z.object({ pinned: pinnedMessageSchema.nullable() });
export type PinnedResponse = z.infer<typeof pinnedResponseSchema>;

/**
 * `pin:updated` (server → a conversation's joined connections): the pinned
 * message now, or null once unpinned (or deleted). A member who deleted the
 * message for themselves gets null.
 */
export interface PinUpdatedPayload {
  roomId: string;
  pinned: PinnedMessage | null;
}

// ---- mentions ---------------------------------------------------------------

/** Mention counts stop counting here, as unread counts do. */
export const MENTION_COUNT_MAX = 100;
