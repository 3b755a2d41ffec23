import { uuidv7 } from 'uuidv7';
import {
  NOTIFICATION_PAGE_SIZE,
  NOTIFICATION_PREVIEW_MAX_CHARS,
  type Notification,
  type NotificationKind,
  type NotificationList,
  type PushPayload,
  type PushStatus,
  type PushSubscriptionBody,
  type notificationListQuerySchema,
} from '@chatpop/protocol';
import type { z } from 'zod';
import { track, type AppContext } from '../../context';
import type { MemberRow, NotificationRow, RoomRow, UserRow } from '../../db/schema';
import { badRequest } from '../../errors';
import type { StoredMessage } from '../../infra/cache';
import type { NotificationInput, Notifier } from '../../ports';
import { deviceLabel } from '../auth/service';
import { mentionedNames } from '../conversations/mentions';
import { notificationNotFound, pushDisabled } from './policy';
import { PushSender, endpointAllowed } from './push';
import * as repo from './repo';

/** Kinds that gather per room while unread (NOTIFICATION_GROUP_WINDOW_MS); the others stand alone. */
const GROUPED: ReadonlySet<NotificationKind> = new Set(['mention', 'reply', 'direct_message']);

interface Target {
  userId: string;
  kind: NotificationKind;
}

/**
 * The notification centre (SPEC §4, docs/architecture.md "Notifications").
 * Features report what happened (`notify`, `messageSent`); this works out who
 * is told, leaves out anyone muting the conversation or with a block between
 * them and the actor, stores the notification (gathered per room and kind
 * within a window), sends `notification:new` to the user's connections on
 * every node, and a Web Push to their devices unless they have the room open
 * on one. All of it runs from a queue after the caller has answered, so a
 * send's acknowledgement never waits for it.
 */
export class NotificationService implements Notifier {
  private queue: (() => Promise<void>)[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly push: PushSender | null;

  constructor(private readonly ctx: AppContext) {
    this.push = ctx.config.push ? new PushSender(ctx, ctx.config.push) : null;
  }

  notify(userId: string, input: NotificationInput) {
    this.enqueue(async () => {
      const room = input.roomId ? await this.ctx.rooms.byRoomId(input.roomId) : undefined;
      await this.deliver(room ?? null, [{ userId, kind: input.kind }], input);
    });
  }

  messageSent(room: RoomRow, author: MemberRow | null, message: StoredMessage) {
    // A silently hidden participant's message reaches no one else; a system line is nobody's.
    if (message.hidden || message.type === 'system' || !author) return;
    this.enqueue(() => this.fromMessage(room, author, message));
  }

  roomRead(userId: string, roomId: string, uptoSeq: number) {
    // Queued behind the notifications still being delivered, so one stored after this read is judged against it.
    this.enqueue(() => readInRoom(this.ctx, userId, roomId, uptoSeq));
  }

  async idle() {
    while (this.running) await this.running;
  }

  close() {
    this.closed = true;
    this.queue = [];
  }

  private enqueue(job: () => Promise<void>) {
    if (this.closed) return;
    this.queue.push(job);
    this.running ??= track(this.ctx, this.drain());
  }

  private async drain() {
    // Starts on a later turn of the event loop: the caller answers first.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        await job().catch((err: unknown) => this.ctx.log.warn({ err }, 'notification not delivered'));
      }
    } finally {
      this.running = null;
    }
  }

  /** Who a message concerns: mentioned, replied to, or a direct partner (one notification each, in that order). */
  private async fromMessage(room: RoomRow, author: MemberRow, message: StoredMessage) {
    const targets = new Map<string, NotificationKind>();
    const actor = author.userId;
    // A forwarded copy's text was written for another conversation: it mentions nobody here.
    const names = message.forwarded ? [] : [...mentionedNames(message.content)];
    for (const { userId } of await repo.accountsNamed(this.ctx.db, room.id, names)) {
      if (userId !== actor) targets.set(userId, 'mention');
    }
    if (message.replyTo && !message.replyTo.deleted) {
      const replied = await repo.authorAccount(this.ctx.db, message.replyTo.id);
      if (replied && replied !== actor && !targets.has(replied)) targets.set(replied, 'reply');
    }
    if (room.kind === 'direct') {
      for (const userId of await repo.otherAccounts(this.ctx.db, room.id, actor)) {
        if (!targets.has(userId)) targets.set(userId, 'direct_message');
      }
    }
    if (targets.size === 0) return;
    await this.deliver(
      room,
      [...targets].map(([userId, kind]) => ({ userId, kind })),
      { kind: 'mention', actorUserId: actor, actorName: author.username, roomId: room.id, messageId: message.id, seq: message.seq, preview: message.content },
    );
  }

  private async deliver(room: RoomRow | null, targets: Target[], input: NotificationInput) {
    const db = this.ctx.db;
    const actor = input.actorUserId ?? null;
    let list = targets.filter((t) => t.userId !== actor);
    if (actor) {
      const blocked = await repo.blockedWith(db, actor, list.map((t) => t.userId));
      list = list.filter((t) => !blocked.has(t.userId));
    }
    if (list.length === 0) return;
    const viewing = new Set<string>();
    if (room) {
      const now = Date.now();
      const parts = await repo.participations(db, room.id, list.map((t) => t.userId));
      const muted = new Set(parts.filter((p) => p.mutedUntil && p.mutedUntil.getTime() > now).map((p) => p.userId));
      list = list.filter((t) => !muted.has(t.userId));
      if (list.length === 0) return;
      // Someone with the room open (joined) on any device sees it happen: stored as read, and no push. So does
      // someone whose read watermark passed the message already (read on another device before this ran).
      const online = new Set((await this.ctx.presence.online(room.id)).map((e) => e.memberId));
      for (const p of parts) if (online.has(p.memberId) || (input.seq != null && p.lastReadSeq >= input.seq)) viewing.add(p.userId);
    }
    for (const target of list) {
      const isViewing = viewing.has(target.userId);
      const row = await repo.store(db, {
        id: uuidv7(),
        userId: target.userId,
        kind: target.kind,
        roomId: room?.id ?? input.roomId ?? null,
        messageId: input.messageId ?? null,
        seq: input.seq ?? null,
        actorUserId: actor,
        actorName: input.actorName ?? null,
        preview: (input.preview ?? '').slice(0, NOTIFICATION_PREVIEW_MAX_CHARS),
        amountCents: input.amountCents ?? null,
        groupKey: GROUPED.has(target.kind) && room && !isViewing ? `${target.kind}:${room.id}` : null,
        readAt: isViewing ? new Date() : null,
      });
      const [notification, unread] = await Promise.all([toView(this.ctx, row), repo.unreadCount(db, target.userId)]);
      this.ctx.broadcast.notification(target.userId, { notification, unread });
      if (this.push && !isViewing) await this.push.send(target.userId, pushPayload(notification, unread));
    }
  }
}

