import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationEventPayload, Invite, Message } from '@chatpop/protocol';
import { sql } from 'drizzle-orm';
import { backend, collect, connectAccountSocket, inboxPerson, startApp, until, type ClientSocket, type TestApp } from '../../../test/harness';

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await t.destroy();
});

const person = (prefix: string) => inboxPerson(t, prefix);

/** Ann (admin) with Bob and Cy. */
async function group(extra: Record<string, unknown> = {}) {
  const [ann, bob, cy] = await Promise.all([person('Ann'), person('Bob'), person('Cy')]);
  const res = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username], name: 'Book club', ...extra });
  expect(res.status).toBe(201);
  return { ann, bob, cy, id: res.body.conversation.id as string };
}

describe(`group invite links (${backend})`, () => {
  it('let someone with the link see the group and join it, live for the members, with a note', async () => {
    const { ann, bob, id } = await group();
    const made = await ann.client.post(`/api/conversations/${id}/invites`, { expiresInHours: 24, maxUses: 5 });
    expect(made.status).toBe(201);
    const invite = made.body.invite as Invite;
    expect(invite).toMatchObject({ conversationId: id, maxUses: 5, uses: 0 });
    expect(invite.token).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const dee = await person('Dee');
    const deeSocket = await connectAccountSocket(t.url, dee.client);
    sockets.push(deeSocket);
    const deeNews = collect<ConversationEventPayload>(deeSocket, 'conversation:new');
    const bobSocket = await connectAccountSocket(t.url, bob.client);
    sockets.push(bobSocket);
    const bobUpdates = collect<ConversationEventPayload>(bobSocket, 'conversation:updated');

    const preview = await dee.client.get(`/api/invites/${invite.token}`);
    expect(preview.status).toBe(200);
    expect(preview.body.invite).toMatchObject({ conversationId: id, name: 'Book club', memberCount: 3, member: false });
    // Seeing the preview is not being in the group.
    expect((await dee.client.get(`/api/conversations/${id}`)).status).toBe(404);

    const joined = await dee.client.post(`/api/invites/${invite.token}/accept`);
    expect(joined.status).toBe(201);
    expect(joined.body.conversation).toMatchObject({ id, memberCount: 4, myRole: 'member' });
    await until(() => deeNews.some((e) => e.conversation.id === id), 5_000, "Dee's new conversation");
    await until(() => bobUpdates.some((e) => e.conversation.memberCount === 4), 5_000, "Bob's updated count");
    const history = await dee.client.get(`/api/conversations/${id}/messages`);
    expect((history.body.messages as Message[]).map((m) => m.content)).toContain(`${dee.username} joined with an invite link`);

    // Again: already in, taken there, nothing counted.
    const again = await dee.client.post(`/api/invites/${invite.token}/accept`);
    expect(again.status).toBe(200);
    expect(again.body.joined).toBe(false);
    const listed = await ann.client.get(`/api/conversations/${id}/invites`);
    expect(listed.body.invites).toHaveLength(1);
    expect(listed.body.invites[0].uses).toBe(1);
  });

  it('admit exactly as many as the limit when many tap at once', async () => {
    const { ann, id } = await group();
    const { invite } = (await ann.client.post(`/api/conversations/${id}/invites`, { maxUses: 3 })).body as { invite: Invite };
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => person(`Tap${i}`)));
    const replies = await Promise.all(people.map((p) => p.client.post(`/api/invites/${invite.token}/accept`)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of replies.filter((r) => r.status !== 201)) expect([r.status, r.body.error.code]).toEqual([410, 'INVITE_USED_UP']);
    expect((await ann.client.get(`/api/conversations/${id}`)).body.conversation.memberCount).toBe(6);
    // A used-up link is no longer listed as working.
    expect((await ann.client.get(`/api/conversations/${id}/invites`)).body.invites).toEqual([]);
  });

  it('stop working when revoked or expired, and only those who may add people manage them', async () => {
    const { ann, bob, id } = await group();
    const { invite } = (await ann.client.post(`/api/conversations/${id}/invites`, {})).body as { invite: Invite };
    expect(invite.expiresAt).not.toBeNull();
    // Members may add people by default? Whatever the group allows, an outsider may not.
    const stranger = await person('Eve');
    expect((await stranger.client.post(`/api/conversations/${id}/invites`, {})).status).toBe(404);
    expect((await stranger.client.get(`/api/conversations/${id}/invites`)).status).toBe(404);

    // Only admins add people: Bob may neither make nor see links.
    expect((await ann.client.patch(`/api/conversations/${id}`, { permissions: { addMembers: 'admins' } })).status).toBe(200);
    expect((await bob.client.post(`/api/conversations/${id}/invites`, {})).status).toBe(403);
    expect((await bob.client.get(`/api/conversations/${id}/invites`)).status).toBe(403);
    expect((await bob.client.delete(`/api/conversations/${id}/invites/${invite.id}`)).status).toBe(403);

    expect((await ann.client.delete(`/api/conversations/${id}/invites/${invite.id}`)).status).toBe(204);
    const revoked = await stranger.client.post(`/api/invites/${invite.token}/accept`);
    expect([revoked.status, revoked.body.error.code]).toEqual([404, 'INVITE_NOT_FOUND']);
    expect((await ann.client.delete(`/api/conversations/${id}/invites/${invite.id}`)).status).toBe(404);

    const { invite: soon } = (await ann.client.post(`/api/conversations/${id}/invites`, { expiresInHours: 1 })).body as { invite: Invite };
    await t.app.ctx.db.execute(sql`update conversation_invites set expires_at = now() - interval '1 minute' where id = ${soon.id}`);
    const expired = await stranger.client.get(`/api/invites/${soon.token}`);
    expect([expired.status, expired.body.error.code]).toEqual([410, 'INVITE_EXPIRED']);
    expect((await stranger.client.post(`/api/invites/${soon.token}/accept`)).status).toBe(410);
    expect((await ann.client.get(`/api/conversations/${id}`)).body.conversation.memberCount).toBe(3);
  });

  it('refuse bad input with the one error shape and change nothing', async () => {
    const { ann, id } = await group();
    for (const body of [{ expiresInHours: 5 }, { maxUses: 0 }, { maxUses: 1001 }, { maxUses: 1.5 }, { extra: true }]) {
      const res = await ann.client.post(`/api/conversations/${id}/invites`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await ann.client.get(`/api/conversations/${id}/invites`)).body.invites).toEqual([]);
    const eve = await person('Eve');
    for (const token of ['short', 'has spaces in it here!!', 'x'.repeat(65)]) {
      const res = await eve.client.get(`/api/invites/${encodeURIComponent(token)}`);
      expect(res.status, token).toBe(400);
    }
    expect((await eve.client.get(`/api/invites/${'A'.repeat(24)}`)).status).toBe(404);
    expect((await t.client().get(`/api/invites/${'A'.repeat(24)}`)).status).toBe(401);
    // A direct conversation has no invite links.
    const direct = await ann.client.post('/api/conversations/direct', { username: eve.username });
    const res = await ann.client.post(`/api/conversations/${direct.body.conversation.id}/invites`, {});
    expect([res.status, res.body.error.code]).toEqual([400, 'NOT_A_GROUP']);
  });
});
