import type { ClientToServerEvents, ServerToClientEvents } from '@chatpop/protocol';
import { io, type Socket } from 'socket.io-client';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The Socket.IO server: NEXT_PUBLIC_SOCKET_URL, else the API port
 * (NEXT_PUBLIC_SOCKET_PORT, 9000 by default) of the host serving this page.
 */
export function socketUrl(): string {
  const configured = process.env.NEXT_PUBLIC_SOCKET_URL;
  if (configured) return configured;
  const port = process.env.NEXT_PUBLIC_SOCKET_PORT || '9000';
  return `${window.location.protocol}//${window.location.hostname}:${port}`;
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

/**
 * A connection authorised by the signed-in account: the browser sends the
 * access cookie with the handshake (docs/api.md, "Socket.IO"), which brings
 * the account's Inbox conversations and its own events. Created disconnected.
 */
export function createAccountSocket(options: { reconnection?: boolean } = {}): ChatSocket {
  return io(socketUrl(), {
    autoConnect: false,
    withCredentials: true,
    auth: { chatTokens: [] },
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    ...options,
  });
}
