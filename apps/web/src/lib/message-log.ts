import type { Attachment, Message } from '@chatpop/protocol';

/**
 * The messages a client holds for one room: confirmed messages keyed by `seq`
 * (deduplicated by id, kept in order), and the client's own unconfirmed sends
 * keyed by `clientId`. No I/O here, so the merge and gap rules are testable.
 */

export type MessageStatus = 'pending' | 'sent' | 'failed';

export interface PendingSend {
  clientId: string;
  content: string;
  replyTo: Message['replyTo'];
  replyToId: string | null;
  createdAt: string;
  status: 'pending' | 'failed';
  /** Emitted and waiting for its ack. A queued send (offline) is not in flight. */
  inFlight: boolean;
  /** Bumped on every emit, so a stale timeout cannot fail a newer attempt. */
  attempt: number;
  error: string | null;
  /** Photos already uploaded (`POST /api/media`), sent with the text. */
  attachments?: Attachment[];
}

export interface ChatItem {
  /** Stable across the pending → sent swap: the clientId when there is one. */
  key: string;
  message: Message;
  status: MessageStatus;
  error: string | null;
}

export class MessageLog {
  private readonly messagesById = new Map<string, Message>();
  private readonly bySeq = new Map<number, Message>();
  private sorted: Message[] = [];
  private readonly pending = new Map<string, PendingSend>();
  /** Seqs that hold nothing for this reader (a hidden participant's messages): never asked for. */
  private readonly withheld = new Set<number>();
  /** Seqs this reader deleted for themselves: a late copy (a page fetched before) never brings them back. */
  private readonly removed = new Set<number>();
  /** The same item object for an unchanged message, so memoised rows skip re-rendering. */
  private readonly itemCache = new WeakMap<object, ChatItem>();
  private cachedItems: { version: number; selfKey: string; items: ChatItem[] } | null = null;
  /** Bumped on every change; cheap "did anything change" for the snapshot. */
  version = 0;

  get size(): number {
    return this.sorted.length;
  }

  messages(): readonly Message[] {
    return this.sorted;
  }

  hasSeq(seq: number): boolean {
    return this.bySeq.has(seq) || this.withheld.has(seq);
  }

  /** Seqs this reader will never get (the server said so): gap-filling steps over them. */
  markWithheld(seqs: number | readonly number[]): void {
    for (const seq of typeof seqs === 'number' ? [seqs] : seqs) this.withheld.add(seq);
  }

  byId(id: string): Message | undefined {
    return this.messagesById.get(id);
  }

  bySeqNumber(seq: number): Message | undefined {
    return this.bySeq.get(seq);
  }

  lowestSeq(): number | null {
    return this.sorted[0]?.seq ?? null;
  }

  highestSeq(): number {
    return this.sorted[this.sorted.length - 1]?.seq ?? 0;
  }

