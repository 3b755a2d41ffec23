import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_SETTINGS } from '@chatpop/protocol';
import { backend, startApp, until, type TestApp } from '../../../test/harness';
import { Settings } from './service';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

describe(`runtime settings (${backend})`, () => {
  it('gives the defaults until someone sets a value', async () => {
    expect(await t.app.ctx.settings.all()).toEqual({
      usernameRollsPerHour: 10,
      anonymousNamesPerIpPerChat: 3,
      platformFeeBasisPoints: 1000,
      dailySpendingCapCents: 50_000,
      messageEditWindowSeconds: 900,
    });
    expect(await t.app.ctx.settings.get('usernameRollsPerHour')).toBe(RUNTIME_SETTINGS.usernameRollsPerHour.default);
  });

  it('stores a valid value and refuses an invalid one, keeping the old', async () => {
    expect(await t.app.ctx.settings.set('usernameRollsPerHour', 25)).toBe(25);
    for (const bad of [0, -1, 2.5, '12', null, 5000]) {
      await expect(t.app.ctx.settings.set('usernameRollsPerHour', bad)).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await t.app.ctx.settings.get('usernameRollsPerHour')).toBe(25);
    expect((await t.app.ctx.settings.all()).usernameRollsPerHour).toBe(25);
    await t.app.ctx.settings.set('usernameRollsPerHour', 10);
  });

  it('reaches another reader of the same database at once, through pub/sub, not after its cache expires', async () => {
    const other = new Settings(t.app.ctx.db, t.app.ctx.pubsub);
    await other.start();
    expect(await other.get('anonymousNamesPerIpPerChat')).toBe(3); // now cached there
    await t.app.ctx.settings.set('anonymousNamesPerIpPerChat', 7);
    await until(async () => (await other.get('anonymousNamesPerIpPerChat')) === 7, 3000, 'the new value');
    await t.app.ctx.settings.set('anonymousNamesPerIpPerChat', 3);
  });
});
