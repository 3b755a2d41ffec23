import {
  type Attachment,
  HISTORY_PAGE_SIZE,
  PRESENCE_HEARTBEAT_MS,
  REPLAY_MAX_MESSAGES,
  STICKY_HOST_MESSAGES,
  TYPING_TTL_MS,
  historyResponseSchema,
  moneyStateSchema,
  type ChatView,
  type MoneyState,
  type Payment,
  type PinView,
  type Member,
  type Message,
  type PresenceEntry,
  type Reaction,
  type Report,
  type ReportReason,
  type RoomRangeResult,
  type Ack,
} from '@chatpop/protocol';
import { ApiError, api, chatPath, errorMessage } from './api';
import { MessageLog, type ChatItem, type PendingSend } from './message-log';
import { createChatSocket, type ChatSocket } from './socket';
import { newClientId } from './utils';

/**
 * One pop chat as the client sees it: history over REST, then live over
 * Socket.IO with the replay and gap rules of docs/api.md, optimistic sends
 * with a clientId, typing and presence. A small external store: React reads
 * it through `useSyncExternalStore` (see use-chat-room.ts).
 */

export const SEND_TIMEOUT_MS = 10_000;
const JOIN_TIMEOUT_MS = 10_000;
/** How long a lost connection may stay lost before the chat says it cannot be reached. */
export const UNREACHABLE_AFTER_MS = 30_000;
const RANGE_TIMEOUT_MS = 10_000;
/** A media key is asked for again this long before it expires, so a photo never loads with a stale one. */
const MEDIA_KEY_MARGIN_MS = 5 * 60_000;
/** While a participant keeps typing, `typing: true` is repeated this often (the server forgets after TYPING_TTL_MS). */
export const TYPING_RESEND_MS = 3_000;
/** Without a keystroke for this long, typing stops on its own. */
const TYPING_IDLE_MS = 5_000;
/** How often a read-only viewer (no socket) looks for new messages. */
const READ_ONLY_POLL_MS = 15_000;
/** Host messages the sticky section holds (it shows the newest few until expanded). */
const ACTION_TIMEOUT_MS = 10_000;
/** How many ranges `reveal` reads before giving up (each up to REPLAY_MAX_MESSAGES). */
const REVEAL_MAX_ROUNDS = 40;
/** A gap fill that brought nothing is asked again after 0.5 s, 1 s, 2 s …, over HTTP from the RANGE_RETRIES-th miss on, never more than GAP_RETRY_MAX_MS apart. */
export const GAP_RETRY_BASE_MS = 500;
const GAP_RETRY_MAX_MS = 30_000;
export const RANGE_RETRIES = 3;

/** A message that arrived live (not from history or replay): what sounds listen to. */
export type LiveListener = (message: Message) => void;

export class ActionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting';

export interface HistoryState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  /** Older messages exist before the lowest one held. */
  hasMore: boolean;
  loadingOlder: boolean;
  olderError: string | null;
}

/**
 * Seqs a partial replay left out (more were missed than the server replays):
 * shown as a divider "N missed messages — show" that loads them on request.
 */
export interface MissedBlock {
  /** The block is the seqs after this one … */
  afterSeq: number;
  /** … and before this one. */
  beforeSeq: number;
  count: number;
  loading: boolean;
  error: string | null;
}

export interface ChatRoomSnapshot {
  items: ChatItem[];
  /** A hole below the newest seq is being filled: missed messages are loading. */
  catchingUp: boolean;
  /** What a partial replay left out, to load on request. */
  missed: MissedBlock[];
  /** The newest host messages, oldest first, for the sticky section. */
  hostMessages: Message[];
  connection: ConnectionState;
  /** The live connection has been down for UNREACHABLE_AFTER_MS: say so, offer a retry, stop offering to send. */
  unreachable: boolean;
  /** Connected at least once, or failed to: the reconnect banner may show. */
  connectionTried: boolean;
  joined: boolean;
  typingNames: string[];
  online: PresenceEntry[] | null;
  onlineCount: number | null;
  history: HistoryState;
  /** The room cannot be used any more (removed, banned, token refused, signed out). */
  fatal: string | null;
  /**
   * The account session this participation belonged to ended (signed out here
   * or elsewhere, a password change): the connection is closed for good and
   * the person must sign in again. `fatal` holds the sentence.
   */
  signedOut: boolean;
  /** This participant as the server last described them (role, time-out). */
  self: Member | null;
  /** The chat as last announced live (settings, lock, end), or null before any change. */
  chat: ChatView | null;
  /** Participants changed live (roles; for moderators also time-outs, bans, hiding), by id. */
  memberUpdates: Record<string, Member>;
  /** Reports that arrived live (host and moderators only), newest first. */
  liveReports: Report[];
  /** Back Room, pins and tips of the pop chat (with `money` on), kept live. */
  money: MoneyState | null;
  /** The last of my payments that changed, as announced live. */
  paymentUpdate: Payment | null;
}

export interface ChatRoomOptions {
  code: string;
  roomId: string;
  /** Fetches a fresh chat session token (`GET /api/chats/:code/me`); null when no longer a member. */
  refreshToken: () => Promise<string | null>;
  /** How long a send waits for its ack before it shows as failed. */
  sendTimeoutMs?: number;
  /** How long a lost connection may stay lost before the chat says it cannot be reached (UNREACHABLE_AFTER_MS). */
  unreachableAfterMs?: number;
  /** Called for each message that arrives live from someone else. */
  onLive?: LiveListener;
  /** Where the history pages come from (the Back Room has its own); the chat's by default. */
  historyPath?: string;
  /** Keep the money state (`GET …/money` and its live events): the pop chat's main room. */
  money?: boolean;
  /**
   * Opens the room's connection (by default one authorised by the chat session
   * token). An Inbox conversation opens one on the account's cookie, with its
   * own listeners (receipts) attached.
   */
  openSocket?: (token: string) => ChatSocket;
  /** The handshake's `auth` after a fresh token; the chat session token by default. */
  socketAuth?: (token: string) => ChatSocket['auth'];
  /** The first wait before a gap fill that brought nothing is asked again (it doubles each time). */
  gapRetryBaseMs?: number;
}

