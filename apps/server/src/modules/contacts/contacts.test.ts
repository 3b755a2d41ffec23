import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactsChangedPayload } from '@chatpop/protocol';
import { backend, collect, connectAccountSocket, inboxPerson, startApp, until, type ClientSocket, type InboxPerson, type TestApp } from '../../../test/harness';

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

async function socketOf(p: InboxPerson) {
  const s = await connectAccountSocket(t.url, p.client);
  sockets.push(s);
  return s;
}

const contactsOf = async (p: InboxPerson) => {
  const res = await p.client.get('/api/contacts');
  expect(res.status).toBe(200);
  return res.body.contacts as { userId: string; nickname: string | null; favourite: boolean; username: string }[];
};

const requestsOf = async (p: InboxPerson) => {
  const res = await p.client.get('/api/contact-requests');
  expect(res.status).toBe(200);
  return res.body as { incoming: { id: string; person: { userId: string } }[]; outgoing: { id: string; person: { userId: string } }[] };
};

describe(`contacts (${backend})`, () => {
  it('adds a contact once (idempotent), sets a nickname and a star, lists favourites first, removes it; other devices hear each change', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const heard = collect<ContactsChangedPayload>(await socketOf(ann), 'contacts:changed');

    const first = await ann.client.post('/api/contacts', { username: bob.username.toUpperCase(), nickname: '  Bobby ' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, contact: { userId: bob.id, username: bob.username, nickname: 'Bobby', favourite: false } });
    const again = await ann.client.post('/api/contacts', { userId: bob.id, nickname: 'Other' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, contact: { userId: bob.id, nickname: 'Bobby' } });
    expect(await contactsOf(ann)).toHaveLength(1);
    // One-sided: Bob's book is unchanged.
    expect(await contactsOf(bob)).toEqual([]);

    expect((await ann.client.post('/api/contacts', { userId: cy.id })).status).toBe(201);
    const starred = await ann.client.patch(`/api/contacts/${cy.id}`, { favourite: true, nickname: 'Cyrus' });
    expect(starred.status).toBe(200);
    expect(starred.body.contact).toMatchObject({ userId: cy.id, favourite: true, nickname: 'Cyrus' });
    expect((await contactsOf(ann)).map((c) => c.userId)).toEqual([cy.id, bob.id]);
    const cleared = await ann.client.patch(`/api/contacts/${cy.id}`, { nickname: '' });
    expect(cleared.body.contact).toMatchObject({ nickname: null, favourite: true });

    expect((await ann.client.delete(`/api/contacts/${bob.id}`)).status).toBe(204);
    expect((await contactsOf(ann)).map((c) => c.userId)).toEqual([cy.id]);
    await until(() => heard.length >= 5, 5_000, 'contacts:changed on the other device');
    expect(heard.every((e) => e.what.includes('contacts'))).toBe(true);
  });

  it('refuses bad input with clear errors and changes nothing', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const self = await ann.client.post('/api/contacts', { userId: ann.id });
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('CONTACT_SELF');
    const unknown = await ann.client.post('/api/contacts', { username: 'nobody_here_at_all' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('USER_NOT_FOUND');
    const both = await ann.client.post('/api/contacts', { username: bob.username, userId: bob.id });
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('VALIDATION_FAILED');
    const long = await ann.client.post('/api/contacts', { userId: bob.id, nickname: 'x'.repeat(51) });
    expect(long.body.error.code).toBe('VALIDATION_FAILED');
    const notContact = await ann.client.patch(`/api/contacts/${bob.id}`, { favourite: true });
    expect(notContact.status).toBe(404);
    expect(notContact.body.error.code).toBe('CONTACT_NOT_FOUND');
    const badId = await ann.client.delete('/api/contacts/not-a-uuid');
    expect(badId.status).toBe(404);
    expect(badId.body.error.code).toBe('CONTACT_NOT_FOUND');
    const empty = await ann.client.patch(`/api/contacts/${bob.id}`, {});
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    expect(await contactsOf(ann)).toEqual([]);
    // Signed out: nothing at all.
    const anon = await t.client().get('/api/contacts');
    expect(anon.status).toBe(401);
  });

  it('requests: send, see both ways, accept (each in the other’s contacts), reject, cancel; the addressee hears it live', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const bobHears = collect<ContactsChangedPayload>(await socketOf(bob), 'contacts:changed');

    const sent = await ann.client.post('/api/contact-requests', { username: bob.username });
    expect(sent.status).toBe(201);
    expect(sent.body.request).toMatchObject({ direction: 'outgoing', person: { userId: bob.id } });
    await until(() => bobHears.some((e) => e.request), 5_000, 'the request live');
    expect(bobHears.find((e) => e.request)!.request).toMatchObject({ id: sent.body.request.id, direction: 'incoming', person: { userId: ann.id, username: ann.username } });
    expect((await requestsOf(ann)).outgoing.map((r) => r.person.userId)).toEqual([bob.id]);
    expect((await requestsOf(bob)).incoming.map((r) => r.id)).toEqual([sent.body.request.id]);
    // The request rings Bob's bell, and leads to the Contacts page.
    await until(async () => (await bob.client.get('/api/notifications')).body.notifications.length === 1, 5_000, 'the bell');
    expect((await bob.client.get('/api/notifications')).body.notifications[0]).toMatchObject({
      kind: 'contact_request',
      actor: { username: ann.username },
      link: '/contacts',
    });

    const dup = await ann.client.post('/api/contact-requests', { userId: bob.id });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONTACT_REQUEST_EXISTS');
    // Only the addressee answers; the sender only cancels.
    const wrong = await ann.client.post(`/api/contact-requests/${sent.body.request.id}/accept`);
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe('CONTACT_REQUEST_NOT_FOUND');
    const outsider = await cy.client.post(`/api/contact-requests/${sent.body.request.id}/reject`);
    expect(outsider.body.error.code).toBe('CONTACT_REQUEST_NOT_FOUND');

    const accepted = await bob.client.post(`/api/contact-requests/${sent.body.request.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.contact).toMatchObject({ userId: ann.id });
    expect((await contactsOf(ann)).map((c) => c.userId)).toEqual([bob.id]);
    expect((await contactsOf(bob)).map((c) => c.userId)).toEqual([ann.id]);
    expect(await requestsOf(bob)).toEqual({ incoming: [], outgoing: [] });
    const already = await ann.client.post('/api/contact-requests', { userId: bob.id });
    expect(already.status).toBe(409);
    expect(already.body.error.code).toBe('ALREADY_A_CONTACT');
    const twice = await bob.client.post(`/api/contact-requests/${sent.body.request.id}/accept`);
    expect(twice.body.error.code).toBe('CONTACT_REQUEST_NOT_FOUND');

    // Reject and cancel remove the request and add nobody.
    const toCy = await ann.client.post('/api/contact-requests', { userId: cy.id });
    expect((await cy.client.post(`/api/contact-requests/${toCy.body.request.id}/reject`)).status).toBe(204);
    expect(await requestsOf(ann)).toEqual({ incoming: [], outgoing: [] });
    expect(await contactsOf(cy)).toEqual([]);
    const again = await ann.client.post('/api/contact-requests', { userId: cy.id });
    expect((await ann.client.delete(`/api/contact-requests/${again.body.request.id}`)).status).toBe(204);
    expect((await requestsOf(cy)).incoming).toEqual([]);

    // Asking someone who already asked you accepts theirs.
    const cyAsks = await cy.client.post('/api/contact-requests', { userId: ann.id });
    const crossed = await ann.client.post('/api/contact-requests', { userId: cy.id });
    expect(crossed.status).toBe(200);
    expect(crossed.body).toMatchObject({ request: null, accepted: { userId: cy.id } });
    expect((await requestsOf(cy)).outgoing.map((r) => r.id)).not.toContain(cyAsks.body.request.id);

    const self = await ann.client.post('/api/contact-requests', { userId: ann.id });
    expect(self.body.error.code).toBe('CONTACT_SELF');
    const unknown = await ann.client.post('/api/contact-requests', { userId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('USER_NOT_FOUND');
  });

  it('"who can message me: contacts only" refuses a new direct conversation and a group add by anyone not in the contacts, with the generic refusal', async () => {
    const ann = await person('Ann');
    const bob = await person('Bob');
    const cy = await person('Cy');
    const dee = await person('Dee');
    const set = await bob.client.patch('/api/me', { privacy: { whoCanMessage: 'contacts' } });
    expect(set.status).toBe(200);
    expect(set.body.user.privacy).toMatchObject({ whoCanMessage: 'contacts' });
    const bad = await bob.client.patch('/api/me', { privacy: { whoCanMessage: 'friends' } });
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');

    const refused = await ann.client.post('/api/conversations/direct', { username: bob.username });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('PERSON_UNAVAILABLE');
    const group = await ann.client.post('/api/conversations/groups', { usernames: [bob.username, cy.username] });
    expect(group.status).toBe(403);
    expect(group.body.error.code).toBe('PERSON_UNAVAILABLE');
    const made = await ann.client.post('/api/conversations/groups', { usernames: [cy.username, dee.username] });
    expect(made.status).toBe(201);
    const add = await ann.client.post(`/api/conversations/${made.body.conversation.id}/members`, { usernames: [bob.username] });
    expect(add.status).toBe(403);
    expect(add.body.error.code).toBe('PERSON_UNAVAILABLE');
    expect((await ann.client.get('/api/conversations')).body.conversations.map((c: { id: string }) => c.id)).toEqual([made.body.conversation.id]);

    // Once Bob has Ann in his contacts, she may.
    await bob.client.post('/api/contacts', { userId: ann.id });
    const ok = await ann.client.post('/api/conversations/direct', { username: bob.username });
    expect(ok.status).toBe(201);
    expect((await ann.client.post(`/api/conversations/${made.body.conversation.id}/members`, { usernames: [bob.username] })).status).toBe(200);
    // Bob himself may start one with anyone.
    expect((await bob.client.post('/api/conversations/direct', { username: cy.username })).status).toBe(201);
  });
});
