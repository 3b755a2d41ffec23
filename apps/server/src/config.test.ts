import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { loadConfig, REPO_ROOT } from './config';

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

  it('turns Web Push on with the keys the README has people make, and refuses half a pair or a bad subject', () => {
    const out = execFileSync('npx', ['web-push', 'generate-vapid-keys', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const keys = JSON.parse(out) as { publicKey: string; privateKey: string };
    expect(loadConfig(base).push).toBeNull();
    const on = loadConfig({ ...base, VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, VAPID_SUBJECT: 'mailto:ops@example.com' });
    expect(on.push).toEqual({ publicKey: keys.publicKey, privateKey: keys.privateKey, subject: 'mailto:ops@example.com', allowHttp: false });
    // Plain-http endpoints only ever in tests.
    expect(loadConfig({ ...base, VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, PUSH_ALLOW_HTTP: 'true' }).push?.allowHttp).toBe(false);
    expect(() => loadConfig({ ...base, VAPID_PUBLIC_KEY: keys.publicKey })).toThrow(/go together/);
    expect(() => loadConfig({ ...base, VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, VAPID_SUBJECT: 'ops@example.com' })).toThrow(/VAPID_SUBJECT/);
  });
});
