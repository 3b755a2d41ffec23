import { uuidv7 } from 'uuidv7';
import {
  BAN_DELETE_RECENT_HOURS,
  MODERATION_SETTING_KEYS,
  REACTIONS_PER_MESSAGE_MAX,
  mergeChatSettings,
  type AuditEntry,
  type ChatSettingsPatch,
  type Member,
  type ModerateMemberBody,
  type Reaction,
  type Report,
  type ReportBody,
  type updateChatBodySchema,
} from '@chatpop/protocol';
import type { z } from 'zod';
import { takeDownPins } from '../pins/service';
import type { AppContext } from '../../context';
import { track } from '../../context';
import { AppError, badRequest, forbidden, notFound } from '../../errors';
import type { AuditRow, MemberRow, MessageRow, ReportRow, RoomRow, auditLog } from '../../db/schema';
import type { DbExecutor } from '../../db/client';
import type { StoredMessage } from '../../infra/cache';
import * as chatsRepo from '../chats/repo';
import { reactionViews } from '../contacts/hiding';
import { requireDirectOpen } from '../contacts/policy';
import { newAccessCode } from '../chats/codes';
import { chatView, toMember } from '../chats/service';
import * as messagesRepo from '../messages/repo';
import { announceDeleted, cachePut, reloadMessage, softDeleteMessage, withReplies } from '../messages/service';
import { publicMessage } from '../messages/visibility';
import { checkDeleteMessage, checkModerateMember, requireHostActor, requireModerator, requireParticipant, type RoomActor } from './policy';
import { announceBanMarks, networkOf, personOf, setBanMarks, type BanMarks } from './bans';
import * as repo from './repo';
import { checkParticipation, isModerator } from './rules';
import { moderatorView, selfView } from './views';

// ---- views -------------------------------------------------------------------

export { moderatorView, selfView };

// ---- audit -------------------------------------------------------------------

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    action: row.action,
    actor: row.actorName,
    target: row.targetName,
    messageId: row.messageId,
    details: row.details ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listAudit(ctx: AppContext, actor: RoomActor): Promise<AuditEntry[]> {
  requireModerator(actor);
  return (await repo.listAudit(ctx.db, actor.room.id)).map(toAuditEntry);
}

// ---- participants ------------------------------------------------------------

async function findTarget(ctx: AppContext, room: RoomRow, memberId: string): Promise<MemberRow> {
  const target = await chatsRepo.findMember(ctx.db, memberId);
  if (!target || target.roomId !== room.id) throw notFound('MEMBER_NOT_FOUND', 'That participant is not in this chat.');
  return target;
}

/**
 * Time-out, ban, hide, appoint (SPEC §2.4). Check, then do: the change is
 * written with its audit entry in one transaction, then every node's live
 * connections learn it and the right people are told.
 */
export async function moderateMember(ctx: AppContext, actor: RoomActor, memberId: string, body: ModerateMemberBody): Promise<Member> {
  const target = await findTarget(ctx, actor.room, memberId);
  checkModerateMember(actor, target, body.action);
  // In a pop chat a ban (and its lifting) is of the person, not of one participation.
  if (body.action === 'ban' && actor.room.kind === 'pop') return track(ctx, doBan(ctx, actor, target, 'ban', body.deleteRecent ?? false));
  if (body.action === 'unban' && actor.room.kind === 'pop') return track(ctx, doBan(ctx, actor, target, 'unban', false));
  return track(ctx, doModerate(ctx, actor, target, body));
}

/** Writes an audit-log entry by this actor in `roomId`, within the change's own transaction. */
function audit(tx: DbExecutor, actor: RoomActor, roomId: string, entry: Omit<typeof auditLog.$inferInsert, 'id' | 'roomId' | 'actorMemberId' | 'actorUserId' | 'actorName'>) {
  return repo.insertAudit(tx, {
    id: uuidv7(),
    roomId,
    actorMemberId: actor.member?.id ?? null,
    actorUserId: actor.userId,
    actorName: actor.member?.username ?? (actor.isHost ? 'Host' : null),
    ...entry,
  });
}

