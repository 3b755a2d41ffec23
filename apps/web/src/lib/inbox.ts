import {
  RUNTIME_SETTINGS,
  UNREAD_COUNT_MAX,
  type ConversationMember,
  type ConversationSummary,
  type InboxSummary,
  type InboxUnreadPayload,
  type Message,
  type Person,
  type ReceiptPayload,
} from '@chatpop/protocol';

/**
 * The Inbox's client rules, without I/O: the order of the conversation list,
 * how the per-user events and fetched pages combine, and the receipt ticks a
 * sender sees, from the members' watermarks (docs/api.md, "Inbox").
 */

// ---- people and rows ---------------------------------------------------------

/** What a person is called on screen: their display name, else their username. */
export function personName(person: Pick<Person, 'displayName' | 'username'>): string {
  return person.displayName?.trim() || person.username;
}

/** Up to two letters for an avatar without a picture: "Ann Lee" → "AL", "robert" → "R". */
export function initials(name: string): string {
  const words = name.trim().split(/[\s_.-]+/).filter(Boolean);
  const first = words[0]?.[0] ?? '?';
  const second = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : '';
  return (first + second).toUpperCase();
}

/** The list row's second line: who said what last. */
export function previewText(conversation: Pick<ConversationSummary, 'kind' | 'lastMessage'>): string {
  const last = conversation.lastMessage;
  if (!last) return conversation.kind === 'group' ? 'Group created. Say hi!' : 'No messages yet. Say hi!';
  // A group admin may delete my message too: say what happened to it, not who did it.
  if (last.deleted) return last.mine ? 'Your message was deleted' : 'This message was deleted';
  if (last.type === 'system') return last.content;
  const who = last.mine ? 'You' : conversation.kind === 'group' ? (last.username ?? 'Someone') : null;
  return who ? `${who}: ${last.content}` : last.content;
}

/** An unread badge: the count, or "99+" where the server stops counting. */
export function unreadBadge(count: number): string {
  return count >= UNREAD_COUNT_MAX ? `${UNREAD_COUNT_MAX - 1}+` : String(count);
}

/** Shows as unread: messages after the read watermark, or marked unread by hand. */
export function isUnread(conversation: Pick<ConversationSummary, 'unreadCount' | 'markedUnread'>): boolean {
  return conversation.unreadCount > 0 || conversation.markedUnread;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateWithYearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** The list row's time: "now", "5 min", "3:41 PM" today, "Yesterday", "Mon" this week, else a date. */
export function listTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const minutes = Math.floor((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 1) return 'now';
  if (minutes < 60) return `${minutes} min`;
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(date)) / 86_400_000);
  if (days <= 0) return timeFormat.format(date);
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekdayFormat.format(date);
  return date.getFullYear() === now.getFullYear() ? dateFormat.format(date) : dateWithYearFormat.format(date);
}

// ---- the list ----------------------------------------------------------------

/** Pinned conversations first, then the latest activity first (the order of `GET /api/conversations`). */
export function compareConversations(a: ConversationSummary, b: ConversationSummary): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  const byTime = Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt);
  if (byTime !== 0) return byTime;
  // Same instant: any fixed order, so rows never swap places on a re-render.
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function sortConversations(list: readonly ConversationSummary[]): ConversationSummary[] {
  return [...list].sort(compareConversations);
}

/**
 * Applies a `conversation:new` or `conversation:updated` (the row as a fresh
 * fetch would have it): replaces the row or adds it, in order. A row that now
 * belongs to the other list (archived, or back from the archive) leaves this one.
 */
export function upsertConversation(
  list: readonly ConversationSummary[],
  row: ConversationSummary,
  { archived = false }: { archived?: boolean } = {},
): ConversationSummary[] {
  const rest = list.filter((c) => c.id !== row.id);
  if (row.archived !== archived) return rest;
  const at = rest.findIndex((c) => compareConversations(row, c) < 0);
  return at === -1 ? [...rest, row] : [...rest.slice(0, at), row, ...rest.slice(at)];
}

