import { describe, expect, it } from 'vitest';
import type { Notification } from '@chatpop/protocol';
import { applyNew, applyRead, bellBadge, describeNotification, emptyBell, fromList, titleWithCount, withMore } from './notifications';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
function n(id: string, second: number, over: Partial<Notification> = {}): Notification {
  return {
    id,
    kind: 'mention',
    count: 1,
    read: false,
    actor: { userId: null, username: 'ann' },
    room: { id: 'r1', kind: 'group', name: 'Friends', code: null },
    messageId: null,
    seq: 4,
    preview: 'hi',
    amountCents: null,
    link: '/inbox/r1?at=4',
    createdAt: at(second),
    updatedAt: at(second),
    ...over,
  };
}

describe('the bell state', () => {
  it('applies new, gathered and read events to a fetch and equals a fresh fetch', () => {
    let state = fromList({ notifications: [n('b', 2), n('a', 1)], nextCursor: null, unread: 2 });
    state = applyNew(state, { notification: n('c', 3), unread: 3 });
    // "a" gathers another mention: it moves to the top with its new count.
    state = applyNew(state, { notification: n('a', 4, { count: 2 }), unread: 3 });
    state = applyRead(state, { ids: ['b'], unread: 2 });
    const fresh = [n('a', 4, { count: 2 }), n('c', 3), n('b', 2, { read: true })];
    expect(state).toEqual({ items: fresh, unread: 2, nextCursor: null });
    expect(applyRead(state, { ids: null, unread: 0 }).items.every((x) => x.read)).toBe(true);
  });

  it('adds a further page without doubles', () => {
    const first = fromList({ notifications: [n('c', 3), n('b', 2)], nextCursor: 'x', unread: 3 });
    const more = withMore(first, { notifications: [n('b', 2), n('a', 1)], nextCursor: null, unread: 3 });
    expect(more.items.map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect(more.nextCursor).toBeNull();
    expect(emptyBell.items).toEqual([]);
  });

  it('puts the count in the tab title and takes it out again', () => {
    expect(titleWithCount('Inbox · ChatPop', 3)).toBe('(3) Inbox · ChatPop');
    expect(titleWithCount('(3) Inbox · ChatPop', 5)).toBe('(5) Inbox · ChatPop');
    expect(titleWithCount('(5) Inbox · ChatPop', 0)).toBe('Inbox · ChatPop');
    expect(titleWithCount('ChatPop', 250)).toBe('(99+) ChatPop');
    expect(bellBadge(7)).toBe('7');
  });

  it('says what happened in a sentence', () => {
    expect(describeNotification(n('a', 1))).toBe('ann mentioned you in Friends');
    expect(describeNotification(n('a', 1, { count: 100 }))).toBe('ann mentioned you 100 times in Friends');
    expect(describeNotification(n('a', 1, { kind: 'direct_message', room: { id: 'd', kind: 'direct', name: '', code: null } }))).toBe('New message from ann');
    expect(describeNotification(n('a', 1, { kind: 'tip_received', amountCents: 500, room: { id: 'p', kind: 'pop', name: 'Show', code: 'ABCDEFGH' } }))).toBe(
      'ann tipped you $5 in Show',
    );
    expect(describeNotification(n('a', 1, { kind: 'group_added' }))).toBe('ann added you to Friends');
  });
});
