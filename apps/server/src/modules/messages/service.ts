import { uuidv7 } from 'uuidv7';
import { HISTORY_PAGE_SIZE, MESSAGE_MAX_CHARS, REPLAY_MAX_MESSAGES, STICKY_HOST_MESSAGES, type HistoryResponse, type MessageType, type Reaction } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { track } from '../../context';
import { AppError, badRequest } from '../../errors';
import { uniqueViolation } from '../../db/errors';
import type { MemberRow, MessageRow, PaymentRow, RoomRow } from '../../db/schema';
import type { SeqRange, StoredMessage } from '../../infra/cache';
import { checkParticipation, checkContentRules, consumeSlowMode } from '../moderation/rules';
import * as mediaRepo from '../media/repo';
import { checkPhotosAllowed } from '../media/rules';
import * as repo from './repo';
import { visibleTo, withheldFrom } from './visibility';

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
    clientId: paidClientId(payment),
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

const paidClientId = (payment: Pick<PaymentRow, 'id'>) => `pay-${payment.id}`;

/** The message a paid effect wrote (a tip, a pin's new text), as it is now; none for a seat or a pin of an earlier message. */
export async function paidMessage(ctx: AppContext, payment: PaymentRow): Promise<StoredMessage | null> {
  const row = await repo.findByClientId(ctx.db, payment.roomId, payment.payerMemberId, paidClientId(payment));
  if (!row) return null;
  const [message] = await withReplies(ctx, [row]);
  return message!;
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
          seq: reply.seq,
        }
      : null,
    createdAt: row.createdAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
    ...(row.editedAt && !row.deletedAt ? { editedAt: row.editedAt.toISOString() } : {}),
    reactions: row.deletedAt ? [] : reactions,
    ...(row.amountCents !== null ? { amountCents: row.amountCents } : {}),
    ...(row.hidden ? { hidden: true } : {}),
    ...(row.forwardedFromId ? { forwarded: true } : {}),
    // A deleted message's photos are gone with its text (and no longer served: media/service.ts).
    ...(row.attachments?.length && !row.deletedAt ? { attachments: row.attachments } : {}),
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

/**
 * Soft delete, for every kind of room (SPEC §2.4, §4): the row keeps its seq
 * and loses its text in one transaction, with whatever else the caller must
 * commit with it (`within`: an audit entry, a conversation's mentions and
 * pin). Then the cached copy is replaced and the room told, and so are the
 * replies quoting it, whose quotes must stop showing its text. Deleting a
 * deleted message changes nothing and announces it again.
 */
export async function softDeleteMessage(
  ctx: AppContext,
  room: RoomRow,
  row: MessageRow,
  within?: (tx: Tx) => Promise<void>,
): Promise<StoredMessage> {
  if (!row.deletedAt) {
    await ctx.db.transaction(async (tx) => {
      await repo.softDelete(tx, row.id);
      await within?.(tx);
      // A conversation's unread counters stop counting it (and its mentions, which `within` removed).
      if (room.kind === 'direct' || room.kind === 'group') await repo.recountUnread(tx, room.id, await repo.membersBehind(tx, room.id, row.seq));
    });
  }
  return announceDeleted(ctx, room, row.id);
}

/**
 * After a deletion has committed: the cached copy is replaced, the room told,
 * and so are the replies quoting it.
 */
export async function announceDeleted(ctx: AppContext, room: RoomRow, id: string): Promise<StoredMessage> {
  const message = (await reloadMessage(ctx, room.id, id))!;
  await cachePut(ctx, room, message);
  ctx.broadcast.messageDeleted(room, message);
  const replies = await repo.repliesTo(ctx.db, room.id, id);
  if (replies.length > 0) {
    for (const reply of await withReplies(ctx, replies)) {
      await cachePut(ctx, room, reply);
      ctx.broadcast.messageUpdated(room, reply);
    }
  }
  return message;
}

