import type { Member } from '@chatpop/protocol';
import type { MemberRow } from '../../db/schema';
import { toMember } from '../chats/views';

/** A member as a moderator sees them: time-out, ban and hiding included. */
export function moderatorView(m: MemberRow): Member {
  return { ...toMember(m), mutedUntil: activeMute(m), banned: m.bannedAt !== null, hidden: m.hiddenAt !== null };
}

/** A member as they see themselves: their time-out, never whether they are hidden. */
export function selfView(m: MemberRow): Member {
  return { ...toMember(m), mutedUntil: activeMute(m), banned: m.bannedAt !== null };
}

const activeMute = (m: MemberRow) => (m.mutedUntil && m.mutedUntil.getTime() > Date.now() ? m.mutedUntil.toISOString() : null);
