import { sql, type SQL } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client';
import { findablePerson, readableRooms, visibleMessage } from './policy';

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** Marks ts_headline puts around a match: private-use characters, taken out of the text first so it cannot forge one. */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';
/**
 * The parser reads `<…>` as markup and `&…;` as entities, which ts_headline
 * drops or keeps apart; stand-ins keep the text exactly as written, and the
 * service turns them back.
 */
export const STAND_INS: [string, string][] = [
  ['<', '\uE002'],
  ['>', '\uE003'],
  ['&', '\uE004'],
];
const HEADLINE_OPTIONS = `StartSel="${MATCH_START}", StopSel="${MATCH_END}", MaxWords=35, MinWords=15`;
// translate(): each character of FROM_CHARS becomes the one at its place in TO_CHARS; the marks, past its end, go.
const FROM_CHARS = STAND_INS.map(([c]) => c).join('') + MATCH_START + MATCH_END;
const TO_CHARS = STAND_INS.map(([, s]) => s).join('');

/**
 * How the database reads a query: '' when it holds no words at all, 'T' when
 * it cannot be looked up in the index (only exclusions), else the terms.
 */
export async function queryTree(db: DbExecutor, q: string): Promise<string> {
  const rows = rowsOf<{ tree: string }>(await db.execute(sql`select querytree(websearch_to_tsquery('simple', ${q}::text)) as tree`));
  return rows[0]?.tree ?? '';
}

export interface SearchFilters {
  q: string;
  roomId?: string;
  fromUserId?: string;
  has?: 'link' | 'media';
  after?: Date;
  before?: Date;
  cursor?: { at: string; id: string };
  limit: number;
}

export interface HitRow {
  id: string;
  room_id: string;
  seq: number;
  type: string;
  username: string | null;
  author_user_id: string | null;
  created_at: Date | string;
  cursor_at: string;
  room_kind: 'pop' | 'backroom' | 'direct' | 'group';
  room_name: string;
  room_code: string | null;
  headline: string;
}

/**
 * One page of hits, newest first. The page is chosen first (index, policy,
 * filters, order, limit) and only its rows get a headline, which is the
 * costly part. Hits past `cursor` (the last hit's time and id) only.
 */
export async function searchMessages(db: DbExecutor, userId: string, f: SearchFilters): Promise<HitRow[]> {
  const me = sql`${userId}::uuid`;
  // The query inline, not from a CTE: the planner then reads the words' frequencies and chooses the index that pays.
  const tq = sql`websearch_to_tsquery('simple'::regconfig, ${f.q}::text)`;
  const where: SQL[] = [sql`m.search @@ ${tq}`, visibleMessage(userId)];
  // As text: the room-and-words index (messages_room_search_idx, schema.ts) answers it with the words in one scan.
  if (f.roomId) where.push(sql`m.room_id::text = ${f.roomId}::uuid::text`);
  if (f.fromUserId) {
    // Only where the author wore their own username: a name rolled in a pop chat never leads to the account.
    where.push(sql`m.verified and exists (select 1 from members fm where fm.id = m.member_id and fm.user_id = ${f.fromUserId}::uuid)`);
  }
  if (f.has === 'link') where.push(sql`m.has_link`);
  // A message with photos (media/) is still a normal or host message: it is its attachments that count.
  if (f.has === 'media') where.push(sql`(m.type = 'media' or m.attachments is not null)`);
  if (f.after) where.push(sql`m.created_at >= ${f.after.toISOString()}::timestamptz`);
  if (f.before) where.push(sql`m.created_at <= ${f.before.toISOString()}::timestamptz`);
  if (f.cursor) where.push(sql`(m.created_at, m.id) < (${f.cursor.at}::timestamptz, ${f.cursor.id}::uuid)`);

  const result = await db.execute(sql`
    with readable as ${readableRooms(userId)},
    page as (
      select m.id, m.room_id, m.seq, m.type, m.username, m.verified, m.member_id, m.content, m.created_at
      from messages m
      join readable rd on rd.room_id = m.room_id
      where ${sql.join(where, sql` and `)}
      order by m.created_at desc, m.id desc
      limit ${f.limit}
    )
    select p.id, p.room_id, p.seq, p.type, p.username,
      case when p.verified then am.user_id end as author_user_id,
      p.created_at,
      to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
      r.kind as room_kind,
      case
        when r.kind = 'direct' then coalesce((
          select coalesce(ou.display_name, o.username) from members o left join users ou on ou.id = o.user_id
          where o.room_id = r.id and o.user_id is distinct from ${me} order by o.joined_at limit 1
        ), 'Conversation')
        when r.kind = 'backroom' then coalesce(pr.name, r.name)
        else r.name
      end as room_name,
      coalesce(r.code, pr.code) as room_code,
      ts_headline('simple', translate(p.content, ${FROM_CHARS}::text, ${TO_CHARS}::text), ${tq}, ${HEADLINE_OPTIONS}) as headline
    from page p
    join rooms r on r.id = p.room_id
    left join rooms pr on pr.id = r.parent_room_id
    left join members am on am.id = p.member_id
    order by p.created_at desc, p.id desc
  `);
  return rowsOf<HitRow>(result);
}

export interface PersonRow {
  user_id: string;
  username: string;
  display_name: string | null;
  avatar_key: string | null;
  direct_conversation_id: string | null;
}

/**
 * People by username or display name: a prefix of either (the prefix
 * indexes), or close to either word by trigrams (pg_trgm's `<%`, the
 * trigram indexes) so that a typo still finds them. An exact username
 * first, then prefixes, then the closest, then by username. A query
 * shorter than FUZZY_MIN_CHARS is a prefix only: a trigram of two letters
 * matches nearly anyone.
 */
const FUZZY_MIN_CHARS = 4;

export async function searchPeople(db: DbExecutor, userId: string, q: string, limit: number): Promise<PersonRow[]> {
  const me = sql`${userId}::uuid`;
  const lower = q.toLowerCase();
  const prefix = `${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const fuzzy = lower.length >= FUZZY_MIN_CHARS;
  const result = await db.execute(sql`
    select u.id as user_id, u.username, u.display_name, u.avatar_key, d.id as direct_conversation_id
    from users u
    left join rooms d on d.kind = 'direct'
      and d.direct_key = least(u.id, ${me})::text || ':' || greatest(u.id, ${me})::text
    where ${findablePerson(userId)}
      and (
        u.username_lower like ${prefix}
        or lower(u.display_name) like ${prefix}
        ${fuzzy ? sql`or ${lower}::text <% u.username_lower or ${lower}::text <% lower(u.display_name)` : sql``}
      )
    order by
      u.username_lower = ${lower} desc,
      (u.username_lower like ${prefix} or lower(u.display_name) like ${prefix}) desc,
      greatest(word_similarity(${lower}::text, u.username_lower), coalesce(word_similarity(${lower}::text, lower(u.display_name)), 0)) desc,
      u.username_lower
    limit ${limit}
  `);
  return rowsOf<PersonRow>(result);
}
