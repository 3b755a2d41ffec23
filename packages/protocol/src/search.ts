import { z } from 'zod';

/**
 * Full-text search (SPEC §4): `GET /api/search` over every message the
 * searcher may read at the time of the search — pop chats they take part in
 * (not banned), their direct and group conversations while they are members,
 * a Back Room while they hold a seat — newest first, a page at a time.
 *
 * The query uses `websearch_to_tsquery` syntax: words (all must match),
 * "quoted phrases", `-word` to leave a word out and `or` between
 * alternatives. Words match whole, case-insensitively, without stemming.
 */

export const SEARCH_QUERY_MAX_CHARS = 200;
export const SEARCH_PAGE_SIZE = 20;
export const SEARCH_PAGE_MAX = 50;
export const SEARCH_HAS = ['link', 'media'] as const;
export type SearchHas = (typeof SEARCH_HAS)[number];

export type SearchQueryProblem = { code: 'SEARCH_QUERY_EMPTY' | 'SEARCH_QUERY_TOO_LONG'; message: string };

/**
 * The checks a query passes before it is run, shared by the server and the
 * search box. (A query made only of operators is found out by the database,
 * which reads it: SEARCH_QUERY_NO_TERMS.)
 */
export function searchQueryProblem(q: string): SearchQueryProblem | null {
  const text = q.trim();
  if (text.length === 0) return { code: 'SEARCH_QUERY_EMPTY', message: 'Type a word or a "phrase" to search for.' };
  if (text.length > SEARCH_QUERY_MAX_CHARS) {
    return { code: 'SEARCH_QUERY_TOO_LONG', message: `Search with at most ${SEARCH_QUERY_MAX_CHARS} characters.` };
  }
  return null;
}

const UUID = z.string().uuid('That is not one of your chats or conversations.');
const day = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'Give a date such as 2026-12-03 or a full ISO time.')
  .transform((s) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00.000Z` : s));

/**
 * `GET /api/search?q=&in=&from=&has=&after=&before=&cursor=&limit=`.
 * `q` is checked by `searchQueryProblem` (its own error codes), so here it is
 * only bounded. `after` and `before` take an ISO date or time; a bare date
 * for `before` means the end of that day (UTC).
 */
export const searchQuerySchema = z
  .object({
    q: z.string().max(10_000, `Search with at most ${SEARCH_QUERY_MAX_CHARS} characters.`).default(''),
    /** One conversation, pop chat or Back Room (its room id). */
    in: UUID.optional(),
    /** Messages by one account (its user id). */
    from: z.string().uuid('Unknown user.').optional(),
    has: z.enum(SEARCH_HAS, 'Filter with has=link or has=media.').optional(),
    after: day.optional(),
    before: z
      .string()
      .max(40)
      .refine((s) => !Number.isNaN(Date.parse(s)), 'Give a date such as 2026-12-03 or a full ISO time.')
      .transform((s) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T23:59:59.999Z` : s))
      .optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(SEARCH_PAGE_MAX).default(SEARCH_PAGE_SIZE),
  })
  .refine((v) => !v.after || !v.before || v.after.getTime() <= v.before.getTime(), {
    message: 'The start of the date range is after its end.',
    path: ['after'],
  });
export type SearchQuery = z.input<typeof searchQuerySchema>;

export const SEARCH_ROOM_KINDS = ['pop', 'backroom', 'direct', 'group'] as const;

/** A piece of a hit's text; `match` marks the words the query found. Plain text, never markup. */
export const searchSegmentSchema = z.object({ text: z.string(), match: z.boolean() });
export type SearchSegment = z.infer<typeof searchSegmentSchema>;

export const searchHitSchema = z.object({
  messageId: z.string(),
  seq: z.number().int(),
  createdAt: z.string(),
  type: z.string(),
  author: z.object({ username: z.string().nullable(), userId: z.string().nullable() }),
  room: z.object({
    id: z.string(),
    kind: z.enum(SEARCH_ROOM_KINDS),
    /** The chat's or group's name; for a direct conversation, the other person's username. */
    name: z.string(),
    /** The pop chat's code (a Back Room's: its chat's), for its link; null for a conversation. */
    code: z.string().nullable(),
  }),
  /** The message's text around what matched (ts_headline), with the matches marked. */
  segments: z.array(searchSegmentSchema),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const searchResultSchema = z.object({
  hits: z.array(searchHitSchema),
  /** Pass as `cursor` for the next (older) page; null on the last one. */
  nextCursor: z.string().nullable(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

/** Where a hit opens: the conversation or chat at that message. */
export function hitHref(hit: Pick<SearchHit, 'seq' | 'room'>): string {
  const { room } = hit;
  if (room.kind === 'direct' || room.kind === 'group') return `/inbox/${room.id}?at=${hit.seq}`;
  if (room.kind === 'backroom') return `/chat/${room.code}?room=backroom&at=${hit.seq}`;
  return `/chat/${room.code}?at=${hit.seq}`;
}