/** Applies a `conversation:removed`: the row leaves the list. */
export function removeConversation(list: readonly ConversationSummary[], id: string): ConversationSummary[] {
  return list.some((c) => c.id === id) ? list.filter((c) => c.id !== id) : (list as ConversationSummary[]);
}

/**
 * Combines a fetched page with what events brought meanwhile. `touched` are
 * the conversations an event changed after the fetch was sent: the event's row
 * (or its absence, once removed or archived) is newer than the page's. `replace` (a first page, or a refetch after a
 * reconnect) drops the rows the server no longer lists, except those events
 * brought; a next page only adds the rows not held yet.
 */
export function mergeFetched(
  current: readonly ConversationSummary[],
  fetched: readonly ConversationSummary[],
  touched: ReadonlySet<string>,
  { replace }: { replace: boolean },
): ConversationSummary[] {
  const held = new Map(current.map((c) => [c.id, c]));
  const out = new Map<string, ConversationSummary>();
  if (!replace) for (const c of current) out.set(c.id, c);
  for (const c of fetched) {
    if (touched.has(c.id)) {
      // The event's version wins, and an event that took the row out of this list keeps it out.
      const mine = held.get(c.id);
      if (mine) out.set(c.id, mine);
    } else if (replace || !out.has(c.id)) {
      out.set(c.id, c);
    }
  }
  if (replace) {
    for (const id of touched) {
      const mine = held.get(id);
      if (mine && !out.has(id)) out.set(id, mine);
    }
  }
  return sortConversations([...out.values()]);
}

/** The unread figures the header badge and dashboard show. */
export type UnreadTotals = InboxUnreadPayload;

export function totalsOf(summary: InboxSummary): UnreadTotals {
  return { unread: summary.unread, unreadConversations: summary.unreadConversations, mentions: summary.mentions };
}

// ---- receipts ------------------------------------------------------------------

/** What a sender sees on their own message: ✓ sent, ✓✓ delivered, coloured ✓✓ read. */
export type Tick = 'sent' | 'delivered' | 'read';

type Watermarks = Pick<ConversationMember, 'readSeq' | 'deliveredSeq'>;

/**
 * The tick of my message at `seq`, from the other members' watermarks, kept
 * consistent with "Read by" (which names whoever has read it): coloured ✓✓
 * once every one of them has read it; ✓✓ once it has reached at least one of
 * them (delivered to a device, or read, since reading implies having
 * received); ✓ until then. In a direct conversation "one of them" is the other
 * person. A member whose read receipts are withheld (their privacy or mine:
 * `readSeq` null) never counts as having read, so such a message stops at ✓✓.
 */
export function tickFor(seq: number, others: readonly Watermarks[]): Tick {
  if (others.length === 0 || seq <= 0) return 'sent';
  if (others.every((m) => m.readSeq !== null && m.readSeq >= seq)) return 'read';
  if (others.some((m) => Math.max(m.deliveredSeq, m.readSeq ?? 0) >= seq)) return 'delivered';
  return 'sent';
}

/**
 * A `receipt` event applied to the members: watermarks only move forward, and
 * a withheld read (`readSeq` null) replaces what was shown, since privacy now
 * hides it. Unknown members are left to the next fetch of the conversation.
 */
export function applyReceipt<M extends ConversationMember>(members: readonly M[], receipt: ReceiptPayload): M[] {
  let changed = false;
  const next = members.map((m) => {
    if (m.memberId !== receipt.memberId) return m;
    const readSeq = receipt.readSeq === null ? null : Math.max(m.readSeq ?? 0, receipt.readSeq);
    const deliveredSeq = Math.max(m.deliveredSeq, receipt.deliveredSeq);
    if (readSeq === m.readSeq && deliveredSeq === m.deliveredSeq) return m;
    changed = true;
    return { ...m, readSeq, deliveredSeq };
  });
  return changed ? next : (members as M[]);
}

/** The other members who have read up to `seq`, by name. */
export function readersOf<M extends ConversationMember>(members: readonly M[], seq: number, myMemberId: string): M[] {
  return members
    .filter((m) => m.memberId !== myMemberId && m.readSeq !== null && m.readSeq >= seq)
    .sort((a, b) => personName(a).localeCompare(personName(b)));
}

