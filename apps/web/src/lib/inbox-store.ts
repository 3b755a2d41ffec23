import {
  conversationListSchema,
  conversationPreferenceResponseSchema,
  conversationSummaryResponseSchema,
  inboxSummarySchema,
  PRESENCE_QUERY_MAX_USERS,
  presenceListSchema,
  TYPING_TTL_MS,
  type ConversationEventPayload,
  type ConversationRemovedPayload,
  type ConversationSummary,
  type InboxSummary,
  type InboxUnreadPayload,
  type MuteDuration,
  type TypingPayload,
  type UserPresence,
} from '@chatpop/protocol';
import { ApiError, api, errorMessage } from './api';
import { mergeFetched, removeConversation, upsertConversation, WatermarkQueue } from './inbox';
import type { AccountConnection, AccountConnectionState } from './inbox-connection';

/**
 * The Inbox list and dashboard as the client holds them: the first pages of
 * `GET /api/conversations` and `GET /api/inbox/summary`, kept current by the
 * per-user events, and fetched again after every reconnect (what happened
 * while away came as no event). Also sends the list's delivery watermarks and
 * the open conversation's read watermark, coalesced. React reads it through
 * `useSyncExternalStore` (use-inbox.ts).
 */

export interface InboxSnapshot {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  /** Every Inbox route needs a reserved username: without one, the page says how to get one. */
  needsUsername: boolean;
  conversations: ConversationSummary[];
  hasMore: boolean;
  loadingMore: boolean;
  /** The dashboard's counts, with the unread figures as the last event told them. */
  summary: InboxSummary | null;
  connection: AccountConnectionState;
  /** Conversations this user left or was removed from while the page was open. */
  removed: Readonly<Record<string, ConversationRemovedPayload['reason']>>;
  /** The archive (`?archived=true`), fetched when first shown and kept current by the same events. */
  archive: ArchiveSnapshot;
  /** What is known of people's presence (partners only), by user id. */
  presence: Readonly<Record<string, UserPresence>>;
  /** Who is typing in each conversation (by room id), names in the order they started. */
  typing: Readonly<Record<string, readonly string[]>>;
  /** Rows that neither loaded list holds (archived while the archive was not loaded), by id. */
  loose: Readonly<Record<string, ConversationSummary>>;
}

export interface ArchiveSnapshot {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  conversations: ConversationSummary[];
  hasMore: boolean;
}

/** A per-conversation setting of mine: mute, archive, pin. */
export type Preference = { action: 'mute'; duration: MuteDuration } | { action: 'unmute' | 'archive' | 'unarchive' | 'pin' | 'unpin' };

/** After a burst of events, the dashboard's counts are fetched once. */
const SUMMARY_DEBOUNCE_MS = 600;

export class InboxStore {
  private readonly listeners = new Set<() => void>();
  private snapshot: InboxSnapshot;
  private status: InboxSnapshot['status'] = 'loading';
  private error: string | null = null;
  private needsUsername = false;
  private conversations: ConversationSummary[] = [];
  private nextCursor: string | null = null;
  private loadingMore = false;
  private summary: InboxSummary | null = null;
  private removed: Record<string, ConversationRemovedPayload['reason']> = {};
  private archive: ArchiveSnapshot = { status: 'idle', error: null, conversations: [], hasMore: false };
  private archiveCursor: string | null = null;
  private archiveRequest = 0;
  private presence: Record<string, UserPresence> = {};
  /** When each person's presence last came by event, to keep a slower fetch from overwriting it. */
  private readonly presenceAt = new Map<string, number>();
  /** roomId → memberId → the typist's name and the timer that forgets them. */
  private readonly typists = new Map<string, Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>>();
  private typing: Record<string, readonly string[]> = {};
  private myUserId: string | null = null;
  private loose: Record<string, ConversationSummary> = {};

  /** Counts events, so a fetch knows which rows changed after it was sent. */
  private eventCount = 0;
  private readonly touchedAt = new Map<string, number>();
  private unreadEventAt = 0;
  private listRequest = 0;
  private summaryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly read: WatermarkQueue;
  private readonly delivered: WatermarkQueue;
  private readonly cleanups: Array<() => void> = [];
  private disposed = false;

