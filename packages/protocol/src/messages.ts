import { z } from 'zod';
import { attachmentIdsSchema, attachmentSchema } from './media';

export const MESSAGE_MAX_CHARS = 10_000;
/** The largest seq a room can reach (the database's integer): every seq and cursor a client sends is within 0–SEQ_MAX. */
export const SEQ_MAX = 2_147_483_647;
const seqBound = `A message position is at most ${SEQ_MAX}.`;
/** A seq or cursor a client sends in a payload: an integer from `min` (0 or 1) to SEQ_MAX. */
export const seqSchema = (min: 0 | 1) => z.number().int().min(min).max(SEQ_MAX, seqBound);
/** The same, in a query string. */
export const seqQuerySchema = (min: 0 | 1) => z.coerce.number().int().min(min).max(SEQ_MAX, seqBound);
export const HISTORY_PAGE_SIZE = 50;
/** Host messages that stick at the top of a pop chat (SPEC §2): the newest ones, whatever else was said since. */
export const STICKY_HOST_MESSAGES = 20;
export const MESSAGE_TYPES = ['normal', 'host', 'system', 'tip', 'pin', 'media'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const clientIdSchema = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'A client id uses letters, digits, - and _.');

/** How many people a reaction lists by name; the count is always exact. */
export const REACTION_NAMES_MAX = 50;
/** Distinct emoji one message can carry. */
export const REACTIONS_PER_MESSAGE_MAX = 20;

export const reactionSchema = z.object({
  emoji: z.string(),
  count: z.number().int(),
  /** Who reacted, oldest first, at most REACTION_NAMES_MAX. */
  members: z.array(z.object({ id: z.string(), username: z.string() })),
});
export type Reaction = z.infer<typeof reactionSchema>;

/** One emoji (with its skin-tone and joiner sequences), not text. */
export const emojiSchema = z
  .string()
  .max(32, 'That is not a single emoji.')
  .regex(/^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f|\u20e3)+$/u, 'React with an emoji.')
  .refine((v) => /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(v), 'React with an emoji.');

export const messageSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  seq: z.number().int(),
  clientId: z.string().nullable(),
  memberId: z.string().nullable(),
  username: z.string().nullable(),
  verified: z.boolean(),
  type: z.enum(MESSAGE_TYPES),
  content: z.string(),
  replyTo: z
    .object({
      id: z.string(),
      username: z.string().nullable(),
      content: z.string(),
      deleted: z.boolean(),
      /** Where the original sits, so a client can load it to jump there (absent on copies cached before it was added). */
      seq: z.number().int().optional(),
    })
    .nullable(),
  createdAt: z.string(),
  deletedAt: z.string().nullable(),
  /** When the text was last edited (Inbox messages); absent on a message never edited. */
  editedAt: z.string().nullable().optional(),
  reactions: z.array(reactionSchema).default([]),
  /** What a paid message (`tip`, `pin`) cost, in cents; absent on other messages. */
  amountCents: z.number().int().optional(),
  /** A copy forwarded from another message (Inbox): shown with a "Forwarded" label; absent otherwise. */
  forwarded: z.boolean().optional(),
  /** Photos (an album of up to ALBUM_MAX_PHOTOS), in the order sent; absent on a message without any, and on a deleted one. */
  attachments: z.array(attachmentSchema).optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const historyQuerySchema = z
  .object({
    before: seqQuerySchema(1).optional(),
    after: seqQuerySchema(0).optional(),
    limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_SIZE).default(HISTORY_PAGE_SIZE),
  })
  .refine((q) => q.before === undefined || q.after === undefined, 'Use either before or after, not both.');

/**
 * Seqs inside an answered range that exist but are not for this reader (a
 * silently hidden participant's messages): a client marks them as held and
 * never asks for them, so a hole it cannot fill is never mistaken for one
 * that is still missing.
 */
export const withheldSeqsSchema = z.array(z.number().int().min(1));

export const historyResponseSchema = z.object({
  messages: z.array(messageSchema),
  hasMore: z.boolean(),
  /** Which store answered: the message cache or the database. */
  source: z.enum(['cache', 'database']),
  withheld: withheldSeqsSchema.default([]),
  /**
   * On the newest page only: the newest host messages (at most
   * STICKY_HOST_MESSAGES, oldest first, none deleted), however far back they
   * were sent, for the sticky section.
   */
  hostMessages: z.array(messageSchema).optional(),
});
export type HistoryResponse = z.infer<typeof historyResponseSchema>;

export const sendMessageSchema = z
  .object({
    roomId: z.string().uuid('Unknown room.'),
    clientId: clientIdSchema,
    content: z.string(),
    replyToId: z.string().uuid().nullable().optional(),
    /** Uploads (`POST /api/media`) of the sender in this room not yet sent; the text may then be empty. */
    attachmentIds: attachmentIdsSchema.optional(),
  })
  .strict();
export type SendMessage = z.infer<typeof sendMessageSchema>;