export interface SendInput {
  clientId: string | null;
  content: string;
  replyToId?: string | null;
  type?: MessageType;
  /** A forwarded copy (Inbox): the original it copies; no reply is kept. */
  forwardedFromId?: string | null;
  /** The sender's unsent uploads in this room (`POST /api/media`), sent as the message's photos. */
  attachmentIds?: string[];
  /**
   * A system line about one participant (their join notice in a pop chat), sent by no one: it carries their
   * participation as its `memberId`, so whoever blocked them does not see it, like their messages.
   */
  aboutMemberId?: string | null;
}

/** Check, then do (STYLE §2): every rule a send must pass, touching nothing. */
export function checkSendMessage(room: RoomRow, member: MemberRow | null, input: SendInput, now = Date.now()): string {
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
  if (member) checkParticipation(member, now);
  if (room.settings.locked && member?.role !== 'host' && member?.role !== 'moderator' && input.type !== 'system') {
    throw new AppError(403, 'CHAT_LOCKED', 'The host has locked this chat. You can read but not send.');
  }
  const content = input.content.trim();
  if (content.length === 0 && !input.attachmentIds?.length) throw badRequest('MESSAGE_EMPTY', 'Write something before sending.');
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
  /** False when this sender had already sent the client id: the stored copy is returned (and written to the cache again). */
  created: boolean;
}

/**
 * Writes one message (docs/architecture.md, "Write path"): one transaction
 * takes the next seq and inserts; a resend with the same client id from the
 * same sender returns the stored copy. Either way the message is written to
 * the cache before the caller acknowledges and broadcasts it, so a message
 * whose first attempt died between its commit and its cache write (a crash)
 * reaches the cache and the room when its sender resends it.
 */
export async function sendMessage(ctx: AppContext, room: RoomRow, member: MemberRow | null, input: SendInput): Promise<SendResult> {
  const content = checkSendMessage(room, member, input);
  // The host's switch as it is now: a photo uploaded before photos were turned off is not sent after.
  if (input.attachmentIds?.length) {
    if (!member) throw badRequest('ATTACHMENT_NOT_FOUND', 'Only a participant can send photos.');
    await checkPhotosAllowed(ctx, room, member);
  }
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
  const message = {
    id: uuidv7(),
    roomId: room.id,
    clientId: input.clientId,
    memberId: member?.id ?? (input.type === 'system' ? (input.aboutMemberId ?? null) : null),
    username: member?.username ?? null,
    verified: member?.verified ?? false,
    type,
    content,
    replyToId: reply?.id ?? null,
    hidden: member?.hiddenAt != null,
    forwardedFromId: input.forwardedFromId ?? null,
  };
  try {
    const ids = input.attachmentIds ?? [];
    const result =
      ids.length === 0 || !member
        ? await repo.insertNext(ctx.db, message)
        : // The photos become the message's in its own transaction: each is sent once, by its uploader, in its room.
          await ctx.db.transaction(async (tx) => {
            const uploads = await mediaRepo.lockUnsent(tx, ids, room.id, member.id);
            const inserted = await repo.insertNext(tx, { ...message, attachments: uploads.map(mediaRepo.toAttachment) });
            if (!inserted.created) return inserted;
            if (uploads.length !== ids.length) {
              throw badRequest('ATTACHMENT_NOT_FOUND', 'A photo of this message is not an unsent upload of yours in this chat. Upload it again.');
            }
            await mediaRepo.markSent(tx, ids, inserted.row.id);
            return inserted;
          });
    row = result.row;
    created = result.created;
  } catch (err) {
    // Two sends with one client id raced: the loser's transaction rolled back (seq included).
    const constraint = uniqueViolation(err);
    if ((constraint === 'messages_room_member_client_key' || constraint === 'messages_room_memberless_client_key') && input.clientId) {
      const existing = await repo.findByClientId(ctx.db, room.id, member?.id ?? null, input.clientId);
      if (!existing) throw err;
      row = existing;
      created = false;
    } else {
      throw err;
    }
  }
  // A resend answers with the message as it is now (reactions, deletion).
  const sent = created ? toMessage(row, reply) : (await withReplies(ctx, [row]))[0]!;
  if (created) await holdForTest(ctx, sent);
  await cachePut(ctx, room, sent);
  // Queued only: who is notified is worked out after the sender has their ack.
  if (created) ctx.notifications.messageSent(room, member, sent);
  return { message: sent, created };
}

