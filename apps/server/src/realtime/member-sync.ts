import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context';
import type { MemberRow } from '../db/schema';
import type { MemberSync } from '../ports';
import { isModerator } from '../modules/moderation/rules';
import { memberChannel, modsChannel, roomChannel, type IoServer } from './broadcast';

const CHANNEL = 'chatpop:members:changed';

type Wire = Omit<MemberRow, 'mutedUntil' | 'bannedAt' | 'hiddenAt' | 'joinedAt' | 'removedAt'> & {
  removedAt: string | null;
  mutedUntil: string | null;
  bannedAt: string | null;
  hiddenAt: string | null;
  joinedAt: string;
};

const date = (v: string | null) => (v ? new Date(v) : null);

/**
 * A connection keeps the member row it read at `room:join` (the send hot
 * path reads no database row). When a moderator changes a participation, the
 * node that made the change updates its own connections at once, then tells
 * the other nodes over pub/sub, which do the same: a time-out or hiding takes
 * effect on the next send, a ban drops the connection out of the room, a
 * promotion joins the moderators' channel.
 */
export function startMemberSync(ctx: AppContext, io: IoServer, announcePresence: (roomId: string) => void): MemberSync {
  const nodeId = randomUUID();

  function apply(member: MemberRow) {
    const socketIds = io.of('/').adapter.rooms.get(memberChannel(member.id));
    if (!socketIds) return;
    for (const id of socketIds) {
      const socket = io.sockets.sockets.get(id);
      if (!socket || !socket.data.joined.has(member.roomId)) continue;
      // A ban, or a Back Room seat that was refunded: out of the room at once.
      if (member.bannedAt || member.removedAt) {
        socket.data.joined.delete(member.roomId);
        // Stays in its member channel only long enough to hear why; the client then stops.
        void socket.leave(roomChannel(member.roomId));
        void socket.leave(modsChannel(member.roomId));
        ctx.presence
          .remove(member.roomId, socket.id, member.id)
          .then(() => announcePresence(member.roomId))
          .catch((err) => ctx.log.warn({ err }, 'presence remove failed'));
        continue;
      }
      socket.data.joined.set(member.roomId, member);
      if (isModerator(member)) void socket.join(modsChannel(member.roomId));
      else void socket.leave(modsChannel(member.roomId));
    }
  }

  void ctx.pubsub
    .subscribe(CHANNEL, (payload) => {
      const msg = payload as { from?: string; member?: Wire };
      if (!msg.member || msg.from === nodeId) return;
      const m = msg.member;
      apply({ ...m, mutedUntil: date(m.mutedUntil), bannedAt: date(m.bannedAt), hiddenAt: date(m.hiddenAt), removedAt: date(m.removedAt), joinedAt: new Date(m.joinedAt) });
    })
    .catch((err) => ctx.log.error({ err }, 'member sync subscribe failed'));

  return {
    async changed(member) {
      apply(member);
      try {
        await ctx.pubsub.publish(CHANNEL, { from: nodeId, member });
      } catch (err) {
        ctx.log.warn({ err }, 'member change not announced to other nodes');
      }
    },
  };
}
