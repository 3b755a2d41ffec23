import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { ClientToServerEvents, SessionRevokedPayload, ServerToClientEvents } from '@chatpop/protocol';
import type { AppContext } from '../context';
import type { SessionSockets } from '../ports';
import { sessionEnded } from '../modules/auth/actor';
import type { SocketData } from './broadcast';

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const CHANNEL = 'chatpop:sessions:ended';
/**
 * How long a node remembers that a session ended. A connection checks its
 * session in the database and only then binds itself to it here; a
 * revocation that lands in between is caught by this memory, so it must
 * outlast that gap (milliseconds) by far.
 */
const REMEMBER_ENDED_MS = 5 * 60 * 1000;

export const SESSION_REVOKED: SessionRevokedPayload = {
  code: 'SESSION_REVOKED',
  message: sessionEnded().message,
};

export interface SessionSync extends SessionSockets {
  /**
   * Ties a connection to a session it speaks for, so that it ends when the
   * session does. False when the session ended moments ago (the caller then
   * refuses it); nothing is bound then.
   */
  bind(socket: IoSocket, sessionId: string): boolean;
  /** Sends `session:revoked` and closes the connection. */
  end(socket: IoSocket): void;
}

/**
 * Every connection of an account session — its chat session tokens', its
 * access token's or cookie's — is indexed here by session. When sessions are
 * revoked, the node that revoked them ends its own connections of theirs at
 * once and tells the other nodes over pub/sub, which do the same (as
 * member-sync.ts does for moderation). The index is this node's own rather
 * than a Socket.IO room: the sharded adapter would subscribe a Redis channel
 * per room, and no emit to these connections ever needs to cross nodes.
 */
export function startSessionSync(ctx: AppContext): SessionSync {
  const nodeId = randomUUID();
  const bySession = new Map<string, Set<IoSocket>>();
  const recentlyEnded = new Map<string, number>();

  function remember(sessionIds: string[]) {
    const now = Date.now();
    for (const [id, until] of recentlyEnded) {
      if (until > now) break; // inserted in time order: the rest are younger
      recentlyEnded.delete(id);
    }
    for (const id of sessionIds) {
      recentlyEnded.delete(id);
      recentlyEnded.set(id, now + REMEMBER_ENDED_MS);
    }
  }

  function end(socket: IoSocket) {
    if (!socket.connected) return;
    socket.emit('session:revoked', SESSION_REVOKED);
    // The event goes out first on the same connection; then the connection closes.
    socket.disconnect(true);
  }

  function apply(sessionIds: string[]) {
    remember(sessionIds);
    for (const id of sessionIds) {
      const sockets = bySession.get(id);
      if (!sockets) continue;
      bySession.delete(id);
      for (const socket of sockets) end(socket);
    }
  }

  void ctx.pubsub
    .subscribe(CHANNEL, (payload) => {
      const msg = payload as { from?: unknown; sessionIds?: unknown };
      if (msg.from === nodeId || !Array.isArray(msg.sessionIds)) return;
      apply(msg.sessionIds.filter((id): id is string => typeof id === 'string'));
    })
    .catch((err) => ctx.log.error({ err }, 'session sync subscribe failed'));

  return {
    bind(socket, sessionId) {
      const until = recentlyEnded.get(sessionId);
      if (until !== undefined && until > Date.now()) return false;
      let sockets = bySession.get(sessionId);
      if (!sockets) bySession.set(sessionId, (sockets = new Set()));
      if (sockets.has(socket)) return true;
      sockets.add(socket);
      socket.once('disconnect', () => {
        const set = bySession.get(sessionId);
        if (!set) return;
        set.delete(socket);
        if (set.size === 0) bySession.delete(sessionId);
      });
      return true;
    },
    end,
    async ended(sessionIds) {
      if (sessionIds.length === 0) return;
      apply(sessionIds);
      try {
        await ctx.pubsub.publish(CHANNEL, { from: nodeId, sessionIds });
      } catch (err) {
        ctx.log.warn({ err }, 'ended sessions not announced to other nodes');
      }
    },
  };
}