// ---- views -------------------------------------------------------------------------

/** Where following a notification leads in the web app. */
function linkOf(kind: NotificationKind, room: { id: string; kind: RoomRow['kind'] } | null, code: string | null, seq: number | null): string {
  const at = seq !== null ? `?at=${seq}` : '';
  if (!room) return kind === 'contact_request' ? '/contacts' : '/';
  if (room.kind === 'direct' || room.kind === 'group') return `/inbox/${room.id}${at}`;
  // A Back Room opens from its pop chat's page, at the message in the Back Room.
  if (room.kind === 'backroom') return code ? `/chat/${code}${at}${at ? '&room=backroom' : ''}` : '/';
  return code ? `/chat/${code}${at}` : '/';
}

export async function toView(ctx: AppContext, row: NotificationRow): Promise<Notification> {
  const room = row.roomId ? await ctx.rooms.byRoomId(row.roomId) : undefined;
  let code: string | null = room?.code ?? null;
  if (room?.kind === 'backroom' && room.parentRoomId) code = (await ctx.rooms.byRoomId(room.parentRoomId))?.code ?? null;
  return {
    id: row.id,
    kind: row.kind,
    count: row.count,
    read: row.readAt !== null,
    actor: { userId: row.actorUserId, username: row.actorName },
    room: room ? { id: room.id, kind: room.kind, name: room.name, code } : null,
    messageId: row.messageId,
    seq: row.seq,
    preview: row.preview,
    amountCents: row.amountCents,
    link: linkOf(row.kind, room ?? null, code, row.seq),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const dollars = (cents: number | null) => (cents === null ? '' : ` $${(cents / 100).toFixed(2)}`);

/** The one sentence a notification says, for a push (the web writes its own with the same parts). */
export function headline(n: Notification): string {
  const who = n.actor.username ?? 'Someone';
  const where = n.room?.name ? ` in ${n.room.name}` : '';
  const times = n.count > 1 ? ` (${n.count})` : '';
  switch (n.kind) {
    case 'mention':
      return `${who} mentioned you${where}${times}`;
    case 'reply':
      return `${who} replied to you${where}${times}`;
    case 'direct_message':
      return n.count > 1 ? `${n.count} new messages from ${who}` : `New message from ${who}`;
    case 'contact_request':
      return `${who} wants to add you as a contact`;
    case 'group_added':
      return `${who} added you to ${n.room?.name || 'a group'}`;
    case 'pin_outbid':
      return `Your pin${where} was outbid${n.amountCents !== null ? ` by a${dollars(n.amountCents)} pin` : ''}`;
    case 'tip_received':
      return `${who} tipped you${dollars(n.amountCents)}${where}`;
  }
}

function pushPayload(n: Notification, unread: number): PushPayload {
  return {
    title: headline(n),
    body: n.preview,
    link: n.link,
    tag: n.count > 1 || n.kind === 'direct_message' ? `${n.kind}:${n.room?.id ?? n.id}` : n.id,
    notificationId: n.id,
    unread,
  };
}

// ---- the user's own list ----------------------------------------------------------

function encodeCursor(row: NotificationRow): string {
  return Buffer.from(JSON.stringify({ u: row.updatedAt.getTime(), i: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): repo.ListCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { u?: unknown; i?: unknown };
    if (typeof c.u === 'number' && Number.isSafeInteger(c.u) && c.u >= 0 && typeof c.i === 'string' && /^[0-9a-f-]{36}$/i.test(c.i)) {
      return { updatedAt: new Date(c.u), id: c.i };
    }
  } catch {
    // falls through to the error below
  }
  throw badRequest('VALIDATION_FAILED', 'cursor: That page cursor is not valid; start from the first page.');
}

export async function listNotifications(ctx: AppContext, user: UserRow, query: z.output<typeof notificationListQuerySchema>): Promise<NotificationList> {
  const limit = Math.min(query.limit, NOTIFICATION_PAGE_SIZE);
  const rows = await repo.listForUser(ctx.db, user.id, { cursor: query.cursor ? decodeCursor(query.cursor) : undefined, unread: query.unread, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const [notifications, unread] = await Promise.all([Promise.all(page.map((r) => toView(ctx, r))), repo.unreadCount(ctx.db, user.id)]);
  return { notifications, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null, unread };
}

/**
 * Marks the user's notifications read: these ids (each must be theirs, else
 * 404 and nothing changes) or all. Their other devices hear of it.
 */
export async function markRead(ctx: AppContext, user: UserRow, ids: string[] | null): Promise<{ unread: number; notifications: Notification[] }> {
  if (ids && (await repo.findOwn(ctx.db, user.id, ids)).length !== new Set(ids).size) throw notificationNotFound();
  const changed = await track(ctx, repo.markRead(ctx.db, user.id, ids));
  const unread = await repo.unreadCount(ctx.db, user.id);
  if (changed.length > 0) ctx.broadcast.notificationsRead(user.id, { ids: ids ? changed : null, unread });
  const now = ids ? await repo.findOwn(ctx.db, user.id, ids) : [];
  return { unread, notifications: await Promise.all(now.map((r) => toView(ctx, r))) };
}

/**
 * Reading a room reads its notifications (docs/architecture.md
 * "Notifications"): those pointing at a message at or before `uptoSeq`, and
 * those about the room itself, are marked read, and every device of the user
 * hears it (`notifications:read`), so the bell's count drops everywhere.
 * Queued (`roomRead`) when a conversation's read watermark moves and when
 * the user opens a conversation, pop chat or Back Room.
 */
async function readInRoom(ctx: AppContext, userId: string, roomId: string, uptoSeq: number): Promise<void> {
  const changed = await track(ctx, repo.markReadInRoom(ctx.db, userId, roomId, uptoSeq));
  if (changed.length === 0) return;
  ctx.broadcast.notificationsRead(userId, { ids: changed, unread: await repo.unreadCount(ctx.db, userId) });
}

// ---- Web Push subscriptions -------------------------------------------------------------

export async function pushStatus(ctx: AppContext, user: UserRow): Promise<PushStatus> {
  const push = ctx.config.push;
  const subs = push ? await repo.subscriptionsOf(ctx.db, user.id) : [];
  return {
    enabled: push !== null,
    publicKey: push?.publicKey ?? null,
    devices: subs.map((s) => ({ id: s.id, label: deviceLabel(s.userAgent) ?? 'A browser', createdAt: s.createdAt.toISOString() })),
  };
}

export async function subscribe(ctx: AppContext, user: UserRow, body: PushSubscriptionBody, userAgent: string | null): Promise<PushStatus> {
  const push = ctx.config.push;
  if (!push) throw pushDisabled();
  if (!endpointAllowed(push, body.endpoint)) {
    throw badRequest('VALIDATION_FAILED', 'endpoint: A push endpoint must be an https:// URL.');
  }
  const p256dh = Buffer.from(body.keys.p256dh, 'base64url');
  if (p256dh.length !== 65 || p256dh[0] !== 4) {
    throw badRequest('VALIDATION_FAILED', 'keys.p256dh: This is not an uncompressed P-256 public key.');
  }
  if (Buffer.from(body.keys.auth, 'base64url').length !== 16) {
    throw badRequest('VALIDATION_FAILED', 'keys.auth: The authentication secret must be 16 bytes.');
  }
  await track(
    ctx,
    repo.saveSubscription(ctx.db, { id: uuidv7(), userId: user.id, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth, userAgent }),
  );
  return pushStatus(ctx, user);
}

export async function unsubscribe(ctx: AppContext, user: UserRow, endpoint: string): Promise<PushStatus> {
  if (!ctx.config.push) throw pushDisabled();
  await track(ctx, repo.deleteSubscription(ctx.db, { userId: user.id, endpoint }));
  return pushStatus(ctx, user);
}

