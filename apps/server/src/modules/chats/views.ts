import type { Member } from '@chatpop/protocol';
import type { MemberRow } from '../../db/schema';

/** A participation as everyone in the chat sees it. */
export function toMember(m: MemberRow): Member {
  return {
    id: m.id,
    roomId: m.roomId,
    username: m.username,
    role: m.role,
    verified: m.verified,
    anonymous: m.userId === null,
    joinedAt: m.joinedAt.toISOString(),
  };
}
