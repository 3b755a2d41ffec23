import { uuidv7 } from 'uuidv7';
import { groupPermissionsSchema, MESSAGE_MAX_CHARS, type MessageEdits } from '@chatpop/protocol';
import { track, type AppContext } from '../../context';
import type { MemberRow, MessageRow, RoomRow, UserRow } from '../../db/schema';
import { AppError, badRequest, forbidden } from '../../errors';
import type { StoredMessage } from '../../infra/cache';
import * as messagesRepo from '../messages/repo';
import { cachePut, reloadMessage, withReplies } from '../messages/service';
import * as actionsRepo from './actions-repo';
import { replaceMentions } from './mentions';
import { accessConversation, isConversation, requireInboxUser } from './policy';
import { messageNotFound, readableMessage } from './reader';
import * as repo from './repo';

/**
 * Check, then do (STYLE §2): what an edit must pass, touching nothing. Your
 * own, living message in a conversation you may still write in, within the
 * edit window by the server clock; the new text under the same rules as a send.
 */
export function checkEdit(room: RoomRow, member: MemberRow, row: MessageRow | undefined, content: string, windowSeconds: number, now = Date.now()): string {
  if (!isConversation(room)) throw forbidden('Messages in a pop chat cannot be edited.');
  if (!row || row.deletedAt || row.hidden) throw messageNotFound();
  if (row.memberId !== member.id || row.type !== 'normal') throw forbidden('You can only edit your own messages.', 'NOT_YOUR_MESSAGE');
  if (row.forwardedFromId) throw forbidden('A forwarded message keeps the words it was forwarded with.');
  if (room.kind === 'group' && groupPermissionsSchema.parse(room.settings.permissions ?? {}).send === 'admins' && member.role !== 'admin') {
    throw forbidden('Only admins can send messages in this group.');
  }
  if (now - row.createdAt.getTime() > windowSeconds * 1000) {
    const minutes = Math.round(windowSeconds / 60);
    throw new AppError(403, 'EDIT_WINDOW_PASSED', `A message can be edited for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} after it is sent.`, {
      windowSeconds,
    });
  }
  const text = content.trim();
  if (text.length === 0) throw badRequest('MESSAGE_EMPTY', 'Write something, or keep the message as it is.');
  if (text.length > MESSAGE_MAX_CHARS) {
    throw badRequest('MESSAGE_TOO_LONG', `A message can have at most ${MESSAGE_MAX_CHARS.toLocaleString('en-US')} characters.`, {
      max: MESSAGE_MAX_CHARS,
      length: text.length,
    });
  }
  return text;
}

/**
 * Edits a message (SPEC §4): the text it replaces is kept as an earlier
 * version, in the same transaction; then the cache, the room
 * (`message:updated`), the replies that quote it, and the list preview when it
 * is the newest message.
 */
export async function editMessage(ctx: AppContext, room: RoomRow, member: MemberRow, messageId: string, content: string): Promise<StoredMessage> {
  const windowSeconds = await ctx.settings.get('messageEditWindowSeconds');
  const changed = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const row = await messagesRepo.lockInRoom(tx, room.id, messageId);
      const text = checkEdit(room, member, row, content, windowSeconds);
      // Deleted for myself: it is gone from my view, so not mine to edit any more.
      if (await actionsRepo.isHidden(tx, member.id, row!.seq)) throw messageNotFound();
      if (text === row!.content) return false;
      await messagesRepo.replaceContent(tx, row!, text, uuidv7());
      // Whom it mentions follows the new text.
      await replaceMentions(tx, { ...row!, content: text });
      return true;
    }),
  );
  const message = (await reloadMessage(ctx, room.id, messageId))!;
  if (!changed) return message;
  await cachePut(ctx, room, message);
  ctx.broadcast.messageUpdated(room, message);
  const replies = await messagesRepo.repliesTo(ctx.db, room.id, messageId);
  for (const reply of await withReplies(ctx, replies)) {
    await cachePut(ctx, room, reply);
    ctx.broadcast.messageUpdated(room, reply);
  }
  if (message.seq === (await repo.currentLastSeq(ctx.db, room.id))) ctx.inboxEvents.changed(await repo.memberUserIds(ctx.db, room.id), room.id, { totals: false });
  return message;
}

export async function editMessageAs(ctx: AppContext, user: UserRow, roomId: string, messageId: string, content: string): Promise<StoredMessage> {
  requireInboxUser(user);
  const { room, member } = await accessConversation(ctx, user, roomId);
  return editMessage(ctx, room, member, messageId, content);
}

/** A message and every earlier version of its text, oldest first; for any member. */
export async function messageEdits(ctx: AppContext, user: UserRow, roomId: string, messageId: string): Promise<MessageEdits> {
  requireInboxUser(user);
  const { room, member } = await accessConversation(ctx, user, roomId);
  const row = await readableMessage(ctx, room, member, messageId);
  const [message] = await withReplies(ctx, [row]);
  // A deleted message's earlier texts go with it.
  const edits = row.deletedAt ? [] : await messagesRepo.editsOf(ctx.db, row.id);
  return {
    message: message!,
    versions: edits.map((e, i) => ({
      content: e.content,
      from: (i === 0 ? row.createdAt : edits[i - 1]!.editedAt).toISOString(),
      until: e.editedAt.toISOString(),
    })),
  };
}