  constructor(private readonly connection: AccountConnection) {
    this.snapshot = this.build();
    this.read = new WatermarkQueue((roomId, seq) => this.sendRead(roomId, seq));
    this.delivered = new WatermarkQueue(async (roomId, seq) => {
      await connection.receipt('delivered', { roomId, seq });
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): InboxSnapshot => this.snapshot;

  private changed(): void {
    if (this.disposed) return;
    this.snapshot = this.build();
    for (const listener of this.listeners) listener();
  }

  private build(): InboxSnapshot {
    return {
      status: this.status,
      error: this.error,
      needsUsername: this.needsUsername,
      conversations: this.conversations,
      hasMore: this.nextCursor !== null,
      loadingMore: this.loadingMore,
      summary: this.summary,
      connection: this.connection.getState(),
      removed: this.removed,
      archive: this.archive,
      presence: this.presence,
      typing: this.typing,
      loose: this.loose,
    };
  }

  // ---- lifecycle -------------------------------------------------------------

  start(): void {
    const socket = this.connection.socket;
    const onNew = (p: ConversationEventPayload) => this.applyConversation(p.conversation, true);
    const onUpdated = (p: ConversationEventPayload) => this.applyConversation(p.conversation, false);
    const onUnread = (p: InboxUnreadPayload) => this.applyUnread(p);
    const onRemoved = (p: ConversationRemovedPayload) => this.applyRemoved(p);
    const onPresence = (p: UserPresence) => this.applyPresence(p);
    const onTyping = (p: TypingPayload) => this.applyTyping(p);
    socket.on('conversation:new', onNew);
    socket.on('conversation:updated', onUpdated);
    socket.on('conversation:removed', onRemoved);
    socket.on('inbox:unread', onUnread);
    socket.on('user:presence', onPresence);
    socket.on('typing', onTyping);
    this.cleanups.push(
      () => socket.off('conversation:new', onNew),
      () => socket.off('conversation:updated', onUpdated),
      () => socket.off('conversation:removed', onRemoved),
      () => socket.off('inbox:unread', onUnread),
      () => socket.off('user:presence', onPresence),
      () => socket.off('typing', onTyping),
      this.connection.subscribe(() => this.changed()),
      // Whatever happened while the connection was away came as no event.
      this.connection.onConnect(() => {
        void this.reload();
        if (this.archive.status !== 'idle') void this.loadArchive();
        this.read.retry();
        this.delivered.retry();
      }),
      this.connection.acquire(),
    );
    void this.reload();
  }

  dispose(): void {
    this.disposed = true;
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    for (const room of this.typists.values()) for (const t of room.values()) clearTimeout(t.timer);
    this.typists.clear();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.listeners.clear();
  }

  // ---- fetching ----------------------------------------------------------------

  /** The first page and the counts, again: at start, on retry and after each reconnect. */
  async reload(): Promise<void> {
    const request = ++this.listRequest;
    const since = this.eventCount;
    void this.loadSummary();
    try {
      const page = await api.get('/api/conversations', { schema: conversationListSchema });
      if (this.disposed || request !== this.listRequest) return;
      this.conversations = mergeFetched(this.conversations, page.conversations, this.touchedSince(since), { replace: true });
      this.nextCursor = page.nextCursor;
      this.status = 'ready';
      this.error = null;
      this.needsUsername = false;
      this.acknowledge(page.conversations);
      void this.loadPresence(page.conversations);
    } catch (error) {
      if (this.disposed || request !== this.listRequest) return;
      if (error instanceof ApiError && error.code === 'USERNAME_REQUIRED') this.needsUsername = true;
      // A list on screen stays; only a first load shows the error.
      if (this.status !== 'ready') {
        this.status = 'error';
        this.error = errorMessage(error);
      }
    }
    this.changed();
  }

  async loadMore(): Promise<void> {
    const cursor = this.nextCursor;
    if (!cursor || this.loadingMore) return;
    this.loadingMore = true;
    this.changed();
    const request = this.listRequest;
    try {
      const page = await api.get(`/api/conversations?cursor=${encodeURIComponent(cursor)}`, { schema: conversationListSchema });
      if (this.disposed || request !== this.listRequest) return;
      this.conversations = mergeFetched(this.conversations, page.conversations, new Set(), { replace: false });
      this.nextCursor = page.nextCursor;
      this.acknowledge(page.conversations);
      void this.loadPresence(page.conversations);
    } catch {
      // The button stays; the next tap tries again.
    } finally {
      this.loadingMore = false;
      this.changed();
    }
  }

  private async loadSummary(): Promise<void> {
    const since = this.eventCount;
    try {
      const summary = await api.get('/api/inbox/summary', { schema: inboxSummarySchema });
      if (this.disposed) return;
      // Unread totals announced after this request left are newer than its answer.
      this.summary = this.unreadEventAt > since && this.summary ? { ...summary, unread: this.summary.unread, unreadConversations: this.summary.unreadConversations, mentions: this.summary.mentions } : summary;
      this.changed();
    } catch {
      // The cards wait for the next event or reconnect.
    }
  }

  private loadSummarySoon(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = null;
      void this.loadSummary();
    }, SUMMARY_DEBOUNCE_MS);
  }

