import { and, count, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { chatSettingsSchema, type BackroomEntry, type BackroomMembers, type BackroomState } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { DbExecutor, Tx } from '../../db/client';
import { members, rooms, seats, type MemberRow, type PaymentRow, type RoomRow } from '../../db/schema';
import { AppError } from '../../errors';
import type { ChatAccess } from '../chats/policy';
import * as chatsRepo from '../chats/repo';
import { toMember, tokenFor } from '../chats/service';
import { selfView } from '../moderation/service';

/** The Back Room of a pop chat (SPEC §2.5): a room of kind `backroom` with the pop chat as parent, made on first need. */
export async function ensureBackroom(ctx: AppContext, pop: RoomRow, db: DbExecutor = ctx.db): Promise<RoomRow> {
  const found = await findBackroom(db, pop.id);
  if (found) return found;
  await db
    .insert(rooms)
    .values({
      id: uuidv7(),
      kind: 'backroom',
      code: null,
      name: `${pop.name} · Back Room`,
      description: '',
      isPrivate: true,
      // Its own settings (no slow mode, lockdown or lock carried over), in the chat's theme.
      settings: chatSettingsSchema.parse({ theme: pop.settings.theme }),
      hostUserId: pop.hostUserId,
      parentRoomId: pop.id,
    })
    .onConflictDoNothing();
  return (await findBackroom(db, pop.id))!;
}

export async function findBackroom(db: DbExecutor, popId: string): Promise<RoomRow | undefined> {
  const [row] = await db
    .select()
    .from(rooms)
    .where(and(eq(rooms.parentRoomId, popId), eq(rooms.kind, 'backroom')))
    .limit(1);
  return row;
}

/** Seats sold plus seats held by pending payments that have not run out. */
export async function seatsTaken(db: DbExecutor, popId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(seats)
    .where(and(eq(seats.roomId, popId), or(eq(seats.status, 'active'), and(eq(seats.status, 'held'), sql`${seats.heldUntil} > now()`))));
  return Number(row?.n ?? 0);
}

export async function liveSeat(db: DbExecutor, popId: string, memberId: string) {
  const [row] = await db
    .select()
    .from(seats)
    .where(and(eq(seats.roomId, popId), eq(seats.memberId, memberId), inArray(seats.status, ['held', 'active'])))
    .limit(1);
  return row;
}

/** Fulfilment of a seat: the hold becomes a seat and the payer a member of the Back Room (again, after a refund). */
export async function activateSeat(ctx: AppContext, tx: Tx, pop: RoomRow, payment: PaymentRow, payer: MemberRow): Promise<MemberRow> {
  await tx
    .update(seats)
    .set({ status: 'active', activatedAt: new Date() })
    .where(and(eq(seats.paymentId, payment.id), eq(seats.status, 'held')));
  const room = await ensureBackroom(ctx, pop, tx);
  return joinBackroom(tx, room, payer, 'member');
}

/** The Back Room participation of a pop chat participant, under the same identity and name. */
async function joinBackroom(db: DbExecutor, room: RoomRow, pop: MemberRow, role: MemberRow['role']): Promise<MemberRow> {
  const existing = await chatsRepo.findParticipation(db, room.id, pop.userId ? { userId: pop.userId } : { deviceId: pop.deviceId! });
  if (existing) {
    if (!existing.removedAt) return existing;
    const [back] = await db.update(members).set({ removedAt: null }).where(eq(members.id, existing.id)).returning();
    return back!;
  }
  const [row] = await db
    .insert(members)
    .values({
      id: uuidv7(),
      roomId: room.id,
      userId: pop.userId,
      deviceId: pop.userId ? null : pop.deviceId,
      username: pop.username,
      usernameLower: pop.usernameLower,
      role,
      verified: pop.verified,
    })
    .returning();
  return row!;
}

export async function releaseSeats(tx: Tx, paymentIds: string[]) {
  await tx
    .update(seats)
    .set({ status: 'released', endedAt: new Date() })
    .where(and(inArray(seats.paymentId, paymentIds), eq(seats.status, 'held')));
}

/** A refunded seat: revoked, and the Back Room participation removed. Returns it, to drop its connections. */
export async function revokeSeat(tx: Tx, payment: PaymentRow): Promise<MemberRow | null> {
  const [seat] = await tx
    .update(seats)
    .set({ status: 'revoked', endedAt: new Date() })
    .where(and(eq(seats.paymentId, payment.id), eq(seats.status, 'active')))
    .returning();
  if (!seat) return null;
  const pop = await chatsRepo.findMember(tx, seat.memberId);
  const room = await findBackroom(tx, payment.roomId);
  if (!pop || !room) return null;
  const member = await chatsRepo.findParticipation(tx, room.id, pop.userId ? { userId: pop.userId } : { deviceId: pop.deviceId! });
  if (!member) return null;
  const [removed] = await tx.update(members).set({ removedAt: new Date() }).where(eq(members.id, member.id)).returning();
  return removed ?? null;
}

export async function broadcastSeats(ctx: AppContext, pop: RoomRow) {
  const taken = await seatsTaken(ctx.db, pop.id);
  const limit = pop.settings.backroom.seatLimit;
  ctx.broadcast.backroom({ roomId: pop.id, seatsTaken: taken, seatLimit: limit, full: taken >= limit });
}

const membersOnly = () => new AppError(403, 'BACKROOM_MEMBERS_ONLY', 'Only Back Room members can see this. Buy a seat to get in.');

/**
 * The one Back Room policy for HTTP (the socket checks the Back Room
 * participation its token names): the host (through their participation in
 * the chat), or a participant with a paid seat whose Back Room participation
 * stands. Everyone else: 403 BACKROOM_MEMBERS_ONLY.
 */
export async function accessBackroom(ctx: AppContext, access: ChatAccess): Promise<{ room: RoomRow; member: MemberRow; isHost: boolean }> {
  const pop = access.member;
  if (access.isHost) {
    if (!pop) throw new AppError(403, 'NOT_A_MEMBER', 'Join your chat first to open its Back Room.');
    const room = await ensureBackroom(ctx, access.room);
    return { room, member: await joinBackroom(ctx.db, room, pop, 'host'), isHost: true };
  }
  if (!pop) throw membersOnly();
  if (pop.bannedAt) throw new AppError(403, 'BANNED', 'You have been banned from this chat.');
  const seat = await liveSeat(ctx.db, access.room.id, pop.id);
  if (!seat || seat.status !== 'active') throw membersOnly();
  const room = await findBackroom(ctx.db, access.room.id);
  if (!room) throw membersOnly();
  const member = await chatsRepo.findParticipation(ctx.db, room.id, pop.userId ? { userId: pop.userId } : { deviceId: pop.deviceId! });
  if (!member || member.removedAt) throw membersOnly();
  if (member.bannedAt) throw new AppError(403, 'BANNED', 'You have been banned from the Back Room.');
  return { room, member, isHost: false };
}

export async function entry(ctx: AppContext, access: ChatAccess): Promise<BackroomEntry> {
  const { room, member } = await accessBackroom(ctx, access);
  return { roomId: room.id, member: selfView(member), token: await tokenFor(ctx, member, access.sessionId) };
}

export async function memberList(ctx: AppContext, access: ChatAccess): Promise<BackroomMembers> {
  if (!access.isHost) {
    // Members learn nothing of each other here; everyone else not even that the list exists.
    await accessBackroom(ctx, access);
    throw new AppError(403, 'FORBIDDEN', 'Only the host can see who is in the Back Room.');
  }
  const { room } = await accessBackroom(ctx, access);
  const rows = await ctx.db
    .select()
    .from(members)
    .where(and(eq(members.roomId, room.id), isNull(members.removedAt)))
    .orderBy(members.joinedAt);
  const seatRows = await ctx.db
    .select({ memberId: seats.memberId, activatedAt: seats.activatedAt, pop: members })
    .from(seats)
    .innerJoin(members, eq(members.id, seats.memberId))
    .where(and(eq(seats.roomId, access.room.id), eq(seats.status, 'active')));
  const since = new Map(seatRows.map((s) => [s.pop.userId ? `u:${s.pop.userId}` : `d:${s.pop.deviceId}`, s.activatedAt]));
  const online = new Set((await ctx.presence.online(room.id).catch(() => [])).map((o) => o.memberId));
  return {
    members: rows.map((m) => ({
      ...toMember(m),
      online: online.has(m.id),
      seatSince: since.get(m.userId ? `u:${m.userId}` : `d:${m.deviceId}`)?.toISOString() ?? null,
    })),
  };
}

export async function state(ctx: AppContext, access: ChatAccess): Promise<BackroomState> {
  const settings = access.room.settings.backroom;
  const taken = await seatsTaken(ctx.db, access.room.id);
  let isMember = false;
  let pendingPaymentId: string | null = null;
  let roomId: string | null = null;
  if (access.isHost && access.member) {
    isMember = true;
    // A read makes the Back Room only once the host has turned it on.
    roomId = settings.enabled ? (await ensureBackroom(ctx, access.room)).id : ((await findBackroom(ctx.db, access.room.id))?.id ?? null);
  } else if (access.member) {
    const seat = await liveSeat(ctx.db, access.room.id, access.member.id);
    if (seat?.status === 'active') {
      isMember = true;
      roomId = (await findBackroom(ctx.db, access.room.id))?.id ?? null;
    } else if (seat?.status === 'held' && seat.heldUntil.getTime() > Date.now()) {
      pendingPaymentId = seat.paymentId;
    }
  }
  return {
    enabled: settings.enabled,
    seatPriceCents: settings.seatPriceCents,
    seatLimit: settings.seatLimit,
    seatsTaken: taken,
    full: taken >= settings.seatLimit,
    isMember,
    pendingPaymentId,
    roomId,
  };
}