async function doModerate(ctx: AppContext, actor: RoomActor, target: MemberRow, body: ModerateMemberBody): Promise<Member> {
  const now = new Date();
  let deleted: MessageRow[] = [];
  const updated = await ctx.db.transaction(async (tx) => {
    let patch: Partial<MemberRow> = {};
    switch (body.action) {
      case 'timeout':
        patch = { mutedUntil: new Date(now.getTime() + body.seconds * 1000) };
        break;
      case 'untimeout':
        patch = { mutedUntil: null };
        break;
      // In a Back Room: that participation only (its chat's bans hold there too, see doBan).
      case 'ban':
        patch = { bannedAt: target.bannedAt ?? now };
        if (body.deleteRecent) deleted = await deleteRecentOf(tx, target.roomId, [target.id]);
        break;
      case 'unban':
        patch = { bannedAt: null };
        break;
      case 'hide':
        patch = { hiddenAt: target.hiddenAt ?? now };
        break;
      case 'unhide':
        patch = { hiddenAt: null };
        break;
      case 'promote':
        patch = { role: 'moderator' };
        break;
      case 'demote':
        patch = { role: 'member' };
        break;
    }
    const row = await repo.updateMember(tx, target.id, patch);
    await audit(tx, actor, target.roomId, {
      action: `member.${body.action}`,
      targetMemberId: target.id,
      targetName: target.username,
      details:
        body.action === 'timeout'
          ? { seconds: body.seconds, until: row.mutedUntil?.toISOString() }
          : body.action === 'ban' && body.deleteRecent
            ? { deletedMessages: deleted.length }
            : null,
    });
    return row;
  });
  await ctx.memberSync.changed(updated);
  await announceRecentDeleted(ctx, actor.room, deleted);
  // SPEC §7: the paid pins of a banned or timed-out participant are taken down.
  if (body.action === 'ban' || body.action === 'timeout') {
    await takeDownPins(ctx, actor.room, { memberId: updated.id }, body.action === 'ban' ? 'banned' : 'timed_out');
  }
  const silent = body.action === 'hide' || body.action === 'unhide';
  const roleChange = body.action === 'promote' || body.action === 'demote';
  ctx.broadcast.member(target.roomId, {
    ...(roleChange ? { everyone: toMember(updated) } : {}),
    ...(silent ? {} : { self: selfView(updated) }),
    mods: moderatorView(updated),
  });
  return moderatorView(updated);
}

/**
 * A ban of a pop chat participant is a ban of the person (docs/decisions.md,
 * "A ban holds against the person"): every participation of theirs in the
 * chat — the account's, each device's anonymous one, the signed-in ones
 * entered from those devices, followed from one to the next — is marked, and
 * the ban names each participation, account, device and network. The host is
 * never among them, and moderators only when the host bans. Lifting it lifts
 * all of that. One transaction with its audit entry; then every live
 * connection of every one of those participations is told and dropped, in
 * the chat and its Back Room, and their paid pins come down.
 */
async function doBan(ctx: AppContext, actor: RoomActor, target: MemberRow, action: 'ban' | 'unban', deleteRecent: boolean): Promise<Member> {
  const room = actor.room;
  const include = (m: MemberRow) => m.role !== 'host' && (actor.isHost || !isModerator(m));
  let deleted: MessageRow[] = [];
  const marks = await ctx.db.transaction(async (tx) => {
    const person = await personOf(tx, room.id, target, include);
    let changed: BanMarks;
    if (action === 'ban') {
      if (person.members.some((m) => !m.bannedAt)) {
        const anonDevices = new Set(person.members.filter((m) => !m.userId).map((m) => m.deviceId));
        await repo.insertBans(tx, [
          ...person.members.map((m) => ({
            id: uuidv7(),
            roomId: room.id,
            memberId: m.id,
            userId: m.userId,
            deviceId: m.userId ? null : m.deviceId,
            ip: networkOf(m.ip),
            createdByMemberId: actor.member?.id ?? null,
          })),
          // The devices its signed-in participations were entered from.
          ...person.deviceIds
            .filter((d) => !anonDevices.has(d))
            .map((deviceId) => ({ id: uuidv7(), roomId: room.id, memberId: target.id, deviceId, createdByMemberId: actor.member?.id ?? null })),
        ]);
      }
      changed = await setBanMarks(tx, room.id, person.members.filter((m) => !m.bannedAt).map((m) => m.id), new Date());
      if (deleteRecent) deleted = await deleteRecentOf(tx, room.id, person.members.map((m) => m.id));
    } else {
      await repo.liftBans(tx, room.id, { memberIds: person.members.map((m) => m.id), userIds: person.userIds, deviceIds: person.deviceIds });
      changed = await setBanMarks(tx, room.id, person.members.filter((m) => m.bannedAt).map((m) => m.id), null);
    }
    await audit(tx, actor, room.id, {
      action: `member.${action}`,
      targetMemberId: target.id,
      targetName: target.username,
      details:
        person.members.length > 1 || deleted.length > 0
          ? { ...(person.members.length > 1 ? { participations: person.members.length } : {}), ...(deleteRecent ? { deletedMessages: deleted.length } : {}) }
          : null,
    });
    return changed;
  });
  await announceBanMarks(ctx, room.id, marks);
  await announceRecentDeleted(ctx, room, deleted);
  const updated = marks.pop.find((m) => m.id === target.id) ?? (await chatsRepo.findMember(ctx.db, target.id))!;
  return moderatorView(updated);
}

