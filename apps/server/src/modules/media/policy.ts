import type { AppContext } from '../../context';
import { AppError } from '../../errors';
import type { MemberRow, RoomRow } from '../../db/schema';
import { findMember } from '../chats/repo';
import { requireNotBanned } from '../moderation/bans';
import type { MediaKeyClaims } from './keys';
import { isConversationRoom } from './rules';

/**
 * The one media policy (STYLE §4), for uploads and fetches (docs/architecture.md,
 * "Media"); the switch a send must pass is in rules.ts.
 */

/**
 * The member a media key names, as they are now: still in the room (a left
 * conversation member or a refunded seat loses access at once, whatever the
 * key's time), and not banned.
 */
export async function memberOfKey(ctx: AppContext, claims: MediaKeyClaims): Promise<{ room: RoomRow; member: MemberRow }> {
  const [room, member] = await Promise.all([ctx.rooms.byRoomId(claims.roomId), findMember(ctx.db, claims.memberId)]);
  if (!room || !member || member.roomId !== room.id) throw new AppError(403, 'MEDIA_KEY_INVALID', 'This media link is not valid.');
  if (member.removedAt) throw new AppError(403, 'NOT_A_MEMBER', 'You are no longer a member here.');
  if (!isConversationRoom(room)) await requireNotBanned(ctx.db, room, { member });
  return { room, member };
}
