import { groupPermissionsSchema, type ForwardBody, type PinnedMessage } from '@chatpop/protocol';
import { track, type AppContext } from '../../context';
import type { MemberRow, MessageRow, RoomRow, UserRow } from '../../db/schema';
import { AppError, badRequest, forbidden, notFound } from '../../errors';
import type { StoredMessage } from '../../infra/cache';
import * as messagesRepo from '../messages/repo';
import { cachePut, insertSystemMessage, softDeleteMessage } from '../messages/service';
import * as actionsRepo from './actions-repo';
import { forgetMentionOf, forgetMentions } from './mentions';
import { accessConversation, requireInboxUser, type ConversationAccess } from './policy';
import { messageNotFound, pinnedFor, readableMessage } from './reader';
import * as repo from './repo';
import { sendInConversation } from './service';

/**
 * Message actions of the Inbox (SPEC §4): delete for me, delete for everyone,
 * forward, pin. Each checks first and changes nothing when refused (STYLE
 * §2), then writes in one transaction and announces after the commit: the
 * room's events, the user's own devices, and the list rows (notifier.ts).
 * Messages are the core's: a delete is the core's soft delete and a forward
 * is the core's send.
 */

const systemMessage = (what: string) => badRequest('SYSTEM_MESSAGE', `System messages cannot be ${what}.`);
const deletedMessage = (what: string) => badRequest('MESSAGE_DELETED', `This message was deleted, so it cannot be ${what}.`);

const permissionsOf = (room: RoomRow) => groupPermissionsSchema.parse(room.settings.permissions ?? {});

async function access(ctx: AppContext, user: UserRow, roomId: string): Promise<ConversationAccess> {
  requireInboxUser(user);
  return accessConversation(ctx, user, roomId);
}

// ---- delete for me -------------------------------------------------------------

/**
 * Hides a message from me alone, on every device of mine (`message:hidden` to
 * my connections) and in every later read; everyone else keeps it. Any message
 * I can see qualifies, system messages and tombstones included. It no longer
 * counts as unread or as a mention of me, and my list preview steps back to
 * the message before it.
 */
export async function deleteForMe(ctx: AppContext, user: UserRow, roomId: string, messageId: string): Promise<void> {
  const { room, member } = await access(ctx, user, roomId);
  const row = await readableMessage(ctx, room, member, messageId);
  const hidden = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const fresh = await actionsRepo.hide(tx, member.id, row);
      if (fresh) {
        await forgetMentionOf(tx, member.id, row.seq);
        await messagesRepo.recountUnread(tx, room.id, [member.id]);
      }
      return fresh;
    }),
  );
  if (!hidden) return;
  ctx.broadcast.messageHidden(user.id, { roomId: room.id, id: row.id, seq: row.seq });
  const pin = await actionsRepo.pinnedOf(ctx.db, room.id);
  if (pin?.messageId === row.id) ctx.broadcast.pinnedTo([user.id], { roomId: room.id, pinned: null });
  ctx.inboxEvents.changed([user.id], room.id);
}

// ---- delete for everyone ---------------------------------------------------------

/**
 * Who may delete a message for everyone: its author; in a group also an admin
 * (as a group's admins keep it civil). Never a system message, which records
 * a change to the conversation.
 */
export function checkDeleteForEveryone(room: RoomRow, member: MemberRow, row: MessageRow): void {
  if (row.type === 'system') throw systemMessage('deleted for everyone');
  if (row.memberId === member.id) return;
  if (room.kind === 'group' && member.role === 'admin') return;
  throw new AppError(
    403,
    'NOT_YOUR_MESSAGE',
    room.kind === 'group'
      ? 'Only its author or a group admin can delete a message for everyone. You can delete it for yourself.'
      : 'You can delete only your own messages for everyone. You can delete this one for yourself.',
  );
}

/**
 * The core's soft delete: a tombstone every member sees live
 * (`message:deleted`), replies whose quote now says it was deleted
 * (`message:updated`). In the same transaction it stops mentioning anyone and
 * stops being pinned; then the list rows follow (a deleted newest message
 * shows as such in the preview). Again on a deleted message changes nothing.
 */
export async function deleteForEveryone(ctx: AppContext, user: UserRow, roomId: string, messageId: string): Promise<StoredMessage> {
  const { room, member } = await access(ctx, user, roomId);
  const row = await readableMessage(ctx, room, member, messageId);
  checkDeleteForEveryone(room, member, row);
  let unpinned = false;
  const message = await track(
    ctx,
    softDeleteMessage(ctx, room, row, async (tx) => {
      await forgetMentions(tx, row.id);
      unpinned = await actionsRepo.clearPin(tx, room.id, row.id);
    }),
  );
  if (unpinned) await announcePin(ctx, room);
  if (!row.deletedAt) ctx.inboxEvents.changed(await repo.memberUserIds(ctx.db, room.id), room.id);
  return message;
}

// ---- forward -------------------------------------------------------------------

/** The group's "who may send", checked before anything is written to any conversation. */
function checkMaySend(target: ConversationAccess): void {
  if (target.room.kind !== 'group') return;
  if (permissionsOf(target.room).send === 'admins' && target.member.role !== 'admin') {
    throw new AppError(403, 'FORBIDDEN', 'Only admins can send messages in one of the conversations you chose.', { conversationId: target.room.id });
  }
}

