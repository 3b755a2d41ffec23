import {
  GROUP_MAX_MEMBERS,
  groupPermissionsSchema,
  type addMembersBodySchema,
  type ConversationDetail,
  type GroupPermissions,
  type updateGroupBodySchema,
} from '@chatpop/protocol';
import type { z } from 'zod';
import { track, type AppContext } from '../../context';
import type { Tx } from '../../db/client';
import type { MemberRow, RoomRow, UserRow } from '../../db/schema';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors';
import type { StoredMessage } from '../../infra/cache';
import { newAvatarKey, processAvatar } from '../account/avatar';
import { updateRoom } from '../chats/repo';
import { cachePut, insertSystemMessage } from '../messages/service';
import { accessConversation, conversationNotFound, requireInboxUser } from './policy';
import * as repo from './repo';
import { listNames, memberRow, reachable, requireMayAdd, type InboxUser } from './service';
import { detailFor } from './summaries';

/**
 * Group administration (SPEC §4): rename and describe, permissions, add and
 * remove members, promote and demote, leave. Every change runs in one
 * transaction under the group's row lock, re-reads the members there, and
 * writes its system messages in the same transaction; the list events and
 * the connections' member rows follow the commit.
 */

const notAGroup = () => badRequest('NOT_A_GROUP', 'Only a group has members to manage; a direct conversation is always the two of you.');
const memberNotFound = () => notFound('MEMBER_NOT_FOUND', 'That person is not in this group.');
export const permissionsOf = (room: RoomRow): GroupPermissions => groupPermissionsSchema.parse(room.settings.permissions ?? {});
export const allowed = (level: GroupPermissions[keyof GroupPermissions], member: MemberRow) => level === 'everyone' || member.role === 'admin';

export interface Change {
  notes: StoredMessage[];
  /** Member rows whose live connections must learn of the change (role, removal). */
  changedMembers: MemberRow[];
  /** Users for whom the conversation is new. */
  added: string[];
  removed: { userId: string; reason: 'left' | 'removed' }[];
  roomChanged: boolean;
  /** Who added the `added` users, when someone did (not an invite link): they are notified. */
  addedBy?: MemberRow;
}

export const noChange = (): Change => ({ notes: [], changedMembers: [], added: [], removed: [], roomChanged: false });

/** Runs a change to a group under its lock, with the actor's member row as it is now. */
async function changeGroup(
  ctx: AppContext,
  user: UserRow,
  roomId: string,
  work: (tx: Tx, room: RoomRow, actor: MemberRow, members: MemberRow[], change: Change) => Promise<void>,
): Promise<ConversationDetail | null> {
  requireInboxUser(user);
  const { room: cached } = await accessConversation(ctx, user, roomId);
  if (cached.kind !== 'group') throw notAGroup();
  const { room, change } = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const room = await repo.lockRoom(tx, roomId);
      if (!room) throw conversationNotFound();
      room.settings = { ...cached.settings, permissions: groupPermissionsSchema.parse(room.settings?.permissions ?? {}) };
      const members = await repo.liveMembers(tx, roomId);
      const actor = members.find((m) => m.userId === user.id);
      if (!actor) throw conversationNotFound();
      const change = noChange();
      await work(tx, room, actor, members, change);
      return { room, change };
    }),
  );
  await announce(ctx, room, change);
  return detailFor(ctx, user, (await ctx.rooms.byRoomId(room.id)) ?? room);
}

/** After the commit: room and member caches, the system messages live, and the list events. */
export async function announce(ctx: AppContext, room: RoomRow, change: Change) {
  if (change.roomChanged) await ctx.rooms.changed(room.id);
  for (const member of change.changedMembers) await ctx.memberSync.changed(member);
  for (const note of change.notes) {
    await cachePut(ctx, room, note);
    ctx.broadcast.message(room, note);
  }
  const everyone = await repo.memberUserIds(ctx.db, room.id);
  const added = new Set(change.added);
  ctx.inboxEvents.changed(everyone.filter((id) => !added.has(id)), room.id);
  if (added.size > 0) ctx.inboxEvents.changed([...added], room.id, { created: true });
  const by = change.addedBy;
  if (by) for (const userId of added) ctx.notifications.notify(userId, { kind: 'group_added', actorUserId: by.userId, actorName: by.username, roomId: room.id });
  for (const { userId, reason } of change.removed) {
    ctx.broadcast.conversationRemoved(userId, { conversationId: room.id, reason });
    // Their totals lose this conversation's unread.
    ctx.inboxEvents.changed([userId], room.id);
  }
}

