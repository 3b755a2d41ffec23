import { track, type AppContext } from '../../context';
import type { InboxEvents } from '../../ports';
import * as repo from './repo';
import { inboxTotals, toSummaries } from './summaries';

/** How long changes to a user's list gather before one round of events goes out. */
export const INBOX_FLUSH_DELAY_MS = 50;

interface Pending {
  rooms: Map<string, 'new' | 'updated'>;
  totals: boolean;
}

/**
 * The per-user list events (`conversation:new`, `conversation:updated`,
 * `inbox:unread`). Changes are gathered for a moment per user and each
 * conversation's summary is then read once, with the very code that answers
 * `GET /api/conversations`, so the events always equal a fresh fetch. A burst
 * of messages in a busy group costs each member one summary, not one per
 * message. Each node sends what its own writes changed; the user channel
 * reaches the user's connections on every node.
 */
export class InboxNotifier implements InboxEvents {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Rounds run one after another, so an older summary never overtakes a newer one from this node. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: AppContext) {}

  changed(userIds: string[], roomId: string, opts: { created?: boolean; totals?: boolean } = {}) {
    if (this.closed) return;
    for (const userId of userIds) {
      let p = this.pending.get(userId);
      if (!p) this.pending.set(userId, (p = { rooms: new Map(), totals: false }));
      if (opts.created || !p.rooms.has(roomId)) p.rooms.set(roomId, opts.created ? 'new' : (p.rooms.get(roomId) ?? 'updated'));
      if (opts.totals !== false) p.totals = true;
    }
    this.timer ??= setTimeout(() => this.flush(), INBOX_FLUSH_DELAY_MS);
  }

  close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private flush() {
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    const round = async () => {
      await Promise.all(
        [...batch].map(([userId, p]) => this.send(userId, p).catch((err: unknown) => this.ctx.log.warn({ err, userId }, 'inbox events not sent'))),
      );
    };
    this.running = track(this.ctx, this.running.then(round));
  }

  private async send(userId: string, p: Pending) {
    const rows = await repo.listForUser(this.ctx.db, userId, { ids: [...p.rooms.keys()] });
    for (const summary of await toSummaries(this.ctx, userId, rows)) {
      this.ctx.broadcast.conversation(userId, p.rooms.get(summary.id) === 'new' ? 'conversation:new' : 'conversation:updated', summary);
    }
    if (p.totals) this.ctx.broadcast.inboxUnread(userId, await inboxTotals(this.ctx, userId));
  }
}