/** "Read by Ann", "Read by Ann and Bob", "Read by Ann, Bob and Cy", "Read by Ann, Bob and 3 others" (SPEC §4). */
export function readByLabel(names: readonly string[]): string {
  const [a, b, c] = names;
  if (a === undefined) return '';
  if (b === undefined) return `Read by ${a}`;
  if (names.length === 2) return `Read by ${a} and ${b}`;
  if (names.length === 3) return `Read by ${a}, ${b} and ${c}`;
  return `Read by ${a}, ${b} and ${names.length - 2} others`;
}

// ---- watermarks the client sends ----------------------------------------------

/** Why a watermark was refused for good (no retry helps): the conversation or the seq is not there. */
const FINAL_REFUSALS = new Set(['CONVERSATION_NOT_FOUND', 'SEQ_OUT_OF_RANGE', 'VALIDATION_FAILED', 'USERNAME_REQUIRED', 'FORBIDDEN']);

/**
 * Coalesces the watermarks of one kind (read, or delivered) per conversation:
 * at most one in flight per conversation, and whatever arrived meanwhile goes
 * as one watermark, the highest, once the first is answered (SPEC §4: one
 * event for a batch, never one per message). A failure keeps the watermark for
 * `retry()` (after a reconnect), except a refusal no retry can change.
 */
export class WatermarkQueue {
  private readonly wanted = new Map<string, number>();
  private readonly done = new Map<string, number>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly send: (roomId: string, seq: number) => Promise<void>) {}

  push(roomId: string, seq: number): void {
    if (seq <= Math.max(this.done.get(roomId) ?? 0, this.wanted.get(roomId) ?? 0)) return;
    this.wanted.set(roomId, seq);
    void this.flush(roomId);
  }

  /** What the server says is already there (a fetched row): nothing at or below it needs sending. */
  known(roomId: string, seq: number): void {
    if (seq > (this.done.get(roomId) ?? 0)) this.done.set(roomId, seq);
    if ((this.wanted.get(roomId) ?? 0) <= seq) this.wanted.delete(roomId);
  }

  retry(): void {
    for (const roomId of this.wanted.keys()) void this.flush(roomId);
  }

  private async flush(roomId: string): Promise<void> {
    const seq = this.wanted.get(roomId);
    if (seq === undefined || this.inFlight.has(roomId)) return;
    this.inFlight.add(roomId);
    let again = false;
    try {
      await this.send(roomId, seq);
      this.known(roomId, seq);
      again = this.wanted.has(roomId);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && FINAL_REFUSALS.has(code) && this.wanted.get(roomId) === seq) this.wanted.delete(roomId);
    } finally {
      this.inFlight.delete(roomId);
    }
    if (again) void this.flush(roomId);
  }
}

// ---- edits ---------------------------------------------------------------------

/**
 * Whether my message still shows an Edit action: an ordinary message of mine,
 * neither deleted nor a forwarded copy, within the conversation's edit window
 * (`editWindowSeconds` of its details, the server's runtime setting). The
 * window runs on the server's clock, which the message's `createdAt` comes
 * from; a device clock that runs ahead or behind shifts where Edit goes, and
 * the server's refusal (403 EDIT_WINDOW_PASSED) is then shown.
 */
export function mayOfferEdit(
  message: Pick<Message, 'type' | 'deletedAt' | 'createdAt' | 'forwarded'>,
  windowSeconds: number = RUNTIME_SETTINGS.messageEditWindowSeconds.default,
  now = Date.now(),
): boolean {
  return message.type === 'normal' && !message.deletedAt && !message.forwarded && now - Date.parse(message.createdAt) < windowSeconds * 1000;
}

/** When Edit must go from my message: the end of its window, in epoch ms. */
export function editWindowEnds(message: Pick<Message, 'createdAt'>, windowSeconds: number): number {
  return Date.parse(message.createdAt) + windowSeconds * 1000;
}
