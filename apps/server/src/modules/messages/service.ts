import { uuidv7 } from 'uuidv7';
import { HISTORY_PAGE_SIZE, MESSAGE_MAX_CHARS, type HistoryResponse, type MessageType, type Reaction } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { track } from '../../context';
import { AppError, badRequest } from '../../errors';
import { uniqueViolation } from '../../db/errors';
import type { MemberRow, MessageRow, PaymentRow, RoomRow } from '../../db/schema';
import type { StoredMessage } from '../../infra/cache';
import { checkParticipation, checkContentRules, consumeSlowMode } from '../moderation/rules';
import * as repo from './repo';
import { visibleTo } from './visibility';

const REPLY_PREVIEW_CHARS = 200;

/**
 * The cache key of a room's messages, in the seed's layout (docs/architecture.md):
 * `chat:{CODE}:messages`, `chat:{CODE}:backroom:messages` (with the parent pop
 * chat's code), `room:{ID}:messages`.
 */
export function cacheKey(room: Pick<RoomRow, 'id' | 'kind' | 'code'>, parentCode?: string | null): string {
  if (room.kind === 'pop' && room.code) return `chat:${room.code}:messages`;
  if (room.kind === 'backroom' && parentCode) return `chat:${parentCode}:backroom:messages`;
  return `room:${room.id}:messages`;
}

/** The pinned-message key of a pop chat (seed layout). */
export const pinnedKey = (code: string) => `chat:${code}:pinned`;

/** cacheKey, looking up a Back Room's parent code (the room directory keeps it in memory). */
export async function roomCacheKey(ctx: AppContext, room: RoomRow): Promise<string> {
  if (room.kind !== 'backroom' || !room.parentRoomId) return cacheKey(room);
  const parent = await ctx.rooms.byRoomId(room.parentRoomId);
  return cacheKey(room, parent?.code);
}

/**
 * The message a paid effect writes (a tip, or a pin's new text), in the
 * payment's own transaction. Its client id is the payment's, so it can never
 * be written twice; it carries the amount paid.
 */
export async function insertPaidMessage(
  tx: Tx,
  room: RoomRow,
  payment: PaymentRow,
  payer: MemberRow,
  type: 'tip' | 'pin',
  content: string,
): Promise<StoredMessage> {
  const { row } = await repo.insertNext(tx, {
    id: uuidv7(),
    roomId: room.id,
    clientId: `pay-${payment.id}`,
    memberId: payer.id,
    username: payer.username,
    verified: payer.verified,
    type,
    content,
    replyToId: null,
    hidden: payer.hiddenAt !== null,
    amountCents: payment.amountCents,
  });
  return toMessage(row, null);
}

/**
 * A system message ("Alice created the group …") written inside the caller's
 * transaction, so it commits with the change it records. The caller puts it
 * in the cache (`cachePut`) and broadcasts it after the commit.
 */
export async function insertSystemMessage(tx: Tx, room: Pick<RoomRow, 'id'>, content: string): Promise<StoredMessage> {
  const { row } = await repo.insertNext(tx, {
    id: uuidv7(),
    roomId: room.id,
    clientId: null,
    memberId: null,
    username: null,
    verified: false,
    type: 'system',
    content,
    replyToId: null,
    hidden: false,
  });
  return toMessage(row, null);
}

export function toMessage(row: MessageRow, reply: MessageRow | undefined | null, reactions: Reaction[] = []): StoredMessage {
  return {
    id: row.id,
    roomId: row.roomId,
    seq: row.seq,
    clientId: row.clientId,
    memberId: row.memberId,
    username: row.username,
    verified: row.verified,
    type: row.type,
    content: row.deletedAt ? '' : row.content,
    replyTo: reply
      ? {
          id: reply.id,
          username: reply.username,
          content: reply.deletedAt ? '' : reply.content.slice(0, REPLY_PREVIEW_CHARS),
          deleted: Boolean(reply.deletedAt),
        }
      : null,
    createdAt: row.createdAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
    ...(row.editedAt && !row.deletedAt ? { editedAt: row.editedAt.toISOString() } : {}),
    reactions: row.deletedAt ? [] : reactions,
    ...(row.amountCents !== null ? { amountCents: row.amountCents } : {}),
    ...(row.hidden ? { hidden: true } : {}),
  };
}

/** Rows → messages with their quoted originals and reactions: two queries per page, never one per message. */
export async function withReplies(ctx: Pick<AppContext, 'db'>, rows: MessageRow[]): Promise<StoredMessage[]> {
  const ids = [...new Set(rows.map((r) => r.replyToId).filter((id): id is string => Boolean(id)))];
  const [replyRows, reactions] = await Promise.all([repo.findByIds(ctx.db, ids), repo.reactionsFor(ctx.db, rows.map((r) => r.id))]);
  const replies = new Map(replyRows.map((r) => [r.id, r]));
  return rows.map((r) => toMessage(r, r.replyToId ? replies.get(r.replyToId) : null, reactions.get(r.id)));
}

