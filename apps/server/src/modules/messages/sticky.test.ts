import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_PAGE_SIZE, STICKY_HOST_MESSAGES, type Message } from '@chatpop/protocol';
import { backend, guestJoins, hostWithChat, seedMessages, startApp, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

const contents = (ms: Message[] | undefined) => (ms ?? []).map((m) => m.content);

describe(`the sticky host messages (${backend})`, () => {
  it('reach a visitor who arrives after a page of others, without the deleted ones, on the newest page only', async () => {
    const host = await hostWithChat(t);
    const hostMemberId = (await host.client.get(`/api/chats/${host.chat.code}/me`)).body.member.id as string;
    const guest = await guestJoins(t, host.chat.code);
    const hostSaid = await seedMessages(t, host.chat.roomId, hostMemberId, 3, 'welcome');
    expect(hostSaid.every((m) => m.type === 'host')).toBe(true);
    await seedMessages(t, host.chat.roomId, guest.member.id, HISTORY_PAGE_SIZE + 20, 'crowd');

    const late = t.client();
    const newest = await late.get(`/api/chats/${host.chat.code}/messages`);
    expect(newest.status).toBe(200);
    expect((newest.body.messages as Message[]).some((m) => m.type === 'host')).toBe(false);
    expect(contents(newest.body.hostMessages)).toEqual(['welcome 0', 'welcome 1', 'welcome 2']);

    expect((await host.client.delete(`/api/chats/${host.chat.code}/messages/${hostSaid[1]!.id}`)).status).toBe(200);
    const after = await late.get(`/api/chats/${host.chat.code}/messages`);
    expect(contents(after.body.hostMessages)).toEqual(['welcome 0', 'welcome 2']);

    const older = await late.get(`/api/chats/${host.chat.code}/messages?before=${hostSaid[2]!.seq + 5}`);
    expect(older.status).toBe(200);
    expect(older.body.hostMessages).toBeUndefined();
  });

  it('are the newest ones when the host said more than the section holds', async () => {
    const host = await hostWithChat(t);
    const hostMemberId = (await host.client.get(`/api/chats/${host.chat.code}/me`)).body.member.id as string;
    await seedMessages(t, host.chat.roomId, hostMemberId, STICKY_HOST_MESSAGES + 5, 'note');
    const res = await t.client().get(`/api/chats/${host.chat.code}/messages`);
    expect(res.body.hostMessages).toHaveLength(STICKY_HOST_MESSAGES);
    expect(res.body.hostMessages[0].content).toBe('note 5');
    expect(res.body.hostMessages.at(-1).content).toBe(`note ${STICKY_HOST_MESSAGES + 4}`);
  });

  it('stay behind the access code of a private chat', async () => {
    const host = await hostWithChat(t, { access: 'private' });
    const hostMemberId = (await host.client.get(`/api/chats/${host.chat.code}/me`)).body.member.id as string;
    await seedMessages(t, host.chat.roomId, hostMemberId, 1, 'members only');
    const outsider = await t.client().get(`/api/chats/${host.chat.code}/messages`);
    expect(outsider.status).toBe(403);
    expect(JSON.stringify(outsider.body)).not.toContain('members only');
  });
});
