import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../../context';
import type { DbExecutor } from '../../db/client';
import type { BanRow, MemberRow, RoomRow } from '../../db/schema';
import { AppError } from '../../errors';
import { takeDownPins } from '../pins/service';
import * as repo from './repo';
import { isModerator } from './rules';
import { moderatorView, selfView } from './views';

/**
 * An address that names the visitor's network. A loopback address is the
 * server's own proxy (the web app's /api rewrite without a front proxy that
 * sets X-Forwarded-For): banning it would ban every newcomer, so it is not
 * used (docs/decisions.md).
 */
export function networkOf(ip: string | null | undefined): string | null {
  if (!ip) return null;
  if (/^(127\.|::1$|::ffff:127\.)/.test(ip)) return null;
  return ip;
}

export const bannedError = () => new AppError(403, 'BANNED', 'You have been banned from this chat.');

/**
 * Who is asking, as far as a ban is concerned: the participation acting (if
 * any), the signed-in account and the device of the request, and, for a new
 * participation only, its network.
 */
export interface Person {
  member?: MemberRow | null;
  userId?: string | null;
  deviceId?: string | null;
  /** Counted only when `fresh`: a network ban refuses new names, never someone already in the chat. */
  ip?: string | null;
  fresh?: boolean;
}

export type BanStanding = { banned: false } | { banned: true; ban: BanRow | null };

const GOOD: BanStanding = { banned: false };

/** Bans are kept on the pop chat; a Back Room shares its chat's. */
export const banScopeOf = (room: Pick<RoomRow, 'id' | 'kind' | 'parentRoomId'>) => (room.kind === 'backroom' && room.parentRoomId ? room.parentRoomId : room.id);

const present = <T>(values: (T | null | undefined)[]): T[] => [...new Set(values.filter((v): v is T => v !== null && v !== undefined))];

/**
 * The one ban policy (SPEC §2.4; docs/security.md, "Bans"): whether this
 * person is banned from the chat. A ban holds against the person — every
 * participation of theirs in the chat, their devices, their account — and,
 * for a new participation, the network it comes from. The host is never
 * banned; a moderator only by a ban of their own participation, which only
 * the host can make.
 *
 * Consulted by every way into a chat: `accessChat` (every HTTP route of the
 * chat, its Back Room and its money included), joins and re-joins, the
 * socket's `room:join`, and each payment's fulfilment (payments/policy.ts).
 * A live connection
 * carries its participation's row, which member sync keeps in step on every
 * node, so a send, a reaction or a typing event sees a ban at once.
 */
export async function banStanding(db: DbExecutor, room: Pick<RoomRow, 'id' | 'kind' | 'parentRoomId' | 'hostUserId'>, person: Person): Promise<BanStanding> {
  const { member } = person;
  if (member?.role === 'host') return GOOD;
  if (room.hostUserId && (person.userId === room.hostUserId || member?.userId === room.hostUserId)) return GOOD;
  if (member && isModerator(member)) return member.bannedAt ? { banned: true, ban: null } : GOOD;
  const [ban] = await repo.findActiveBans(db, banScopeOf(room), {
    memberIds: present([member?.id]),
    userIds: present([person.userId, member?.userId]),
    // An anonymous participation is its device; a signed-in one names its devices in participation_devices.
    deviceIds: present([person.deviceId, member && !member.userId ? member.deviceId : null]),
    ips: person.fresh ? present([networkOf(person.ip)]) : [],
  });
  if (ban) return { banned: true, ban };
  return member?.bannedAt ? { banned: true, ban: null } : GOOD;
}

/** `banStanding`, refusing a banned person with 403 `BANNED`. */
export async function requireNotBanned(db: DbExecutor, room: Pick<RoomRow, 'id' | 'kind' | 'parentRoomId' | 'hostUserId'>, person: Person): Promise<void> {
  if ((await banStanding(db, room, person)).banned) throw bannedError();
}

/**
 * A banned person seen with what the ban does not name yet — the account
 * signed in on a banned device, a banned account on a new device — is the
 * same person: the ban takes those in (so signing out, or another browser,
 * does not get them back in), and the participation they came with is marked
 * banned and dropped from the room like the rest. Never the host, never a
 * moderator (only the host bans one, by name).
 */
