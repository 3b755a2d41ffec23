import type {
  BackroomUpdatedPayload,
  ChatView,
  ContactsChangedPayload,
  ConversationRemovedPayload,
  ConversationSummary,
  InboxUnreadPayload,
  Member,
  MessageHiddenPayload,
  NotificationKind,
  NotificationNewPayload,
  NotificationsReadPayload,
  PaymentUpdatedPayload,
  PinsUpdatedPayload,
  PinUpdatedPayload,
  PresencePayload,
  Reaction,
  ReceiptPayload,
  Report,
  TypingPayload,
  UserPresence,
} from '@chatpop/protocol';
import type { MemberRow, RoomRow, UserRow } from './db/schema';
import type { StoredMessage } from './infra/cache';

/*
 * What the domain needs from the live connections, declared here and
 * implemented by the realtime layer (realtime/broadcast.ts,
 * realtime/member-sync.ts), so that nothing below realtime imports it.
 */

/**
 * Every client-facing event leaves through here (STYLE §3). With Redis the
 * adapter carries each emit to the other nodes' members of the room.
 *
 * A silently hidden participant's message goes to that participant's own
 * connections only; the rest of the room gets `message:skip` for its seq, so
 * no reader has to ask the server about the gap (docs/decisions.md).
 */
export interface Broadcaster {
  /** `hideFrom`: participations that get `message:skip` for it instead (their accounts blocked the author). */
  message(room: Pick<RoomRow, 'id'>, message: StoredMessage, hideFrom?: string[]): void;
  messageUpdated(room: Pick<RoomRow, 'id'>, message: StoredMessage): void;
  messageDeleted(room: Pick<RoomRow, 'id'>, message: StoredMessage): void;
  /** `views`: participations that see the list otherwise (without the reactions of people they blocked). */
  reactions(room: Pick<RoomRow, 'id'>, message: StoredMessage, views?: { memberId: string; reactions: Reaction[] }[]): void;
  /** `everyone`: the public view for the room; `self`: for the member's own connections; `mods`: the moderators' view. */
  member(roomId: string, views: { everyone?: Member; self?: Member; mods: Member }): void;
  room(roomId: string, chat: ChatView): void;
  report(roomId: string, report: Report): void;
  /** `hideFrom`: participations that do not hear it (their accounts blocked the typist). */
  typing(roomId: string, payload: TypingPayload, exceptSocketId?: string, hideFrom?: string[]): void;
  /** A conversation's typing: to its joined connections and to every connection of these users (its other members). */
  conversationTyping(roomId: string, userIds: string[], payload: TypingPayload, exceptSocketId?: string): void;
  /** To every connection of these users: someone's presence as they may see it. */
  userPresence(userIds: string[], payload: UserPresence): void;
  presence(payload: PresencePayload): void;
  /** Paid pins of a pop chat changed: the full ordered list. */
  pins(payload: PinsUpdatedPayload): void;
  /** A Back Room's seat count changed (to the pop chat). */
  backroom(payload: BackroomUpdatedPayload): void;
  /** To the payer's own connections in the chat. */
  payment(memberId: string, payload: PaymentUpdatedPayload): void;
  /** A conversation member's watermarks, to the room's connections except these users' (privacy). */
  receipt(roomId: string, payload: ReceiptPayload, exceptUserIds: string[]): void;
  /** The same to these users' connections only. */
  receiptTo(userIds: string[], payload: ReceiptPayload): void;
  /** To every connection of one account: a row of its conversation list. */
  conversation(userId: string, event: 'conversation:new' | 'conversation:updated', summary: ConversationSummary): void;
  inboxUnread(userId: string, payload: InboxUnreadPayload): void;
  /** To every connection of one account: it is no longer in this conversation. */
  conversationRemoved(userId: string, payload: ConversationRemovedPayload): void;
  /** To every connection of these accounts: their contacts, requests or blocks changed. */
  contactsChanged(userIds: string[], payload: ContactsChangedPayload): void;
  /** To every connection of one account: they deleted this message for themselves. */
  messageHidden(userId: string, payload: MessageHiddenPayload): void;
  /** A conversation's pinned message, to the room's connections except these users'. */
  pinned(roomId: string, payload: PinUpdatedPayload, exceptUserIds: string[]): void;
  /** The same to these users' connections only. */
  pinnedTo(userIds: string[], payload: PinUpdatedPayload): void;
  /** To every connection of one account: a notification arrived or gathered another event. */
  notification(userId: string, payload: NotificationNewPayload): void;
  /** To every connection of one account: notifications were marked read. */
  notificationsRead(userId: string, payload: NotificationsReadPayload): void;
}

