import type { AppContext } from '../../context';
import type { MemberRow, RoomRow, UserRow } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import { findParticipation } from '../chats/repo';
import { isUuid } from '../../http';


export const isConversation = (room: Pick<RoomRow, 'kind'>) => room.kind === 'direct' || room.kind === 'group';

export const conversationNotFound = () => notFound('CONVERSATION_NOT_FOUND', 'There is no such conversation in your Inbox.');

/** An account that may use the Inbox: it has a reserved username, the name others find it by. */
export function requireInboxUser(user: UserRow): asserts user is UserRow & { username: string; usernameLower: string } {
  if (!user.username || !user.usernameLower) {
    throw new AppError(403, 'USERNAME_REQUIRED', 'Reserve a username in your profile to use the Inbox: it is how people find you.');
  }
}

export interface ConversationAccess {
  room: RoomRow;
  member: MemberRow;
}

/**
 * The one way to reach a conversation, over HTTP and the socket alike (STYLE
 * §4): the account must be a live member. Anything else — a malformed id, a
 * pop chat's id, a conversation of other people — is the same 404, so an id
 * says nothing about whether it exists.
 */
export async function accessConversation(ctx: AppContext, user: UserRow, roomId: string): Promise<ConversationAccess> {
  if (!isUuid(roomId)) throw conversationNotFound();
  const room = await ctx.rooms.byRoomId(roomId);
  if (!room || !isConversation(room)) throw conversationNotFound();
  const member = await findParticipation(ctx.db, room.id, { userId: user.id });
  if (!member || member.removedAt) throw conversationNotFound();
  return { room, member };
}
