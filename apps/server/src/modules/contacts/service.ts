import { uuidv7 } from 'uuidv7';
import type {
  BlockList,
  BlockResponse,
  Contact,
  ContactList,
  ContactRequest,
  ContactRequestList,
  ContactsChangedPayload,
  addContactBodySchema,
  blockBodySchema,
  sendContactRequestBodySchema,
  updateContactBodySchema,
} from '@chatpop/protocol';
import type { z } from 'zod';
import { track, type AppContext } from '../../context';
import type { UserRow } from '../../db/schema';
import { AppError, badRequest, conflict, notFound } from '../../errors';
import { avatarUrl } from '../auth/service';
import { findMember } from '../chats/repo';
import { requireInboxUser } from '../conversations/policy';
import * as conversationsRepo from '../conversations/repo';
import { blockedEitherWay } from './blocks';
import { personUnavailable, requireNotBlocked } from './policy';
import * as repo from './repo';
import { isUuid } from '../../http';

/**
 * Contacts, contact requests and blocks (SPEC §4; docs/api.md, "Contacts and
 * blocking"). Every change is told to the people it concerns on all their
 * devices as `contacts:changed` over their own channel.
 */


export const userNotFound = () => notFound('USER_NOT_FOUND', 'There is no one with that username.');
const contactNotFound = () => notFound('CONTACT_NOT_FOUND', 'That person is not in your contacts.');
const requestNotFound = () => notFound('CONTACT_REQUEST_NOT_FOUND', 'There is no such contact request: it may have been answered or cancelled.');

interface PersonRow {
  userId: string;
  username: string;
  displayName: string | null;
  avatarKey: string | null;
}

const person = (r: PersonRow) => ({ userId: r.userId, username: r.username, displayName: r.displayName, avatarUrl: avatarUrl(r.avatarKey) });

const toContact = (r: PersonRow & { nickname: string | null; favourite: boolean; addedAt: Date }): Contact => ({
  ...person(r),
  nickname: r.nickname,
  favourite: r.favourite,
  addedAt: r.addedAt.toISOString(),
});

function changed(ctx: AppContext, userIds: string[], payload: ContactsChangedPayload) {
  ctx.broadcast.contactsChanged([...new Set(userIds)], payload);
}

/** Someone the Inbox knows: a confirmed account with a reserved username, found by id or username. */
async function findPerson(ctx: AppContext, by: { userId?: string; username?: string }): Promise<UserRow & { username: string }> {
  const [other] = by.userId ? await conversationsRepo.findUsersByIds(ctx.db, [by.userId]) : await conversationsRepo.findUsersByUsernames(ctx.db, [by.username!]);
  if (!other || !other.username || !other.emailConfirmedAt) throw userNotFound();
  return other as UserRow & { username: string };
}

function notSelf(user: UserRow, by: { userId?: string; username?: string }, code: 'CONTACT_SELF' | 'BLOCK_SELF', message: string) {
  if (by.userId === user.id || (by.username !== undefined && by.username.toLowerCase() === user.usernameLower)) throw badRequest(code, message);
}

// ---- contacts ---------------------------------------------------------------------

export async function listContacts(ctx: AppContext, user: UserRow): Promise<ContactList> {
  requireInboxUser(user);
  return { contacts: (await repo.listContacts(ctx.db, user.id)).map(toContact) };
}

/** Adds someone to your contacts; adding them again changes nothing and answers the same contact. */
export async function addContact(ctx: AppContext, user: UserRow, body: z.output<typeof addContactBodySchema>) {
  requireInboxUser(user);
  notSelf(user, body, 'CONTACT_SELF', 'You cannot add yourself to your contacts.');
  const other = await findPerson(ctx, body);
  await requireNotBlocked(ctx.db, user.id, other.id);
  const created = await track(ctx, repo.insertContact(ctx.db, user.id, other.id, body.nickname || null));
  const row = await repo.findContact(ctx.db, user.id, other.id);
  if (!row) throw contactNotFound();
  if (created) changed(ctx, [user.id], { what: ['contacts'] });
  return { contact: toContact(row), created };
}

export async function updateContact(ctx: AppContext, user: UserRow, contactId: string, body: z.output<typeof updateContactBodySchema>) {
  requireInboxUser(user);
  if (!isUuid(contactId)) throw contactNotFound();
  const patch: { nickname?: string | null; favourite?: boolean } = {};
  if (body.nickname !== undefined) patch.nickname = body.nickname || null;
  if (body.favourite !== undefined) patch.favourite = body.favourite;
  if (!(await track(ctx, repo.updateContact(ctx.db, user.id, contactId, patch)))) throw contactNotFound();
  const row = await repo.findContact(ctx.db, user.id, contactId);
  if (!row) throw contactNotFound();
  changed(ctx, [user.id], { what: ['contacts'] });
  return { contact: toContact(row) };
}

