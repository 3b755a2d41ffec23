import { timingSafeEqual } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import {
  checkUsername,
  chatSettingsSchema,
  type ChatView,
  type CreateChatBody,
  type JoinBody,
  type UpdateChatBody,
  type createChatBodySchema,
} from '@chatpop/protocol';
import type { z } from 'zod';
import type { AppContext } from '../../context';
import { AppError, badRequest, conflict } from '../../errors';
import { uniqueViolation } from '../../db/errors';
import type { MemberRow, RoomRow, UserRow } from '../../db/schema';
import { hideFromBlockers } from '../contacts/hiding';
import { sendMessage } from '../messages/service';
import { requireNotBanned } from '../moderation/bans';
import { claim, countAnonymousFromIp, lockRoomIp, type Identity } from '../usernames/repo';
import { checkJoinName } from '../usernames/service';
import { newAccessCode, newChatCode } from './codes';
import type { ChatAccess, Viewer } from './policy';
import * as repo from './repo';
import { toMember } from './views';

const CODE_ATTEMPTS = 5;

export { toMember };

export async function chatViews(ctx: AppContext, rooms: RoomRow[], hostView: (room: RoomRow) => boolean): Promise<ChatView[]> {
  const ids = rooms.map((r) => r.id);
  const [counts, hosts, online] = await Promise.all([
    repo.countMembers(ctx.db, ids),
    repo.hostUsernames(ctx.db, [...new Set(rooms.map((r) => r.hostUserId).filter((id): id is string => Boolean(id)))]),
    Promise.all(ids.map((id) => ctx.presence.online(id).then((o) => o.length).catch(() => 0))),
  ]);
  return rooms.map((room, i) => ({
    roomId: room.id,
    code: room.code!,
    name: room.name,
    description: room.description,
    access: room.isPrivate ? 'private' : 'public',
    host: { username: room.hostUserId ? (hosts.get(room.hostUserId) ?? null) : null },
    settings: room.settings,
    memberCount: counts.get(room.id) ?? 0,
    onlineCount: online[i] ?? 0,
    lastSeq: room.lastSeq,
    createdAt: room.createdAt.toISOString(),
    endedAt: room.endedAt?.toISOString() ?? null,
    ...(hostView(room) && room.accessCode ? { accessCode: room.accessCode } : {}),
  }));
}

export async function chatView(ctx: AppContext, room: RoomRow, forHost: boolean): Promise<ChatView> {
  const [view] = await chatViews(ctx, [room], () => forHost);
  return view!;
}

export async function createChat(ctx: AppContext, host: UserRow, body: z.output<typeof createChatBodySchema>): Promise<RoomRow> {
  const settings = chatSettingsSchema.parse(body.settings);
  const isPrivate = body.access === 'private';
  for (let attempt = 1; ; attempt++) {
    try {
      const room = await ctx.db.transaction(async (tx) => {
        const created = await repo.insertRoom(tx, {
          id: uuidv7(),
          kind: 'pop',
          code: newChatCode(),
          name: body.name,
          description: body.description,
          isPrivate,
          accessCode: isPrivate ? (body.accessCode ?? newAccessCode()) : null,
          settings,
          hostUserId: host.id,
        });
        if (host.username) {
          // A host with a reserved username is in the chat from the start, badge on.
          await repo.insertMember(tx, {
            id: uuidv7(),
            roomId: created.id,
            userId: host.id,
            username: host.username,
            usernameLower: host.username.toLowerCase(),
            role: 'host',
            verified: true,
          });
        }
        return created;
      });
      return room;
    } catch (err) {
      if (uniqueViolation(err) === 'rooms_code_key' && attempt < CODE_ATTEMPTS) continue;
      throw err;
    }
  }
}

