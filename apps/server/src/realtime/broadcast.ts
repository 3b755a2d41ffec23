import type { Server } from 'socket.io';
import type {
  BackroomUpdatedPayload,
  PaymentUpdatedPayload,
  PinsUpdatedPayload,
  ChatView,
  ClientToServerEvents,
  ConversationRemovedPayload,
  ConversationSummary,
  InboxUnreadPayload,
  Member,
  PresencePayload,
  ReceiptPayload,
  Report,
  ServerToClientEvents,
  TypingPayload,
} from '@chatpop/protocol';
import type { RoomRow } from '../db/schema';
import type { StoredMessage } from '../infra/cache';
import { publicMessage } from '../modules/messages/visibility';
import type { SocketData } from './server';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Socket.IO room of a chat's joined connections; nothing is ever emitted globally (STYLE §5). */
export const roomChannel = (roomId: string) => `room:${roomId}`;
/** Every connection of one participation (its own notices, its hidden messages). */
export const memberChannel = (memberId: string) => `member:${memberId}`;
/** Every connection of one signed-in account, whatever it has joined (Inbox list events). */
export const userChannel = (userId: string) => `user:${userId}`;
/** The host's and moderators' connections in a room (reports, moderator views of members). */
export const modsChannel = (roomId: string) => `mods:${roomId}`;

/**
 * Every client-facing event leaves through here (STYLE §3). With Redis the
 * adapter carries each emit to the other nodes' members of the room.
 *
 * A silently hidden participant's message goes to that participant's own
 * connections only; the rest of the room gets `message:skip` for its seq, so
 * no reader has to ask the server about the gap (docs/decisions.md).
 */
export interface Broadcaster {
  message(room: Pick<RoomRow, 'id'>, message: StoredMessage): void;
  messageUpdated(room: Pick<RoomRow, 'id'>, message: StoredMessage): void;
  messageDeleted(room: Pick<RoomRow, 'id'>, message: StoredMessage): void;
  reactions(room: Pick<RoomRow, 'id'>, message: StoredMessage): void;
  /** `everyone`: the public view for the room; `self`: for the member's own connections; `mods`: the moderators' view. */
  member(roomId: string, views: { everyone?: Member; self?: Member; mods: Member }): void;
  room(roomId: string, chat: ChatView): void;
  report(roomId: string, report: Report): void;
  typing(roomId: string, payload: TypingPayload, exceptSocketId?: string): void;
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
}

export const noBroadcast: Broadcaster = {
  message() {},
  messageUpdated() {},
  messageDeleted() {},
  reactions() {},
  member() {},
  room() {},
  report() {},
  typing() {},
  presence() {},
  pins() {},
  backroom() {},
  payment() {},
  receipt() {},
  receiptTo() {},
  conversation() {},
  inboxUnread() {},
  conversationRemoved() {},
};

export function socketBroadcaster(io: IoServer): Broadcaster {
  /** Where a message's events go: its author alone when hidden, else the room. */
  const audience = (roomId: string, message: StoredMessage) =>
    message.hidden && message.memberId ? io.to(memberChannel(message.memberId)) : io.to(roomChannel(roomId));
  return {
    message(room, message) {
      if (message.hidden && message.memberId) {
        io.to(memberChannel(message.memberId)).emit('message:new', publicMessage(message));
        io.to(roomChannel(room.id)).except(memberChannel(message.memberId)).emit('message:skip', { roomId: room.id, seq: message.seq });
        return;
      }
      io.to(roomChannel(room.id)).emit('message:new', message);
    },
    messageUpdated(room, message) {
      audience(room.id, message).emit('message:updated', publicMessage(message));
    },
    messageDeleted(room, message) {
      audience(room.id, message).emit('message:deleted', {
        roomId: room.id,
        id: message.id,
        seq: message.seq,
        deletedAt: message.deletedAt ?? new Date().toISOString(),
      });
    },
    reactions(room, message) {
      audience(room.id, message).emit('reaction:updated', {
        roomId: room.id,
        messageId: message.id,
        seq: message.seq,
        reactions: message.reactions,
      });
    },
    member(roomId, views) {
      if (views.everyone) io.to(roomChannel(roomId)).except(modsChannel(roomId)).emit('member:updated', { roomId, member: views.everyone });
      if (views.self) io.to(memberChannel(views.self.id)).emit('member:updated', { roomId, member: views.self });
      io.to(modsChannel(roomId)).emit('member:updated', { roomId, member: views.mods });
    },
    room(roomId, chat) {
      io.to(roomChannel(roomId)).emit('room:updated', { roomId, chat });
    },
    report(roomId, report) {
      io.to(modsChannel(roomId)).emit('report:new', { roomId, report });
    },
    typing(roomId, payload, exceptSocketId) {
      const target = io.to(roomChannel(roomId));
      (exceptSocketId ? target.except(exceptSocketId) : target).emit('typing', payload);
    },
    presence(payload) {
      io.to(roomChannel(payload.roomId)).emit('presence', payload);
    },
    pins(payload) {
      io.to(roomChannel(payload.roomId)).emit('pins:updated', payload);
    },
    backroom(payload) {
      io.to(roomChannel(payload.roomId)).emit('backroom:updated', payload);
    },
    payment(memberId, payload) {
      io.to(memberChannel(memberId)).emit('payment:updated', payload);
    },
    receipt(roomId, payload, exceptUserIds) {
      io.to(roomChannel(roomId)).except(exceptUserIds.map(userChannel)).emit('receipt', payload);
    },
    receiptTo(userIds, payload) {
      if (userIds.length > 0) io.to(userIds.map(userChannel)).emit('receipt', payload);
    },
    conversation(userId, event, summary) {
      io.to(userChannel(userId)).emit(event, { conversation: summary });
    },
    inboxUnread(userId, payload) {
      io.to(userChannel(userId)).emit('inbox:unread', payload);
    },
    conversationRemoved(userId, payload) {
      io.to(userChannel(userId)).emit('conversation:removed', payload);
    },
  };
}