export async function removeContact(ctx: AppContext, user: UserRow, contactId: string): Promise<void> {
  requireInboxUser(user);
  if (!isUuid(contactId) || !(await track(ctx, repo.deleteContact(ctx.db, user.id, contactId)))) throw contactNotFound();
  changed(ctx, [user.id], { what: ['contacts'] });
}

// ---- requests -----------------------------------------------------------------------

const toRequest = (r: PersonRow & { id: string; createdAt: Date }, direction: 'incoming' | 'outgoing'): ContactRequest => ({
  id: r.id,
  person: person(r),
  direction,
  createdAt: r.createdAt.toISOString(),
});

export async function listRequests(ctx: AppContext, user: UserRow): Promise<ContactRequestList> {
  requireInboxUser(user);
  const [incoming, outgoing] = await Promise.all([repo.requestsOf(ctx.db, user.id, 'incoming'), repo.requestsOf(ctx.db, user.id, 'outgoing')]);
  return { incoming: incoming.map((r) => toRequest(r, 'incoming')), outgoing: outgoing.map((r) => toRequest(r, 'outgoing')) };
}

/**
 * Asks someone to add you back. Refused (PERSON_UNAVAILABLE, like every
 * refusal that a block causes) with a block either way; refused when they are
 * already in your contacts and you in theirs; a request they already sent
 * you is accepted instead; sending the same request twice is a conflict.
 */
export async function sendRequest(ctx: AppContext, user: UserRow, body: z.output<typeof sendContactRequestBodySchema>) {
  requireInboxUser(user);
  notSelf(user, body, 'CONTACT_SELF', 'You cannot send a contact request to yourself.');
  const other = await findPerson(ctx, body);
  await requireNotBlocked(ctx.db, user.id, other.id);
  const theirs = await repo.findRequestBetween(ctx.db, other.id, user.id);
  if (theirs) return { request: null, accepted: await acceptRequest(ctx, user, theirs.id) };
  const [mine, hers] = await Promise.all([repo.findContact(ctx.db, user.id, other.id), repo.findContact(ctx.db, other.id, user.id)]);
  if (mine && hers) throw conflict('ALREADY_A_CONTACT', `You and ${other.username} already have each other in your contacts.`);
  const inserted = await track(ctx, repo.insertRequest(ctx.db, { id: uuidv7(), fromId: user.id, toId: other.id }));
  if (!inserted) throw conflict('CONTACT_REQUEST_EXISTS', `You already asked ${other.username}; wait for their answer or cancel it.`);
  const me = { userId: user.id, username: user.username, displayName: user.displayName, avatarKey: user.avatarKey };
  changed(ctx, [user.id], { what: ['requests'] });
  changed(ctx, [other.id], { what: ['requests'], request: toRequest({ ...me, id: inserted.id, createdAt: inserted.createdAt }, 'incoming') });
  ctx.notifications.notify(other.id, { kind: 'contact_request', actorUserId: user.id, actorName: user.username });
  const them = { userId: other.id, username: other.username, displayName: other.displayName, avatarKey: other.avatarKey };
  return { request: toRequest({ ...them, id: inserted.id, createdAt: inserted.createdAt }, 'outgoing'), accepted: null };
}

/** The addressee says yes: each is added to the other's contacts (keeping any nickname already set). */
export async function acceptRequest(ctx: AppContext, user: UserRow, requestId: string): Promise<Contact> {
  requireInboxUser(user);
  if (!isUuid(requestId)) throw requestNotFound();
  const request = await repo.findRequest(ctx.db, requestId);
  if (!request || request.toId !== user.id) throw requestNotFound();
  const blocked = await blockedEitherWay(ctx.db, user.id, request.fromId);
  await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const row = await repo.deleteRequest(tx, request.id);
      if (!row) throw requestNotFound();
      if (blocked) return;
      await repo.insertContact(tx, user.id, request.fromId, null);
      await repo.insertContact(tx, request.fromId, user.id, null);
    }),
  );
  if (blocked) throw personUnavailable();
  changed(ctx, [user.id, request.fromId], { what: ['requests', 'contacts'] });
  const row = await repo.findContact(ctx.db, user.id, request.fromId);
  if (!row) throw contactNotFound();
  return toContact(row);
}