function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a.trim().toUpperCase());
  const y = Buffer.from(b.trim().toUpperCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A right access code lets this device read the private chat from now on. */
export async function grantAccess(ctx: AppContext, room: RoomRow, deviceId: string, accessCode: string, ip: string) {
  if (!room.isPrivate || !room.accessCode) return;
  await ctx.limits.consume('accessCode', `${room.id}:${ip}`);
  if (!sameCode(room.accessCode, accessCode)) {
    throw new AppError(403, 'ACCESS_CODE_WRONG', 'That access code is not right.');
  }
  await repo.ensureDevice(ctx.db, deviceId);
  await repo.insertGrant(ctx.db, room.id, deviceId);
}

export interface Joined {
  member: MemberRow;
  token: string;
  created: boolean;
}

/**
 * The rules of a join (SPEC §2.2), before anything is written. A returning
 * user or device gets its participation back. A signed-in user joins with
 * their reserved username unless they pass a name they rolled; a visitor only
 * with a name rolled for their device within the hour, or one their device
 * already holds from other chats. Returns the name to claim.
 */
export async function checkJoin(ctx: AppContext, access: ChatAccess, viewer: Viewer, body: JoinBody): Promise<{ username: string; identity: Identity }> {
  const { room } = access;
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  const user = viewer.user;
  if (!user && !viewer.deviceId) throw badRequest('BAD_REQUEST', 'Your browser did not keep our cookie. Allow cookies and try again.');
  const requested = body.username ?? user?.username ?? '';
  if (requested.trim() === '') {
    throw badRequest(
      'USERNAME_INVALID',
      user ? 'Roll the dice for a name, or reserve a username in your account first.' : 'Roll the dice for your name first.',
      { rule: 'required' },
    );
  }
  const check = checkUsername(requested);
  if (!check.ok) throw badRequest('USERNAME_INVALID', check.message!, { rule: check.rule });
  const identity: Identity = user ? { userId: user.id, deviceId: viewer.deviceId } : { deviceId: viewer.deviceId! };
  const lower = check.username.toLowerCase();
  if (!(user && user.usernameLower === lower)) await checkJoinName(ctx, identity, lower);
  return { username: check.username, identity };
}

/**
 * Joins: in one transaction, the per-IP allowance of new anonymous names
 * (returning devices and signed-in users are exempt), the global claim of the
 * name (a race for one name is settled by its primary key: one wins, the other
 * gets 409) and the participation; then the join notice.
 */
export async function join(ctx: AppContext, access: ChatAccess, viewer: Viewer, body: JoinBody, ip: string): Promise<Joined> {
  const { room } = access;
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  // accessChat has refused a banned person already (their participations, account and device); a
  // returning participation gets its token back.
  if (access.member) {
    await noteDevice(ctx, access.member, viewer.deviceId);
    return { member: access.member, token: await tokenFor(ctx, access.member, access.sessionId), created: false };
  }
  // A fresh name is refused from the network of a ban too (SPEC §2.4).
  if (!access.isHost) await requireNotBanned(ctx.db, room, { userId: viewer.user?.id, deviceId: viewer.deviceId, ip, fresh: true });
  const { username, identity } = await checkJoin(ctx, access, viewer, body);
  const user = viewer.user;
  const lower = username.toLowerCase();
  await ctx.limits.consume('joinPerIp', ip);
  const perIp = user ? 0 : await ctx.settings.get('anonymousNamesPerIpPerChat');

  let member: MemberRow;
  try {
    member = await ctx.db.transaction(async (tx) => {
      if (!user) {
        await repo.ensureDevice(tx, viewer.deviceId!);
        await lockRoomIp(tx, room.id, ip);
        if ((await countAnonymousFromIp(tx, room.id, ip)) >= perIp) {
          throw badRequest(
            'ANONYMOUS_LIMIT_REACHED',
            `Only ${perIp} new anonymous ${perIp === 1 ? 'name' : 'names'} can join this chat from one network. Sign in to join.`,
            { limit: perIp },
          );
        }
      }
      if (!(await claim(tx, username, identity))) {
        throw conflict('USERNAME_TAKEN', `Someone else just took ${username}. Roll again for another name.`);
      }
      return repo.insertMember(tx, {
        id: uuidv7(),
        roomId: room.id,
        userId: user?.id ?? null,
        deviceId: user ? null : viewer.deviceId,
        username,
        usernameLower: lower,
        role: user && room.hostUserId === user.id ? 'host' : 'member',
        verified: Boolean(user && user.usernameLower === lower),
        ip,
      });
    });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'members_room_user_key' || constraint === 'members_room_device_key') {
      // The same user or device joined twice at once: the first join stands.
      const existing = await repo.findParticipation(ctx.db, room.id, user ? { userId: user.id } : { deviceId: viewer.deviceId! });
      if (existing) return { member: existing, token: await tokenFor(ctx, existing, access.sessionId), created: false };
    }
    if (constraint !== null) throw conflict('USERNAME_TAKEN', `Someone in this chat is already called ${username}. Roll again for another name.`);
    throw err;
  }
  await noteDevice(ctx, member, viewer.deviceId);
  // The notice is about the new participant: whoever blocked their account does not see it (live, in history, in replay).
  await Promise.all([
    sendMessage(ctx, room, null, { clientId: null, content: `${username} joined`, type: 'system', aboutMemberId: member.id }),
    hideFromBlockers(ctx.db, room, user?.id),
  ]).then(
    ([sent, hideFrom]) => ctx.broadcast.message(room, sent.message, hideFrom),
    (err: unknown) => ctx.log.warn({ err }, 'join notice not sent'),
  );
  return { member, token: await tokenFor(ctx, member, access.sessionId), created: true };
}

/**
 * A signed-in participation remembers the devices it is entered from, so that
 * a ban of it reaches the device's anonymous participation and the other way
 * round (moderation/bans.ts). An anonymous participation is its device already.
 */
export async function noteDevice(ctx: AppContext, member: MemberRow, deviceId: string | null): Promise<void> {
  if (member.userId && deviceId) await repo.noteDevice(ctx.db, member.id, deviceId);
}

/**
 * The chat session token of a participation. A signed-in participation's is
 * bound to the session asking for it (`sessionId`): when that session ends,
 * so does every connection the token opened (docs/security.md).
 */
export function tokenFor(ctx: AppContext, member: MemberRow, sessionId: string | null): Promise<string> {
  if (member.userId !== null && !sessionId) throw new Error('a signed-in participation’s token needs the session it is issued in');
  return ctx.tokens.signChat({ roomId: member.roomId, memberId: member.id, username: member.username, sessionId: member.userId !== null ? sessionId : null });
}

export type { CreateChatBody, UpdateChatBody };
