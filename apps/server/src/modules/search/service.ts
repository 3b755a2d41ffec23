import {
  USER_SEARCH_LIMIT,
  searchQueryProblem,
  type SearchHit,
  type SearchResult,
  type SearchSegment,
  type UserSearchResult,
  type searchQuerySchema,
} from '@chatpop/protocol';
import type { z } from 'zod';
import type { AppContext } from '../../context';
import type { UserRow } from '../../db/schema';
import { badRequest } from '../../errors';
import { avatarUrl } from '../auth/service';
import { requireInboxUser } from '../conversations/policy';
import * as repo from './repo';

type SearchInput = z.output<typeof searchQuerySchema>;

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const badCursor = () => badRequest('SEARCH_CURSOR_INVALID', 'That page of results is not one this search gave. Search again from the start.');

function decodeCursor(cursor: string): { at: string; id: string } {
  let text: string;
  try {
    text = Buffer.from(cursor, 'base64url').toString('utf8');
  } catch {
    throw badCursor();
  }
  const match = CURSOR.exec(text);
  if (!match) throw badCursor();
  return { at: match[1]!, id: match[2]! };
}

const encodeCursor = (at: string, id: string) => Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');

/** ts_headline's text with its match marks → plain segments; the web renders them as text, never as markup. */
const RESTORE = new Map(repo.STAND_INS.map(([c, s]) => [s, c]));

export function segmentsOf(headline: string): SearchSegment[] {
  const out: SearchSegment[] = [];
  let match = false;
  let text = '';
  const flush = () => {
    if (text) out.push({ text, match });
    text = '';
  };
  for (const ch of headline) {
    if (ch === repo.MATCH_START || ch === repo.MATCH_END) {
      flush();
      match = ch === repo.MATCH_START;
    } else text += RESTORE.get(ch) ?? ch;
  }
  flush();
  return out;
}

/**
 * `GET /api/search`: the searcher's hits, newest first (SPEC §4). Only what
 * they may read now is searched (./policy.ts). An empty or too long query,
 * or one with nothing to look for (only operators, or only exclusions), is a
 * 400 with its own code and changes nothing.
 */
export async function searchMessages(ctx: AppContext, user: UserRow, input: SearchInput): Promise<SearchResult> {
  const problem = searchQueryProblem(input.q);
  if (problem) throw badRequest(problem.code, problem.message);
  const q = input.q.trim();
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  await ctx.limits.consume('search', user.id);
  const tree = await repo.queryTree(ctx.db, q);
  if (tree === '' || tree === 'T') {
    throw badRequest(
      'SEARCH_QUERY_NO_TERMS',
      tree === '' ? 'Type a word or a "phrase" to search for, not only operators.' : 'Say what to look for, not only what to leave out.',
    );
  }
  const rows = await repo.searchMessages(ctx.db, user.id, {
    q,
    roomId: input.in,
    fromUserId: input.from,
    has: input.has,
    after: input.after,
    before: input.before,
    cursor,
    limit: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    hits: page.map(
      (r): SearchHit => ({
        messageId: r.id,
        seq: Number(r.seq),
        createdAt: new Date(r.created_at).toISOString(),
        type: r.type,
        author: { username: r.username, userId: r.author_user_id },
        room: { id: r.room_id, kind: r.room_kind, name: r.room_name, code: r.room_code },
        segments: segmentsOf(r.headline),
      }),
    ),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.cursor_at, last.id) : null,
  };
}

/**
 * `GET /api/users/search`: people to start a conversation with, by prefix
 * or close match of their username or display name; blocks either way and
 * unconfirmed accounts leave a person out (./policy.ts).
 */
export async function searchPeople(ctx: AppContext, user: UserRow, q: string): Promise<UserSearchResult> {
  requireInboxUser(user);
  const rows = await repo.searchPeople(ctx.db, user.id, q, USER_SEARCH_LIMIT);
  return {
    users: rows.map((r) => ({
      userId: r.user_id,
      username: r.username,
      displayName: r.display_name,
      avatarUrl: avatarUrl(r.avatar_key),
      directConversationId: r.direct_conversation_id,
    })),
  };
}
