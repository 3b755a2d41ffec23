import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userBlocks } from '../../db/schema';
import { inboxPerson, startApp, type TestApp } from '../../../test/harness';
import { blockedBy, blockedEitherWay, blockedEitherWayWith } from './blocks';

let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

describe('blocks between accounts', () => {
  it('answers either way, by the blocker, and refuses a block of oneself', async () => {
    const [a, b, c] = await Promise.all([inboxPerson(t, 'bla'), inboxPerson(t, 'blb'), inboxPerson(t, 'blc')]);
    const db = t.app.ctx.db;
    expect(await blockedEitherWay(db, a.id, b.id)).toBe(false);

    await db.insert(userBlocks).values({ blockerId: a.id, blockedId: b.id });
    expect(await blockedEitherWay(db, a.id, b.id)).toBe(true);
    expect(await blockedEitherWay(db, b.id, a.id)).toBe(true);
    expect(await blockedEitherWay(db, a.id, c.id)).toBe(false);
    expect(await blockedBy(db, a.id)).toEqual([b.id]);
    expect(await blockedBy(db, b.id)).toEqual([]);
    expect(await blockedEitherWayWith(db, b.id)).toEqual([a.id]);

    await db.insert(userBlocks).values({ blockerId: c.id, blockedId: a.id });
    expect((await blockedEitherWayWith(db, a.id)).sort()).toEqual([b.id, c.id].sort());

    await expect(db.insert(userBlocks).values({ blockerId: a.id, blockedId: a.id })).rejects.toThrow();
    expect(await blockedEitherWay(db, a.id, a.id)).toBe(false);
  });
});
