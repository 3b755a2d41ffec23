import {
  chatSettingsSchema,
  groupPermissionsSchema,
  PREVIEW_MAX_CHARS,
  type ConversationDetail,
  type ConversationMember,
  type ConversationSummary,
  type InboxUnreadPayload,
  type Person,
} from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { MessageRow, RoomRow, UserRow } from '../../db/schema';
import { avatarUrl } from '../auth/service';
import { pinnedFor } from './reader';
import * as repo from './repo';

/** "Muted until unmuted" is stored as a time no one will reach; summaries show it as `mutedUntil: null`. */
export const MUTED_FOREVER = new Date('9999-12-31T00:00:00.000Z');

const person = (p: repo.PersonRow): Person => ({
  userId: p.userId,
  username: p.username,
  displayName: p.displayName,
  avatarUrl: avatarUrl(p.avatarKey),
});

function summaryOf(r: repo.ConversationRow, preview: repo.PersonRow[], last: MessageRow | undefined, now: number): ConversationSummary {
  const { room, member } = r;
  const peer = room.kind === 'direct' ? preview[0] : undefined;
  const mutedUntil = member.notificationsMutedUntil && member.notificationsMutedUntil.getTime() > now ? member.notificationsMutedUntil : null;
  return {
    id: room.id,
    kind: room.kind as ConversationSummary['kind'],
    name: room.kind === 'direct' ? (peer ? (peer.displayName ?? peer.username) : 'Conversation') : room.name,
    avatarUrl: room.kind === 'direct' ? avatarUrl(peer?.avatarKey ?? null) : avatarUrl(room.avatarKey),
    description: room.description,
    members: preview.map(person),
    memberCount: r.memberCount,
    lastMessage: last
      ? {
          id: last.id,
          seq: last.seq,
          type: last.type,
          memberId: last.memberId,
          username: last.username,
          mine: last.memberId !== null && last.memberId === member.id,
          content: last.deletedAt ? '' : last.content.slice(0, PREVIEW_MAX_CHARS),
          deleted: last.deletedAt !== null,
          createdAt: last.createdAt.toISOString(),
        }
      : null,
    lastSeq: room.lastSeq,
    lastActivityAt: r.activity.toISOString(),
    unreadCount: r.unread,
    markedUnread: member.markedUnreadAt !== null,
    mentionCount: r.mentions,
    muted: mutedUntil !== null,
    mutedUntil: mutedUntil && mutedUntil.getTime() < MUTED_FOREVER.getTime() ? mutedUntil.toISOString() : null,
    archived: member.archivedAt !== null,
    pinned: member.pinnedAt !== null,
    myRole: member.role === 'admin' ? 'admin' : 'member',
    myMemberId: member.id,
    readSeq: member.lastReadSeq,
    deliveredSeq: member.lastDeliveredSeq,
    createdAt: room.createdAt.toISOString(),
  };
}

/** List rows → the summaries the user sees: three queries for a page, never one per conversation. */
export async function toSummaries(ctx: Pick<AppContext, 'db'>, userId: string, rows: repo.ConversationRow[]): Promise<ConversationSummary[]> {
  const ids = rows.map((r) => r.room.id);
  const [previews, lasts] = await Promise.all([
    repo.previewMembers(ctx.db, ids, userId),
    repo.lastMessages(ctx.db, rows.map((r) => r.member.id)),
  ]);
  const now = Date.now();
  return rows.map((r) => summaryOf(r, previews.get(r.room.id) ?? [], lasts.get(r.room.id), now));
}

/** One conversation's summary as `userId` sees it, or null when they are not in it. */
export async function summaryFor(ctx: Pick<AppContext, 'db'>, userId: string, roomId: string): Promise<ConversationSummary | null> {
  const rows = await repo.listForUser(ctx.db, userId, { ids: [roomId] });
  const [summary] = await toSummaries(ctx, userId, rows);
  return summary ?? null;
}

/**
 * Whose read watermark `viewer` may see (SPEC §4, privacy both ways): their
 * own always; nobody else's when the viewer hides read receipts; never that
 * of someone who hides theirs.
 */
type Privacy = Pick<repo.PersonRow, 'userId' | 'hideReadReceipts'>;
export function readSeqVisible(viewer: Privacy, of: Privacy): boolean {
  return of.userId === viewer.userId || (!viewer.hideReadReceipts && !of.hideReadReceipts);
}

export async function detailFor(ctx: Pick<AppContext, 'db' | 'settings'>, viewer: UserRow, room: RoomRow): Promise<ConversationDetail | null> {
  const [summary, people, editWindowSeconds] = await Promise.all([
    summaryFor(ctx, viewer.id, room.id),
    repo.membersOf(ctx.db, room.id),
    ctx.settings.get('messageEditWindowSeconds'),
  ]);
  if (!summary) return null;
  const members: ConversationMember[] = people.map((p) => ({
    ...person(p),
    memberId: p.memberId,
    role: p.role === 'admin' ? 'admin' : 'member',
    joinedAt: p.joinedAt.toISOString(),
    readSeq: readSeqVisible({ userId: viewer.id, hideReadReceipts: viewer.hideReadReceipts }, p) ? p.lastReadSeq : null,
    deliveredSeq: p.lastDeliveredSeq,
  }));
  const settings = chatSettingsSchema.parse(room.settings ?? {});
  return {
    ...summary,
    members,
    permissions: room.kind === 'group' ? groupPermissionsSchema.parse(room.settings?.permissions ?? {}) : null,
    theme: settings.theme,
    pinnedMessage: await pinnedFor(ctx, room.id, summary.myMemberId),
    editWindowSeconds,
  };
}

export async function inboxTotals(ctx: Pick<AppContext, 'db'>, userId: string): Promise<InboxUnreadPayload> {
  const t = await repo.totalsForUser(ctx.db, userId);
  return { unread: t.unread, unreadConversations: t.unreadConversations, mentions: t.mentions };
}