/**
 * Copies a message I can read into each conversation of `to` (at most
 * FORWARD_TARGETS_MAX) where I may send, labelled forwarded; the copy keeps
 * the text, not the reply, and mentions nobody. Every target is checked
 * before any copy is written: one I am not in is 404 CONVERSATION_NOT_FOUND,
 * one where I may not send 403 FORBIDDEN (`details.conversationId` names
 * it). Each copy is the core's send (seq, client id, cache, receipts, list
 * events) and counts against the sending rate limits of its conversation.
 */
export async function forwardMessage(ctx: AppContext, user: UserRow, roomId: string, messageId: string, body: ForwardBody): Promise<StoredMessage[]> {
  const { room, member } = await access(ctx, user, roomId);
  const row = await readableMessage(ctx, room, member, messageId);
  if (row.type === 'system') throw systemMessage('forwarded');
  if (row.deletedAt) throw deletedMessage('forwarded');
  const targets: ConversationAccess[] = [];
  for (const id of body.to) {
    const target = await accessConversation(ctx, user, id).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'CONVERSATION_NOT_FOUND') {
        throw new AppError(404, 'CONVERSATION_NOT_FOUND', 'One of the conversations you chose is not in your Inbox.', { conversationId: id });
      }
      throw err;
    });
    checkMaySend(target);
    targets.push(target);
  }
  for (const target of targets) {
    await ctx.limits.consume('messagesPerSecond', target.member.id);
    await ctx.limits.consume('messagesPerMinute', target.member.id);
  }
  const copies: StoredMessage[] = [];
  for (const target of targets) {
    const { message } = await sendInConversation(ctx, target.room, target.member, {
      clientId: body.clientId,
      content: row.content,
      replyToId: null,
      // A copy of a copy names the first original.
      forwardedFromId: row.forwardedFromId ?? row.id,
    });
    copies.push(message);
  }
  return copies;
}

// ---- pin -----------------------------------------------------------------------

/**
 * Who may pin and unpin: anyone in a direct conversation; in a group, those
 * its `editInfo` permission allows (admins by default), as pinning changes
 * what the whole group sees at the top, like its name does.
 */
export function checkMayPin(room: RoomRow, member: MemberRow): void {
  if (room.kind !== 'group') return;
  if (permissionsOf(room).editInfo === 'admins' && member.role !== 'admin') {
    throw forbidden('Only admins can pin and unpin messages in this group.');
  }
}

/**
 * Tells the room what is pinned now, as read after the commit (so racing
 * changes end in the latest state): members who deleted the pinned message
 * for themselves are told nothing is.
 */
async function announcePin(ctx: AppContext, room: RoomRow): Promise<void> {
  const pinned = await pinnedFor(ctx, room.id, null);
  const blind = pinned ? await actionsRepo.hiddenByUsers(ctx.db, pinned.message.id) : [];
  ctx.broadcast.pinned(room.id, { roomId: room.id, pinned }, blind);
  if (blind.length > 0) ctx.broadcast.pinnedTo(blind, { roomId: room.id, pinned: null });
}

/** A system message recording a pin change, after its commit: cached, broadcast, in the list previews. */
async function announceNote(ctx: AppContext, room: RoomRow, note: StoredMessage): Promise<void> {
  await cachePut(ctx, room, note);
  ctx.broadcast.message(room, note);
  ctx.inboxEvents.changed(await repo.memberUserIds(ctx.db, room.id), room.id);
}

/**
 * Pins a message at the top of the conversation for every member, in place of
 * the one pinned before, with a system message saying who did. Pinning the
 * pinned message again changes nothing. The message is locked while it is
 * pinned, so a delete for everyone either comes first (and the pin is
 * refused) or unpins it.
 */
export async function pinMessage(ctx: AppContext, user: UserRow, roomId: string, messageId: string): Promise<PinnedMessage> {
  const { room, member } = await access(ctx, user, roomId);
  checkMayPin(room, member);
  const row = await readableMessage(ctx, room, member, messageId);
  if (row.type === 'system') throw systemMessage('pinned');
  if (row.deletedAt) throw deletedMessage('pinned');
  const note = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const locked = await messagesRepo.lockInRoom(tx, room.id, row.id);
      if (!locked) throw messageNotFound();
      if (locked.deletedAt) throw deletedMessage('pinned');
      if ((await actionsRepo.pinnedOf(tx, room.id))?.messageId === row.id) return null;
      await actionsRepo.setPin(tx, room.id, row.id, member.id);
      return insertSystemMessage(tx, room, `${member.username} pinned a message`);
    }),
  );
  if (note) {
    await announceNote(ctx, room, note);
    await announcePin(ctx, room);
  }
  const pinned = await pinnedFor(ctx, room.id, member.id);
  if (!pinned) throw messageNotFound();
  return pinned;
}

/** Unpins the conversation's message, with a system message; 404 PIN_NOT_FOUND when nothing is pinned. */
export async function unpinMessage(ctx: AppContext, user: UserRow, roomId: string): Promise<void> {
  const { room, member } = await access(ctx, user, roomId);
  checkMayPin(room, member);
  const note = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      if (!(await actionsRepo.clearPin(tx, room.id))) throw notFound('PIN_NOT_FOUND', 'Nothing is pinned in this conversation.');
      return insertSystemMessage(tx, room, `${member.username} unpinned a message`);
    }),
  );
  await announceNote(ctx, room, note);
  await announcePin(ctx, room);
}
