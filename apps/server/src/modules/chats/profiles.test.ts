import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES_MAX_IDS, containsProfanity } from '@chatpop/protocol';
import { backend, guestJoins, hostWithChat, registerUser, rollAndJoin, startApp, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

describe(`participants' profiles (${backend})`, () => {
  it('show the account behind a verified name, never behind a rolled one or an anonymous visitor', async () => {
    const host = await hostWithChat(t);
    expect((await host.client.patch('/api/me', { displayName: 'Dana the Host', status: 'busy' })).status).toBe(200);
    const hostMemberId = (await host.client.get(`/api/chats/${host.chat.code}/me`)).body.member.id as string;
    const guest = await guestJoins(t, host.chat.code);
    // A signed-in user who rolls a name in this chat.
    // A fresh name the profanity rule accepts (a random stamp can read as a word).
    const fresh = Array.from({ length: 20 }, (_, i) => `Rol${Date.now().toString(36).slice(-6)}${i}`).find((name) => !containsProfanity(name));
    const rolled = await registerUser(t, fresh);
    await rolled.client.patch('/api/me', { displayName: 'Secret Sam' });
    const rolledJoin = await rollAndJoin(rolled.client, host.chat.code);
    expect(rolledJoin.body.member.verified).toBe(false);

    const list = await guest.client.get(`/api/chats/${host.chat.code}/members`);
    const byId = new Map((list.body.members as { id: string; profile: unknown }[]).map((m) => [m.id, m.profile]));
    expect(byId.get(hostMemberId)).toEqual({ displayName: 'Dana the Host', avatarUrl: null, status: 'busy' });
    expect(byId.get(guest.member.id)).toBeNull();
    expect(byId.get(rolledJoin.body.member.id)).toBeNull();
    expect(JSON.stringify(list.body)).not.toContain('Secret Sam');

    const ids = [hostMemberId, guest.member.id, rolledJoin.body.member.id, crypto.randomUUID()].join(',');
    const profiles = await t.client().get(`/api/chats/${host.chat.code}/profiles?ids=${ids}`);
    expect(profiles.status).toBe(200);
    expect(profiles.body.profiles).toEqual({ [hostMemberId]: { displayName: 'Dana the Host', avatarUrl: null, status: 'busy' } });
  });

  it('refuse bad lists of ids with 400, and stay behind a private chat’s code', async () => {
    const host = await hostWithChat(t);
    const path = `/api/chats/${host.chat.code}/profiles`;
    for (const query of ['', '?ids=', '?ids=nope', `?ids=${Array.from({ length: PROFILES_MAX_IDS + 1 }, () => crypto.randomUUID()).join(',')}`]) {
      const res = await t.client().get(path + query);
      expect(res.status, query.slice(0, 40)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const secret = await hostWithChat(t, { access: 'private' });
    const hostMemberId = (await secret.client.get(`/api/chats/${secret.chat.code}/me`)).body.member.id as string;
    const outsider = await t.client().get(`/api/chats/${secret.chat.code}/profiles?ids=${hostMemberId}`);
    expect(outsider.status).toBe(403);
    expect(outsider.body.profiles).toBeUndefined();
  });
});
