import type { ClientToServerEvents, ServerToClientEvents } from '@chatpop/protocol';
import { io, type Socket } from 'socket.io-client';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The Socket.IO server: NEXT_PUBLIC_SOCKET_URL, else port 9000 of the host serving this page. */
export function socketUrl(): string {
  const configured = process.env.NEXT_PUBLIC_SOCKET_URL;
  if (configured) return configured;
  return `${window.location.protocol}//${window.location.hostname}:9000`;
}

/**
 * One connection per chat tab, authenticated by the chat session token
 * (docs/api.md, "Socket.IO"). It is created disconnected: the caller attaches
 * its handlers first, then calls `connect()`.
 */
export function createChatSocket(token: string): ChatSocket {
  return io(socketUrl(), {
    autoConnect: false,
    withCredentials: true,
    auth: { chatTokens: [token] },
    // WebSocket first; fall back to long-polling where a proxy blocks it.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
  });
}