/**
 * Test hook (NODE_ENV=test only, config.testHoldCacheWrite): a new message
 * whose text contains the marker waits here, committed but not yet cached,
 * acknowledged or broadcast, so a test can kill the process at that point.
 */
async function holdForTest(ctx: AppContext, message: StoredMessage) {
  const marker = ctx.config.testHoldCacheWrite;
  if (!marker || !message.content.includes(marker)) return;
  ctx.log.warn({ seq: message.seq }, 'test hook: holding a committed message before its cache write');
  await new Promise(() => undefined);
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
 * A message still missing from the cache this long after it was stored was
 * not merely in flight between its commit and its cache write: its write was
 * lost (a crash, a failed write, keys gone), which is worth a warning.
 */
const CACHE_WRITE_GRACE_MS = 2_000;

/** The seqs from..to that a read must return; `hasMore`: older (or newer) ones exist beyond. */
interface SeqWindow {
  from: number;
  to: number;
  hasMore: boolean;
}

/**
 * The window of a history page, bounded by the room's committed last seq:
 * every seq up to it is a stored message, so the window is exactly what the
 * database holds for the page.
 */
function historyWindow(q: { before?: number; after?: number }, limit: number, lastSeq: number): SeqWindow {
  if (q.after !== undefined) {
    const to = Math.min(q.after + limit, lastSeq);
    return { from: q.after + 1, to, hasMore: lastSeq > q.after + limit };
  }
  const top = q.before !== undefined ? Math.min(q.before - 1, lastSeq) : lastSeq;
  const from = Math.max(1, top - limit + 1);
  return { from, to: top, hasMore: top >= 1 && from > 1 };
}

/**
 * Reads the seqs of `w` (all stored: w.to ≤ the committed last seq). The cache
 * answers only when its held run covers the whole window and the messages it
 * returns are exactly those seqs; anything else is read from the database and
 * written back, which can extend what the cache holds but never makes it
 * vouch for seqs it does not hold. A cache found lagging behind the database
 * is logged with the ranges.
 */
async function readWindow(ctx: AppContext, room: RoomRow, key: string, w: { from: number; to: number }, lastSeq: number) {
  if (w.to < w.from) return { messages: [] as StoredMessage[], source: 'database' as Source };
  let held: SeqRange | null = null;
  try {
    const cached = await ctx.cache.range(key, w.from, w.to);
    held = cached.held;
    if (held && held.from <= w.from && held.to >= w.to) {
      if (contiguous(cached.messages, w.from, w.to)) return { messages: cached.messages, source: 'cache' as Source };
      ctx.log.warn({ roomId: room.id, key, held: show(held), wanted: show(w), lastSeq }, 'message cache does not hold the run it claims; reading the database');
      held = null;
    }
  } catch (err) {
    ctx.log.warn({ err, roomId: room.id }, 'message cache read failed; reading the database');
  }
  const rows = await repo.inSeqRange(ctx.db, room.id, w.from, w.to);
  const messages = await withReplies(ctx, rows);
  if (held && held.to < w.to && held.to >= w.from - 1) {
    // The cache's run stops inside the window: the first message past it is missing from the cache.
    const missing = rows.find((r) => r.seq === held!.to + 1);
    const lost = missing !== undefined && Date.now() - missing.createdAt.getTime() > CACHE_WRITE_GRACE_MS;
    const fields = { roomId: room.id, key, held: show(held), wanted: show(w), lastSeq };
    if (lost) ctx.log.warn(fields, 'message cache is incomplete: it lacks stored messages; reading the database and filling it in');
    else ctx.log.debug(fields, 'message cache behind a write in flight; reading the database');
  }
  ctx.cache.putMany(key, messages).catch((err) => ctx.log.warn({ err, roomId: room.id }, 'message cache backfill failed'));
  return { messages, source: 'database' as Source };
}

const show = (r: { from: number; to: number }) => `${r.from}-${r.to}`;

/**
 * Cursor pages of history: the newest page, `before` a seq (older) or
 * `after` one (newer), each bounded by the room's committed last seq, read
 * from the cache when it provably holds the page, else from the database.
 */
export async function history(
  ctx: AppContext,
  room: RoomRow,
  q: { before?: number; after?: number; limit?: number },
  readerMemberId: string | null = null,
): Promise<HistoryResponse> {
  const limit = Math.min(q.limit ?? HISTORY_PAGE_SIZE, HISTORY_PAGE_SIZE);
  const [key, lastSeq] = await Promise.all([roomCacheKey(ctx, room), repo.lastSeq(ctx.db, room.id)]);
  const w = historyWindow(q, limit, lastSeq);
  const newest = room.kind === 'pop' && q.before === undefined && q.after === undefined;
  const [{ messages, source }, hostMessages] = await Promise.all([
    readWindow(ctx, room, key, w, lastSeq),
    newest ? stickyHostMessages(ctx, room) : undefined,
  ]);
  return {
    messages: visibleTo(messages, readerMemberId),
    hasMore: w.hasMore,
    source,
    withheld: withheldFrom(messages, readerMemberId),
    ...(hostMessages ? { hostMessages: visibleTo(hostMessages, readerMemberId) } : {}),
  };
}

/**
 * The host messages of the sticky section, read by their own (partial) index
 * so a visitor who arrives after a thousand other messages still sees them.
 */
async function stickyHostMessages(ctx: AppContext, room: RoomRow): Promise<StoredMessage[]> {
  return withReplies(ctx, await repo.newestHostMessages(ctx.db, room.id, STICKY_HOST_MESSAGES));
}

/**
 * Messages after `afterSeq` (and before `beforeSeq`), at most `max`, for a
 * gap fill: up to the room's committed last seq, cache first.
 */
export async function replay(ctx: AppContext, room: RoomRow, afterSeq: number, max: number, beforeSeq?: number, readerMemberId: string | null = null) {
  const [key, lastSeq] = await Promise.all([roomCacheKey(ctx, room), repo.lastSeq(ctx.db, room.id)]);
  const top = beforeSeq === undefined ? lastSeq : Math.min(beforeSeq - 1, lastSeq);
  const to = Math.min(top, afterSeq + max);
  const { messages } = await readWindow(ctx, room, key, { from: afterSeq + 1, to }, lastSeq);
  return { messages: visibleTo(messages, readerMemberId), hasMore: to < top, withheld: withheldFrom(messages, readerMemberId) };
}

/**
 * What a (re)joining client gets (docs/api.md, `room:join`): every message
 * after `afterSeq` up to the committed last seq when there are at most
 * REPLAY_MAX_MESSAGES of them; beyond that, no partial replay but the newest
 * page and the number of seqs left out, said explicitly, for the client to
 * load on request.
 */
export async function resume(ctx: AppContext, room: RoomRow, afterSeq: number, readerMemberId: string | null) {
  const [key, lastSeq] = await Promise.all([roomCacheKey(ctx, room), repo.lastSeq(ctx.db, room.id)]);
  const partial = lastSeq - afterSeq > REPLAY_MAX_MESSAGES;
  const from = partial ? lastSeq - HISTORY_PAGE_SIZE + 1 : afterSeq + 1;
  const { messages } = await readWindow(ctx, room, key, { from, to: lastSeq }, lastSeq);
  return {
    messages: visibleTo(messages, readerMemberId),
    lastSeq,
    hasMore: partial,
    replay: partial ? ('partial' as const) : ('complete' as const),
    missed: partial ? from - 1 - afterSeq : 0,
    withheld: withheldFrom(messages, readerMemberId),
  };
}
