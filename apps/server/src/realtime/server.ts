import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import {
  REPLAY_MAX_MESSAGES,
  conversationMessageDeleteSchema,
  handshakeAuthSchema,
  memberModerateSchema,
  messageEditSchema,
  receiptBodySchema,
  messageDeleteSchema,
  messageReportSchema,
  reactionSetSchema,
  roomJoinSchema,
  roomModerateSchema,
  roomOnlySchema,
  roomRangeSchema,
  sendMessageSchema,
  mediaKeyRequestSchema,
  typingSchema,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@chatpop/protocol';
import fastifyCookie from '@fastify/cookie';
import type { z } from 'zod';
import type { AppContext } from '../context';
import { AppError, forbidden, unauthenticated, validationFailed } from '../errors';
import type { MemberRow, RoomRow, UserRow } from '../db/schema';
import { COOKIE_ACCESS } from '../http';
import { actorFromAccessToken, liveSession, sessionEnded } from '../modules/auth/actor';
import { findMember } from '../modules/chats/repo';
import { hideFromBlockers, withoutBlocked } from '../modules/contacts/hiding';
import { directClosed } from '../modules/contacts/policy';
import { deleteForEveryone, deleteForMe } from '../modules/conversations/actions';
import { bannedError, requireNotBanned } from '../modules/moderation/bans';
import { accessConversation, isConversation } from '../modules/conversations/policy';
import { withoutHidden } from '../modules/conversations/reader';
import { appearsOffline } from '../modules/conversations/presence';
import { memberUserIds } from '../modules/conversations/repo';
import { editMessage } from '../modules/conversations/edits';
import { markSeen, sendInConversation } from '../modules/conversations/service';
import { issueKey } from '../modules/media/service';
import { replay, resume, sendMessage } from '../modules/messages/service';
import { publicMessage } from '../modules/messages/visibility';
import type { RoomActor } from '../modules/moderation/policy';
import { isModerator } from '../modules/moderation/rules';
import * as moderation from '../modules/moderation/service';
import { memberChannel, modsChannel, roomChannel, socketBroadcaster, userChannel, type IoServer, type SocketData } from './broadcast';
import { EventBudget, overBudget } from './event-budget';
import { startMemberSync } from './member-sync';
import { startSessionSync, type SessionSync } from './session-sync';
import { startUserSync } from './user-sync';
import { TypingGate } from './typing';

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const PRESENCE_DEBOUNCE_MS = 300;
const TYPING_QUEUE_MAX = 4;

export interface Realtime {
  io: IoServer;
  close(): Promise<void>;
}

export function attachRealtime(
  ctx: AppContext,
  httpServer: HttpServer,
  redis?: { pub: Redis; sub: Redis },
): Realtime {
  const io: IoServer = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    cors: { origin: ctx.config.webOrigins, credentials: true },
    pingInterval: 25_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: 64 * 1024,
    // Each room is its own Redis channel, so a node only hears rooms it has members in. The
    // channels carry the deployment's prefix so two deployments on one Redis never hear each other.
    adapter: redis
      ? createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix: `${ctx.config.redisPrefix}socket.io` })
      : undefined,
  });
  ctx.broadcast = socketBroadcaster(io);
  const sessionSync = startSessionSync(ctx);
  ctx.sessionSockets = sessionSync;

  io.use(async (socket, next) => {
    const parsed = handshakeAuthSchema.safeParse(socket.handshake.auth ?? {});
    if (!parsed.success) return next(handshakeError(new AppError(401, 'TOKEN_INVALID', 'The handshake carries malformed tokens.')));
    const tokens: SocketData['tokens'] = new Map();
    const sessions: SocketData['sessions'] = new Map();
    let user: UserRow | null = null;
    try {
      for (const token of parsed.data.chatTokens) {
        const claims = await ctx.tokens.verifyChat(token);
        tokens.set(claims.roomId, { memberId: claims.memberId, username: claims.username, sessionId: claims.sessionId });
      }
      // A signed-in participation's token holds only while its session does.
      for (const sessionId of new Set([...tokens.values()].map((c) => c.sessionId))) {
        if (sessionId === null) continue;
        const session = await liveSession(ctx, sessionId);
        sessions.set(session.id, session.userId);
      }
      if (parsed.data.accessToken !== undefined) {
        const actor = await actorFromAccessToken(ctx, parsed.data.accessToken);
        user = actor.user;
        sessions.set(actor.sessionId, actor.user.id);
      } else {
        // The access cookie counts only from the web's own origins (a page elsewhere cannot borrow it) and,
        // being sent by the browser unasked, an expired one is ignored rather than failing a pop chat's connection.
        const cookie = accessCookie(socket.handshake.headers, ctx.config.webOrigins);
        const actor = cookie ? await actorFromAccessToken(ctx, cookie).catch(() => null) : null;
        if (actor) {
          user = actor.user;
          sessions.set(actor.sessionId, actor.user.id);
        }
      }
    } catch (err) {
      return next(handshakeError(err));
    }
    socket.data.tokens = tokens;
    socket.data.sessions = sessions;
    socket.data.joined = new Map();
    socket.data.user = user;
    socket.data.appearOffline = new Set();
    next();
  });

  // Presence changes are coalesced per room so a join storm sends one list, not one per join.
  const pendingPresence = new Map<string, NodeJS.Timeout>();
  function announcePresence(roomId: string) {
    if (pendingPresence.has(roomId)) return;
    pendingPresence.set(
      roomId,
      setTimeout(() => {
        pendingPresence.delete(roomId);
        ctx.presence
          .online(roomId)
          .then((online) => ctx.broadcast.presence({ roomId, online, count: online.length }))
          .catch((err) => ctx.log.warn({ err }, 'presence read failed'));
      }, PRESENCE_DEBOUNCE_MS),
    );
  }

  const sweeper = setInterval(() => {
    ctx.presence
      .sweep()
      .then((rooms) => rooms.forEach(announcePresence))
      .catch((err) => ctx.log.warn({ err }, 'presence sweep failed'));
    ctx.accountPresence.sweep().catch((err) => ctx.log.warn({ err }, 'account presence sweep failed'));
  }, ctx.config.presenceSweepMs);
  sweeper.unref();

  ctx.memberSync = startMemberSync(ctx, io, announcePresence);
  ctx.userSync = startUserSync(ctx, io, announcePresence);

  const typingGate = new TypingGate();

  io.on('connection', (socket: IoSocket) => {
    // Checked live at the handshake; a revocation since then is caught by the binding (session-sync.ts).
    for (const sessionId of socket.data.sessions.keys()) {
      if (!sessionSync.bind(socket, sessionId)) return sessionSync.end(socket);
    }
    // Every event spends from the connection's budget first; past it, the event is refused (or dropped without an ack).
    const budget = new EventBudget();
    socket.use((packet, next) => {
      if (budget.take()) return next();
      const ack = packet.at(-1);
      if (typeof ack === 'function') (ack as (res: Ack<object>) => void)({ ok: false, error: overBudget });
    });
    const user = socket.data.user;
    if (user) {
      void socket.join(userChannel(user.id));
      ctx.accountPresence.connected(user.id, socket.id).catch((err) => ctx.log.warn({ err }, 'account presence failed'));
    }
    const handlers = new RoomHandlers(ctx, socket, announcePresence, sessionSync, typingGate);
    socket.on('room:join', (payload, ack) => respond(ctx, ack, () => handlers.join(payload)));
    socket.on('room:leave', (payload, ack) => respond(ctx, ack, () => handlers.leave(payload)));
    socket.on('message:send', (payload, ack) => respond(ctx, ack, () => handlers.send(payload)));
    socket.on('message:range', (payload, ack) => respond(ctx, ack, () => handlers.range(payload)));
    socket.on('typing', (payload) => handlers.typing(payload));
    socket.on('presence:heartbeat', (ack) => respond(ctx, ack, () => handlers.heartbeat()));
    socket.on('message:delete', (payload, ack) => respond(ctx, ack, () => handlers.deleteMessage(payload)));
    socket.on('reaction:set', (payload, ack) => respond(ctx, ack, () => handlers.react(payload)));
    socket.on('message:report', (payload, ack) => respond(ctx, ack, () => handlers.report(payload)));
    socket.on('member:moderate', (payload, ack) => respond(ctx, ack, () => handlers.moderateMember(payload)));
    socket.on('room:moderate', (payload, ack) => respond(ctx, ack, () => handlers.moderateRoom(payload)));
    socket.on('message:edit', (payload, ack) => respond(ctx, ack, () => handlers.edit(payload)));
    socket.on('receipt:read', (payload, ack) => respond(ctx, ack, () => handlers.receipt(payload, true)));
    socket.on('receipt:delivered', (payload, ack) => respond(ctx, ack, () => handlers.receipt(payload, false)));
    socket.on('media:key', (payload, ack) => respond(ctx, ack, () => handlers.mediaKey(payload)));
    socket.on('disconnect', () => handlers.disconnected());
  });

  return {
    io,
    async close() {
      clearInterval(sweeper);
      for (const t of pendingPresence.values()) clearTimeout(t);
      // This node's connections only: a plain disconnectSockets is relayed by the adapter to every
      // node, which would turn a rolling restart into a reconnect storm across the cluster.
      io.local.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

function accessCookie(headers: { cookie?: string; origin?: string }, webOrigins: string[]): string | null {
  if (!headers.cookie) return null;
  if (headers.origin && !webOrigins.includes(headers.origin)) return null;
  return fastifyCookie.parse(headers.cookie)[COOKIE_ACCESS] ?? null;
}

function handshakeError(err: unknown): Error {
  const e = new Error(err instanceof AppError ? err.code : 'TOKEN_INVALID') as Error & { data?: unknown };
  e.data = err instanceof AppError ? err.toBody().error : { code: 'TOKEN_INVALID', message: 'The token is not valid.' };
  return e;
}

/** Runs a handler and answers its ack with the result or the one error shape; never leaks internals. */
async function respond<T extends object>(ctx: AppContext, ack: unknown, work: () => Promise<T>) {
  const reply = typeof ack === 'function' ? (ack as (res: Ack<T>) => void) : () => undefined;
  try {
    reply({ ok: true, ...(await work()) } as Ack<T>);
  } catch (err) {
    if (err instanceof AppError) return reply({ ok: false, error: err.toBody().error });
    ctx.log.error({ err }, 'socket handler failed');
    reply({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side. Try again.' } });
  }
}

function parseEvent<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload ?? {});
  if (!result.success) throw validationFailed(result.error.issues);
  return result.data;
}

const notMember = () => new AppError(403, 'NOT_A_MEMBER', 'You are not in this chat. Join it first.');
const backroomMembersOnly = () => new AppError(403, 'BACKROOM_MEMBERS_ONLY', 'Only Back Room members can do that. Buy a seat to get in.');

class RoomHandlers {
  constructor(
    private readonly ctx: AppContext,
    private readonly socket: IoSocket,
    private readonly announcePresence: (roomId: string) => void,
    private readonly sessionSync: SessionSync,
    private readonly typingGate: TypingGate,
  ) {}

  /**
   * The one access check for socket events (STYLE §4): a token for the room
   * naming a live participation under the same username (SPEC §2.2: the token
   * is bound to chat, participation and username).
   */
  private async access(roomId: string): Promise<{ room: RoomRow; member: MemberRow }> {
    const claims = this.socket.data.tokens.get(roomId);
    if (!claims) {
      const room = await this.ctx.rooms.byRoomId(roomId);
      if (room?.kind === 'backroom') throw backroomMembersOnly();
      if (room?.kind === 'pop') throw notMember();
      // A conversation, or nothing: the account's membership decides, and both answer alike.
      const user = this.socket.data.user;
      if (!user) throw unauthenticated('Sign in to open your conversations.');
      return accessConversation(this.ctx, user, roomId);
    }
    const [room, member] = await Promise.all([this.ctx.rooms.byRoomId(roomId), findMember(this.ctx.db, claims.memberId)]);
    if (!room || !member || member.roomId !== roomId) throw notMember();
    if (member.removedAt) throw backroomMembersOnly();
    // The one ban policy: this participation, and the person's other participations, account and devices.
    await requireNotBanned(this.ctx.db, room, { member });
    if (member.username !== claims.username) throw new AppError(401, 'TOKEN_INVALID', 'This token was issued for another username.');
    if (member.userId !== null) {
      // A signed-in participation's token names a live session of that account (docs/security.md).
      if (claims.sessionId === null) throw new AppError(401, 'TOKEN_EXPIRED', 'This chat session has expired. Open the chat again.');
      if (this.socket.data.sessions.get(claims.sessionId) !== member.userId) {
        throw new AppError(401, 'TOKEN_INVALID', 'This token was issued to another account.');
      }
    }
    return { room, member };
  }

  /** The acting participant of a joined room, for moderation events (same policy as HTTP). */
  private async actor(roomId: string, opts: { inConversations?: boolean } = {}): Promise<RoomActor> {
    const member = this.joined(roomId);
    const room = await this.ctx.rooms.byRoomId(roomId);
    if (!room) throw notMember();
    // A group admin is no pop-chat moderator: bans, time-outs and the like do not exist in conversations.
    if (isConversation(room) && !opts.inConversations) throw forbidden('That is not available in conversations.');
    return { room, member, isHost: member.role === 'host' || (member.userId !== null && member.userId === room.hostUserId), userId: member.userId };
  }

  private joined(roomId: string): MemberRow {
    const member = this.socket.data.joined.get(roomId);
    if (!member) throw notMember();
    return member;
  }

  async join(payload: unknown) {
    const { roomId, afterSeq, token } = parseEvent(roomJoinSchema, payload);
    if (token !== undefined) {
      const claims = await this.ctx.tokens.verifyChat(token);
      if (claims.roomId !== roomId) throw new AppError(401, 'TOKEN_INVALID', 'This token belongs to another chat.');
      if (claims.sessionId !== null && !this.socket.data.sessions.has(claims.sessionId)) {
        // Checked live on use, then bound: the connection ends with the session from now on.
        const session = await liveSession(this.ctx, claims.sessionId);
        if (!this.sessionSync.bind(this.socket, session.id)) throw sessionEnded();
        this.socket.data.sessions.set(session.id, session.userId);
      }
      this.socket.data.tokens.set(roomId, { memberId: claims.memberId, username: claims.username, sessionId: claims.sessionId });
    }
    const { room, member } = await this.access(roomId);
    // Join the channel before reading the replay: a message sent in between arrives live, never lost.
    const channels = [roomChannel(roomId), memberChannel(member.id)];
    if (isModerator(member)) channels.push(modsChannel(roomId));
    await this.socket.join(channels);
    this.socket.data.joined.set(roomId, member);
    if (this.socket.data.tokens.has(roomId)) {
      // A ban (or a revoked seat) that committed after access() read the row found this connection not joined yet, so
      // member sync passed it by: read the row once more now that it is.
      const now = await findMember(this.ctx.db, member.id);
      if (!now || now.bannedAt || now.removedAt) {
        await this.leave({ roomId });
        throw now?.bannedAt ? bannedError() : backroomMembersOnly();
      }
      this.socket.data.joined.set(roomId, now);
    }
    // An account that appears offline stays out of every online list, pop chats included.
    if (member.userId && (await appearsOffline(this.ctx.db, member.userId))) {
      this.socket.data.appearOffline.add(member.id);
    } else {
      this.socket.data.appearOffline.delete(member.id);
      await this.ctx.presence.touch(roomId, this.socket.id, { memberId: member.id, username: member.username });
      this.announcePresence(roomId);
    }
    const resumed = await resume(this.ctx, room, afterSeq, member.id);
    // Opening a room reads what it shows: a pop chat or Back Room opens at its newest message, a conversation's
    // bell entries go as far as its read watermark (the watermark itself moves with the reader's receipts).
    if (member.userId) this.ctx.notifications.roomRead(member.userId, roomId, isConversation(room) ? member.lastReadSeq : resumed.lastSeq);
    // In a conversation, what this member deleted for themselves is withheld from them; in a pop chat, what people they blocked wrote.
    return {
      roomId,
      ...(isConversation(room) ? await withoutHidden(this.ctx, member.id, resumed) : await withoutBlocked(this.ctx.db, room, member.userId, resumed)),
    };
  }

  async leave(payload: unknown) {
    const { roomId } = parseEvent(roomOnlySchema, payload);
    const member = this.socket.data.joined.get(roomId);
    if (member) {
      this.socket.data.joined.delete(roomId);
      this.socket.data.appearOffline.delete(member.id);
      await Promise.all([roomChannel(roomId), memberChannel(member.id), modsChannel(roomId)].map((c) => this.socket.leave(c)));
      await this.ctx.presence.remove(roomId, this.socket.id, member.id);
      this.announcePresence(roomId);
    }
    return {};
  }

  async send(payload: unknown) {
    const input = parseEvent(sendMessageSchema, payload);
    // Typing signals sent before this message go out before it, so "is typing" never outlives the message it announced.
    await this.typingQueue;
    const member = this.joined(input.roomId);
    const room = await this.ctx.rooms.byRoomId(input.roomId);
    if (!room) throw notMember();
    await this.ctx.limits.consume('messagesPerSecond', member.id);
    await this.ctx.limits.consume('messagesPerMinute', member.id);
    const send = { clientId: input.clientId, content: input.content, replyToId: input.replyToId ?? null, attachmentIds: input.attachmentIds };
    // Readers stop showing the author typing when the message arrives; the next start may go out at once.
    if (isConversation(room)) {
      const sent = await sendInConversation(this.ctx, room, member, send);
      this.typingGate.forget(room.id, member.id);
      return { message: publicMessage(sent.message) };
    }
    // Who blocked the author is read alongside the send, so it costs the send no time of its own.
    const [{ message }, hideFrom] = await Promise.all([sendMessage(this.ctx, room, member, send), hideFromBlockers(this.ctx.db, room, member.userId)]);
    this.typingGate.forget(room.id, member.id);
    // A resend is broadcast again: its first attempt may have died before its broadcast, and clients drop duplicates by seq.
    this.ctx.broadcast.message(room, message, hideFrom);
    return { message: publicMessage(message) };
  }

  /** A key for the room's media, for the member this connection joined as (docs/api.md, "Media"). */
  async mediaKey(payload: unknown) {
    const { roomId } = parseEvent(mediaKeyRequestSchema, payload);
    const member = this.joined(roomId);
    const room = await this.ctx.rooms.byRoomId(roomId);
    if (!room) throw notMember();
    return issueKey(this.ctx, room, member);
  }

  async range(payload: unknown) {
    const { roomId, afterSeq, beforeSeq } = parseEvent(roomRangeSchema, payload);
    const member = this.joined(roomId);
    const room = await this.ctx.rooms.byRoomId(roomId);
    if (!room) throw notMember();
    const range = await replay(this.ctx, room, afterSeq, REPLAY_MAX_MESSAGES, beforeSeq, member.id);
    return isConversation(room) ? withoutHidden(this.ctx, member.id, range) : withoutBlocked(this.ctx.db, room, member.userId, range);
  }

  async deleteMessage(payload: unknown) {
    const roomId = (payload as { roomId?: unknown } | null)?.roomId;
    const room = typeof roomId === 'string' && this.socket.data.joined.has(roomId) ? await this.ctx.rooms.byRoomId(roomId) : undefined;
    if (room && isConversation(room)) return this.deleteInConversation(payload);
    const parsed = parseEvent(messageDeleteSchema, payload);
    const message = await moderation.deleteMessage(this.ctx, await this.actor(parsed.roomId), parsed.messageId);
    return { message: publicMessage(message) };
  }

  /** A conversation's delete, for me or for everyone, as its HTTP twin (docs/api.md). */
  private async deleteInConversation(payload: unknown) {
    const { roomId, messageId, for: scope } = parseEvent(conversationMessageDeleteSchema, payload);
    this.joined(roomId);
    const user = this.socket.data.user;
    if (!user) throw unauthenticated('Sign in to open your conversations.');
    if (scope === 'me') {
      await deleteForMe(this.ctx, user, roomId, messageId);
      return {};
    }
    return { message: publicMessage(await deleteForEveryone(this.ctx, user, roomId, messageId)) };
  }

  async react(payload: unknown) {
    const { roomId, messageId, emoji, on } = parseEvent(reactionSetSchema, payload);
    const reactions = await moderation.setReaction(this.ctx, await this.actor(roomId, { inConversations: true }), messageId, emoji, on);
    return { messageId, reactions };
  }

  async report(payload: unknown) {
    const { roomId, messageId, reason, note } = parseEvent(messageReportSchema, payload);
    const { report } = await moderation.reportMessage(this.ctx, await this.actor(roomId), messageId, { reason, note });
    return { report };
  }

  async moderateMember(payload: unknown) {
    const { roomId, memberId, ...body } = parseEvent(memberModerateSchema, payload);
    return { member: await moderation.moderateMember(this.ctx, await this.actor(roomId), memberId, body) };
  }

  async moderateRoom(payload: unknown) {
    const { roomId, settings } = parseEvent(roomModerateSchema, payload);
    await moderation.updateSettings(this.ctx, await this.actor(roomId), { settings });
    return {};
  }

  async edit(payload: unknown) {
    const { roomId, messageId, content } = parseEvent(messageEditSchema, payload);
    const member = this.joined(roomId);
    const room = await this.ctx.rooms.byRoomId(roomId);
    if (!room) throw notMember();
    return { message: publicMessage(await editMessage(this.ctx, room, member, messageId, content)) };
  }

  /** An Inbox watermark: for any conversation of the account, joined on this connection or not. */
  async receipt(payload: unknown, read: boolean) {
    const { roomId, seq } = parseEvent(receiptBodySchema, payload);
    const user = this.socket.data.user;
    if (!user) throw unauthenticated('Sign in to open your conversations.');
    return markSeen(this.ctx, user, roomId, seq, read);
  }

  /**
   * Relayed one after another, so a quick start-and-stop never arrives as stop-then-start; a send waits for
   * those before it. Never rejects.
   */
  private typingQueue: Promise<void> = Promise.resolve();
  private typingQueued = 0;

  typing(payload: unknown) {
    // A client that floods typing signals loses the surplus: each lapses by itself anyway (TYPING_TTL_MS).
    if (this.typingQueued >= TYPING_QUEUE_MAX) return;
    this.typingQueued++;
    this.typingQueue = this.typingQueue
      .then(() => this.relayTyping(payload))
      .catch((err) => this.ctx.log.warn({ err }, 'typing not relayed'))
      .finally(() => this.typingQueued--);
  }

  private async relayTyping(payload: unknown) {
    const parsed = typingSchema.safeParse(payload);
    if (!parsed.success) return;
    const { roomId, typing } = parsed.data;
    const member = this.socket.data.joined.get(roomId);
    if (!member) return;
    // Nobody else may see a hidden participant at work, nor a timed-out one who cannot send.
    if (member.hiddenAt || (member.mutedUntil && member.mutedUntil.getTime() > Date.now())) return;
    // However fast a client sends, the room hears one start per member every two seconds and one stop per start.
    if (!this.typingGate.pass(roomId, member.id, typing)) return;
    const body = { roomId, memberId: member.id, username: member.username, typing };
    const room = await this.ctx.rooms.byRoomId(roomId);
    if (!room) return;
    if (!isConversation(room)) return this.ctx.broadcast.typing(roomId, body, this.socket.id, await hideFromBlockers(this.ctx.db, room, member.userId));
    // Nor someone who may not send in this group.
    if (room.kind === 'group' && room.settings.permissions?.send === 'admins' && member.role !== 'admin') return;
    // Nor across a block in a direct conversation.
    if (await directClosed(this.ctx.db, room, member)) return;
    // Also to the members' own connections, so their conversation lists can say so.
    const others = (await memberUserIds(this.ctx.db, roomId)).filter((id) => id !== member.userId);
    this.ctx.broadcast.conversationTyping(roomId, others, body, this.socket.id);
  }

  async heartbeat() {
    for (const [roomId, member] of this.socket.data.joined) {
      if (this.socket.data.appearOffline.has(member.id)) continue;
      await this.ctx.presence.touch(roomId, this.socket.id, { memberId: member.id, username: member.username });
    }
    if (this.socket.data.user) await this.ctx.accountPresence.heartbeat(this.socket.data.user.id, this.socket.id);
    return {};
  }

  disconnected() {
    for (const [roomId, member] of this.socket.data.joined) {
      this.ctx.presence
        .remove(roomId, this.socket.id, member.id)
        .then(() => this.announcePresence(roomId))
        .catch((err) => this.ctx.log.warn({ err }, 'presence remove failed'));
    }
    this.socket.data.joined.clear();
    this.socket.data.appearOffline.clear();
    const user = this.socket.data.user;
    if (user) this.ctx.accountPresence.disconnected(user.id, this.socket.id).catch((err) => this.ctx.log.warn({ err }, 'account presence failed'));
  }
}

