import { uuidv7 } from 'uuidv7';
import {
  chatSettingsSchema,
  CONVERSATION_PAGE_SIZE,
  GROUP_MAX_MEMBERS,
  GROUP_MIN_OTHERS,
  GROUP_NAME_MAX_CHARS,
  groupPermissionsSchema,
  type ConversationCreated,
  type ConversationDetail,
  type ConversationList,
  type ConversationSummary,
  type conversationListQuerySchema,
  type createDirectBodySchema,
  type createGroupBodySchema,
  type HistoryResponse,
  type InboxSummary,
  type ReceiptAck,
} from '@chatpop/protocol';
import type { z } from 'zod';
import { track, type AppContext } from '../../context';
import type { MemberRow, RoomRow, UserRow } from '../../db/schema';
import { AppError, badRequest, forbidden, notFound } from '../../errors';
import type { StoredMessage } from '../../infra/cache';
import { findParticipation, insertRoom } from '../chats/repo';
import { cachePut, history, insertSystemMessage, sendMessage, type SendInput, type SendResult } from '../messages/service';
import { blockedEitherWay } from '../contacts/blocks';
import { mayStartWith, personUnavailable, requireDirectOpen } from '../contacts/policy';
import { recordMentions } from './mentions';
import { accessConversation, conversationNotFound, requireInboxUser } from './policy';
import { withoutHidden } from './reader';
import * as repo from './repo';
import { unarchiveOnMessage } from './settings';
import { detailFor, readSeqVisible, summaryFor, toSummaries } from './summaries';

export type InboxUser = UserRow & { username: string; usernameLower: string };

export const userNotFound = () => notFound('USER_NOT_FOUND', 'There is no one with that username.');

/** Someone the Inbox can put in a conversation: a confirmed account with a reserved username. */
export const reachable = (u: UserRow): u is InboxUser => Boolean(u.username && u.usernameLower && u.emailConfirmedAt);

// ---- reading ------------------------------------------------------------------

function encodeCursor(row: repo.ConversationRow): string {
  return Buffer.from(JSON.stringify({ p: row.pinned, a: row.activityKey, i: row.room.id })).toString('base64url');
}

function decodeCursor(cursor: string): repo.ListCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown; a?: unknown; i?: unknown };
    if (
      (c.p === 0 || c.p === 1) &&
      typeof c.a === 'string' &&
      /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/.test(c.a) &&
      typeof c.i === 'string' &&
      /^[0-9a-f-]{36}$/i.test(c.i)
    ) {
      return { pinned: c.p, activity: c.a, id: c.i };
    }
  } catch {
    // falls through to the error below
  }
  throw badRequest('VALIDATION_FAILED', 'cursor: That page cursor is not valid; start from the first page.');
}

