import { describe, expect, it } from 'vitest';
import { safeNextPath } from './utils';

describe('where sign-in may return to (?next=)', () => {
  it('a path on this site, as it was', () => {
    for (const path of ['/', '/create', '/chat/ABCD2345', '/account/sessions?tab=1#top', '/chat/ABCD2345?x=%2F%2Fevil.example']) {
      expect(safeNextPath(path), path).toBe(path);
    }
  });

  it('never another site, however it is written', () => {
    const escapes = [
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '\t//evil.example',
      '/\\\\evil.example',
      '/\t\\evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      'evil.example',
      '',
    ];
    for (const next of escapes) expect(safeNextPath(next), JSON.stringify(next)).toBe('/');
    expect(safeNextPath('//evil.example', '/account')).toBe('/account');
  });

  it('the first of several, and nothing when absent', () => {
    expect(safeNextPath(['/create', '//evil.example'])).toBe('/create');
    expect(safeNextPath(['//evil.example', '/create'])).toBe('/');
    expect(safeNextPath(undefined)).toBe('/');
    expect(safeNextPath(null)).toBe('/');
  });
});
