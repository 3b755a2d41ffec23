import type { MemberProfile } from '@chatpop/protocol';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { members, users } from '../../db/schema';
import { avatarUrl } from '../auth/service';

/**
 * The account profiles of a room's participations, keyed by member id: only
 * verified ones (a signed-in user wearing their reserved username). A
 * signed-in user who rolled a name keeps that participation anonymous, so
 * nothing of their account is shown there.
 */
export async function profilesOf(db: DbExecutor, roomId: string, memberIds: string[]): Promise<Map<string, MemberProfile>> {
  if (memberIds.length === 0) return new Map();
  const rows = await db
    .select({ memberId: members.id, displayName: users.displayName, avatarKey: users.avatarKey, status: users.status })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.roomId, roomId), inArray(members.id, memberIds), eq(members.verified, true), isNotNull(members.userId)));
  return new Map(rows.map((r) => [r.memberId, { displayName: r.displayName, avatarUrl: avatarUrl(r.avatarKey), status: r.status }]));
}