  private touchedSince(count: number): Set<string> {
    const ids = new Set<string>();
    for (const [id, at] of this.touchedAt) if (at > count) ids.add(id);
    return ids;
  }

  // ---- events --------------------------------------------------------------------

  private applyConversation(row: ConversationSummary, isNew: boolean): void {
    if (this.removed[row.id]) {
      const { [row.id]: _back, ...rest } = this.removed;
      this.removed = rest;
    }
    const before = this.rowOf(row.id);
    this.touchedAt.set(row.id, ++this.eventCount);
    this.place(row);
    this.acknowledge([row]);
    // Whoever just sent a message has stopped typing it.
    if (row.lastMessage?.memberId && row.lastSeq !== before?.lastSeq) this.dropTypist(row.id, row.lastMessage.memberId);
    // New conversations, my own sends and moves in or out of the archive change the dashboard's counts.
    if (isNew || (row.lastMessage?.mine && row.lastSeq !== before?.lastSeq) || row.archived !== before?.archived) this.loadSummarySoon();
    if (!before) void this.loadPresence([row]);
    this.changed();
  }

  /** A row as it now is, in the list or the archive, whichever it belongs to. */
  private place(row: ConversationSummary): void {
    this.conversations = upsertConversation(this.conversations, row);
    if (this.archive.status !== 'idle') {
      this.archive = { ...this.archive, conversations: upsertConversation(this.archive.conversations, row, { archived: true }) };
    }
    const listed = this.conversations.some((c) => c.id === row.id) || this.archive.conversations.some((c) => c.id === row.id);
    const { [row.id]: _was, ...rest } = this.loose;
    this.loose = listed ? rest : { ...rest, [row.id]: row };
  }

  /** A conversation's row wherever the store holds it. */
  rowOf(id: string): ConversationSummary | null {
    return this.conversations.find((c) => c.id === id) ?? this.archive.conversations.find((c) => c.id === id) ?? this.loose[id] ?? null;
  }

  private applyRemoved({ conversationId, reason }: ConversationRemovedPayload): void {
    this.touchedAt.set(conversationId, ++this.eventCount);
    this.conversations = removeConversation(this.conversations, conversationId);
    if (this.archive.status !== 'idle') this.archive = { ...this.archive, conversations: removeConversation(this.archive.conversations, conversationId) };
    this.removed = { ...this.removed, [conversationId]: reason };
    this.loadSummarySoon();
    this.changed();
  }

  private applyUnread(totals: InboxUnreadPayload): void {
    this.unreadEventAt = ++this.eventCount;
    if (this.summary) this.summary = { ...this.summary, ...totals };
    else this.loadSummarySoon();
    this.changed();
  }

  /** A conversation this client created or opened: shown at once, before its event. */
  upsert(row: ConversationSummary): void {
    const before = this.rowOf(row.id);
    this.touchedAt.set(row.id, ++this.eventCount);
    this.place(row);
    if (!before || before.archived !== row.archived) this.loadSummarySoon();
    if (!before) void this.loadPresence([row]);
    this.changed();
  }

  // ---- the archive ---------------------------------------------------------------

