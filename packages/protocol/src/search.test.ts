import { describe, expect, it } from 'vitest';
import { hitHref, searchQueryProblem, searchQuerySchema } from './search';

describe('search query checks', () => {
  it('names an empty and a too long query, and lets anything else through to the database', () => {
    expect(searchQueryProblem('')?.code).toBe('SEARCH_QUERY_EMPTY');
    expect(searchQueryProblem('  \n ')?.code).toBe('SEARCH_QUERY_EMPTY');
    expect(searchQueryProblem('x'.repeat(201))?.code).toBe('SEARCH_QUERY_TOO_LONG');
    expect(searchQueryProblem(` ${'x'.repeat(200)} `)).toBeNull();
    expect(searchQueryProblem('"" - -')).toBeNull();
  });

  it('reads dates as whole days and refuses a range that ends before it starts', () => {
    const q = searchQuerySchema.parse({ q: 'a', after: '2026-01-02', before: '2026-01-02' });
    expect(q.after?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(q.before?.toISOString()).toBe('2026-01-02T23:59:59.999Z');
    expect(q.limit).toBe(20);
    expect(searchQuerySchema.safeParse({ q: 'a', after: '2026-01-03', before: '2026-01-02' }).success).toBe(false);
    expect(searchQuerySchema.safeParse({ q: 'a', has: 'gif' }).success).toBe(false);
  });
});

describe('hitHref', () => {
  it('opens a conversation, a chat and a Back Room at the message', () => {
    const room = { id: 'r1', name: 'n', code: null };
    expect(hitHref({ seq: 7, room: { ...room, kind: 'group' } })).toBe('/inbox/r1?at=7');
    expect(hitHref({ seq: 7, room: { ...room, kind: 'direct' } })).toBe('/inbox/r1?at=7');
    expect(hitHref({ seq: 7, room: { ...room, kind: 'pop', code: 'ABCD1234' } })).toBe('/chat/ABCD1234?at=7');
    expect(hitHref({ seq: 7, room: { ...room, kind: 'backroom', code: 'ABCD1234' } })).toBe('/chat/ABCD1234?room=backroom&at=7');
  });
});