export async function listConversations(
  ctx: AppContext,
  user: UserRow,
  query: z.output<typeof conversationListQuerySchema>,
): Promise<ConversationList> {
  requireInboxUser(user);
  const limit = Math.min(query.limit, CONVERSATION_PAGE_SIZE);
  const rows = await repo.listForUser(ctx.db, user.id, {
    archived: query.archived,
    cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    conversations: await toSummaries(ctx, user.id, page),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}

export async function getConversation(ctx: AppContext, user: UserRow, roomId: string): Promise<ConversationDetail> {
  requireInboxUser(user);
  const { room } = await accessConversation(ctx, user, roomId);
  const detail = await detailFor(ctx, user, room);
  if (!detail) throw conversationNotFound();
  return detail;
}

export async function conversationHistory(
  ctx: AppContext,
  user: UserRow,
  roomId: string,
  q: { before?: number; after?: number; limit?: number },
): Promise<HistoryResponse> {
  requireInboxUser(user);
  const { room, member } = await accessConversation(ctx, user, roomId);
  return withoutHidden(ctx, member.id, await history(ctx, room, q, member.id));
}

export async function inboxSummary(ctx: AppContext, user: UserRow): Promise<InboxSummary> {
  requireInboxUser(user);
  const [totals, sent] = await Promise.all([repo.totalsForUser(ctx.db, user.id), repo.messagesSentBy(ctx.db, user.id)]);
  return {
    conversations: totals.conversations,
    archived: totals.archived,
    messagesSent: sent,
    unread: totals.unread,
    unreadConversations: totals.unreadConversations,
    mentions: totals.mentions,
  };
}

// ---- creating -----------------------------------------------------------------

const conversationSettings = () => chatSettingsSchema.parse({});

export function memberRow(roomId: string, user: InboxUser, role: 'admin' | 'member') {
  return {
    id: uuidv7(),
    roomId,
    userId: user.id,
    username: user.username,
    usernameLower: user.usernameLower,
    role,
    // Inbox members always wear their reserved username.
    verified: true,
  };
}

/**
 * Your direct conversation with someone, made on first use (SPEC §4: one per
 * pair; creating it again returns the same one, also when both people create
 * it at the same moment).
 */
export async function createDirect(ctx: AppContext, user: UserRow, body: z.output<typeof createDirectBodySchema>): Promise<ConversationCreated> {
  requireInboxUser(user);
  if (body.userId === user.id || (body.username !== undefined && body.username.toLowerCase() === user.usernameLower)) {
    throw badRequest('DIRECT_WITH_SELF', 'A conversation needs someone else: you cannot start one with yourself.');
  }
  const [other] = body.userId ? await repo.findUsersByIds(ctx.db, [body.userId]) : await repo.findUsersByUsernames(ctx.db, [body.username!]);
  if (!other || !reachable(other)) throw userNotFound();
  const key = repo.directKey(user.id, other.id);
  let room = await repo.findDirect(ctx.db, key);
  let created = false;
  // A block either way refuses even a conversation that exists; "contacts only" refuses a new one.
  if (room ? await blockedEitherWay(ctx.db, user.id, other.id) : !(await mayStartWith(ctx.db, user.id, other))) throw personUnavailable();
  if (!room) {
    room = await track(
      ctx,
      ctx.db.transaction(async (tx) => {
        const inserted = await repo.insertDirectUnlessExists(tx, {
          id: uuidv7(),
          kind: 'direct',
          name: '',
          isPrivate: true,
          settings: conversationSettings(),
          directKey: key,
        });
        if (!inserted) return undefined;
        await repo.insertMembers(tx, [memberRow(inserted.id, user, 'member'), memberRow(inserted.id, other, 'member')]);
        return inserted;
      }),
    );
    if (room) created = true;
    // Someone else made it between our look and our insert: theirs is the one.
    else room = await repo.findDirect(ctx.db, key);
    if (!room) throw new Error(`direct conversation ${key} neither inserted nor found`);
    if (created) ctx.inboxEvents.changed([user.id, other.id], room.id, { created: true });
  }
  const conversation = await detailFor(ctx, user, room);
  if (!conversation) throw conversationNotFound();
  return { conversation, created };
}

/** "Ann", "Ann and Bob", "Ann, Bob and Cy", "Ann, Bob, Cy and 2 others". */
export function listNames(names: string[], max = 3): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const rest = names.length - max;
  return `${names.slice(0, max).join(', ')} and ${rest} ${rest === 1 ? 'other' : 'others'}`;
}

const shownName = (u: UserRow) => u.displayName || u.username || 'someone';

/** A group with you as its admin and at least two others (SPEC §4), announced by system messages. */
export async function createGroup(ctx: AppContext, user: UserRow, body: z.output<typeof createGroupBodySchema>): Promise<ConversationCreated> {
  requireInboxUser(user);
  const [byId, byName] = await Promise.all([repo.findUsersByIds(ctx.db, body.memberIds), repo.findUsersByUsernames(ctx.db, body.usernames)]);
  const foundIds = new Map(byId.filter(reachable).map((u) => [u.id, u]));
  const foundNames = new Map(byName.filter(reachable).map((u) => [u.usernameLower, u]));
  const missing = {
    userIds: body.memberIds.filter((id) => !foundIds.has(id)),
    usernames: body.usernames.filter((n) => !foundNames.has(n.toLowerCase())),
  };
  if (missing.userIds.length + missing.usernames.length > 0) {
    const names = missing.usernames;
    throw new AppError(
      404,
      'USER_NOT_FOUND',
      names.length > 0 ? `There is no one called ${listNames(names)}.` : 'Some of the people you chose no longer have an account.',
      missing,
    );
  }
  // In the order asked for (ids, then usernames), each person once, yourself left out.
  const asked = [...body.memberIds.map((id) => foundIds.get(id)!), ...body.usernames.map((n) => foundNames.get(n.toLowerCase())!)];
  const others = [...new Map(asked.filter((u) => u.id !== user.id).map((u) => [u.id, u])).values()];
  if (others.length < GROUP_MIN_OTHERS) {
    throw badRequest('GROUP_TOO_SMALL', `A group needs at least ${GROUP_MIN_OTHERS} other people besides you.`, { min: GROUP_MIN_OTHERS });
  }
  if (others.length + 1 > GROUP_MAX_MEMBERS) {
    throw badRequest('GROUP_TOO_LARGE', `A group can have at most ${GROUP_MAX_MEMBERS} members, you included.`, { max: GROUP_MAX_MEMBERS });
  }
  await requireMayAdd(ctx, user, others);
  const name = (body.name || listNames([user, ...others].map(shownName))).slice(0, GROUP_NAME_MAX_CHARS);
  const permissions = groupPermissionsSchema.parse(body.permissions ?? {});
  const { room, notes } = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const room = await insertRoom(tx, {
        id: uuidv7(),
        kind: 'group',
        name,
        description: body.description,
        isPrivate: true,
        settings: { ...conversationSettings(), permissions },
      });
      await repo.insertMembers(tx, [memberRow(room.id, user, 'admin'), ...others.map((o) => memberRow(room.id, o, 'member'))]);
      const notes = [
        await insertSystemMessage(tx, room, `${user.username} created the group “${name}”`),
        await insertSystemMessage(tx, room, `${user.username} added ${listNames(others.map((o) => o.username), others.length)}`),
      ];
      return { room, notes };
    }),
  );
  for (const note of notes) await cachePut(ctx, room, note);
  ctx.inboxEvents.changed([user.id, ...others.map((o) => o.id)], room.id, { created: true });
  for (const other of others) ctx.notifications.notify(other.id, { kind: 'group_added', actorUserId: user.id, actorName: user.username, roomId: room.id });
  const conversation = await detailFor(ctx, user, room);
  if (!conversation) throw conversationNotFound();
  return { conversation, created: true };
}