/** One message as it is now (after a delete or a reaction), for the cache and the broadcast. */
export async function reloadMessage(ctx: AppContext, roomId: string, id: string): Promise<StoredMessage | null> {
  const row = await repo.findInRoom(ctx.db, roomId, id);
  if (!row) return null;
  const [message] = await withReplies(ctx, [row]);
  return message!;
}

export interface SendInput {
  clientId: string | null;
  content: string;
  replyToId?: string | null;
  type?: MessageType;
}

/** Check, then do (STYLE §2): every rule a send must pass, touching nothing. */
export function checkSendMessage(room: RoomRow, member: MemberRow | null, input: SendInput, now = Date.now()): string {
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  if (member) checkParticipation(member, now);
  if (room.settings.locked && member?.role !== 'host' && member?.role !== 'moderator' && input.type !== 'system') {
    throw new AppError(403, 'CHAT_LOCKED', 'The host has locked this chat. You can read but not send.');
  }
  const content = input.content.trim();
  if (content.length === 0) throw badRequest('MESSAGE_EMPTY', 'Write something before sending.');
  if (content.length > MESSAGE_MAX_CHARS) {
    throw badRequest('MESSAGE_TOO_LONG', `A message can have at most ${MESSAGE_MAX_CHARS.toLocaleString('en-US')} characters.`, {
      max: MESSAGE_MAX_CHARS,
      length: content.length,
    });
  }
  if (member) checkContentRules(room, member, input.type ?? 'normal', content, now);
  return content;
}

export interface SendResult {
  message: StoredMessage;
  /** False when the client id had already been sent: nothing new to broadcast. */
  created: boolean;
}

/**
 * Writes one message (docs/architecture.md, "Write path"): one transaction
 * takes the next seq and inserts; a resend with the same client id returns
 * the stored copy. The cache is written before the caller broadcasts, so a
 * replay that follows a broadcast always finds the message.
 */
export async function sendMessage(ctx: AppContext, room: RoomRow, member: MemberRow | null, input: SendInput): Promise<SendResult> {
  const content = checkSendMessage(room, member, input);
  // Slow mode last: a send refused for another reason does not start the wait.
  if (member) await consumeSlowMode(ctx, room, member, input.type ?? 'normal');
  return track(ctx, doSend(ctx, room, member, input, content));
}

async function doSend(ctx: AppContext, room: RoomRow, member: MemberRow | null, input: SendInput, content: string): Promise<SendResult> {
  const type: MessageType = input.type ?? (member?.role === 'host' ? 'host' : 'normal');
  let reply: MessageRow | undefined;
  if (input.replyToId) {
    reply = await repo.findInRoom(ctx.db, room.id, input.replyToId);
    // A hidden participant's message does not exist for anyone else, not even to quote.
    if (!reply || (reply.hidden && reply.memberId !== member?.id)) {
      throw badRequest('REPLY_NOT_FOUND', 'The message you are replying to is not in this chat.');
    }
  }
  let row: MessageRow;
  let created: boolean;
  try {
    const result = await repo.insertNext(ctx.db, {
      id: uuidv7(),
      roomId: room.id,
      clientId: input.clientId,
      memberId: member?.id ?? null,
      username: member?.username ?? null,
      verified: member?.verified ?? false,
      type,
      content,
      replyToId: reply?.id ?? null,
      hidden: member?.hiddenAt != null,
    });
    row = result.row;
    created = result.created;
  } catch (err) {
    // Two sends with one client id raced: the loser's transaction rolled back (seq included).
    if (uniqueViolation(err) === 'messages_room_client_key' && input.clientId) {
      const existing = await repo.findByClientId(ctx.db, room.id, input.clientId);
      if (!existing) throw err;
      row = existing;
      created = false;
    } else {
      throw err;
    }
  }
  if (!created) {
    // A resend: answer with the message as it is now (reactions, deletion).
    const [current] = await withReplies(ctx, [row]);
    return { message: current!, created };
  }
  const message = toMessage(row, reply);
  await cachePut(ctx, room, message);
  return { message, created };
}

/** Writes (or replaces, by seq) the cached copy; a failure is logged and guarded, never thrown. */
export async function cachePut(ctx: AppContext, room: RoomRow, message: StoredMessage) {
  try {
    await ctx.cache.put(await roomCacheKey(ctx, room), message);
  } catch {
    // Logged by the guarded cache, which also keeps the missed write from being served as a hole.
  }
}

/** True when `page` is exactly the seqs from..to with none missing. */
function contiguous(page: StoredMessage[], from: number, to: number): boolean {
  if (to < from) return page.length === 0;
  if (page.length !== to - from + 1) return false;
  return page.every((m, i) => m.seq === from + i);
}

type Source = HistoryResponse['source'];

/**
 * Cursor pages of history, cache first. A cache answer is used only when it
 * is provably complete for the page (contiguous seqs reaching the page's
 * bounds); otherwise, or on any cache error, the database answers and the
 * page is written back to the cache.
 */