  /** The first page of the archive: when it is first shown, and again after a reconnect. */
  async loadArchive(): Promise<void> {
    const request = ++this.archiveRequest;
    const since = this.eventCount;
    if (this.archive.status !== 'ready') this.archive = { ...this.archive, status: 'loading', error: null };
    this.changed();
    try {
      const page = await api.get('/api/conversations?archived=true', { schema: conversationListSchema });
      if (this.disposed || request !== this.archiveRequest) return;
      const conversations = mergeFetched(this.archive.conversations, page.conversations, this.touchedSince(since), { replace: true }).filter((c) => c.archived);
      this.archiveCursor = page.nextCursor;
      this.archive = { status: 'ready', error: null, conversations, hasMore: page.nextCursor !== null };
      void this.loadPresence(page.conversations);
    } catch (error) {
      if (this.disposed || request !== this.archiveRequest) return;
      if (this.archive.status !== 'ready') this.archive = { ...this.archive, status: 'error', error: errorMessage(error) };
    }
    this.changed();
  }

  async loadMoreArchive(): Promise<void> {
    const cursor = this.archiveCursor;
    if (!cursor) return;
    const request = this.archiveRequest;
    try {
      const page = await api.get(`/api/conversations?archived=true&cursor=${encodeURIComponent(cursor)}`, { schema: conversationListSchema });
      if (this.disposed || request !== this.archiveRequest) return;
      this.archiveCursor = page.nextCursor;
      const conversations = mergeFetched(this.archive.conversations, page.conversations, new Set(), { replace: false }).filter((c) => c.archived);
      this.archive = { ...this.archive, conversations, hasMore: page.nextCursor !== null };
      void this.loadPresence(page.conversations);
      this.changed();
    } catch {
      // The button stays; the next tap tries again.
    }
  }

  // ---- my settings of a conversation ---------------------------------------------

  /**
   * Mute, unmute, archive, unarchive, pin or unpin (`POST /api/conversations/:id/<action>`):
   * the row changes at once with the server's answer; my other devices hear it as an event.
   * Rejects with the server's error (a sixth pin: CONVERSATION_PIN_LIMIT).
   */
  async setPreference(roomId: string, preference: Preference): Promise<ConversationSummary> {
    const body = preference.action === 'mute' ? { duration: preference.duration } : {};
    const { conversation } = await api.post(`/api/conversations/${encodeURIComponent(roomId)}/${preference.action}`, body, {
      schema: conversationPreferenceResponseSchema,
    });
    this.upsert(conversation);
    if (preference.action === 'mute' || preference.action === 'unmute') this.loadSummarySoon();
    return conversation;
  }

  // ---- presence --------------------------------------------------------------------

  /** Tells the store who is signed in here: my own presence event means my privacy may have changed. */
  setMe(userId: string | null): void {
    this.myUserId = userId;
  }

  /** The presence of the other person in each direct conversation of these rows. */
  async loadPresence(rows: readonly ConversationSummary[]): Promise<void> {
    const ids = [...new Set(rows.filter((r) => r.kind === 'direct').flatMap((r) => r.members.map((m) => m.userId)))];
    await this.fetchPresence(ids);
  }

  /** The presence of every other member of one conversation (its header and details). */
  async loadConversationPresence(roomId: string): Promise<void> {
    const since = this.eventCount;
    try {
      const { presence } = await api.get(`/api/conversations/${encodeURIComponent(roomId)}/presence`, { schema: presenceListSchema });
      this.mergePresence(presence, since);
    } catch {
      // Dots stay as they were until the next event or fetch.
    }
  }

