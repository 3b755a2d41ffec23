import type { AppContext } from '../../context';
import { AppError } from '../../errors';
import type { MemberRow, RoomRow } from '../../db/schema';
import { checkParticipation, isModerator } from '../moderation/rules';

/**
 * The media rules a send applies too (messages/service.ts imports this file
 * alone, so the messaging core stays below the features).
 */

export const isConversationRoom = (room: Pick<RoomRow, 'kind'>) => room.kind === 'direct' || room.kind === 'group';

/** Media of a public pop chat is as public as its messages; everything else is for members only. */
export const isPublicRoom = (room: Pick<RoomRow, 'kind' | 'isPrivate'>) => room.kind === 'pop' && !room.isPrivate;

const photosOff = (message: string) => new AppError(403, 'PHOTOS_OFF', message);

/**
 * Whether this member may put a photo in this room now: the host's Photos
 * switch (a Back Room follows its pop chat's switch), lockdown (media off for
 * everyone but the host and moderators), an ended or locked chat, a ban or a
 * time-out. Conversations always take photos (SPEC §4).
 */
export async function checkPhotosAllowed(ctx: AppContext, room: RoomRow, member: MemberRow, now = Date.now()): Promise<void> {
  checkParticipation(member, now);
  if (isConversationRoom(room)) return;
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  if (room.settings.locked && !isModerator(member)) throw new AppError(403, 'CHAT_LOCKED', 'The host has locked this chat. You can read but not send.');
  const switchRoom = room.kind === 'backroom' && room.parentRoomId ? await ctx.rooms.byRoomId(room.parentRoomId) : room;
  if (!switchRoom?.settings.media?.photo) throw photosOff('The host has turned photos off in this chat.');
  if (room.settings.lockdown?.active && !isModerator(member)) throw photosOff('The chat is in lockdown: photos are off for now.');
}