/**
 * A group add (creating one, or adding to one): each person added must let
 * the adder in (contacts/policy.ts). One refusal for all, naming nobody.
 */
export async function requireMayAdd(ctx: Pick<AppContext, 'db'>, adder: UserRow, people: UserRow[]): Promise<void> {
  for (const p of people) {
    if (!(await mayStartWith(ctx.db, adder.id, p))) throw personUnavailable('You can’t add some of the people you chose to a group.');
  }
}

// ---- sending --------------------------------------------------------------------

/**
 * A message in a conversation: the core's send (seq, client id, cache), the
 * group's "who may send", then the list events. Sending also reads: the
 * sender's watermarks move to their own message.
 */
export async function sendInConversation(ctx: AppContext, room: RoomRow, member: MemberRow, input: SendInput): Promise<SendResult> {
  // A direct conversation between two people with a block either way takes no more messages.
  await requireDirectOpen(ctx.db, room, member);
  if (room.kind === 'group') {
    const permissions = groupPermissionsSchema.parse(room.settings.permissions ?? {});
    if (permissions.send === 'admins' && member.role !== 'admin') throw forbidden('Only admins can send messages in this group.');
  }
  const result = await sendMessage(ctx, room, member, input);
  await afterMessage(ctx, room, member, result.message);
  return result;
}

/**
 * Also for a resend: its first attempt may have died before any of this, and
 * each step is idempotent. The mentions are written before the list events
 * read the badges; a forwarded copy mentions nobody (its text was written
 * for another conversation).
 */