const FATAL_JOIN_CODES = new Set(['NOT_A_MEMBER', 'FORBIDDEN', 'CHAT_NOT_FOUND', 'TOKEN_INVALID', 'BANNED', 'CONVERSATION_NOT_FOUND']);
const TOKEN_ERRORS = new Set(['TOKEN_INVALID', 'TOKEN_EXPIRED']);
export const SIGNED_OUT_MESSAGE = 'You were signed out, on this device or another. Sign in again to keep chatting.';

export class ChatRoom {
  private readonly opts: ChatRoomOptions;
  private readonly log = new MessageLog();
  private readonly listeners = new Set<() => void>();
  private snapshot: ChatRoomSnapshot;
  private notifyQueued = false;
  private disposed = false;

  private member: Member | null = null;
  private socket: ChatSocket | null = null;
  private connection: ConnectionState = 'idle';
  private connectionTried = false;
  private joined = false;
  /** When the live connection was last lost (null while joined): after UNREACHABLE_AFTER_MS the chat says it cannot be reached. */
  private downSince: number | null = null;
  private unreachableTimer: ReturnType<typeof setTimeout> | null = null;
  private fatal: string | null = null;
  /** The newest host messages as the server listed them with the newest page. */
  private serverHostMessages: Message[] = [];
  private signedOut = false;
  private history: HistoryState = { status: 'loading', error: null, hasMore: false, loadingOlder: false, olderError: null };

  /** Every seq up to here is held (or was asked for and not given): `room:join` resumes after it. */
  private syncedSeq = 0;
  /** The room's last seq as the server last reported it. */
  private knownLastSeq = 0;
  private rangeInFlight = false;
  /** Gap fills in a row that brought nothing; reset by any progress. */
  private gapMisses = 0;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private catchingUp = false;
  private missed: MissedBlock[] = [];
  /** The lowest seq a history page answered for, message or withheld (see loadOlder). */
  private pagedFrom: number | null = null;

  private readonly sendTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly typingPeople = new Map<string, { username: string; timer: ReturnType<typeof setTimeout> }>();
  private online: PresenceEntry[] | null = null;
  private onlineCount: number | null = null;
  private typingActive = false;
  /** Typing began before the room was joined: said as soon as it is. */
  private typingPending = false;
  private typingSentAt = 0;
  private typingIdleTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private reauthing = false;
  private lastReauthAt = 0;
  private chat: ChatView | null = null;
  private memberUpdates: Record<string, Member> = {};
  private liveReports: Report[] = [];
  private money: MoneyState | null = null;
  private paymentUpdate: Payment | null = null;

  constructor(opts: ChatRoomOptions) {
    this.opts = opts;
    this.snapshot = this.buildSnapshot();
  }

  // ---- store ---------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): ChatRoomSnapshot => this.snapshot;

  private changed(): void {
    if (this.notifyQueued || this.disposed) return;
    this.notifyQueued = true;
    // Coalesce a burst (a replay, a typing storm) into one render.
    queueMicrotask(() => {
      this.notifyQueued = false;
      if (this.disposed) return;
      this.snapshot = this.buildSnapshot();
      for (const listener of this.listeners) listener();
    });
  }

  private buildSnapshot(): ChatRoomSnapshot {
    const self = this.member
      ? {
          memberId: this.member.id,
          username: this.member.username,
          verified: this.member.verified,
          type: this.member.role === 'host' ? ('host' as const) : ('normal' as const),
        }
      : null;
    const items = this.log.items(self, this.opts.roomId);
    const member = this.member;
    const hostMessages = this.stickyHostMessages();
    return {
      items,
      catchingUp: this.catchingUp,
      missed: this.missed.map((b) => ({ ...b })),
      hostMessages,
      connection: this.connection,
      unreachable: this.downSince !== null && Date.now() - this.downSince >= this.unreachableAfterMs,
      connectionTried: this.connectionTried,
      joined: this.joined,
      typingNames: [...this.typingPeople.values()].map((p) => p.username),
      online: this.online,
      onlineCount: this.onlineCount,
      history: { ...this.history },
      fatal: this.fatal,
      signedOut: this.signedOut,
      self: member,
      chat: this.chat,
      memberUpdates: this.memberUpdates,
      liveReports: this.liveReports,
      money: this.money,
      paymentUpdate: this.paymentUpdate,
    };
  }

  /**
   * The sticky section: the newest host messages, from what is loaded and
   * from the server's own list (which reaches back past the loaded pages), a
   * loaded copy winning as it carries live edits and deletions.
   */
  private stickyHostMessages(): Message[] {
    const bySeq = new Map<number, Message>();
    for (const m of this.serverHostMessages) bySeq.set(m.seq, this.log.bySeqNumber(m.seq) ?? m);
    for (const m of this.log.messages()) if (m.type === 'host') bySeq.set(m.seq, m);
    return [...bySeq.values()]
      .filter((m) => !m.deletedAt)
      .sort((a, b) => a.seq - b.seq)
      .slice(-STICKY_HOST_MESSAGES);
  }

  private get historyPath(): string {
    return this.opts.historyPath ?? chatPath(this.opts.code, '/messages');
  }

  // ---- lifecycle -----------------------------------------------------------