/**
 * Makes `person` a member of the group (under its lock, in the caller's
 * transaction). Newcomers start with everything so far read: only what comes
 * after they join is unread news to them.
 */
export async function admit(tx: Tx, room: RoomRow, person: InboxUser, change: Change): Promise<void> {
  const seen = { lastReadSeq: room.lastSeq, lastDeliveredSeq: room.lastSeq, unreadCount: 0, mentionCount: 0 };
  const now = new Date();
  const earlier = await repo.memberRowOf(tx, room.id, person.id);
  if (earlier) {
    // Back after leaving: the same participation (its messages keep their author), standing from now.
    change.changedMembers.push(await repo.updateMember(tx, earlier.id, { removedAt: null, role: 'member', joinedAt: now, markedUnreadAt: null, ...seen }));
  } else {
    await repo.insertMembers(tx, [{ ...memberRow(room.id, person, 'member'), joinedAt: now, ...seen }]);
  }
  change.added.push(person.id);
}

export const who = (m: Pick<MemberRow, 'username'>) => m.username;

export async function updateGroup(ctx: AppContext, user: UserRow, roomId: string, body: z.output<typeof updateGroupBodySchema>) {
  return changeGroup(ctx, user, roomId, async (tx, room, actor, _members, change) => {
    const permissions = permissionsOf(room);
    if ((body.name !== undefined || body.description !== undefined) && !allowed(permissions.editInfo, actor)) {
      throw forbidden('Only admins can change the group’s name and description.');
    }
    if (body.permissions && actor.role !== 'admin') throw forbidden('Only admins can change what members may do.');
    const patch: Partial<RoomRow> = {};
    if (body.name !== undefined && body.name !== room.name) {
      patch.name = body.name;
      change.notes.push(await insertSystemMessage(tx, room, `${who(actor)} renamed the group to “${body.name}”`));
    }
    if (body.description !== undefined && body.description !== room.description) {
      patch.description = body.description;
      change.notes.push(await insertSystemMessage(tx, room, `${who(actor)} changed the group description`));
    }
    if (body.permissions) {
      const next = { ...permissions, ...body.permissions };
      const said: Record<keyof GroupPermissions, string> = { send: 'send messages', addMembers: 'add members', editInfo: 'edit the group info' };
      for (const key of Object.keys(said) as (keyof GroupPermissions)[]) {
        if (next[key] !== permissions[key]) {
          change.notes.push(
            await insertSystemMessage(tx, room, `${who(actor)} let ${next[key] === 'admins' ? 'only admins' : 'everyone'} ${said[key]}`),
          );
        }
      }
      patch.settings = { ...room.settings, permissions: next };
    }
    if (Object.keys(patch).length > 0) {
      await updateRoom(tx, room.id, patch);
      change.roomChanged = true;
    }
  });
}

export async function addMembers(ctx: AppContext, user: UserRow, roomId: string, body: z.output<typeof addMembersBodySchema>) {
  return changeGroup(ctx, user, roomId, async (tx, room, actor, members, change) => {
    if (!allowed(permissionsOf(room).addMembers, actor)) throw forbidden('Only admins can add people to this group.');
    const [byId, byName] = await Promise.all([repo.findUsersByIds(tx, body.memberIds), repo.findUsersByUsernames(tx, body.usernames)]);
    const ids = new Map(byId.filter(reachable).map((u) => [u.id, u]));
    const names = new Map(byName.filter(reachable).map((u) => [u.usernameLower, u]));
    const missing = { userIds: body.memberIds.filter((id) => !ids.has(id)), usernames: body.usernames.filter((n) => !names.has(n.toLowerCase())) };
    if (missing.userIds.length + missing.usernames.length > 0) {
      throw new AppError(404, 'USER_NOT_FOUND', missing.usernames.length > 0 ? `There is no one called ${listNames(missing.usernames)}.` : 'Some of the people you chose have no account.', missing);
    }
    const inGroup = new Set(members.map((m) => m.userId));
    const asked: InboxUser[] = [...body.memberIds.map((id) => ids.get(id)!), ...body.usernames.map((n) => names.get(n.toLowerCase())!)];
    const fresh = [...new Map(asked.filter((u) => !inGroup.has(u.id)).map((u) => [u.id, u])).values()];
    if (fresh.length === 0) throw conflict('ALREADY_A_MEMBER', 'Everyone you named is already in the group.');
    if (members.length + fresh.length > GROUP_MAX_MEMBERS) {
      throw badRequest('GROUP_TOO_LARGE', `A group can have at most ${GROUP_MAX_MEMBERS} members.`, { max: GROUP_MAX_MEMBERS });
    }
    await requireMayAdd({ db: tx }, user, fresh);
    for (const person of fresh) await admit(tx, room, person, change);
    change.addedBy = actor;
    change.notes.push(await insertSystemMessage(tx, room, `${who(actor)} added ${listNames(fresh.map((u) => u.username), fresh.length)}`));
  });
}