  private async fetchPresence(userIds: readonly string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += PRESENCE_QUERY_MAX_USERS) {
      const chunk = userIds.slice(i, i + PRESENCE_QUERY_MAX_USERS);
      const since = this.eventCount;
      try {
        const { presence } = await api.get(`/api/presence?userIds=${chunk.map(encodeURIComponent).join(',')}`, { schema: presenceListSchema });
        this.mergePresence(presence, since);
      } catch {
        // As above.
      }
    }
  }

  private mergePresence(list: readonly UserPresence[], since: number): void {
    if (this.disposed || list.length === 0) return;
    const next = { ...this.presence };
    // An event that came after the request left is newer than its answer.
    for (const p of list) if ((this.presenceAt.get(p.userId) ?? 0) <= since) next[p.userId] = p;
    this.presence = next;
    this.changed();
  }

  private applyPresence(p: UserPresence): void {
    this.presenceAt.set(p.userId, ++this.eventCount);
    this.presence = { ...this.presence, [p.userId]: p };
    this.changed();
    // My own: my privacy may have changed what I may see of everyone else.
    if (p.userId === this.myUserId) void this.fetchPresence(Object.keys(this.presence).filter((id) => id !== this.myUserId));
  }

  // ---- typing ------------------------------------------------------------------------

  private applyTyping(p: TypingPayload): void {
    const row = this.rowOf(p.roomId);
    // Only for a conversation in my lists, and never my own, from my other devices.
    if (!row || p.memberId === row.myMemberId) return;
    if (!p.typing) return this.dropTypist(p.roomId, p.memberId);
    let room = this.typists.get(p.roomId);
    if (!room) this.typists.set(p.roomId, (room = new Map()));
    const existing = room.get(p.memberId);
    if (existing) clearTimeout(existing.timer);
    // Lapses unless repeated (TYPING_TTL_MS), so a typist who vanished does not type forever.
    room.set(p.memberId, { name: p.username, timer: setTimeout(() => this.dropTypist(p.roomId, p.memberId), TYPING_TTL_MS) });
    if (!existing) this.publishTyping(p.roomId);
  }

  private dropTypist(roomId: string, memberId: string): void {
    const room = this.typists.get(roomId);
    const existing = room?.get(memberId);
    if (!room || !existing) return;
    clearTimeout(existing.timer);
    room.delete(memberId);
    if (room.size === 0) this.typists.delete(roomId);
    this.publishTyping(roomId);
  }

  private publishTyping(roomId: string): void {
    const names = [...(this.typists.get(roomId)?.values() ?? [])].map((t) => t.name);
    const { [roomId]: _gone, ...rest } = this.typing;
    this.typing = names.length > 0 ? { ...rest, [roomId]: names } : rest;
    this.changed();
  }

  // ---- watermarks ----------------------------------------------------------------

  private async sendRead(roomId: string, seq: number): Promise<void> {
    if (this.connection.connected) await this.connection.receipt('read', { roomId, seq });
    else await api.post(`/api/conversations/${encodeURIComponent(roomId)}/read`, { seq });
  }

  /** "Mark as unread" (`POST …/unread`): the row shows it at once. */
  async markUnread(roomId: string): Promise<void> {
    const { conversation } = await api.post(`/api/conversations/${encodeURIComponent(roomId)}/unread`, {}, { schema: conversationSummaryResponseSchema });
    this.upsert(conversation);
  }

  /** This device has the rows' newest messages (their previews are on screen): ✓✓ for their senders. */
  private acknowledge(rows: readonly ConversationSummary[]): void {
    for (const row of rows) {
      this.delivered.known(row.id, row.deliveredSeq);
      this.read.known(row.id, row.readSeq);
      if (row.lastSeq > row.deliveredSeq && row.lastMessage && !row.lastMessage.mine) this.delivered.push(row.id, row.lastSeq);
    }
  }

  /** The open conversation was seen up to `seq`: one watermark, and the row shows read at once. */
  markRead(roomId: string, seq: number): void {
    const row = this.conversations.find((c) => c.id === roomId);
    // Marked unread by hand with nothing new: the watermark stays, but the mark must go.
    if (row?.markedUnread && seq <= row.readSeq) void this.sendRead(roomId, seq).catch(() => undefined);
    if (row && (row.readSeq < seq || row.markedUnread)) {
      const caughtUp = seq >= row.lastSeq;
      this.conversations = this.conversations.map((c) =>
        c.id === roomId ? { ...c, readSeq: Math.max(c.readSeq, seq), deliveredSeq: Math.max(c.deliveredSeq, seq), markedUnread: false, unreadCount: caughtUp ? 0 : c.unreadCount } : c,
      );
      this.changed();
    }
    this.read.push(roomId, seq);
  }
}