async function afterMessage(ctx: AppContext, room: RoomRow, member: MemberRow, message: StoredMessage) {
  ctx.broadcast.message(room, message);
  if (!message.forwarded) await recordMentions(ctx.db, message);
  await moveWatermarks(ctx, room, member, message.seq, true);
  await unarchiveOnMessage(ctx.db, room.id);
  ctx.inboxEvents.changed(await repo.memberUserIds(ctx.db, room.id), room.id);
}

// ---- receipts -----------------------------------------------------------------

/**
 * Moves a member's watermark(s) and tells the others (SPEC §4): one `receipt`
 * to the room's connections, the read watermark withheld both ways where
 * privacy asks; a move nobody may see is not announced.
 */
async function moveWatermarks(ctx: AppContext, room: RoomRow, member: MemberRow, seq: number, read: boolean): Promise<repo.WatermarkMove | null> {
  const moved = await repo.advanceWatermarks(ctx.db, member.id, seq, read);
  if (!moved || (!moved.readMoved && !moved.deliveredMoved)) return moved;
  const people = await repo.membersOf(ctx.db, room.id);
  const reader = people.find((p) => p.memberId === member.id);
  if (!reader) return moved;
  const seers = people.filter((p) => readSeqVisible(p, reader));
  const blind = people.filter((p) => !readSeqVisible(p, reader));
  const payload = { roomId: room.id, userId: reader.userId, memberId: member.id, deliveredSeq: moved.deliveredSeq };
  if (seers.length > 0) ctx.broadcast.receipt(room.id, { ...payload, readSeq: moved.readSeq }, blind.map((p) => p.userId));
  if (blind.length > 0 && moved.deliveredMoved) ctx.broadcast.receiptTo(blind.map((p) => p.userId), { ...payload, readSeq: null });
  return moved;
}

async function checkSeq(ctx: AppContext, room: RoomRow, seq: number) {
  const lastSeq = await repo.currentLastSeq(ctx.db, room.id);
  if (seq > lastSeq) {
    throw badRequest('SEQ_OUT_OF_RANGE', `This conversation has no message ${seq} yet: its last is ${lastSeq}.`, { lastSeq });
  }
}

/**
 * A watermark from one of the user's devices (HTTP `…/read`, socket
 * `receipt:read` and `receipt:delivered`). A read also reaches the user's
 * other devices, which clear the unread badge.
 */
export async function markSeen(ctx: AppContext, user: UserRow, roomId: string, seq: number, read: boolean): Promise<ReceiptAck> {
  requireInboxUser(user);
  const { room, member } = await accessConversation(ctx, user, roomId);
  await checkSeq(ctx, room, seq);
  const moved = await moveWatermarks(ctx, room, member, seq, read);
  if (!moved) {
    const current = (await findParticipation(ctx.db, room.id, { userId: user.id })) ?? member;
    return { roomId: room.id, readSeq: current.lastReadSeq, deliveredSeq: current.lastDeliveredSeq };
  }
  ctx.inboxEvents.changed([user.id], room.id, { totals: moved.readMoved || moved.unmarked });
  // What the user has now read no longer rings the bell, on any of their devices.
  if (moved.readMoved) ctx.notifications.roomRead(user.id, room.id, moved.readSeq);
  return { roomId: room.id, readSeq: moved.readSeq, deliveredSeq: moved.deliveredSeq };
}

export async function markRead(ctx: AppContext, user: UserRow, roomId: string, seq: number): Promise<ConversationSummary> {
  await markSeen(ctx, user, roomId, seq, true);
  const summary = await summaryFor(ctx, user.id, roomId);
  if (!summary) throw conversationNotFound();
  return summary;
}

/** "Mark as unread": the conversation shows as unread until the next read; no watermark moves back. */
export async function markUnread(ctx: AppContext, user: UserRow, roomId: string): Promise<ConversationSummary> {
  requireInboxUser(user);
  const { room, member } = await accessConversation(ctx, user, roomId);
  if (await repo.markUnread(ctx.db, member.id)) ctx.inboxEvents.changed([user.id], room.id);
  const summary = await summaryFor(ctx, user.id, room.id);
  if (!summary) throw conversationNotFound();
  return summary;
}
