import { sql, type SQL } from 'drizzle-orm';

/**
 * The one search policy (SPEC §4): what an account may find is what it may
 * read at the time of the search, decided in the query itself so that a
 * page is never filtered after the fact.
 *
 * `readableRooms(userId)` is a subquery of `(room_id, member_id)`: each room
 * the account reads through a live participation of its own —
 * - a direct or group conversation it is still a member of (a member who
 *   left or was removed finds nothing of it any more);
 * - a pop chat it takes part in under its account, unless banned (its
 *   participation banned, or a ban of the chat that names its account or
 *   participation and is not lifted). A private chat is read only by its
 *   participants, who gave its code to join;
 * - a Back Room while it holds a seat: its Back Room participation stands
 *   (a refunded seat removes it) and, unless it is the host, a paid seat of
 *   its chat participation is active; bans of the chat hold there too.
 *
 * The messages themselves are then narrowed by `visibleMessage`: never a
 * deleted one, never one the member deleted for themselves, never a
 * silently hidden participant's (except to that participant, who sees their
 * own as sent), never a system notice, and never one by an account the
 * searcher blocked.
 */
export function readableRooms(userId: string): SQL {
  const me = sql`${userId}::uuid`;
  const notBanned = (roomId: SQL, memberId: SQL) => sql`not exists (
    select 1 from bans b
    where b.room_id = ${roomId} and b.lifted_at is null and (b.user_id = ${me} or b.member_id = ${memberId})
  )`;
  return sql`(
    select mb.room_id, mb.id as member_id
    from members mb
    join rooms r on r.id = mb.room_id
    where mb.user_id = ${me}
      and mb.removed_at is null
      and mb.banned_at is null
      and (
        r.kind in ('direct', 'group')
        or (r.kind = 'pop' and ${notBanned(sql`r.id`, sql`mb.id`)})
        or (
          r.kind = 'backroom'
          and exists (
            select 1 from members pm
            where pm.room_id = r.parent_room_id and pm.user_id = ${me} and pm.banned_at is null
              and ${notBanned(sql`r.parent_room_id`, sql`pm.id`)}
              and (
                mb.role = 'host'
                or exists (select 1 from seats s where s.room_id = r.parent_room_id and s.member_id = pm.id and s.status = 'active')
              )
          )
        )
      )
  )`;
}

/** The conditions on a message `m` read through participation `rd` (see above). */
export function visibleMessage(userId: string): SQL {
  const me = sql`${userId}::uuid`;
  return sql`m.deleted_at is null
    and m.type <> 'system'
    and (not m.hidden or m.member_id = rd.member_id)
    and not exists (select 1 from message_hides h where h.member_id = rd.member_id and h.seq = m.seq)
    and not exists (
      select 1 from members am
      join user_blocks ub on ub.blocked_id = am.user_id and ub.blocker_id = ${me}
      where am.id = m.member_id
    )`;
}

/**
 * People search (SPEC §4): confirmed accounts with a username, never the
 * searcher, never anyone with a block between the two, whichever side made it.
 */
export function findablePerson(userId: string): SQL {
  const me = sql`${userId}::uuid`;
  return sql`u.id <> ${me}
    and u.username is not null
    and u.email_confirmed_at is not null
    and not exists (
      select 1 from user_blocks ub
      where (ub.blocker_id = ${me} and ub.blocked_id = u.id) or (ub.blocker_id = u.id and ub.blocked_id = ${me})
    )`;
}
