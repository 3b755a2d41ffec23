import { describe, expect, it } from 'vitest';
import { insertMention, mentionAt, mentionMatches } from './mentions';

describe('mention autocomplete', () => {
  it('finds the mention being typed at the caret, and nothing inside a word or an email', () => {
    expect(mentionAt('hi @Ro', 6)).toEqual({ start: 3, query: 'Ro' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail me@exam', 12)).toBeNull();
    expect(mentionAt('hi @Ro there', 12)).toBeNull();
  });

  it('offers names that start with the query first, then those containing it', () => {
    expect(mentionMatches(['Robert', 'Bob_Rob', 'Alice', 'rocky'], 'ro')).toEqual(['Robert', 'rocky', 'Bob_Rob']);
    expect(mentionMatches(['a', 'b', 'c'], '', 2)).toEqual(['a', 'b']);
  });

  it('replaces the partial mention with the whole name and a space', () => {
    expect(insertMention('hi @Ro and', 6, 3, 'Robert')).toEqual({ text: 'hi @Robert  and', caret: 11 });
  });
});