/**
 * Keeps every node's live connections in step with a participation that a
 * moderator changed (ban, time-out, hide, role): the socket hot path reads the
 * member row it holds rather than the database (realtime/member-sync.ts).
 */
export interface MemberSync {
  changed(member: MemberRow): Promise<void>;
}

/**
 * Ends the live connections that speak for account sessions just revoked
 * (signed out, everywhere, from the sessions page, a password change or
 * reset, a refresh token used twice): each gets `session:revoked` and is
 * closed at once, on every node (realtime/session-sync.ts). Called after the
 * revocation is committed.
 */
export interface SessionSockets {
  ended(sessionIds: string[]): Promise<void>;
}

/**
 * The Inbox's per-user list events (modules/conversations/notifier.ts):
 * conversations whose summary changed for these users, sent as
 * `conversation:new`/`conversation:updated`, and (unless `totals` is false)
 * their unread totals as `inbox:unread`.
 */
export interface InboxEvents {
  changed(userIds: string[], roomId: string, opts?: { created?: boolean; totals?: boolean }): void;
  close(): void;
}

/**
 * Account presence (modules/conversations/presence.ts): the realtime layer
 * reports each account connection's life, and the profile its status and
 * privacy changes; partners hear of the result as `user:presence`.
 */
export interface AccountPresence {
  connected(userId: string, connectionId: string): Promise<void>;
  heartbeat(userId: string, connectionId: string): Promise<void>;
  disconnected(userId: string, connectionId: string): Promise<void>;
  /** Drops connections whose heartbeats stopped (each node, on a timer). */
  sweep(): Promise<void>;
  /** Announces this person's presence afresh to whoever may see it now (after a block goes). */
  changed(userId: string): void;
  /** The user changed their profile: status ("appear offline" included) or privacy. */
  profileChanged(before: UserRow, after: UserRow): Promise<void>;
  close(): void;
}

/** What the live connections hold of an account and must follow when it changes (realtime/user-sync.ts). */
export type SyncedUser = Pick<UserRow, 'id' | 'status' | 'hideLastSeen' | 'hideReadReceipts'>;

/**
 * Keeps every node's connections of an account in step with its profile: an
 * account that chose to appear offline drops out of the online lists of the
 * pop chats and conversations its connections have joined, and comes back
 * when it chooses otherwise.
 */
export interface UserSync {
  changed(user: SyncedUser): Promise<void>;
}

/** One thing that happened to a user, as a feature reports it (modules/notifications/service.ts). */
export interface NotificationInput {
  kind: NotificationKind;
  /** Who did it: their account (blocks are checked against it) and the name they showed. */
  actorUserId?: string | null;
  actorName?: string | null;
  roomId?: string | null;
  messageId?: string | null;
  seq?: number | null;
  /** The message's text, or what the notification should quote. */
  preview?: string;
  amountCents?: number | null;
}

/**
 * The notification centre (modules/notifications/service.ts). Every call only
 * queues: the work (who is told, blocks, mutes, storage, the live event and
 * Web Push) runs after the caller has answered, off the send path.
 */
export interface Notifier {
  /** Tells one user of one thing, unless a block stands between them and the actor. */
  notify(userId: string, input: NotificationInput): void;
  /** A message was stored: the people it mentions, the author of the message it replies to, a direct partner. */
  messageSent(room: RoomRow, author: MemberRow | null, message: StoredMessage): void;
  /**
   * The user read a room up to `uptoSeq` (a conversation's read watermark moved, or they opened the room): its
   * notifications at or before it, and those about the room itself, become read on every device.
   */
  roomRead(userId: string, roomId: string, uptoSeq: number): void;
  /** Resolves once everything queued so far has been done (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}
