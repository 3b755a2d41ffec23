import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usernames } from '../../db/schema';
import { uniqueViolation } from '../../db/errors';
import { ensureDevice } from '../chats/repo';
import { backend, deviceIdOf, hostWithChat, startApp, type HttpClient, type TestApp } from '../../../test/harness';
import { insertRoll } from './repo';

// SPEC §2.3, global uniqueness: a name belongs to one identity platform-wide, held by the database.

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

/** Visitors whose devices were each offered `name` in `roomId` (as if each had rolled it), ready to join with it. */
async function visitorsOffered(name: string, roomId: string, count: number): Promise<HttpClient[]> {
  const visitors: HttpClient[] = [];
  for (let i = 0; i < count; i++) {
    const c = t.client();
    await c.get(`/api/chats/${(await t.app.ctx.rooms.byRoomId(roomId))!.code}`); // the server issues the device cookie
    const deviceId = deviceIdOf(c)!;
    await ensureDevice(t.app.ctx.db, deviceId);
    await insertRoll(t.app.ctx.db, { who: { deviceId }, roomId, name });
    visitors.push(c);
  }
  return visitors;
}

const newName = () => `Race${randomBytes(4).toString('hex')}`;
const statuses = (replies: { status: number }[]) => replies.map((r) => r.status).sort();

describe(`global uniqueness under concurrent claims (${backend})`, () => {
  it('many parallel joins for one name in one chat: exactly one wins, the others get 409', async () => {
    const { chat } = await hostWithChat(t);
    const name = newName();
    const visitors = await visitorsOffered(name, chat.roomId, 12);
    const replies = await Promise.all(visitors.map((v) => v.post(`/api/chats/${chat.code}/join`, { username: name })));
    expect(statuses(replies)).toEqual([201, ...Array(11).fill(409)]);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.error.code === 'USERNAME_TAKEN')).toBe(true);
  });

  it('parallel joins for one name in different chats: one name, one holder, platform-wide', async () => {
    const chats = await Promise.all(Array.from({ length: 4 }, () => hostWithChat(t)));
    const name = newName();
    const visitors = (await Promise.all(chats.map((c) => visitorsOffered(name, c.chat.roomId, 3)))).flatMap((v, i) => v.map((client) => ({ client, code: chats[i]!.chat.code })));
    const replies = await Promise.all(visitors.map((v) => v.client.post(`/api/chats/${v.code}/join`, { username: name.toUpperCase() })));
    expect(statuses(replies)).toEqual([201, ...Array(11).fill(409)]);
  });

  it('many parallel registrations for one name: exactly one account gets it', async () => {
    const name = newName();
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.client().post('/api/auth/register', { email: `racer${i}-${name}@example.com`, password: 'Passw0rd!', username: i % 2 ? name : name.toLowerCase() }),
      ),
    );
    expect(statuses(replies)).toEqual([202, ...Array(11).fill(409)]);
    // The losers have no account: their transaction was rolled back whole.
    const losers = replies.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 409);
    for (const { i } of losers) {
      expect((await t.client().post('/api/auth/login', { email: `racer${i}-${name}@example.com`, password: 'Passw0rd!' })).status).toBe(401);
    }
  });

  it('joins and registrations racing for one name: exactly one wins among all of them', async () => {
    const { chat } = await hostWithChat(t);
    const name = newName();
    const visitors = await visitorsOffered(name, chat.roomId, 8);
    const replies = await Promise.all([
      ...visitors.map((v) => v.post(`/api/chats/${chat.code}/join`, { username: name })),
      ...Array.from({ length: 8 }, (_, i) => t.client().post('/api/auth/register', { email: `mixed${i}-${name}@example.com`, password: 'Passw0rd!', username: name })),
    ]);
    const won = replies.filter((r) => r.status === 201 || r.status === 202);
    expect(won).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(15);
    expect((await t.client().get(`/api/usernames/check?username=${name}`)).body).toMatchObject({ available: false, reason: 'taken' });
  });

  it('is a database constraint: a second claim of a name, in any case, cannot be written at all', async () => {
    const name = newName();
    const deviceId = randomBytes(18).toString('base64url');
    await ensureDevice(t.app.ctx.db, deviceId);
    await t.app.ctx.db.insert(usernames).values({ nameLower: name.toLowerCase(), name, deviceId });
    const err = await t.app.ctx.db
      .insert(usernames)
      .values({ nameLower: name.toLowerCase(), name: name.toUpperCase(), deviceId })
      .then(() => null, (e: unknown) => e);
    expect(uniqueViolation(err)).toBe('usernames_pkey');
    // And a claim has exactly one owner: a user or a device, never both, never none.
    const ownerless = await t.app.ctx.db
      .insert(usernames)
      .values({ nameLower: `x${name.toLowerCase()}`, name: `x${name}` })
      .then(() => null, (e: unknown) => e);
    expect(ownerless).not.toBeNull();
  });
});
