import type { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@chatpop/protocol';
import type { MemberRow, UserRow } from '../db/schema';
import type { StoredMessage } from '../infra/cache';
import { publicMessage } from '../modules/messages/visibility';
import type { Broadcaster } from '../ports';

/** What a verified chat session token names (its session: a signed-in participation's). */
export interface TokenClaims {
  memberId: string;
  username: string;
  sessionId: string | null;
}

/** What a connection proved at the handshake: the chat participations its tokens name, and its account. */
export interface SocketData {
  /** roomId → the participation and username its verified chat session token names. */
  tokens: Map<string, TokenClaims>;
  /**
   * The live account sessions this connection speaks for (session id → user
   * id), from its tokens, access token or cookie: it ends when any of them
   * does (realtime/session-sync.ts).
   */
  sessions: Map<string, string>;
  /** Rooms this connection has joined, with the member as read at join time. */
  joined: Map<string, MemberRow>;
  /** The signed-in account, from the access token at the handshake (Inbox); null without one. */
  user: UserRow | null;
  /** Joined participations whose account appears offline: kept out of the rooms' online lists. */
  appearOffline: Set<string>;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Socket.IO room of a chat's joined connections; nothing is ever emitted globally (STYLE §5). */
export const roomChannel = (roomId: string) => `room:${roomId}`;
/** Every connection of one participation (its own notices, its hidden messages). */
export const memberChannel = (memberId: string) => `member:${memberId}`;
/** Every connection of one signed-in account, whatever it has joined (Inbox list events). */
export const userChannel = (userId: string) => `user:${userId}`;
/** The host's and moderators' connections in a room (reports, moderator views of members). */
export const modsChannel = (roomId: string) => `mods:${roomId}`;

export const noBroadcast: Broadcaster = {
  message() {},
  messageUpdated() {},
  messageDeleted() {},
  reactions() {},
  member() {},
  room() {},
  report() {},
  typing() {},
  conversationTyping() {},
  userPresence() {},
  presence() {},
  pins() {},
  backroom() {},
  payment() {},
  receipt() {},
  receiptTo() {},
  conversation() {},
  inboxUnread() {},
  conversationRemoved() {},
  messageHidden() {},
  contactsChanged() {},
  pinned() {},
  pinnedTo() {},
  notification() {},
  notificationsRead() {},
};

export function socketBroadcaster(io: IoServer): Broadcaster {
  /** Where a message's events go: its author alone when hidden, else the room. */
  const audience = (roomId: string, message: StoredMessage) =>
    message.hidden && message.memberId ? io.to(memberChannel(message.memberId)) : io.to(roomChannel(roomId));
  return {
    message(room, message, hideFrom = []) {
      if (message.hidden && message.memberId) {
        io.to(memberChannel(message.memberId)).emit('message:new', publicMessage(message));
        io.to(roomChannel(room.id)).except(memberChannel(message.memberId)).emit('message:skip', { roomId: room.id, seq: message.seq });
        return;
      }
      if (hideFrom.length === 0) {
        io.to(roomChannel(room.id)).emit('message:new', message);
        return;
      }
      // Readers who blocked the author step over its seq; the rest, the author included, get it.
      const hidden = hideFrom.map(memberChannel);
      io.to(roomChannel(room.id)).except(hidden).emit('message:new', message);
      io.to(hidden).emit('message:skip', { roomId: room.id, seq: message.seq });
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
    reactions(room, message, views = []) {
      const payload = { roomId: room.id, messageId: message.id, seq: message.seq, reactions: message.reactions };
      if (views.length === 0 || (message.hidden && message.memberId)) {
        audience(room.id, message).emit('reaction:updated', payload);
        return;
      }
      io.to(roomChannel(room.id)).except(views.map((v) => memberChannel(v.memberId))).emit('reaction:updated', payload);
      for (const v of views) io.to(memberChannel(v.memberId)).emit('reaction:updated', { ...payload, reactions: v.reactions });
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
    typing(roomId, payload, exceptSocketId, hideFrom = []) {
      const except = [...(exceptSocketId ? [exceptSocketId] : []), ...hideFrom.map(memberChannel)];
      const target = io.to(roomChannel(roomId));
      (except.length > 0 ? target.except(except) : target).emit('typing', payload);
    },
    conversationTyping(roomId, userIds, payload, exceptSocketId) {
      // One emit to the room and the members' own channels: a connection in both hears it once.
      const target = io.to([roomChannel(roomId), ...userIds.map(userChannel)]);
      (exceptSocketId ? target.except(exceptSocketId) : target).emit('typing', payload);
    },
    userPresence(userIds, payload) {
      if (userIds.length > 0) io.to(userIds.map(userChannel)).emit('user:presence', payload);
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
    contactsChanged(userIds, payload) {
      if (userIds.length > 0) io.to(userIds.map(userChannel)).emit('contacts:changed', payload);
    },
    messageHidden(userId, payload) {
      io.to(userChannel(userId)).emit('message:hidden', payload);
    },
    pinned(roomId, payload, exceptUserIds) {
      io.to(roomChannel(roomId)).except(exceptUserIds.map(userChannel)).emit('pin:updated', payload);
    },
    pinnedTo(userIds, payload) {
      if (userIds.length > 0) io.to(userIds.map(userChannel)).emit('pin:updated', payload);
    },
    notification(userId, payload) {
      io.to(userChannel(userId)).emit('notification:new', payload);
    },
    notificationsRead(userId, payload) {
      io.to(userChannel(userId)).emit('notifications:read', payload);
    },
  };
}