  /** The lowest seq held above `seq`, if any. */
  nextSeqAbove(seq: number): number | null {
    // Messages are sorted; a binary search keeps this cheap on long histories.
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid]?.seq ?? 0) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.sorted[lo]?.seq ?? null;
  }

  /**
   * Adds or replaces messages (same id → the newer copy wins), keeps them in
   * seq order, and settles any pending send whose clientId came back.
   * Returns whether anything changed.
   */
  merge(incoming: readonly Message[]): boolean {
    let changed = false;
    let appendOnly = true;
    for (const message of incoming) {
      if (message.clientId && this.pending.delete(message.clientId)) changed = true;
      if (this.removed.has(message.seq)) continue;
      const existing = this.messagesById.get(message.id);
      if (existing && sameMessage(existing, message)) continue;
      if (existing && existing.seq !== message.seq) this.bySeq.delete(existing.seq);
      const bySeq = this.bySeq.get(message.seq);
      if (bySeq && bySeq.id !== message.id) this.messagesById.delete(bySeq.id);
      this.messagesById.set(message.id, message);
      this.bySeq.set(message.seq, message);
      changed = true;
      if (existing || bySeq || message.seq <= this.highestSeq()) appendOnly = false;
      else this.sorted.push(message);
    }
    if (!changed) return false;
    this.version++;
    if (!appendOnly) this.sorted = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return true;
  }

  /**
   * Drops a message this reader will not see again (deleted for themselves):
   * its seq counts as withheld, so gap filling steps over it. Returns whether
   * it was held.
   */
  remove(seq: number): boolean {
    this.withheld.add(seq);
    this.removed.add(seq);
    const message = this.bySeq.get(seq);
    if (!message) return false;
    this.bySeq.delete(seq);
    this.messagesById.delete(message.id);
    this.sorted = this.sorted.filter((m) => m.seq !== seq);
    this.version++;
    return true;
  }

  // ---- pending sends -------------------------------------------------------

  addPending(send: PendingSend): void {
    this.pending.set(send.clientId, send);
    this.version++;
  }

  getPending(clientId: string): PendingSend | undefined {
    return this.pending.get(clientId);
  }

  updatePending(clientId: string, patch: Partial<PendingSend>): boolean {
    const current = this.pending.get(clientId);
    if (!current) return false;
    this.pending.set(clientId, { ...current, ...patch });
    this.version++;
    return true;
  }

  removePending(clientId: string): boolean {
    const removed = this.pending.delete(clientId);
    if (removed) this.version++;
    return removed;
  }

  pendingSends(): PendingSend[] {
    return [...this.pending.values()];
  }

  /** What the list renders: confirmed messages by seq, then own unconfirmed sends. */
  items(self: { memberId: string; username: string; verified: boolean; type: Message['type'] } | null, roomId: string): ChatItem[] {
    const selfKey = self ? `${self.memberId}|${self.username}|${self.verified}|${self.type}` : '';
    if (this.cachedItems && this.cachedItems.version === this.version && this.cachedItems.selfKey === selfKey) {
      return this.cachedItems.items;
    }
    const items: ChatItem[] = this.sorted.map((message) => {
      let item = this.itemCache.get(message);
      if (!item) {
        item = { key: message.clientId ? `c:${message.clientId}` : `m:${message.id}`, message, status: 'sent', error: null };
        this.itemCache.set(message, item);
      }
      return item;
    });
    for (const send of this.pending.values()) {
      items.push({
        key: `c:${send.clientId}`,
        status: send.status,
        error: send.error,
        message: {
          id: `local:${send.clientId}`,
          roomId,
          seq: 0,
          clientId: send.clientId,
          memberId: self?.memberId ?? null,
          username: self?.username ?? null,
          verified: self?.verified ?? false,
          type: self?.type ?? 'normal',
          content: send.content,
          replyTo: send.replyTo,
          createdAt: send.createdAt,
          deletedAt: null,
          reactions: [],
          ...(send.attachments?.length ? { attachments: send.attachments } : {}),
        },
      });
    }
    this.cachedItems = { version: this.version, selfKey, items };
    return items;
  }
}

function sameMessage(a: Message, b: Message): boolean {
  return (
    a.seq === b.seq &&
    a.content === b.content &&
    a.deletedAt === b.deletedAt &&
    a.type === b.type &&
    a.username === b.username &&
    a.verified === b.verified &&
    sameReplyTo(a.replyTo, b.replyTo) &&
    sameReactions(a.reactions, b.reactions)
  );
}

function sameReplyTo(a: Message['replyTo'], b: Message['replyTo']): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.id === b.id && a.content === b.content && a.deleted === b.deleted;
}

function sameReactions(a: Message['reactions'] = [], b: Message['reactions'] = []): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((r, i) => {
    const o = b[i]!;
    return r.emoji === o.emoji && r.count === o.count && r.members.length === o.members.length && r.members.every((m, j) => m.id === o.members[j]!.id);
  });
}

/** "Alice is typing…" and friends (SPEC §4, Typing). */
export function typingLabel(names: readonly string[]): string {
  const [a, b] = names;
  if (names.length === 0 || a === undefined) return '';
  if (names.length === 1) return `${a} is typing…`;
  if (names.length === 2) return `${a} and ${b} are typing…`;
  if (names.length <= 5) {
    const others = names.length - 2;
    return `${a}, ${b} and ${others} ${others === 1 ? 'other' : 'others'} are typing…`;
  }
  return 'Several people are typing…';
}