  /** Loads the newest page of history; live updates follow once a member is set. */
  async start(): Promise<void> {
    this.history = { ...this.history, status: 'loading', error: null };
    this.changed();
    if (this.opts.money) void this.loadMoney();
    try {
      const page = await api.get(this.historyPath, { schema: historyResponseSchema });
      if (this.disposed) return;
      this.log.merge(page.messages);
      this.log.markWithheld(page.withheld);
      if (page.hostMessages) this.serverHostMessages = page.hostMessages;
      this.notePaged(page);
      // The newest page's withheld seqs are held too: the join resumes after them.
      this.syncedSeq = Math.max(this.syncedSeq, this.log.highestSeq(), ...page.withheld);
      this.knownLastSeq = Math.max(this.knownLastSeq, this.syncedSeq);
      this.history = { ...this.history, status: 'ready', hasMore: page.hasMore };
    } catch (error) {
      if (this.disposed) return;
      this.history = { ...this.history, status: 'error', error: errorMessage(error) };
      this.changed();
      return;
    }
    this.changed();
    if (this.member && this.socket) this.socket.connect();
    else if (!this.member) this.startPolling();
  }

  /** Becomes a live participant: connects the socket with the chat session token. */
  setMember(member: Member, token: string): void {
    if (this.disposed) return;
    this.member = member;
    this.stopPolling();
    if (this.socket) {
      this.socket.auth = this.authFor(token);
      this.changed();
      return;
    }
    const socket = this.opts.openSocket?.(token) ?? createChatSocket(token);
    this.socket = socket;
    this.bindSocket(socket);
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.onOffline);
      window.addEventListener('online', this.onOnline);
      document.addEventListener('visibilitychange', this.onOnline);
    }
    this.connection = 'connecting';
    this.changed();
    // Replay resumes after the history we hold, so wait for that first.
    if (this.history.status === 'ready') socket.connect();
  }

  dispose(): void {
    this.disposed = true;
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.onOffline);
      window.removeEventListener('online', this.onOnline);
      document.removeEventListener('visibilitychange', this.onOnline);
    }
    this.stopPolling();
    this.stopHeartbeat();
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    for (const timer of this.sendTimers.values()) clearTimeout(timer);
    for (const person of this.typingPeople.values()) clearTimeout(person.timer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.listeners.clear();
  }

  // ---- socket --------------------------------------------------------------

  private bindSocket(socket: ChatSocket): void {
    socket.on('connect', () => {
      this.connection = 'connected';
      this.connectionTried = true;
      this.changed();
      this.joinRoom();
    });

    socket.on('disconnect', (reason) => {
      this.joined = false;
      if (!this.signedOut) this.markDown();
      this.connection = this.signedOut ? 'idle' : 'reconnecting';
      this.stopHeartbeat();
      this.clearTyping();
      this.requeueInFlight();
      this.changed();
      // The server closed us on purpose (token expired, removed): ask for a fresh token; never after a sign-out.
      if (reason === 'io server disconnect' && !this.signedOut) void this.reauth();
    });

    // The session ended (docs/api.md, "Socket.IO"): the server closes the connection right after.
    socket.on('session:revoked', ({ message }) => this.endSession(message));

    socket.on('connect_error', (error) => {
      if (this.signedOut) return;
      if (error.message === 'SESSION_REVOKED') {
        this.endSession((error as Error & { data?: { message?: string } }).data?.message);
        return;
      }
      this.markDown();
      this.connection = 'reconnecting';
      this.connectionTried = true;
      this.changed();
      if (TOKEN_ERRORS.has(error.message)) {
        void this.reauth();
      } else if (!socket.active) {
        // A refusal by the server's middleware: Socket.IO does not retry those by itself.
        this.scheduleReconnect(3_000);
      }
    });

    socket.on('message:new', (message) => {
      if (message.roomId !== this.opts.roomId) return;
      if (message.memberId) this.removeTyping(message.memberId);
      this.settleTimer(message.clientId);
      const fresh = !this.log.hasSeq(message.seq);
      if (this.log.merge([message])) this.changed();
      if (fresh && message.memberId !== this.member?.id) this.opts.onLive?.(message);
      this.catchUp();
    });

    socket.on('message:updated', (message) => {
      if (message.roomId !== this.opts.roomId) return;
      if (this.serverHostMessages.some((m) => m.id === message.id)) {
        this.serverHostMessages = this.serverHostMessages.map((m) => (m.id === message.id ? message : m));
        this.changed();
      }
      if (!this.log.bySeqNumber(message.seq)) return;
      if (this.log.merge([message])) this.changed();
    });

    socket.on('message:deleted', ({ roomId, id, seq, deletedAt }) => {
      if (roomId !== this.opts.roomId) return;
      if (this.serverHostMessages.some((m) => m.id === id)) {
        this.serverHostMessages = this.serverHostMessages.filter((m) => m.id !== id);
        this.changed();
      }
      const current = this.log.bySeqNumber(seq);
      if (!current || current.id !== id) return;
      if (this.log.merge([{ ...current, content: '', deletedAt, reactions: [] }])) this.changed();
    });

    socket.on('message:skip', ({ roomId, seq }) => {
      if (roomId !== this.opts.roomId) return;
      this.log.markWithheld(seq);
      this.knownLastSeq = Math.max(this.knownLastSeq, seq);
      this.catchUp();
    });

    // Inbox: I deleted a message for myself, on this device or another.
    socket.on('message:hidden', ({ roomId, seq }) => {
      if (roomId !== this.opts.roomId) return;
      if (this.log.remove(seq)) this.changed();
    });

    socket.on('reaction:updated', ({ roomId, messageId, seq, reactions }) => {
      if (roomId !== this.opts.roomId) return;
      const current = this.log.bySeqNumber(seq);
      if (!current || current.id !== messageId) return;
      if (this.log.merge([{ ...current, reactions }])) this.changed();
    });

    socket.on('member:updated', ({ roomId, member }) => {
      if (roomId !== this.opts.roomId) return;
      const merged = { ...this.memberUpdates[member.id], ...member };
      this.memberUpdates = { ...this.memberUpdates, [member.id]: merged };
      if (this.member && member.id === this.member.id) {
        this.member = { ...this.member, ...member };
        if (member.banned) this.fatal = 'You have been banned from this chat.';
      }
      this.changed();
    });

    socket.on('room:updated', ({ roomId, chat }) => {
      if (roomId !== this.opts.roomId) return;
      this.chat = chat;
      this.changed();
    });

    socket.on('report:new', ({ roomId, report }) => {
      if (roomId !== this.opts.roomId) return;
      this.liveReports = [report, ...this.liveReports.filter((r) => r.id !== report.id)];
      this.changed();
    });

    socket.on('pins:updated', ({ roomId, quoteCents, pins }) => {
      if (roomId !== this.opts.roomId || !this.money) return;
      this.money = { ...this.money, pins: { ...this.money.pins, quoteCents, pins } };
      this.changed();
    });

    socket.on('backroom:updated', ({ roomId, seatsTaken, seatLimit, full }) => {
      if (roomId !== this.opts.roomId || !this.money) return;
      this.money = { ...this.money, backroom: { ...this.money.backroom, seatsTaken, seatLimit, full } };
      this.changed();
    });

    socket.on('payment:updated', ({ roomId, payment }) => {
      if (roomId !== this.opts.roomId) return;
      this.paymentUpdate = payment;
      this.changed();
      // A seat bought or refunded changes what I may enter: ask for the whole state.
      if (this.opts.money) void this.loadMoney();
    });

    socket.on('typing', (payload) => {
      if (payload.roomId !== this.opts.roomId || payload.memberId === this.member?.id) return;
      if (payload.typing) this.addTyping(payload.memberId, payload.username);
      else this.removeTyping(payload.memberId);
    });

    socket.on('presence', (payload) => {
      if (payload.roomId !== this.opts.roomId) return;
      this.online = payload.online;
      this.onlineCount = payload.count;
      this.changed();
    });
  }

  /**
   * The browser knows it lost the network before a heartbeat would: drop the
   * socket now (sends queue up) and come back as soon as the network does.
   */
  private onOffline = (): void => {
    if (!this.socket) return;
    this.markDown();
    this.socket.disconnect();
    this.connection = 'reconnecting';
    this.connectionTried = true;
    this.changed();
  };

  private onOnline = (): void => {
    if (document.visibilityState === 'hidden' || !navigator.onLine) return;
    if (this.socket && !this.socket.connected && !this.socket.active && !this.fatal) this.socket.connect();
  };

  private get unreachableAfterMs(): number {
    return this.opts.unreachableAfterMs ?? UNREACHABLE_AFTER_MS;
  }

  private markDown(): void {
    if (this.downSince !== null || this.disposed) return;
    this.downSince = Date.now();
    this.unreachableTimer = setTimeout(() => {
      this.unreachableTimer = null;
      this.changed();
    }, this.unreachableAfterMs);
  }

  private markUp(): void {
    this.downSince = null;
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
    this.unreachableTimer = null;
  }

  /** "Try again" on an unreachable chat: connect now rather than at the next backoff step. */
  retryNow(): void {
    if (this.disposed || this.signedOut || !this.socket || this.socket.connected || this.fatal) return;
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
    // Counted afresh: the chat says it cannot be reached again only after another full wait.
    this.downSince = Date.now();
    this.unreachableTimer = setTimeout(() => {
      this.unreachableTimer = null;
      this.changed();
    }, this.unreachableAfterMs);
    this.changed();
    this.socket.disconnect();
    this.socket.connect();
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.signedOut) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.disposed && !this.signedOut && this.socket && !this.socket.connected) this.socket.connect();
    }, delayMs);
  }

  /**
   * The account session behind this participation ended: stop for good (no
   * reconnect, no fresh token: the server would refuse both) and say why, so
   * the page can offer to sign in again.
   */
  private endSession(message?: string): void {
    if (this.signedOut || this.disposed) return;
    this.signedOut = true;
    this.fatal = message || SIGNED_OUT_MESSAGE;
    this.joined = false;
    this.connection = 'idle';
    this.stopHeartbeat();
    this.clearTyping();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // Stops Socket.IO's own reconnection too.
    this.socket?.disconnect();
    this.changed();
  }

  private authFor(token: string): ChatSocket['auth'] {
    return this.opts.socketAuth?.(token) ?? { chatTokens: [token] };
  }

  private async reauth(): Promise<void> {
    if (this.reauthing || this.disposed || this.signedOut) return;
    // Never spin: at most one fresh token every 10 s.
    const wait = this.lastReauthAt + 10_000 - Date.now();
    if (wait > 0) {
      this.scheduleReconnect(wait);
      return;
    }
    this.reauthing = true;
    this.lastReauthAt = Date.now();
    try {
      const token = await this.opts.refreshToken();
      if (this.disposed || !this.socket) return;
      if (!token) {
        this.fatal = 'You are no longer a participant of this chat.';
        this.changed();
        return;
      }
      this.socket.auth = this.authFor(token);
      this.socket.connect();
    } catch (error) {
      // No fresh token because the account's session is gone: signed out, not a network hiccup.
      if (error instanceof ApiError && (error.code === 'SESSION_REVOKED' || error.code === 'UNAUTHENTICATED')) this.endSession();
      else this.scheduleReconnect(5_000);
    } finally {
      this.reauthing = false;
    }
  }

  private joinRoom(): void {
    const socket = this.socket;
    if (!socket?.connected) return;
    const afterSeq = this.syncedSeq;
    socket.timeout(JOIN_TIMEOUT_MS).emit('room:join', { roomId: this.opts.roomId, afterSeq }, (err, res) => {
      if (this.disposed || socket !== this.socket) return;
      if (err) {
        if (socket.connected) setTimeout(() => this.joinRoom(), 2_000);
        return;
      }
      if (!res.ok) {
        if (res.error.code === 'SESSION_REVOKED') {
          this.endSession(res.error.message);
        } else if (FATAL_JOIN_CODES.has(res.error.code)) {
          this.fatal = res.error.message;
          this.changed();
        } else if (res.error.code === 'UNAUTHENTICATED' || res.error.code === 'TOKEN_EXPIRED') {
          // The account's access ran out before this handshake (Inbox), or the chat session token is
          // too old for the server (one issued before tokens named their session): a new one after a refresh.
          socket.disconnect();
          void this.reauth();
        } else if (socket.connected) {
          setTimeout(() => this.joinRoom(), 3_000);
        }
        return;
      }
      this.joined = true;
      this.markUp();
      this.fatal = null;
      // Someone who started typing while the room was still joining is typing now.
      if (this.typingPending && this.emitTyping(true)) {
        this.typingPending = false;
        this.typingActive = true;
        this.typingSentAt = Date.now();
      }
      // Pins may have changed while the connection was away.
      if (this.opts.money) void this.loadMoney();
      this.log.merge(res.messages);
      this.log.markWithheld(res.withheld ?? []);
      // More was missed than the server replays: it sent the newest page, and the rest waits behind a divider.
      if (res.replay === 'partial' && res.missed > 0) this.addMissed(afterSeq, afterSeq + res.missed + 1);
      this.knownLastSeq = Math.max(this.knownLastSeq, res.lastSeq);
      this.changed();
      this.catchUp();
      this.flushQueue();
      this.startHeartbeat();
    });
  }

  /** Moves `syncedSeq` over every seq held (or withheld), and over blocks left for the reader to load. */
  private advanceSynced(): void {
    for (;;) {
      if (this.log.hasSeq(this.syncedSeq + 1)) {
        this.syncedSeq++;
        continue;
      }
      const block = this.missed.find((b) => b.afterSeq <= this.syncedSeq && this.syncedSeq < b.beforeSeq - 1);
      if (!block) return;
      this.syncedSeq = block.beforeSeq - 1;
    }
  }

  /**
   * Advances `syncedSeq` over what is held; while a hole remains below the
   * newest seq known, asks `message:range` for it, one request at a time. An
   * answer that fills nothing is asked again with backoff, then over HTTP,
   * and never given up on: the snapshot says missed messages are loading
   * until the hole is filled (docs/api.md, "Replay and gaps").
   */
  private catchUp(): void {
    this.advanceSynced();
    const target = Math.max(this.log.highestSeq(), this.knownLastSeq);
    const behind = this.syncedSeq < target;
    if (behind !== this.catchingUp) {
      this.catchingUp = behind;
      this.changed();
    }
    if (!behind) {
      this.gapMisses = 0;
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = null;
      return;
    }
    if (this.rangeInFlight || this.gapTimer || !this.joined || !this.socket) return;
    const afterSeq = this.syncedSeq;
    const beforeSeq = this.log.nextSeqAbove(afterSeq) ?? undefined;
    this.rangeInFlight = true;
    if (this.gapMisses >= RANGE_RETRIES) {
      void this.fillOverHttp(afterSeq).then((progress) => this.gapAnswered(afterSeq, progress));
      return;
    }
    const socket = this.socket;
    socket
      .timeout(RANGE_TIMEOUT_MS)
      .emit('message:range', { roomId: this.opts.roomId, afterSeq, ...(beforeSeq ? { beforeSeq } : {}) }, (err, res) => {
        if (this.disposed || socket !== this.socket) {
          this.rangeInFlight = false;
          return;
        }
        if (!err && res.ok) this.takeRange(res);
        this.gapAnswered(afterSeq, !err && res.ok);
      });
  }

  private takeRange(res: RoomRangeResult): void {
    const merged = this.log.merge(res.messages);
    this.log.markWithheld(res.withheld ?? []);
    if (merged) this.changed();
  }

  /** After a gap fill: on progress, on to the next hole; on none, try again later (backing off). */
  private gapAnswered(afterSeq: number, answered: boolean): void {
    this.rangeInFlight = false;
    if (this.disposed) return;
    this.advanceSynced();
    if (answered && this.syncedSeq > afterSeq) {
      this.gapMisses = 0;
      this.catchUp();
      return;
    }
    this.gapMisses++;
    const delay = Math.min(GAP_RETRY_MAX_MS, (this.opts.gapRetryBaseMs ?? GAP_RETRY_BASE_MS) * 2 ** (this.gapMisses - 1));
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      this.catchUp();
    }, delay);
  }

  /** The hole after `afterSeq` read as a history page over HTTP; true when the read answered. */
  private async fillOverHttp(afterSeq: number): Promise<boolean> {
    try {
      const page = await api.get(`${this.historyPath}?after=${afterSeq}&limit=${HISTORY_PAGE_SIZE}`, { schema: historyResponseSchema });
      if (this.disposed) return false;
      const merged = this.log.merge(page.messages);
      this.log.markWithheld(page.withheld);
      if (merged) this.changed();
      return true;
    } catch {
      return false;
    }
  }

  private addMissed(afterSeq: number, beforeSeq: number): void {
    if (beforeSeq - afterSeq <= 1) return;
    this.missed = [
      ...this.missed.filter((b) => b.beforeSeq <= afterSeq + 1 || b.afterSeq >= beforeSeq - 1),
      { afterSeq, beforeSeq, count: beforeSeq - afterSeq - 1, loading: false, error: null },
    ].sort((a, b) => a.afterSeq - b.afterSeq);
    this.changed();
  }

  /**
   * Loads the next part of a block a partial replay left out (up to the
   * replay limit, oldest first); the divider shrinks, and goes when the block
   * is loaded.
   */
  async loadMissed(afterSeq: number): Promise<void> {
    const block = this.missed.find((b) => b.afterSeq === afterSeq);
    if (!block || block.loading) return;
    this.updateMissed(block, { loading: true, error: null });
    let loaded = false;
    try {
      const socket = this.socket;
      if (socket?.connected && this.joined) {
        const res = await socket.timeout(RANGE_TIMEOUT_MS).emitWithAck('message:range', { roomId: this.opts.roomId, afterSeq: block.afterSeq, beforeSeq: block.beforeSeq });
        if (res.ok) {
          this.takeRange(res);
          loaded = true;
        }
      } else {
        // No live connection: the same, over HTTP history pages.
        let after = block.afterSeq;
        for (let page = 0; page < REPLAY_MAX_MESSAGES / HISTORY_PAGE_SIZE && after + 1 < block.beforeSeq; page++) {
          if (!(await this.fillOverHttp(after))) break;
          loaded = true;
          const before = after;
          while (after + 1 < block.beforeSeq && this.log.hasSeq(after + 1)) after++;
          if (after === before) break;
        }
      }
    } catch {
      loaded = false;
    }
    if (this.disposed) return;
    let next = block.afterSeq;
    while (next + 1 < block.beforeSeq && this.log.hasSeq(next + 1)) next++;
    if (next + 1 >= block.beforeSeq) {
      this.missed = this.missed.filter((b) => b !== block && b.afterSeq !== block.afterSeq);
    } else if (loaded && next > block.afterSeq) {
      this.missed = this.missed.map((b) => (b.afterSeq === block.afterSeq ? { ...b, afterSeq: next, count: b.beforeSeq - next - 1, loading: false } : b));
    } else {
      this.updateMissed(block, { loading: false, error: "Couldn't load the missed messages. Try again." });
      return;
    }
    this.changed();
  }

  private updateMissed(block: MissedBlock, patch: Partial<MissedBlock>): void {
    this.missed = this.missed.map((b) => (b.afterSeq === block.afterSeq ? { ...b, ...patch } : b));
    this.changed();
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      if (this.socket?.connected) this.socket.emit('presence:heartbeat');
    }, PRESENCE_HEARTBEAT_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  // ---- media -----------------------------------------------------------------

  private mediaKeyCache: { key: string; expiresAtMs: number } | null = null;

  /**
   * The room's media key (docs/api.md, "Media"), asked of the server over this
   * room's connection and kept until shortly before it expires: uploads carry
   * it, and photos of rooms that are not public pop chats are fetched with it.
   */
  async mediaKey(): Promise<string> {
    const cached = this.mediaKeyCache;
    if (cached && cached.expiresAtMs - Date.now() > MEDIA_KEY_MARGIN_MS) return cached.key;
    const socket = this.socket;
    if (!socket || !this.joined) throw new Error('Not connected to the chat yet. Try again in a moment.');
    const res = await socket.timeout(RANGE_TIMEOUT_MS).emitWithAck('media:key', { roomId: this.opts.roomId });
    if (!res.ok) throw new Error(res.error.message);
    this.mediaKeyCache = { key: res.key, expiresAtMs: Date.parse(res.expiresAt) };
    this.changed();
    return res.key;
  }

  /** The media key if one is held and fresh, for drawing photos; null until `mediaKey()` fetched one. */
  currentMediaKey(): string | null {
    const cached = this.mediaKeyCache;
    return cached && cached.expiresAtMs - Date.now() > MEDIA_KEY_MARGIN_MS ? cached.key : null;
  }

  // ---- sending ---------------------------------------------------------------

  send(content: string, replyTo: Message | null, attachments: Attachment[] = []): void {
    const text = content.trim();
    if ((!text && attachments.length === 0) || !this.member) return;
    const send: PendingSend = {
      ...(attachments.length ? { attachments } : {}),
      clientId: newClientId(),
      content: text,
      replyTo: replyTo
        ? { id: replyTo.id, username: replyTo.username, content: replyTo.content, deleted: Boolean(replyTo.deletedAt) }
        : null,
      replyToId: replyTo?.id ?? null,
      createdAt: new Date().toISOString(),
      status: 'pending',
      inFlight: false,
      attempt: 0,
      error: null,
    };
    this.log.addPending(send);
    this.typingStop();
    this.changed();
    if (this.joined) this.emitSend(send.clientId);
  }

  /** Sends a failed message again with the SAME clientId: the server answers a duplicate with the original. */
  retry(clientId: string): void {
    if (!this.log.updatePending(clientId, { status: 'pending', error: null, inFlight: false })) return;
    this.changed();
    if (this.joined) this.emitSend(clientId);
  }

  discard(clientId: string): void {
    this.settleTimer(clientId);
    if (this.log.removePending(clientId)) this.changed();
  }

  private emitSend(clientId: string): void {
    const send = this.log.getPending(clientId);
    const socket = this.socket;
    if (!send || !socket) return;
    const attempt = send.attempt + 1;
    this.log.updatePending(clientId, { inFlight: true, attempt, status: 'pending', error: null });
    this.settleTimer(clientId);
    this.sendTimers.set(
      clientId,
      setTimeout(() => {
        this.sendTimers.delete(clientId);
        const current = this.log.getPending(clientId);
        if (!current || current.attempt !== attempt || !current.inFlight) return;
        this.log.updatePending(clientId, { status: 'failed', inFlight: false, error: 'Not sent: no answer from the server.' });
        this.changed();
      }, this.opts.sendTimeoutMs ?? SEND_TIMEOUT_MS),
    );
    socket.emit(
      'message:send',
      {
        roomId: this.opts.roomId,
        clientId,
        content: send.content,
        ...(send.replyToId ? { replyToId: send.replyToId } : {}),
        ...(send.attachments?.length ? { attachmentIds: send.attachments.map((a) => a.id) } : {}),
      },
      (res) => {
        if (this.disposed) return;
        this.settleTimer(clientId);
        if (res.ok) {
          // Even after a timeout marked it failed: the message did get through.
          this.log.removePending(clientId);
          this.log.merge([res.message]);
          this.changed();
          this.catchUp();
          return;
        }
        const current = this.log.getPending(clientId);
        if (!current || current.attempt !== attempt) return;
        this.log.updatePending(clientId, { status: 'failed', inFlight: false, error: res.error.message });
        this.changed();
      },
    );
  }

  private settleTimer(clientId: string | null): void {
    if (!clientId) return;
    const timer = this.sendTimers.get(clientId);
    if (timer) clearTimeout(timer);
    this.sendTimers.delete(clientId);
  }

  /** On disconnect, sends waiting for an ack go back to the queue (Socket.IO drops their acks). */
  private requeueInFlight(): void {
    for (const send of this.log.pendingSends()) {
      if (!send.inFlight) continue;
      this.settleTimer(send.clientId);
      this.log.updatePending(send.clientId, { inFlight: false });
    }
  }

  private flushQueue(): void {
    for (const send of this.log.pendingSends()) {
      if (send.status === 'pending' && !send.inFlight) this.emitSend(send.clientId);
    }
  }

  // ---- message actions ---------------------------------------------------------

  /** Emits an event with an ack over the joined connection; rejects with the server's error. */
  private act<T>(emit: (socket: ChatSocket, done: (res: ({ ok: true } & T) | { ok: false; error: { code: string; message: string } }) => void) => void): Promise<T> {
    const socket = this.socket;
    if (!socket?.connected || !this.joined) {
      return Promise.reject(new ActionError('OFFLINE', "You're offline. Try again when the connection is back."));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ActionError('TIMEOUT', 'No answer from the server. Try again.')), ACTION_TIMEOUT_MS);
      emit(socket, (res) => {
        clearTimeout(timer);
        if (!res.ok) reject(new ActionError(res.error.code, res.error.message));
        else resolve(res);
      });
    });
  }

  /** Adds or removes one of my reactions; the message shows the answer at once. */
  async react(messageId: string, emoji: string, on: boolean): Promise<void> {
    const res = await this.act<{ reactions: Reaction[] }>((socket, done) =>
      socket.emit('reaction:set', { roomId: this.opts.roomId, messageId, emoji, on }, done),
    );
    const current = this.log.byId(messageId);
    if (current && this.log.merge([{ ...current, reactions: res.reactions }])) this.changed();
  }

  async deleteMessage(messageId: string): Promise<void> {
    const res = await this.act<{ message?: Message }>((socket, done) => socket.emit('message:delete', { roomId: this.opts.roomId, messageId }, done));
    if (res.message && this.log.merge([res.message])) this.changed();
  }

  /** A message I deleted for myself leaves this view at once (the server's `message:hidden` follows). */
  forget(messageId: string): void {
    const message = this.log.byId(messageId);
    if (message && this.log.remove(message.seq)) this.changed();
  }

  /**
   * Someone this account just blocked leaves this view at once: their
   * messages go (their seqs count as withheld, as the server will now say)
   * and their reactions come off the rest. What arrives later is already
   * filtered by the server.
   */
  hideMember(memberId: string): void {
    let changed = false;
    const kept: Message[] = [];
    for (const m of this.log.messages()) {
      if (m.memberId === memberId) {
        changed = this.log.remove(m.seq) || changed;
        continue;
      }
      if (m.reactions.some((r) => r.members.some((x) => x.id === memberId))) {
        const reactions = m.reactions
          .map((r) => {
            const members = r.members.filter((x) => x.id !== memberId);
            return { ...r, members, count: r.count - (r.members.length - members.length) };
          })
          .filter((r) => r.count > 0);
        kept.push({ ...m, reactions });
      }
    }
    if (kept.length > 0) changed = this.log.merge(kept) || changed;
    if (changed) this.changed();
  }

  async report(messageId: string, reason: ReportReason, note?: string): Promise<void> {
    await this.act<{ report: Report }>((socket, done) =>
      socket.emit('message:report', { roomId: this.opts.roomId, messageId, reason, ...(note ? { note } : {}) }, done),
    );
  }

  /** A report was handled in the queue: drop it from the live list. */
  dismissLiveReport(id: string): void {
    this.liveReports = this.liveReports.filter((r) => r.id !== id);
    this.changed();
  }

  // ---- typing ------------------------------------------------------------------

  /** Call on every edit of the composer. */
  typingInput(hasText: boolean): void {
    if (!hasText) {
      this.typingStop();
      return;
    }
    const now = Date.now();
    if (!this.typingActive || now - this.typingSentAt >= TYPING_RESEND_MS) {
      if (this.emitTyping(true)) {
        this.typingActive = true;
        this.typingSentAt = now;
        this.typingPending = false;
      } else {
        this.typingPending = true;
      }
    }
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.typingStop(), TYPING_IDLE_MS);
  }

  /** Call on send and on blur. */
  typingStop(): void {
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = null;
    this.typingPending = false;
    if (!this.typingActive) return;
    this.typingActive = false;
    this.emitTyping(false);
  }

  private emitTyping(typing: boolean): boolean {
    if (!this.joined || !this.socket?.connected) return false;
    // Only sent while connected: a typing signal is worthless once late, so it is never queued.
    this.socket.emit('typing', { roomId: this.opts.roomId, typing });
    return true;
  }

  private addTyping(memberId: string, username: string): void {
    const existing = this.typingPeople.get(memberId);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => this.removeTyping(memberId), TYPING_TTL_MS);
    this.typingPeople.set(memberId, { username, timer });
    if (!existing) this.changed();
  }

  private removeTyping(memberId: string): void {
    const existing = this.typingPeople.get(memberId);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.typingPeople.delete(memberId);
    this.changed();
  }

  private clearTyping(): void {
    for (const person of this.typingPeople.values()) clearTimeout(person.timer);
    this.typingPeople.clear();
  }

  // ---- history -------------------------------------------------------------------

  /** A history page's lowest seq, message or withheld: older pages are read before it. */
  private notePaged(page: { messages: readonly Message[]; withheld: readonly number[] }): void {
    for (const seq of [...page.messages.map((m) => m.seq), ...page.withheld]) {
      if (this.pagedFrom === null || seq < this.pagedFrom) this.pagedFrom = seq;
    }
  }

  async loadOlder(): Promise<void> {
    // A page may hold nothing to show (all deleted for me, or withheld): the next one starts below it all the same.
    const held = this.log.lowestSeq();
    const lowest = held === null ? this.pagedFrom : this.pagedFrom === null ? held : Math.min(held, this.pagedFrom);
    if (this.history.loadingOlder || !this.history.hasMore || lowest === null || lowest <= 1) return;
    this.history = { ...this.history, loadingOlder: true, olderError: null };
    this.changed();
    try {
      const page = await api.get(`${this.historyPath}?before=${lowest}&limit=${HISTORY_PAGE_SIZE}`, {
        schema: historyResponseSchema,
      });
      if (this.disposed) return;
      this.log.merge(page.messages);
      this.log.markWithheld(page.withheld);
      this.notePaged(page);
      this.history = { ...this.history, loadingOlder: false, hasMore: page.hasMore && (page.messages.length > 0 || page.withheld.length > 0) };
    } catch (error) {
      if (this.disposed) return;
      this.history = { ...this.history, loadingOlder: false, olderError: errorMessage(error) };
    }
    this.changed();
  }

  /**
   * Loads the history from `seq` up to the oldest message held (a quote's
   * original, a pinned message further back than the pages loaded so far), so
   * it can be shown and scrolled to: ranges of up to REPLAY_MAX_MESSAGES over
   * the joined connection, else history pages over HTTP. Resolves true once
   * `seq` is held (or withheld: there is nothing there for this reader).
   */
  async reveal(seq: number): Promise<boolean> {
    if (this.log.hasSeq(seq)) return true;
    const lowest = this.log.lowestSeq();
    // Inside what is held: a hole that catching up is already filling.
    if (lowest === null || seq > lowest) return false;
    let after = seq - 1;
    for (let round = 0; round < REVEAL_MAX_ROUNDS && !this.disposed; round++) {
      const before = this.log.nextSeqAbove(after) ?? lowest;
      if (after + 1 >= before) break;
      let progressed: boolean;
      const socket = this.socket;
      if (socket?.connected && this.joined) {
        try {
          const res: Ack<RoomRangeResult> = await socket
            .timeout(RANGE_TIMEOUT_MS)
            .emitWithAck('message:range', { roomId: this.opts.roomId, afterSeq: after, beforeSeq: before });
          if (!res.ok) return this.log.hasSeq(seq);
          this.takeRange(res);
          const top = Math.max(after, ...res.messages.map((m) => m.seq), ...(res.withheld ?? []));
          progressed = top > after;
          after = top;
          if (!res.hasMore) break;
        } catch {
          return this.log.hasSeq(seq);
        }
      } else {
        if (!(await this.fillOverHttp(after))) return this.log.hasSeq(seq);
        const start = after;
        while (after + 1 < before && this.log.hasSeq(after + 1)) after++;
        progressed = after > start;
      }
      if (!progressed) break;
    }
    return this.log.hasSeq(seq);
  }

  private startPolling(): void {
    this.stopPolling();
    this.pollTimer = setInterval(() => void this.pollNewer(), READ_ONLY_POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  /** Read-only viewers have no socket; they look for new messages now and then. */
  private async pollNewer(): Promise<void> {
    if (this.member || this.disposed || document.visibilityState === 'hidden') return;
    try {
      for (let page = 0; page < 10; page++) {
        const after = this.log.highestSeq();
        const query = after > 0 ? `?after=${after}` : '';
        const res = await api.get(`${this.historyPath}${query}`, { schema: historyResponseSchema });
        if (this.disposed || this.member) return;
        this.log.markWithheld(res.withheld);
        if (this.log.merge(res.messages)) this.changed();
        if (!res.hasMore || after === 0) break;
      }
      this.syncedSeq = Math.max(this.syncedSeq, this.log.highestSeq());
      if (this.opts.money) await this.loadMoney();
    } catch {
      // The next poll tries again.
    }
  }

  // ---- money ---------------------------------------------------------------------

  /** The Back Room, pins and tips as the server has them now (after a purchase, a reconnect). */
  async loadMoney(): Promise<void> {
    try {
      const money = await api.get(chatPath(this.opts.code, '/money'), { schema: moneyStateSchema });
      if (this.disposed) return;
      this.money = money;
      this.changed();
    } catch {
      // Money is shown when known; the next reconnect or poll asks again.
    }
  }

  /** The pins as an unpin answered them. */
  setPins(pins: PinView[], quoteCents?: number): void {
    if (!this.money) return;
    this.money = { ...this.money, pins: { ...this.money.pins, pins, quoteCents: quoteCents ?? this.money.pins.quoteCents } };
    this.changed();
  }
}