export async function holdBan(ctx: AppContext, room: RoomRow, ban: BanRow | null, person: Person): Promise<void> {
  const { member } = person;
  if (member && (member.role === 'host' || isModerator(member))) return;
  if (room.hostUserId && person.userId === room.hostUserId) return;
  const scope = banScopeOf(room);
  const userId = person.userId ?? null;
  const deviceId = person.deviceId ?? null;
  const named = await repo.findActiveBans(ctx.db, scope, { userIds: present([userId]), deviceIds: present([deviceId]) }, 50);
  const rows = [];
  if (userId && !named.some((b) => b.userId === userId)) rows.push({ userId });
  if (deviceId && !named.some((b) => b.deviceId === deviceId)) rows.push({ deviceId });
  await repo.insertBans(
    ctx.db,
    rows.map((r) => ({
      id: uuidv7(),
      roomId: scope,
      memberId: ban?.memberId ?? member?.id ?? null,
      createdByMemberId: ban?.createdByMemberId ?? null,
      ...r,
    })),
  );
  if (member && !member.bannedAt) await announceBanMarks(ctx, scope, await setBanMarks(ctx.db, scope, [member.id], new Date()));
}

/** How many hops personOf follows from account to device to account; a person rarely needs more than two. */
const PERSON_HOPS = 5;

export interface PersonInChat {
  members: MemberRow[];
  userIds: string[];
  deviceIds: string[];
}

/**
 * The person behind a participation: its account or device; every
 * participation in the chat of those accounts and devices (a device's
 * anonymous one, and signed-in ones entered from it); and theirs in turn.
 * `include` keeps out who may not be reached (the host; moderators unless the
 * host acts), and so also what only they would lead to.
 */
export async function personOf(db: DbExecutor, roomId: string, seed: MemberRow, include: (m: MemberRow) => boolean): Promise<PersonInChat> {
  const found = new Map<string, MemberRow>([[seed.id, seed]]);
  const userIds = new Set<string>();
  const deviceIds = new Set<string>();
  const absorb = async (rows: MemberRow[]) => {
    for (const m of rows) {
      if (m.userId) userIds.add(m.userId);
      else if (m.deviceId) deviceIds.add(m.deviceId);
    }
    for (const d of await repo.devicesOf(db, rows.filter((m) => m.userId).map((m) => m.id))) deviceIds.add(d);
  };
  let frontier: MemberRow[] = [seed];
  for (let hop = 0; hop < PERSON_HOPS && frontier.length > 0; hop++) {
    await absorb(frontier);
    const rows = await repo.participationsOf(db, roomId, [...userIds], [...deviceIds]);
    frontier = rows.filter((m) => !found.has(m.id) && include(m));
    for (const m of frontier) found.set(m.id, m);
  }
  await absorb(frontier);
  return { members: [...found.values()], userIds: [...userIds], deviceIds: [...deviceIds] };
}

/** Participations whose ban mark changed: a pop chat's, and the same people's in its Back Room. */
export interface BanMarks {
  pop: MemberRow[];
  backroom: MemberRow[];
}

/**
 * Marks participations of a pop chat banned (or lifts it, with `null`), and
 * the same people's Back Room participations with them, inside the caller's
 * transaction. `announceBanMarks` tells everyone after the commit.
 */
export async function setBanMarks(db: DbExecutor, popRoomId: string, memberIds: string[], bannedAt: Date | null): Promise<BanMarks> {
  const pop = await repo.setBanned(db, memberIds, bannedAt);
  const backroom: MemberRow[] = [];
  for (const m of pop) {
    const seat = await repo.backroomParticipationOf(db, popRoomId, m);
    if (seat) backroom.push(...(await repo.setBanned(db, [seat.id], bannedAt)));
  }
  return { pop, backroom };
}

/**
 * After the commit: every node's live connections of each participation learn
 * the change (a ban drops them out of the room at once), each is told, the
 * moderators see it, and a banned participant's paid pins come down (SPEC §7).
 */
export async function announceBanMarks(ctx: AppContext, popRoomId: string, marks: BanMarks): Promise<void> {
  for (const m of [...marks.pop, ...marks.backroom]) {
    await ctx.memberSync.changed(m);
    ctx.broadcast.member(m.roomId, { self: selfView(m), mods: moderatorView(m) });
  }
  const pop = marks.pop.some((m) => m.bannedAt) ? await ctx.rooms.byRoomId(popRoomId) : undefined;
  if (pop) for (const m of marks.pop) await takeDownPins(ctx, pop, { memberId: m.id }, 'banned');
}