export async function history(
  ctx: AppContext,
  room: RoomRow,
  q: { before?: number; after?: number; limit?: number },
  readerMemberId: string | null = null,
): Promise<HistoryResponse> {
  const limit = Math.min(q.limit ?? HISTORY_PAGE_SIZE, HISTORY_PAGE_SIZE);
  const key = await roomCacheKey(ctx, room);
  try {
    const page = await fromCache(ctx, key, q.before, q.after, limit);
    if (page) return { messages: visibleTo(page.messages, readerMemberId), hasMore: page.hasMore, source: 'cache' };
  } catch (err) {
    ctx.log.warn({ err, roomId: room.id }, 'message cache read failed; reading the database');
  }
  const page = await fromDatabase(ctx, room.id, q.before, q.after, limit);
  ctx.cache.putMany(key, page.messages).catch((err) => ctx.log.warn({ err }, 'message cache backfill failed'));
  return { messages: visibleTo(page.messages, readerMemberId), hasMore: page.hasMore, source: 'database' as Source };
}

async function fromCache(ctx: AppContext, key: string, before: number | undefined, after: number | undefined, limit: number) {
  if (after !== undefined) {
    const page = await ctx.cache.range(key, after + 1, after + limit + 1);
    const top = (await ctx.cache.latest(key, 1))[0];
    if (page.length === 0) return top && top.seq <= after ? { messages: [], hasMore: false } : null;
    if (!contiguous(page, after + 1, after + page.length)) return null;
    if (page.length > limit) return { messages: page.slice(0, limit), hasMore: true };
    return top?.seq === page[page.length - 1]!.seq ? { messages: page, hasMore: false } : null;
  }
  if (before !== undefined) {
    const from = Math.max(1, before - limit);
    const page = await ctx.cache.range(key, from, before - 1);
    if (!contiguous(page, from, before - 1)) return null;
    return { messages: page, hasMore: from > 1 };
  }
  const page = await ctx.cache.latest(key, limit);
  if (page.length === 0) return null;
  const last = page[page.length - 1]!.seq;
  const first = Math.max(1, last - limit + 1);
  if (!contiguous(page, first, last)) return null;
  return { messages: page, hasMore: first > 1 };
}

async function fromDatabase(ctx: AppContext, roomId: string, before: number | undefined, after: number | undefined, limit: number) {
  if (after !== undefined) {
    const rows = await repo.after(ctx.db, roomId, after, limit + 1);
    return { messages: await withReplies(ctx, rows.slice(0, limit)), hasMore: rows.length > limit };
  }
  const rows = before !== undefined ? await repo.before(ctx.db, roomId, before, limit + 1) : await repo.latest(ctx.db, roomId, limit + 1);
  const hasMore = rows.length > limit;
  return { messages: await withReplies(ctx, hasMore ? rows.slice(1) : rows), hasMore };
}

/**
 * Everything after `afterSeq` for a reconnecting client, up to `max`, cache
 * first: the cache serves it only when it holds the whole range.
 */
export async function replay(ctx: AppContext, room: RoomRow, afterSeq: number, max: number, beforeSeq?: number, readerMemberId: string | null = null) {
  const { messages, hasMore } = await replayStored(ctx, room, afterSeq, max, beforeSeq);
  return { messages: visibleTo(messages, readerMemberId), hasMore };
}

async function replayStored(ctx: AppContext, room: RoomRow, afterSeq: number, max: number, beforeSeq?: number) {
  const key = await roomCacheKey(ctx, room);
  try {
    const upper = beforeSeq === undefined ? afterSeq + max : Math.min(beforeSeq - 1, afterSeq + max);
    const page = await ctx.cache.range(key, afterSeq + 1, upper);
    if (page.length === 0) {
      // Nothing newer in the cache: a client that is up to date (the cache's newest is what it has) needs no database read.
      const top = (await ctx.cache.latest(key, 1))[0];
      if (top && (top.seq <= afterSeq || (beforeSeq !== undefined && beforeSeq <= afterSeq + 1))) return { messages: [], hasMore: false };
    } else if (contiguous(page, afterSeq + 1, page[page.length - 1]!.seq)) {
      const top = (await ctx.cache.latest(key, 1))[0];
      const reachesEnd = beforeSeq === undefined ? top?.seq === page[page.length - 1]!.seq : page[page.length - 1]!.seq === beforeSeq - 1;
      if (reachesEnd) return { messages: page, hasMore: false };
      if (page.length === max) return { messages: page, hasMore: true };
    }
  } catch (err) {
    ctx.log.warn({ err, roomId: room.id }, 'message cache read failed during replay');
  }
  const rows = await repo.after(ctx.db, room.id, afterSeq, max + 1, beforeSeq);
  return { messages: await withReplies(ctx, rows.slice(0, max)), hasMore: rows.length > max };
}
