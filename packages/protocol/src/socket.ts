import { z } from 'zod';
import type { Ack } from './errors';
import { messageSchema, withheldSeqsSchema, type Message } from './messages';
import type { Member } from './chats';
import type { ContactsChangedPayload } from './contacts';
import type { Reaction } from './messages';
import { sendMessageSchema, seqSchema } from './messages';
import type { MediaKeyResult, mediaKeyRequestSchema } from './media';
import type {
  MemberUpdatedPayload,
  MessageDeletedPayload,
  MessageSkipPayload,
  ReactionUpdatedPayload,
  Report,
  ReportNewPayload,
  RoomUpdatedPayload,
  memberModerateSchema,
  messageDeleteSchema,
  messageReportSchema,
  reactionSetSchema,
  roomModerateSchema,
} from './moderation';
import type { BackroomUpdatedPayload, PaymentUpdatedPayload, PinsUpdatedPayload } from './payments';
import type { NotificationNewPayload, NotificationsReadPayload } from './notifications';
import type {
  ConversationEventPayload,
  ConversationRemovedPayload,
  InboxUnreadPayload,
  ReceiptAck,
  ReceiptPayload,
  messageEditSchema,
  receiptBodySchema,
} from './inbox';
import type { MessageHiddenPayload, PinUpdatedPayload, conversationMessageDeleteSchema } from './inbox-actions';
import type { UserPresence } from './presence';

/** Connections count as online while they heartbeat; an idle one expires. */
export const PRESENCE_HEARTBEAT_MS = 25_000;
export const PRESENCE_TTL_MS = 60_000;
export const TYPING_TTL_MS = 6_000;

/**
 * The handshake's `auth`: chat session tokens for pop chats, and/or the
 * signed-in account's access token for the Inbox. The web's access cookie,
 * sent with `withCredentials`, counts as `accessToken` when the field is
 * absent. A bad token of either kind fails the handshake.
 */
export const handshakeAuthSchema = z
  .object({
    chatTokens: z.array(z.string().max(4096)).max(20).default([]),
    accessToken: z.string().max(4096).optional(),
  })
  .default({ chatTokens: [] });

export const roomJoinSchema = z
  .object({
    roomId: z.string().uuid('Unknown room.'),
    afterSeq: seqSchema(0).default(0),
    /** A chat session token for a room joined after the handshake. */
    token: z.string().max(4096).optional(),
  })
  .strict();
export const roomRangeSchema = z
  .object({
    roomId: z.string().uuid('Unknown room.'),
    afterSeq: seqSchema(0),
    beforeSeq: seqSchema(1).optional(),
  })
  .strict();
export const typingSchema = z.object({ roomId: z.string().uuid('Unknown room.'), typing: z.boolean() }).strict();
export const roomOnlySchema = z.object({ roomId: z.string().uuid('Unknown room.') }).strict();

export interface PresenceEntry {
  memberId: string;
  username: string;
}

export interface PresencePayload {
  roomId: string;
  online: PresenceEntry[];
  count: number;
}

/**
 * Sent to every connection of a signed-in session just before the server
 * ends it: the session was signed out (here, everywhere, from the sessions
 * page), its password changed or was reset, or its refresh token was used
 * twice. The connection is closed right after and must not reconnect with
 * the same tokens: sign in again.
 */
export const sessionRevokedPayloadSchema = z.object({
  code: z.literal('SESSION_REVOKED'),
  message: z.string(),
});
export type SessionRevokedPayload = z.infer<typeof sessionRevokedPayloadSchema>;

/**
 * `typing` (server → client): to the room's joined connections but the
 * typist's; in a conversation also to every connection of its other members,
 * joined or not, so the conversation list can show it. It lapses after
 * TYPING_TTL_MS unless repeated.
 */
export interface TypingPayload {
  roomId: string;
  memberId: string;
  username: string;
  typing: boolean;
}

/**
 * The answer to `room:join`. Up to REPLAY_MAX_MESSAGES missed messages are
 * replayed whole (`replay: 'complete'`). Beyond that the server says so, as
 * Ably's continuity-lost signal does, instead of replaying part of them:
 * `replay: 'partial'` carries the newest page and `missed`, the number of seqs
 * right after `afterSeq` (afterSeq + 1 … afterSeq + missed) it left out, for
 * the client to load on request.
 */
export const roomJoinResultSchema = z.object({
  roomId: z.string(),
  /** Complete: every message with seq > afterSeq, in order. Partial: the newest page. */
  messages: z.array(messageSchema),
  /** The room's committed last seq when the join was answered. */
  lastSeq: z.number().int().min(0),
  /** True exactly when `replay` is partial: more was missed than this answer carries. */
  hasMore: z.boolean(),
  replay: z.enum(['complete', 'partial']),
  /** Seqs left out after afterSeq (0 when the replay is complete). */
  missed: z.number().int().min(0),
  withheld: withheldSeqsSchema.default([]),
});
export type RoomJoinResult = z.infer<typeof roomJoinResultSchema>;

/** The answer to `message:range`: messages of (afterSeq, beforeSeq), at most REPLAY_MAX_MESSAGES. */
export const roomRangeResultSchema = z.object({
  messages: z.array(messageSchema),
  /** More of the range exists past the last message given: ask again after it. */
  hasMore: z.boolean(),
  withheld: withheldSeqsSchema.default([]),
});
export type RoomRangeResult = z.infer<typeof roomRangeResultSchema>;

