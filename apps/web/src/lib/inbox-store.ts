import {
  conversationListSchema,
  conversationSummaryResponseSchema,
  inboxSummarySchema,
  type ConversationEventPayload,
  type ConversationRemovedPayload,
  type ConversationSummary,
  type InboxSummary,
  type InboxUnreadPayload,
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
}

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
    };
  }

  // ---- lifecycle -------------------------------------------------------------

  start(): void {
    const socket = this.connection.socket;
    const onNew = (p: ConversationEventPayload) => this.applyConversation(p.conversation, true);
    const onUpdated = (p: ConversationEventPayload) => this.applyConversation(p.conversation, false);
    const onUnread = (p: InboxUnreadPayload) => this.applyUnread(p);
    const onRemoved = (p: ConversationRemovedPayload) => this.applyRemoved(p);
    socket.on('conversation:new', onNew);
    socket.on('conversation:updated', onUpdated);
    socket.on('conversation:removed', onRemoved);
    socket.on('inbox:unread', onUnread);
    this.cleanups.push(
      () => socket.off('conversation:new', onNew),
      () => socket.off('conversation:updated', onUpdated),
      () => socket.off('conversation:removed', onRemoved),
      () => socket.off('inbox:unread', onUnread),
      this.connection.subscribe(() => this.changed()),
      // Whatever happened while the connection was away came as no event.
      this.connection.onConnect(() => {
        void this.reload();
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
    const before = this.conversations.find((c) => c.id === row.id);
    this.touchedAt.set(row.id, ++this.eventCount);
    this.conversations = upsertConversation(this.conversations, row);
    this.acknowledge([row]);
    // New conversations and my own sends change the dashboard's counts.
    if (isNew || (row.lastMessage?.mine && row.lastSeq !== before?.lastSeq)) this.loadSummarySoon();
    this.changed();
  }

  private applyRemoved({ conversationId, reason }: ConversationRemovedPayload): void {
    this.touchedAt.set(conversationId, ++this.eventCount);
    this.conversations = removeConversation(this.conversations, conversationId);
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
    const before = this.conversations.some((c) => c.id === row.id);
    this.touchedAt.set(row.id, ++this.eventCount);
    this.conversations = upsertConversation(this.conversations, row);
    if (!before) this.loadSummarySoon();
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