/** A ban's "also delete their recent messages", within the ban's transaction. */
function deleteRecentOf(tx: DbExecutor, roomId: string, memberIds: string[]): Promise<MessageRow[]> {
  return messagesRepo.softDeleteRecentOf(tx, roomId, memberIds, new Date(Date.now() - BAN_DELETE_RECENT_HOURS * 3_600_000));
}

/** After the ban commits: each taken-down message is replaced in the cache and the room, and unpinned. */
async function announceRecentDeleted(ctx: AppContext, room: RoomRow, deleted: MessageRow[]): Promise<void> {
  for (const row of deleted.sort((a, b) => a.seq - b.seq)) {
    await announceDeleted(ctx, room, row.id);
    await takeDownPins(ctx, room, { messageId: row.id }, 'deleted');
  }
}

/** The member list; moderators see time-outs, bans and hidden participants. */
export function memberListView(m: MemberRow, forModerator: boolean, selfId: string | null): Member {
  if (forModerator) return moderatorView(m);
  if (m.id === selfId) return selfView(m);
  return toMember(m);
}

// ---- messages ----------------------------------------------------------------

async function findVisibleMessage(ctx: AppContext, room: RoomRow, messageId: string, reader: MemberRow | null): Promise<MessageRow> {
  const row = await messagesRepo.findInRoom(ctx.db, room.id, messageId);
  // A hidden participant's message does not exist for anyone else.
  if (!row || (row.hidden && row.memberId !== reader?.id)) throw notFound('MESSAGE_NOT_FOUND', 'That message is not in this chat.');
  return row;
}

/**
 * Soft delete (SPEC §2.4): the row stays with its seq, its text goes; the
 * cached copy is replaced, and so are the quotes of it in replies.
 */
export async function deleteMessage(ctx: AppContext, actor: RoomActor, messageId: string): Promise<StoredMessage> {
  const row = await findVisibleMessage(ctx, actor.room, messageId, actor.member);
  checkDeleteMessage(actor, row.memberId);
  // Moderators share the host's powers over participants, not over the host's own words.
  if (row.type === 'host' && !actor.isHost && row.memberId !== actor.member?.id) throw forbidden("Only the host can delete the host's messages.");
  return track(ctx, doDelete(ctx, actor, row));
}

async function doDelete(ctx: AppContext, actor: RoomActor, row: MessageRow): Promise<StoredMessage> {
  const room = actor.room;
  const byModerator = row.memberId !== actor.member?.id;
  const message = await softDeleteMessage(ctx, room, row, async (tx) => {
    if (!byModerator) return;
    const author = row.memberId ? await chatsRepo.findMember(tx, row.memberId) : null;
    await audit(tx, actor, room.id, {
      action: 'message.delete',
      targetMemberId: author?.id ?? null,
      targetName: author?.username ?? row.username,
      messageId: row.id,
      details: { seq: row.seq },
    });
  });
  // A deleted message is pinned no more.
  await takeDownPins(ctx, room, { messageId: row.id }, 'deleted');
  return message;
}