export interface ClientToServerEvents {
  'room:join': (payload: z.input<typeof roomJoinSchema>, ack: (res: Ack<RoomJoinResult>) => void) => void;
  'room:leave': (payload: z.input<typeof roomOnlySchema>, ack?: (res: Ack<object>) => void) => void;
  'message:send': (payload: z.input<typeof sendMessageSchema>, ack: (res: Ack<{ message: Message }>) => void) => void;
  'message:range': (payload: z.input<typeof roomRangeSchema>, ack: (res: Ack<RoomRangeResult>) => void) => void;
  typing: (payload: z.input<typeof typingSchema>) => void;
  'presence:heartbeat': (ack?: (res: Ack<object>) => void) => void;
  /** In a conversation also `for: 'me' | 'everyone'` (default everyone); deleting for me answers `{ok}` without a message. */
  'message:delete': (
    payload: z.input<typeof messageDeleteSchema> | z.input<typeof conversationMessageDeleteSchema>,
    ack: (res: Ack<{ message?: Message }>) => void,
  ) => void;
  'reaction:set': (
    payload: z.input<typeof reactionSetSchema>,
    ack: (res: Ack<{ messageId: string; reactions: Reaction[] }>) => void,
  ) => void;
  'message:report': (payload: z.input<typeof messageReportSchema>, ack: (res: Ack<{ report: Report }>) => void) => void;
  'member:moderate': (payload: z.input<typeof memberModerateSchema>, ack: (res: Ack<{ member: Member }>) => void) => void;
  'room:moderate': (payload: z.input<typeof roomModerateSchema>, ack: (res: Ack<object>) => void) => void;
  /** Inbox: edit your own message within the edit window; the room gets `message:updated`. */
  'message:edit': (payload: z.input<typeof messageEditSchema>, ack: (res: Ack<{ message: Message }>) => void) => void;
  /** Inbox: you have read everything up to seq in a conversation (one watermark, not one event per message). */
  'receipt:read': (payload: z.input<typeof receiptBodySchema>, ack: (res: Ack<ReceiptAck>) => void) => void;
  /** Inbox: this device has received everything up to seq in a conversation. */
  'receipt:delivered': (payload: z.input<typeof receiptBodySchema>, ack: (res: Ack<ReceiptAck>) => void) => void;
  /** A key for this room's media (uploads and fetches), for the member this connection joined as. */
  'media:key': (payload: z.input<typeof mediaKeyRequestSchema>, ack: (res: Ack<MediaKeyResult>) => void) => void;
}

export interface ServerToClientEvents {
  'message:new': (message: Message) => void;
  typing: (payload: TypingPayload) => void;
  presence: (payload: PresencePayload) => void;
  /** A message changed (a reply whose quoted original was deleted). */
  'message:updated': (message: Message) => void;
  'message:deleted': (payload: MessageDeletedPayload) => void;
  /** A seq this reader will never see (a silently hidden participant's message). */
  'message:skip': (payload: MessageSkipPayload) => void;
  'reaction:updated': (payload: ReactionUpdatedPayload) => void;
  /** Role changes reach the room; a time-out or ban reaches the member it concerns. */
  'member:updated': (payload: MemberUpdatedPayload) => void;
  /** Settings changed, the chat was locked, put in lockdown or ended. */
  'room:updated': (payload: RoomUpdatedPayload) => void;
  /** To the host and moderators only. */
  'report:new': (payload: ReportNewPayload) => void;
  /** Paid pins changed: the full ordered active list (also on automatic expiry). */
  'pins:updated': (payload: PinsUpdatedPayload) => void;
  /** The Back Room's seat count changed. */
  'backroom:updated': (payload: BackroomUpdatedPayload) => void;
  /** One of this participant's payments changed status. */
  'payment:updated': (payload: PaymentUpdatedPayload) => void;
  /** Inbox, to a conversation's joined connections: a member's read/delivered watermarks moved. */
  receipt: (payload: ReceiptPayload) => void;
  /** Inbox, to the user's own connections: a conversation appeared in their list. */
  'conversation:new': (payload: ConversationEventPayload) => void;
  /** Inbox, to the user's own connections: a conversation's summary changed. */
  'conversation:updated': (payload: ConversationEventPayload) => void;
  /** Inbox, to the user's own connections: they left, or were removed from, a conversation. */
  'conversation:removed': (payload: ConversationRemovedPayload) => void;
  /** To every connection of one account: its contacts, requests or blocks changed. */
  'contacts:changed': (payload: ContactsChangedPayload) => void;
  /** Inbox, to the user's own connections: unread totals changed. */
  'inbox:unread': (payload: InboxUnreadPayload) => void;
  /** Inbox, to the user's own connections: they deleted this message for themselves. */
  'message:hidden': (payload: MessageHiddenPayload) => void;
  /** Inbox, to a conversation's joined connections: the pinned message changed. */
  'pin:updated': (payload: PinUpdatedPayload) => void;
  /** The session this connection speaks for ended; the server disconnects it next. */
  'session:revoked': (payload: SessionRevokedPayload) => void;
  /** To the connections of a person's conversation partners (and their own): their presence changed. */
  'user:presence': (payload: UserPresence) => void;
  /** To the user's own connections: a notification arrived (or a grouped one gathered another event). */
  'notification:new': (payload: NotificationNewPayload) => void;
  /** To the user's own connections: notifications were marked read (on any device). */
  'notifications:read': (payload: NotificationsReadPayload) => void;
}

export const REPLAY_MAX_MESSAGES = 500;
