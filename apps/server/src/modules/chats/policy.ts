import type { AppContext } from '../../context';
import { AppError, notFound } from '../../errors';
import type { MemberRow, RoomRow, UserRow } from '../../db/schema';
import { banStanding, bannedError, holdBan } from '../moderation/bans';
import * as repo from './repo';

export interface Viewer {
  user: UserRow | null;
  deviceId: string | null;
  /** The signed-in user's session: a chat session token issued to them is bound to it. */
  sessionId?: string | null;
}

export interface ChatAccess {
  room: RoomRow;
  isHost: boolean;
  /** This viewer's own participation (dual sessions: no fallback between user and device). */
  member: MemberRow | null;
  canRead: boolean;
  /** The viewer's session, when signed in (see Viewer). */
  sessionId: string | null;
}

/**
 * The one way to reach a pop chat over HTTP (STYLE §4). A banned person gets
 * 403 BANNED on every route. A private chat answers 403 PRIVATE_CHAT, and says
 * nothing else about itself, until the viewer is its host, a member, or a
 * device that gave the access code.
 */
export async function accessChat(ctx: AppContext, code: string, viewer: Viewer, opts: { requireRead?: boolean } = {}): Promise<ChatAccess> {
  const room = /^[0-9A-Z]{8}$/.test(code) ? await ctx.rooms.byCode(code) : undefined;
  if (!room || room.kind !== 'pop') throw notFound('CHAT_NOT_FOUND', 'There is no chat with that link.');
  const isHost = viewer.user !== null && room.hostUserId === viewer.user.id;
  const member = viewer.user
    ? await repo.findParticipation(ctx.db, room.id, { userId: viewer.user.id })
    : viewer.deviceId
      ? await repo.findParticipation(ctx.db, room.id, { deviceId: viewer.deviceId })
      : undefined;
  if (!isHost) {
    // The one ban policy (moderation/bans.ts): a banned person reaches nothing of the chat, whatever they sign in or out as.
    const person = { member, userId: viewer.user?.id ?? null, deviceId: viewer.deviceId };
    const standing = await banStanding(ctx.db, room, person);
    if (standing.banned) {
      await holdBan(ctx, room, standing.ban, person);
      throw bannedError();
    }
  }
  let canRead = !room.isPrivate || isHost || Boolean(member);
  if (!canRead && viewer.deviceId) canRead = await repo.hasGrant(ctx.db, room.id, viewer.deviceId);
  if (opts.requireRead !== false && !canRead) {
    throw new AppError(403, 'PRIVATE_CHAT', 'This chat is private. Enter its access code to see it.');
  }
  return { room, isHost, member: member ?? null, canRead, sessionId: viewer.user ? (viewer.sessionId ?? null) : null };
}

export function requireHost(access: ChatAccess): void {
  if (!access.isHost) throw new AppError(403, 'FORBIDDEN', 'Only the host can change this chat.');
}