/** Adds or removes one emoji of the actor on a message; answers the message's reactions. */
export async function setReaction(ctx: AppContext, actor: RoomActor, messageId: string, emoji: string, on: boolean): Promise<Reaction[]> {
  const member = requireParticipant(actor);
  checkParticipation(member);
  // Each reaction is broadcast to the whole room: limited like messages.
  await ctx.limits.consume('reactionsPerSecond', member.id);
  await ctx.limits.consume('reactionsPerMinute', member.id);
  const row = await findVisibleMessage(ctx, actor.room, messageId, member);
  if (row.deletedAt) throw badRequest('MESSAGE_NOT_FOUND', 'That message was deleted.');
  // A direct conversation closed by a block takes no reactions either.
  await requireDirectOpen(ctx.db, actor.room, member);
  if (on) {
    const present = await repo.distinctEmoji(ctx.db, row.id);
    if (!present.includes(emoji) && present.length >= REACTIONS_PER_MESSAGE_MAX) {
      throw badRequest('REACTION_LIMIT', `A message can carry at most ${REACTIONS_PER_MESSAGE_MAX} different reactions.`);
    }
  }
  if (member.hiddenAt) {
    // A hidden participant's reaction is not shown to anyone else, so it is not kept either.
    const [current] = await withReplies(ctx, [row]);
    return mergeOwnReaction(current!.reactions, member, emoji, on);
  }
  return track(
    ctx,
    (async () => {
      await repo.setReaction(ctx.db, row.id, member.id, emoji, on);
      const message = (await reloadMessage(ctx, actor.room.id, row.id))!;
      await cachePut(ctx, actor.room, message);
      const views = await reactionViews(ctx.db, actor.room, message.reactions);
      ctx.broadcast.reactions(actor.room, message, views);
      // The reactor's own answer is their view too: without the reactions of people they blocked.
      return views.find((v) => v.memberId === member.id)?.reactions ?? message.reactions;
    })(),
  );
}

function mergeOwnReaction(reactions: Reaction[], member: MemberRow, emoji: string, on: boolean): Reaction[] {
  const list = reactions.map((r) => ({ ...r, members: [...r.members] }));
  const existing = list.find((r) => r.emoji === emoji);
  if (on && !existing?.members.some((m) => m.id === member.id)) {
    if (existing) {
      existing.count++;
      existing.members.push({ id: member.id, username: member.username });
    } else list.push({ emoji, count: 1, members: [{ id: member.id, username: member.username }] });
  }
  return list;
}

// ---- reports -----------------------------------------------------------------

export function toReport(row: ReportRow, extra: { reporter?: { id: string; username: string }; message?: StoredMessage } = {}): Report {
  return {
    id: row.id,
    roomId: row.roomId,
    messageId: row.messageId,
    reason: row.reason,
    note: row.note,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    ...(extra.reporter ? { reporter: extra.reporter } : {}),
    ...(extra.message ? { message: publicMessage(extra.message) } : {}),
  };
}

/** Any participant may report a message (SPEC §2.4); it reaches the host's and moderators' queue at once. */
export async function reportMessage(ctx: AppContext, actor: RoomActor, messageId: string, body: ReportBody): Promise<{ report: Report; created: boolean }> {
  const member = requireParticipant(actor);
  const row = await findVisibleMessage(ctx, actor.room, messageId, member);
  if (row.memberId === member.id) throw badRequest('BAD_REQUEST', 'You cannot report your own message.');
  const { report, created } = await track(
    ctx,
    repo.insertReport(ctx.db, { id: uuidv7(), roomId: actor.room.id, messageId: row.id, reporterMemberId: member.id, reason: body.reason, note: body.note || null }),
  );
  if (created) {
    const [message] = await withReplies(ctx, [row]);
    ctx.broadcast.report(actor.room.id, toReport(report, { reporter: { id: member.id, username: member.username }, message: message! }));
  }
  return { report: toReport(report), created };
}

export async function listReports(ctx: AppContext, actor: RoomActor, status: 'open' | 'all'): Promise<Report[]> {
  requireModerator(actor);
  const rows = await repo.listReports(ctx.db, actor.room.id, status === 'open');
  const messageRows = await messagesRepo.findByIds(ctx.db, [...new Set(rows.map((r) => r.report.messageId))]);
  const messages = new Map((await withReplies(ctx, messageRows)).map((m) => [m.id, m]));
  return rows.map((r) => toReport(r.report, { reporter: r.reporter, message: messages.get(r.report.messageId) }));
}

export async function resolveReport(ctx: AppContext, actor: RoomActor, reportId: string, status: 'dismissed' | 'actioned'): Promise<Report> {
  requireModerator(actor);
  const report = await repo.findReport(ctx.db, actor.room.id, reportId);
  if (!report) throw notFound('REPORT_NOT_FOUND', 'That report is not in this chat.');
  return track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const row = await repo.updateReport(tx, report.id, { status, resolvedAt: new Date(), resolvedByMemberId: actor.member?.id ?? null });
      await audit(tx, actor, actor.room.id, {
        action: `report.${status}`,
        messageId: report.messageId,
        details: { reportId: report.id, reason: report.reason },
      });
      return toReport(row);
    }),
  );
}

