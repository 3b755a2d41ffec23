import type { Server } from 'socket.io';
import type { ClientToServerEvents, Message, PresencePayload, ServerToClientEvents, TypingPayload } from '@chatpop/protocol';
import type { RoomRow } from '../db/schema';
import type { SocketData } from './server';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Socket.IO room of a chat's joined connections; nothing is ever emitted globally (STYLE §5). */
export const roomChannel = (roomId: string) => `room:${roomId}`;

/**
 * Every client-facing event leaves through here (STYLE §3). With Redis the
 * adapter carries each emit to the other nodes' members of the room.
 */
export interface Broadcaster {
  message(room: Pick<RoomRow, 'id'>, message: Message): void;
  typing(roomId: string, payload: TypingPayload, exceptSocketId?: string): void;
  presence(payload: PresencePayload): void;
}

export const noBroadcast: Broadcaster = { message() {}, typing() {}, presence() {} };

export function socketBroadcaster(io: IoServer): Broadcaster {
  return {
    message(room, message) {
      io.to(roomChannel(room.id)).emit('message:new', message);
    },
    typing(roomId, payload, exceptSocketId) {
      const target = io.to(roomChannel(roomId));
      (exceptSocketId ? target.except(exceptSocketId) : target).emit('typing', payload);
    },
    presence(payload) {
      io.to(roomChannel(payload.roomId)).emit('presence', payload);
    },
  };
}
