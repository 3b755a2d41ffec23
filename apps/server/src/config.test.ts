import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const base = { DATA_DIR: 'memory://', JWT_SECRET: 'x'.repeat(64) };

describe('configuration', () => {
  it.each<[string | undefined, boolean | string[]]>([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
    ['loopback', ['loopback']],
    ['10.0.0.1, 10.0.0.0/8 ,loopback', ['10.0.0.1', '10.0.0.0/8', 'loopback']],
  ])('reads TRUST_PROXY=%j as %j', (value, expected) => {
    expect(loadConfig({ ...base, ...(value === undefined ? {} : { TRUST_PROXY: value }) }).trustProxy).toEqual(expected);
  });

  it('takes the first web origin for links in emails unless told otherwise', () => {
    expect(loadConfig({ ...base, WEB_ORIGINS: 'https://a.example/, https://b.example' }).publicWebUrl).toBe('https://a.example');
    expect(loadConfig({ ...base, PUBLIC_WEB_URL: 'https://chat.example/' }).publicWebUrl).toBe('https://chat.example');
  });
});
