import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Message } from '@chatpop/protocol';
import { backend, inboxPerson, startApp, type HttpClient, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

const person = (prefix: string) => inboxPerson(t, prefix);
const upload = (c: HttpClient, id: string, body: Buffer | string, type = 'image/png') =>
  c.request('PUT', `/api/conversations/${id}/avatar`, body, { 'content-type': type, 'x-chatpop-csrf': '1' });

async function group() {
  const [ann, bob, cy] = await Promise.all([person('Ann'), person('Bob'), person('Cy')]);
  const res = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username], name: 'Photo club' });
  return { ann, bob, cy, id: res.body.conversation.id as string };
}

describe(`a group's photo (${backend})`, () => {
  it('is set from any image by content, resized to WebP, shown to members, and removed again', async () => {
    const { ann, bob, id } = await group();
    const jpeg = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#16a34a' } }).jpeg().toBuffer();
    const res = await upload(ann.client, id, jpeg, 'application/octet-stream');
    expect(res.status).toBe(200);
    const url = res.body.conversation.avatarUrl as string;
    expect(url).toMatch(/^\/api\/avatars\/[A-Za-z0-9_-]+\.webp$/);
    const served = await fetch(t.url + url);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(Buffer.from(await served.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
    expect((await bob.client.get(`/api/conversations/${id}`)).body.conversation.avatarUrl).toBe(url);
    const notes = (await bob.client.get(`/api/conversations/${id}/messages`)).body.messages as Message[];
    expect(notes.map((m) => m.content)).toContain(`${ann.username} changed the group photo`);

    const removed = await ann.client.request('DELETE', `/api/conversations/${id}/avatar`, undefined, { 'x-chatpop-csrf': '1' });
    expect(removed.status).toBe(200);
    expect(removed.body.conversation.avatarUrl).toBeNull();
    expect((await fetch(t.url + url)).status).toBe(404);
  });

  it('is refused to members when only admins edit the info, to outsiders, for non-images, and in a direct chat', async () => {
    const { ann, bob, id } = await group();
    const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#f00' } }).png().toBuffer();
    expect((await ann.client.patch(`/api/conversations/${id}`, { permissions: { editInfo: 'admins' } })).status).toBe(200);
    const byMember = await upload(bob.client, id, png);
    expect([byMember.status, byMember.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const eve = await person('Eve');
    expect((await upload(eve.client, id, png)).status).toBe(404);
    const text = await upload(ann.client, id, 'not an image at all', 'image/png');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('FILE_TYPE_UNSUPPORTED');
    expect((await ann.client.get(`/api/conversations/${id}`)).body.conversation.avatarUrl).toBeNull();
    const direct = await ann.client.post('/api/conversations/direct', { username: eve.username });
    const res = await upload(ann.client, direct.body.conversation.id, png);
    expect([res.status, res.body.error.code]).toEqual([400, 'NOT_A_GROUP']);
  });
});
