import { randomBytes } from 'node:crypto';
import { GROUP_MAX_MEMBERS, type CreateInviteBody, type Invite, type InvitePreview } from '@chatpop/protocol';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { track, type AppContext } from '../../context';
import type { DbExecutor } from '../../db/client';
import { conversationInvites, type ConversationInviteRow, type UserRow } from '../../db/schema';
import { AppError, badRequest, forbidden } from '../../errors';
import { avatarUrl } from '../auth/service';
import { blockedEitherWay, blockersOf } from '../contacts/blocks';
import { personUnavailable } from '../contacts/policy';
import { insertSystemMessage } from '../messages/service';
import { admit, allowed, announce, noChange, permissionsOf, who } from './groups';
import { accessConversation, requireInboxUser } from './policy';
import * as repo from './repo';
import { detailFor } from './summaries';

/**
 * Invite links to a group (SPEC §4): made and revoked by those who may add
 * members, with an expiry and a use limit; anyone signed in with a username
 * who holds the token may see the group's name and join. A use is counted in
 * the statement that checks the limit, under the group's lock, so a limit of
 * N admits exactly N however many people tap at once.
 */

const inviteNotFound = () => new AppError(404, 'INVITE_NOT_FOUND', 'This invite link does not work: it may have been revoked, or mistyped.');
const inviteExpired = () => new AppError(410, 'INVITE_EXPIRED', 'This invite link has expired. Ask for a new one.');
const inviteUsedUp = () => new AppError(410, 'INVITE_USED_UP', 'This invite link has been used as many times as it allows. Ask for a new one.');

const toInvite = (row: ConversationInviteRow): Invite => ({
  id: row.id,
  conversationId: row.roomId,
  token: row.token,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  maxUses: row.maxUses,
  uses: row.uses,
});

/** The group a member may manage invites of: only where they may add people. */
async function manageable(ctx: AppContext, user: UserRow, roomId: string) {
  requireInboxUser(user);
  const { room, member } = await accessConversation(ctx, user, roomId);
  if (room.kind !== 'group') throw badRequest('NOT_A_GROUP', 'Only a group has invite links; a direct conversation is always the two of you.');
  if (!allowed(permissionsOf(room).addMembers, member)) throw forbidden('Only admins can invite people to this group.');
  return room;
}

export async function createInvite(ctx: AppContext, user: UserRow, roomId: string, body: CreateInviteBody): Promise<Invite> {
  const room = await manageable(ctx, user, roomId);
  const [row] = await ctx.db
    .insert(conversationInvites)
    .values({
      id: uuidv7(),
      roomId: room.id,
      token: randomBytes(18).toString('base64url'),
      createdBy: user.id,
      expiresAt: body.expiresInHours === null ? null : new Date(Date.now() + body.expiresInHours * 3_600_000),
      maxUses: body.maxUses,
    })
    .returning();
  return toInvite(row!);
}

/** The group's invites that still work, newest first. */
export async function listInvites(ctx: AppContext, user: UserRow, roomId: string): Promise<Invite[]> {
  const room = await manageable(ctx, user, roomId);
  const rows = await ctx.db
    .select()
    .from(conversationInvites)
    .where(and(eq(conversationInvites.roomId, room.id), isNull(conversationInvites.revokedAt)))
    .orderBy(desc(conversationInvites.createdAt));
  const now = Date.now();
  return rows.filter((r) => usable(r, now) === null).map(toInvite);
}

export async function revokeInvite(ctx: AppContext, user: UserRow, roomId: string, inviteId: string): Promise<void> {
  const room = await manageable(ctx, user, roomId);
  const revoked = await ctx.db
    .update(conversationInvites)
    .set({ revokedAt: new Date() })
    .where(and(eq(conversationInvites.id, inviteId), eq(conversationInvites.roomId, room.id), isNull(conversationInvites.revokedAt)))
    .returning({ id: conversationInvites.id });
  if (revoked.length === 0) throw inviteNotFound();
}

/** Why an invite cannot be used now, or null when it can. */
function usable(row: ConversationInviteRow, now: number): AppError | null {
  if (row.revokedAt) return inviteNotFound();
  if (row.expiresAt && row.expiresAt.getTime() <= now) return inviteExpired();
  if (row.maxUses !== null && row.uses >= row.maxUses) return inviteUsedUp();
  return null;
}

async function findByToken(db: DbExecutor, token: string, lock = false) {
  const query = db.select().from(conversationInvites).where(eq(conversationInvites.token, token)).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** The group behind a link, for its holder to decide. */
export async function previewInvite(ctx: AppContext, user: UserRow, token: string): Promise<InvitePreview> {
  requireInboxUser(user);
  const invite = await findByToken(ctx.db, token);
  if (!invite) throw inviteNotFound();
  const refused = usable(invite, Date.now());
  if (refused) throw refused;
  const room = await ctx.rooms.byRoomId(invite.roomId);
  if (!room || room.kind !== 'group') throw inviteNotFound();
  const live = await repo.liveMembers(ctx.db, room.id);
  return {
    conversationId: room.id,
    name: room.name,
    description: room.description,
    avatarUrl: avatarUrl(room.avatarKey),
    memberCount: live.length,
    member: live.some((m) => m.userId === user.id),
  };
}

/**
 * An invite link does not get round a block (docs/decisions.md): refused when
 * the person who made the link and the joiner have a block either way, or
 * when any admin of the group has blocked the joiner. The same refusal as
 * every block's, which says nothing of who blocked whom.
 */
async function requireNotBlockedByGroup(db: DbExecutor, joinerId: string, inviterId: string | null, live: { userId: string | null; role: string }[]) {
  if (inviterId && (await blockedEitherWay(db, joinerId, inviterId))) throw personUnavailable('You can’t join this group with this link.');
  const admins = live.filter((m) => m.role === 'admin' && m.userId).map((m) => m.userId!);
  if (admins.length > 0) {
    const blockers = new Set(await blockersOf(db, joinerId));
    if (admins.some((id) => blockers.has(id))) throw personUnavailable('You can’t join this group with this link.');
  }
}

/** Joins the group behind a link; someone already in it is simply taken there. */
export async function acceptInvite(ctx: AppContext, user: UserRow, token: string) {
  requireInboxUser(user);
  const { room, change, joined } = await track(
    ctx,
    ctx.db.transaction(async (tx) => {
      const invite = await findByToken(tx, token, true);
      if (!invite) throw inviteNotFound();
      const room = await repo.lockRoom(tx, invite.roomId);
      if (!room || room.kind !== 'group') throw inviteNotFound();
      const live = await repo.liveMembers(tx, room.id);
      const change = noChange();
      if (live.some((m) => m.userId === user.id)) return { room, change, joined: false };
      const refused = usable(invite, Date.now());
      if (refused) throw refused;
      await requireNotBlockedByGroup(tx, user.id, invite.createdBy, live);
      if (live.length + 1 > GROUP_MAX_MEMBERS) {
        throw badRequest('GROUP_TOO_LARGE', `A group can have at most ${GROUP_MAX_MEMBERS} members.`, { max: GROUP_MAX_MEMBERS });
      }
      await tx
        .update(conversationInvites)
        .set({ uses: sql`${conversationInvites.uses} + 1` })
        .where(eq(conversationInvites.id, invite.id));
      await admit(tx, room, user, change);
      change.notes.push(await insertSystemMessage(tx, room, `${who(user)} joined with an invite link`));
      return { room, change, joined: true };
    }),
  );
  if (joined) await announce(ctx, room, change);
  return { conversation: await detailFor(ctx, user, (await ctx.rooms.byRoomId(room.id)) ?? room), joined };
}