export async function removeMember(ctx: AppContext, user: UserRow, roomId: string, targetUserId: string) {
  return changeGroup(ctx, user, roomId, async (tx, room, actor, members, change) => {
    if (actor.role !== 'admin') throw forbidden('Only admins can remove people from the group.');
    if (targetUserId === user.id) throw badRequest('BAD_REQUEST', 'To go yourself, leave the group.');
    const target = members.find((m) => m.userId === targetUserId);
    if (!target) throw memberNotFound();
    const removed = await repo.updateMember(tx, target.id, { removedAt: new Date(), role: 'member' });
    change.changedMembers.push(removed);
    change.removed.push({ userId: targetUserId, reason: 'removed' });
    change.notes.push(await insertSystemMessage(tx, room, `${who(actor)} removed ${who(target)}`));
  });
}

export async function setRole(ctx: AppContext, user: UserRow, roomId: string, targetUserId: string, role: 'admin' | 'member') {
  return changeGroup(ctx, user, roomId, async (tx, room, actor, members, change) => {
    if (actor.role !== 'admin') throw forbidden('Only admins can make or unmake admins.');
    const target = members.find((m) => m.userId === targetUserId);
    if (!target) throw memberNotFound();
    if (target.role === role) return;
    if (role === 'member' && members.filter((m) => m.role === 'admin').length === 1) {
      throw badRequest('LAST_ADMIN', 'A group needs an admin: make someone else admin first.');
    }
    change.changedMembers.push(await repo.updateMember(tx, target.id, { role }));
    change.notes.push(
      await insertSystemMessage(
        tx,
        room,
        role === 'admin' ? `${who(actor)} made ${who(target)} an admin` : `${who(actor)} made ${who(target)} a member, no longer an admin`,
      ),
    );
  });
}

/**
 * Leaving (anyone). When the last admin leaves, the longest-standing member
 * who stays becomes admin in the same transaction; under the group's lock two
 * admins leaving at once see each other's leave, so exactly one promotion
 * happens.
 */
export async function leaveGroup(ctx: AppContext, user: UserRow, roomId: string): Promise<void> {
  await changeGroup(ctx, user, roomId, async (tx, room, actor, members, change) => {
    change.changedMembers.push(await repo.updateMember(tx, actor.id, { removedAt: new Date(), role: 'member' }));
    change.removed.push({ userId: user.id, reason: 'left' });
    change.notes.push(await insertSystemMessage(tx, room, `${who(actor)} left`));
    const staying = members.filter((m) => m.id !== actor.id);
    if (staying.length > 0 && !staying.some((m) => m.role === 'admin')) {
      const heir = staying[0]!;
      change.changedMembers.push(await repo.updateMember(tx, heir.id, { role: 'admin' }));
      change.notes.push(await insertSystemMessage(tx, room, `${who(heir)} is now an admin`));
    }
  });
}

/**
 * The group's photo (SPEC §4): an image of any common type, its type decided
 * by its content, resized to WebP like a profile photo; `null` removes it.
 * Whoever may edit the group's info may change it; a system message says so.
 */
export async function setGroupAvatar(ctx: AppContext, user: UserRow, roomId: string, data: Buffer | null) {
  requireInboxUser(user);
  let key: string | null = null;
  if (data) {
    await ctx.limits.consume('avatarUpload', user.id);
    const image = await processAvatar(data);
    key = newAvatarKey(roomId);
    await ctx.storage.put(key, image);
  }
  let previous: string | null = null;
  try {
    const detail = await changeGroup(ctx, user, roomId, async (tx, room, actor, _members, change) => {
      if (!allowed(permissionsOf(room).editInfo, actor)) throw forbidden('Only admins can change the group’s photo.');
      previous = room.avatarKey;
      if (previous === key) return;
      await updateRoom(tx, room.id, { avatarKey: key });
      change.roomChanged = true;
      change.notes.push(await insertSystemMessage(tx, room, key ? `${who(actor)} changed the group photo` : `${who(actor)} removed the group photo`));
    });
    if (previous && previous !== key) await ctx.storage.delete(previous).catch((err: unknown) => ctx.log.warn({ err }, 'old group photo not deleted'));
    return detail;
  } catch (err) {
    // Refused or failed: the new file is not kept.
    if (key) await ctx.storage.delete(key).catch(() => undefined);
    throw err;
  }
}
