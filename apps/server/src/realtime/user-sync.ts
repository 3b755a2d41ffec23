import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context';
import type { SyncedUser, UserSync } from '../ports';
import { participationsOf } from '../modules/conversations/presence';
import { memberChannel, userChannel, type IoServer } from './broadcast';

const CHANNEL = 'chatpop:users:changed';

/**
 * A connection keeps the account it proved at the handshake. When the person
 * changes their status or privacy, the node that made the change updates its
 * own connections of that account at once, then tells the other nodes over
 * pub/sub, which do the same. "Appear offline" takes the account's
 * participations out of the online lists of every room its connections have
 * joined — pop chats included — and choosing any other status puts them back.
 */
export function startUserSync(ctx: AppContext, io: IoServer, announcePresence: (roomId: string) => void): UserSync {
  const nodeId = randomUUID();

  const local = (channel: string) => [...(io.of('/').adapter.rooms.get(channel) ?? [])].flatMap((id) => io.sockets.sockets.get(id) ?? []);

  async function apply(user: SyncedUser) {
    for (const socket of local(userChannel(user.id))) {
      const held = socket.data.user;
      if (held?.id === user.id) socket.data.user = { ...held, status: user.status, hideLastSeen: user.hideLastSeen, hideReadReceipts: user.hideReadReceipts };
    }
    // The account's participations, found by member rather than by the connection's account: a pop
    // chat's connection may carry only its chat token.
    const hidden = user.status === 'offline';
    for (const memberId of await participationsOf(ctx.db, user.id)) {
      for (const socket of local(memberChannel(memberId))) {
        for (const [roomId, member] of socket.data.joined) {
          if (member.id !== memberId) continue;
          if (hidden) socket.data.appearOffline.add(memberId);
          else socket.data.appearOffline.delete(memberId);
          const work = hidden
            ? ctx.presence.remove(roomId, socket.id, member.id)
            : ctx.presence.touch(roomId, socket.id, { memberId: member.id, username: member.username });
          work.then(() => announcePresence(roomId)).catch((err) => ctx.log.warn({ err }, 'presence update failed'));
        }
      }
    }
  }

  void ctx.pubsub
    .subscribe(CHANNEL, (payload) => {
      const msg = payload as { from?: string; user?: SyncedUser };
      if (!msg.user || msg.from === nodeId) return;
      apply(msg.user).catch((err) => ctx.log.warn({ err }, 'user change not applied'));
    })
    .catch((err) => ctx.log.error({ err }, 'user sync subscribe failed'));

  return {
    async changed(user) {
      await apply(user);
      try {
        // Only what the connections follow: never the rest of the account's row.
        const { id, status, hideLastSeen, hideReadReceipts } = user;
        await ctx.pubsub.publish(CHANNEL, { from: nodeId, user: { id, status, hideLastSeen, hideReadReceipts } });
      } catch (err) {
        ctx.log.warn({ err }, 'user change not announced to other nodes');
      }
    },
  };
}
