import {
  NOTIFICATION_UNREAD_MAX,
  type Notification,
  type NotificationList,
  type NotificationNewPayload,
  type NotificationsReadPayload,
} from '@chatpop/protocol';
import { formatMoney } from './money';

/**
 * The bell's state (docs/api.md, "Notifications"): a page of notifications
 * and the unread count, kept by applying `notification:new` and
 * `notifications:read` to the last fetch — the same result a fresh fetch
 * gives (tested in notifications.test.ts). After a reconnect the bell fetches
 * again, since events sent while away are gone.
 */
export interface BellState {
  items: Notification[];
  unread: number;
  nextCursor: string | null;
}

export const emptyBell: BellState = { items: [], unread: 0, nextCursor: null };

/** Newest (by last event) first, as the server orders them. */
const byRecency = (a: Notification, b: Notification) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id);

export function fromList(list: NotificationList): BellState {
  return { items: list.notifications, unread: list.unread, nextCursor: list.nextCursor };
}

export function withMore(state: BellState, page: NotificationList): BellState {
  const seen = new Set(state.items.map((n) => n.id));
  return { items: [...state.items, ...page.notifications.filter((n) => !seen.has(n.id))], unread: page.unread, nextCursor: page.nextCursor };
}

/** A new notification, or one that gathered another event: it moves to the top. */
export function applyNew(state: BellState, payload: NotificationNewPayload): BellState {
  const items = [payload.notification, ...state.items.filter((n) => n.id !== payload.notification.id)].sort(byRecency);
  return { ...state, items, unread: payload.unread };
}

export function applyRead(state: BellState, payload: NotificationsReadPayload): BellState {
  const ids = payload.ids ? new Set(payload.ids) : null;
  return { ...state, items: state.items.map((n) => (!ids || ids.has(n.id) ? { ...n, read: true } : n)), unread: payload.unread };
}

/** "3", or "99+" once the count stops counting. */
export function bellBadge(unread: number): string {
  return unread >= NOTIFICATION_UNREAD_MAX ? `${NOTIFICATION_UNREAD_MAX - 1}+` : String(unread);
}

const TITLE_COUNT = /^\(\d+\+?\) /;

/** The tab's title with the unread count in front: "(3) Inbox · ChatPop"; none when nothing is unread. */
export function titleWithCount(title: string, unread: number): string {
  const bare = title.replace(TITLE_COUNT, '');
  return unread > 0 ? `(${bellBadge(unread)}) ${bare}` : bare;
}

/** What one notification says, in a sentence. */
export function describeNotification(n: Notification): string {
  const who = n.actor.username ?? 'Someone';
  const where = n.room?.name ? ` in ${n.room.name}` : '';
  const times = n.count > 1 ? ` ${n.count} times` : '';
  switch (n.kind) {
    case 'mention':
      return `${who} mentioned you${times}${where}`;
    case 'reply':
      return n.count > 1 ? `${n.count} replies to you${where}` : `${who} replied to you${where}`;
    case 'direct_message':
      return n.count > 1 ? `${n.count} new messages from ${who}` : `New message from ${who}`;
    case 'contact_request':
      return `${who} wants to add you as a contact`;
    case 'group_added':
      return `${who} added you to ${n.room?.name || 'a group'}`;
    case 'pin_outbid':
      return `Your pin${where} was outbid${n.amountCents !== null ? ` by a ${formatMoney(n.amountCents)} pin` : ''}`;
    case 'tip_received':
      return `${who} tipped you${n.amountCents !== null ? ` ${formatMoney(n.amountCents)}` : ''}${where}`;
  }
}