// ---- the room ----------------------------------------------------------------

/**
 * Settings changes (SPEC §2.1, §2.4): the host changes anything, a moderator
 * only slow mode, blocked terms, lock and lockdown.
 */
export function checkUpdateSettings(actor: RoomActor, body: z.output<typeof updateChatBodySchema>): void {
  if (actor.isHost) return;
  requireModerator(actor);
  const onlyModeration =
    body.name === undefined &&
    body.description === undefined &&
    body.access === undefined &&
    body.accessCode === undefined &&
    Object.keys(body.settings ?? {}).every((k) => (MODERATION_SETTING_KEYS as readonly string[]).includes(k));
  if (!onlyModeration) throw forbidden('Only the host can change that. Moderators can change slow mode, blocked terms, lock and lockdown.');
}

export async function updateSettings(ctx: AppContext, actor: RoomActor, body: z.output<typeof updateChatBodySchema>): Promise<RoomRow> {
  checkUpdateSettings(actor, body);
  if (actor.room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  const room = actor.room;
  const settings = body.settings ? mergeChatSettings(room.settings, body.settings) : room.settings;
  const isPrivate = body.access ? body.access === 'private' : room.isPrivate;
  const accessCode = isPrivate ? (body.accessCode ?? room.accessCode ?? newAccessCode()) : null;
  const updated = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const row = await chatsRepo.updateRoom(tx, room.id, {
        name: body.name ?? room.name,
        description: body.description ?? room.description,
        isPrivate,
        accessCode,
        settings,
      });
      await audit(tx, actor, room.id, {
        action: settingsAction(body.settings),
        details: changedFields(room, row, body.settings),
      });
      return row;
    }),
  );
  await afterRoomChange(ctx, updated);
  return updated;
}

function settingsAction(patch: ChatSettingsPatch | undefined): string {
  if (patch?.lockdown?.active !== undefined && Object.keys(patch).length === 1) return patch.lockdown.active ? 'chat.lockdown_on' : 'chat.lockdown_off';
  if (patch?.locked !== undefined && Object.keys(patch).length === 1) return patch.locked ? 'chat.lock' : 'chat.unlock';
  return 'settings.update';
}

function changedFields(before: RoomRow, after: RoomRow, patch: ChatSettingsPatch | undefined): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (before.name !== after.name) changes.name = after.name;
  if (before.description !== after.description) changes.description = after.description;
  if (before.isPrivate !== after.isPrivate) changes.access = after.isPrivate ? 'private' : 'public';
  if (before.accessCode !== after.accessCode && after.accessCode) changes.accessCode = 'changed';
  for (const key of Object.keys(patch ?? {}) as (keyof ChatSettingsPatch)[]) {
    if (JSON.stringify(before.settings[key]) !== JSON.stringify(after.settings[key])) changes[key] = after.settings[key];
  }
  return changes;
}

/** Every node drops its copy of the room; every reader gets the new public view. */
async function afterRoomChange(ctx: AppContext, room: RoomRow) {
  await ctx.rooms.changed(room.id);
  ctx.broadcast.room(room.id, await chatView(ctx, room, false));
}

/** Ends the chat for good: read-only for everyone, the host included. */
export async function endChat(ctx: AppContext, actor: RoomActor): Promise<RoomRow> {
  requireHostActor(actor);
  if (actor.room.endedAt) return actor.room;
  const updated = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const row = await chatsRepo.updateRoom(tx, actor.room.id, { endedAt: new Date() });
      await audit(tx, actor, actor.room.id, { action: 'chat.end' });
      return row;
    }),
  );
  await afterRoomChange(ctx, updated);
  return updated;
}

/** A new access code for a private chat; devices that already gave the old one keep their access (docs/decisions.md). */
export async function rotateAccessCode(ctx: AppContext, actor: RoomActor): Promise<RoomRow> {
  requireHostActor(actor);
  if (!actor.room.isPrivate) throw badRequest('BAD_REQUEST', 'A public chat has no access code. Make it private first.');
  const updated = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const row = await chatsRepo.updateRoom(tx, actor.room.id, { accessCode: newAccessCode() });
      await audit(tx, actor, actor.room.id, { action: 'access_code.rotate' });
      return row;
    }),
  );
  await ctx.rooms.changed(updated.id);
  return updated;
}
