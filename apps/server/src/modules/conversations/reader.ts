import type { Message, PinnedMessage } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { MemberRow, MessageRow, RoomRow } from '../../db/schema';
import { notFound } from '../../errors';
import * as messagesRepo from '../messages/repo';
import { withReplies } from '../messages/service';
import { publicMessage } from '../messages/visibility';
import * as actionsRepo from './actions-repo';

/**
 * What one member sees of a conversation's messages: everything the core
 * reads, less what they deleted for themselves ("delete for me"), on every
 * read path (history pages, the join's replay, gap fills, the pinned
 * message, and any action naming a message).
 */

export const messageNotFound = () => notFound('MESSAGE_NOT_FOUND', 'There is no such message in this conversation.');

/** A message of the room that this member may see; 404 MESSAGE_NOT_FOUND for anything else. */
export async function readableMessage(ctx: Pick<AppContext, 'db'>, room: RoomRow, member: MemberRow, messageId: string): Promise<MessageRow> {
  const row = await messagesRepo.findInRoom(ctx.db, room.id, messageId);
  if (!row || (row.hidden && row.memberId !== member.id)) throw messageNotFound();
  if (await actionsRepo.isHidden(ctx.db, member.id, row.seq)) throw messageNotFound();
  return row;
}

/**
 * A page, a replay or a gap fill as `memberId` sees it: the messages they
 * deleted for themselves left out and their seqs named in `withheld`, so the
 * client steps over them instead of asking for them again. One range read of
 * the member's hidden seqs per answer.
 */
export async function withoutHidden<T extends { messages: Message[]; withheld: number[] }>(
  ctx: Pick<AppContext, 'db'>,
  memberId: string,
  answer: T,
): Promise<T> {
  const { messages } = answer;
  if (messages.length === 0) return answer;
  const hidden = await actionsRepo.hiddenSeqs(ctx.db, memberId, messages[0]!.seq, messages[messages.length - 1]!.seq);
  if (hidden.size === 0) return answer;
  return {
    ...answer,
    messages: messages.filter((m) => !hidden.has(m.seq)),
    withheld: [...new Set([...answer.withheld, ...hidden])].sort((a, b) => a - b),
  };
}

/** The conversation's pinned message as a member sees it: null when none, or when they deleted it for themselves. */
export async function pinnedFor(ctx: Pick<AppContext, 'db'>, roomId: string, memberId: string | null): Promise<PinnedMessage | null> {
  const pin = await actionsRepo.pinnedOf(ctx.db, roomId);
  if (!pin) return null;
  const row = await messagesRepo.findInRoom(ctx.db, roomId, pin.messageId);
  if (!row || row.deletedAt) return null;
  if (memberId && (await actionsRepo.isHidden(ctx.db, memberId, row.seq))) return null;
  const [message] = await withReplies(ctx, [row]);
  return {
    message: publicMessage(message!),
    pinnedBy: { memberId: pin.pinnedByMemberId, username: pin.pinnedByUsername },
    pinnedAt: pin.pinnedAt.toISOString(),
  };
}
