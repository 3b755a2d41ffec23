import { describe, expect, it } from 'vitest';
import { mentionedNames } from './mentions';

const names = (text: string) => [...mentionedNames(text)].sort();

describe('mentionedNames', () => {
  it('finds @names at the start, after spaces and punctuation, without case', () => {
    expect(names('@Ann_1 and @bob_22, (@Cyrus)!')).toEqual(['ann_1', 'bob_22', 'cyrus']);
    expect(names('hi @ann @ANN @Ann')).toEqual(['ann']);
    expect(names('line\n@dana: look')).toEqual(['dana']);
  });

  it('names nobody in an email address, a bare @, or a run longer than any username', () => {
    expect(names('mail ann@example.com or bob_@x')).toEqual([]);
    expect(names('@ alone, @@, @')).toEqual([]);
    expect(names('@abcdefghijklmnop (16) but @abcdefghijklmno (15)')).toEqual(['abcdefghijklmno']);
  });

  it('stops a name at the first character a username cannot have', () => {
    expect(names('@ann-lee @bob.smith @cy’s')).toEqual(['ann', 'bob', 'cy']);
  });

  it('reads a long text in one pass', () => {
    const text = `${'@'.repeat(50_000)} ${'x@y '.repeat(50_000)}@last`;
    expect(names(text)).toEqual(['last']);
  });
});