/** The addressee says no, or the sender takes it back: the request goes. The sender is not told which. */
export async function closeRequest(ctx: AppContext, user: UserRow, requestId: string, as: 'addressee' | 'sender'): Promise<void> {
  requireInboxUser(user);
  if (!isUuid(requestId)) throw requestNotFound();
  const request = await repo.findRequest(ctx.db, requestId);
  if (!request || (as === 'addressee' ? request.toId : request.fromId) !== user.id) throw requestNotFound();
  if (!(await track(ctx, repo.deleteRequest(ctx.db, request.id)))) throw requestNotFound();
  changed(ctx, [request.fromId, request.toId], { what: ['requests'] });
}

// ---- blocks -------------------------------------------------------------------------

export async function listBlocked(ctx: AppContext, user: UserRow): Promise<BlockList> {
  requireInboxUser(user);
  return { blocked: (await repo.listBlocked(ctx.db, user.id)).map((r) => ({ ...person(r), blockedAt: r.blockedAt.toISOString() })) };
}

/**
 * The account a block names: by user id, or a pop chat's participant who
 * wears the verified badge (signed in under their reserved username). An
 * anonymous participant, or one signed in under a chat-only name, cannot be
 * blocked: blocking them would tie that name to an account
 * (docs/decisions.md).
 */
async function blockTarget(ctx: AppContext, body: z.output<typeof blockBodySchema>): Promise<UserRow & { username: string }> {
  if (body.userId) return findPerson(ctx, { userId: body.userId });
  const memberNotFound = () => notFound('MEMBER_NOT_FOUND', 'There is no such participant in this chat.');
  if (!isUuid(body.memberId!) || !isUuid(body.roomId!)) throw memberNotFound();
  const member = await findMember(ctx.db, body.memberId!);
  if (!member || member.roomId !== body.roomId) throw memberNotFound();
  if (!member.userId || !member.verified) {
    throw badRequest('BAD_REQUEST', 'Only people signed in under their username can be blocked. Report their messages instead.');
  }
  return findPerson(ctx, { userId: member.userId });
}

/**
 * Blocks someone (SPEC §4). Idempotent. Pending requests between the two go;
 * each side's presence of the other is withdrawn (sent as offline with no
 * last seen, as when someone hides it, so the blocked person learns nothing).
 */
export async function block(ctx: AppContext, user: UserRow, body: z.output<typeof blockBodySchema>): Promise<BlockResponse> {
  requireInboxUser(user);
  notSelf(user, { userId: body.userId }, 'BLOCK_SELF', 'You cannot block yourself.');
  const other = await blockTarget(ctx, body);
  if (other.id === user.id) throw badRequest('BLOCK_SELF', 'You cannot block yourself.');
  const { created, requests } = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const created = await repo.insertBlock(tx, user.id, other.id);
      const requests = created ? await repo.deleteRequestsBetween(tx, user.id, other.id) : [];
      return { created, requests };
    }),
  );
  if (created) {
    changed(ctx, [user.id], { what: ['blocks', 'requests'] });
    if (requests.length > 0) changed(ctx, [other.id], { what: ['requests'] });
    ctx.broadcast.userPresence([other.id], { userId: user.id, status: 'offline', lastSeenAt: null });
    ctx.broadcast.userPresence([user.id], { userId: other.id, status: 'offline', lastSeenAt: null });
  }
  const [row] = (await repo.listBlocked(ctx.db, user.id)).filter((r) => r.userId === other.id);
  if (!row) throw new AppError(500, 'INTERNAL', 'The block was not stored.');
  return { blocked: { ...person(row), blockedAt: row.blockedAt.toISOString() }, created };
}

export async function unblock(ctx: AppContext, user: UserRow, blockedId: string): Promise<void> {
  requireInboxUser(user);
  if (blockedId === user.id) throw badRequest('BLOCK_SELF', 'You cannot block or unblock yourself.');
  if (!isUuid(blockedId) || !(await track(ctx, repo.deleteBlock(ctx.db, user.id, blockedId)))) {
    throw notFound('USER_NOT_FOUND', 'You have not blocked that person.');
  }
  changed(ctx, [user.id], { what: ['blocks'] });
  // Partners see each other's presence again: each hears the other's current state.
  ctx.accountPresence.changed(user.id);
  ctx.accountPresence.changed(blockedId);
}
