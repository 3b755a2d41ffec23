import type { ConversationMember, ConversationSummary } from '@chatpop/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyReceipt,
  editWindowEnds,
  initials,
  listTime,
  mayOfferEdit,
  mergeFetched,
  previewText,
  readByLabel,
  readersOf,
  removeConversation,
  sortConversations,
  tickFor,
  unreadBadge,
  upsertConversation,
  WatermarkQueue,
} from './inbox';

const ME = 'member-me';

function row(id: string, minutesAgo: number, extra: Partial<ConversationSummary> = {}): ConversationSummary {
  const at = new Date(Date.UTC(2026, 2, 10, 12, 0) - minutesAgo * 60_000).toISOString();
  return {
    id,
    kind: 'direct',
    name: `Person ${id}`,
    avatarUrl: null,
    description: '',
    members: [],
    memberCount: 2,
    lastMessage: null,
    lastSeq: 0,
    lastActivityAt: at,
    unreadCount: 0,
    markedUnread: false,
    mentionCount: 0,
    muted: false,
    mutedUntil: null,
    archived: false,
    pinned: false,
    myRole: 'member',
    myMemberId: ME,
    readSeq: 0,
    deliveredSeq: 0,
    createdAt: at,
    ...extra,
  };
}

function member(memberId: string, name: string, readSeq: number | null, deliveredSeq: number): ConversationMember {
  return { memberId, userId: `user-${memberId}`, username: name.toLowerCase(), displayName: name, avatarUrl: null, role: 'member', joinedAt: '2026-03-01T00:00:00.000Z', readSeq, deliveredSeq };
}

const ids = (list: ConversationSummary[]) => list.map((c) => c.id);

describe('the conversation list', () => {
  it('puts pinned conversations first, then the latest activity first', () => {
    const list = sortConversations([row('old', 90), row('new', 1), row('pinned-old', 500, { pinned: true }), row('mid', 30)]);
    expect(ids(list)).toEqual(['pinned-old', 'new', 'mid', 'old']);
  });

  it('keeps a fixed order for conversations active at the same instant', () => {
    expect(ids(sortConversations([row('b', 5), row('a', 5)]))).toEqual(ids(sortConversations([row('a', 5), row('b', 5)])));
  });

  it('moves a conversation with a new message to the top, replacing its old row', () => {
    const list = sortConversations([row('a', 1), row('b', 10), row('c', 20)]);
    const updated = upsertConversation(list, row('c', 0, { lastSeq: 7, unreadCount: 1 }));
    expect(ids(updated)).toEqual(['c', 'a', 'b']);
    expect(updated[0]!.unreadCount).toBe(1);
    expect(updated).toHaveLength(3);
  });

  it('adds a new conversation in its place, below the pinned ones', () => {
    const list = sortConversations([row('p', 100, { pinned: true }), row('a', 10)]);
    expect(ids(upsertConversation(list, row('new', 0)))).toEqual(['p', 'new', 'a']);
  });

  it('drops a conversation that was archived from the main list, and takes it into the archive', () => {
    const list = sortConversations([row('a', 1), row('b', 10)]);
    expect(ids(upsertConversation(list, row('a', 1, { archived: true })))).toEqual(['b']);
    expect(ids(upsertConversation([], row('a', 1, { archived: true }), { archived: true }))).toEqual(['a']);
  });

  it('keeps what an event brought during a fetch over the older fetched row', () => {
    const fromEvent = row('a', 0, { lastSeq: 9, unreadCount: 3 });
    const staleFetched = [row('a', 30, { lastSeq: 8, unreadCount: 2 }), row('b', 10)];
    const merged = mergeFetched([fromEvent], staleFetched, new Set(['a']), { replace: true });
    expect(ids(merged)).toEqual(['a', 'b']);
    expect(merged[0]).toBe(fromEvent);
  });

  it('takes the fetched row when no event touched it since the fetch began', () => {
    const held = row('a', 30, { unreadCount: 5 });
    const fetched = row('a', 30, { unreadCount: 0 });
    expect(mergeFetched([held], [fetched], new Set(), { replace: true })[0]).toBe(fetched);
  });

  it('drops, on a refetch, conversations the server no longer lists, unless an event just brought them', () => {
    const merged = mergeFetched([row('gone', 5), row('brand-new', 0)], [row('a', 1)], new Set(['brand-new']), { replace: true });
    expect(ids(merged)).toEqual(['brand-new', 'a']);
  });

  it('keeps out a conversation an event removed while the fetch was under way', () => {
    const list = removeConversation([row('left', 0), row('a', 5)], 'left');
    expect(ids(list)).toEqual(['a']);
    expect(ids(mergeFetched(list, [row('left', 0), row('a', 5)], new Set(['left']), { replace: true }))).toEqual(['a']);
  });

  it('appends a next page without duplicating rows that moved up meanwhile', () => {
    const current = [row('a', 0), row('b', 5)];
    const merged = mergeFetched(current, [row('a', 60), row('c', 70)], new Set(), { replace: false });
    expect(ids(merged)).toEqual(['a', 'b', 'c']);
    expect(merged[0]).toBe(current[0]);
  });
});

describe('list rows', () => {
  const message = { id: 'm', seq: 3, type: 'normal', memberId: 'x', username: 'ann', mine: false, content: 'See you', deleted: false, createdAt: '2026-03-10T12:00:00.000Z' };

  it('previews the last message with its author where it helps', () => {
    expect(previewText({ kind: 'direct', lastMessage: message })).toBe('See you');
    expect(previewText({ kind: 'group', lastMessage: message })).toBe('ann: See you');
    expect(previewText({ kind: 'group', lastMessage: { ...message, mine: true } })).toBe('You: See you');
    expect(previewText({ kind: 'direct', lastMessage: { ...message, deleted: true, content: '' } })).toBe('This message was deleted');
    expect(previewText({ kind: 'group', lastMessage: { ...message, mine: true, deleted: true, content: '' } })).toBe('Your message was deleted');
    expect(previewText({ kind: 'group', lastMessage: { ...message, type: 'system', content: 'ann added bob' } })).toBe('ann added bob');
    expect(previewText({ kind: 'direct', lastMessage: null })).toMatch(/No messages yet/);
  });

  it('caps the unread badge where the server stops counting', () => {
    expect(unreadBadge(1)).toBe('1');
    expect(unreadBadge(99)).toBe('99');
    expect(unreadBadge(100)).toBe('99+');
  });

  it('makes initials of one or two words', () => {
    expect(initials('Ann Lee')).toBe('AL');
    expect(initials('robert')).toBe('R');
    expect(initials('swift_wolf_12')).toBe('S1');
    expect(initials('  ')).toBe('?');
  });

  it('says how long ago in the shortest useful words', () => {
    const now = new Date(2026, 2, 10, 15, 0);
    expect(listTime(new Date(2026, 2, 10, 14, 59, 40).toISOString(), now)).toBe('now');
    expect(listTime(new Date(2026, 2, 10, 14, 55).toISOString(), now)).toBe('5 min');
    expect(listTime(new Date(2026, 2, 10, 9, 5).toISOString(), now)).toMatch(/9:05/);
    expect(listTime(new Date(2026, 2, 9, 23, 0).toISOString(), now)).toBe('Yesterday');
    expect(listTime('not a date', now)).toBe('');
  });
});

describe('receipt ticks', () => {
  it('shows ✓ until the other person has the message, ✓✓ once delivered, read once read', () => {
    expect(tickFor(5, [member('b', 'Bob', 4, 4)])).toBe('sent');
    expect(tickFor(5, [member('b', 'Bob', 4, 5)])).toBe('delivered');
    expect(tickFor(5, [member('b', 'Bob', 5, 5)])).toBe('read');
    expect(tickFor(4, [member('b', 'Bob', 5, 5)])).toBe('read');
  });

  it('counts a read as delivered even when the delivery watermark lags', () => {
    expect(tickFor(5, [member('b', 'Bob', 6, 2), member('c', 'Cy', null, 5)])).toBe('delivered');
  });

  it('shows a group message read only once every other member has read it', () => {
    const others = [member('b', 'Bob', 5, 5), member('c', 'Cy', 3, 5)];
    expect(tickFor(5, others)).toBe('delivered');
    expect(tickFor(3, others)).toBe('read');
  });

  it('agrees with "Read by" in a group: ✓✓ as soon as anyone has it or has read it, ✓ only while nobody has', () => {
    // Bob read it while Cy's devices are all offline: "Read by Bob", and never a lone ✓ beside it.
    const others = [member('b', 'Bob', 5, 5), member('c', 'Cy', 0, 0)];
    expect(readersOf([...others, member('a', 'Ann', 5, 5)], 5, 'a').map((m) => m.memberId)).toEqual(['b']);
    expect(tickFor(5, others)).toBe('delivered');
    expect(tickFor(5, [member('b', 'Bob', 0, 5), member('c', 'Cy', 0, 0)])).toBe('delivered');
    expect(tickFor(5, [member('b', 'Bob', 4, 4), member('c', 'Cy', 0, 0)])).toBe('sent');
  });

  it('never shows read where receipts are withheld, whoever hides them', () => {
    expect(tickFor(5, [member('b', 'Bob', null, 9)])).toBe('delivered');
  });

  it('leaves a message still sending, or with nobody else in the room, at sent', () => {
    expect(tickFor(0, [member('b', 'Bob', 5, 5)])).toBe('sent');
    expect(tickFor(3, [])).toBe('sent');
  });

  it('moves watermarks only forward as receipts arrive', () => {
    const members = [member('b', 'Bob', 3, 4), member('c', 'Cy', 1, 1)];
    const after = applyReceipt(members, { roomId: 'r', userId: 'user-b', memberId: 'b', readSeq: 2, deliveredSeq: 6 });
    expect(after[0]).toMatchObject({ readSeq: 3, deliveredSeq: 6 });
    expect(after[1]).toBe(members[1]);
    const read = applyReceipt(after, { roomId: 'r', userId: 'user-b', memberId: 'b', readSeq: 6, deliveredSeq: 6 });
    expect(read[0]).toMatchObject({ readSeq: 6, deliveredSeq: 6 });
  });

  it('hides a read that privacy now withholds, and changes nothing for a receipt that moves nothing', () => {
    const members = [member('b', 'Bob', 3, 4)];
    expect(applyReceipt(members, { roomId: 'r', userId: 'user-b', memberId: 'b', readSeq: null, deliveredSeq: 4 })[0]!.readSeq).toBeNull();
    expect(applyReceipt(members, { roomId: 'r', userId: 'user-b', memberId: 'b', readSeq: 3, deliveredSeq: 4 })).toBe(members);
    expect(applyReceipt(members, { roomId: 'r', userId: 'user-x', memberId: 'x', readSeq: 9, deliveredSeq: 9 })).toBe(members);
  });

  it('names who read a group message, leaving out the sender and those who hide it', () => {
    const members = [member(ME, 'Me', 9, 9), member('b', 'Zoe', 5, 5), member('c', 'Al', 7, 7), member('d', 'Hidden', null, 9), member('e', 'Late', 2, 9)];
    expect(readersOf(members, 5, ME).map((m) => m.displayName)).toEqual(['Al', 'Zoe']);
  });

  it('words "Read by" as SPEC §4 does', () => {
    expect(readByLabel([])).toBe('');
    expect(readByLabel(['Ann'])).toBe('Read by Ann');
    expect(readByLabel(['Ann', 'Bob'])).toBe('Read by Ann and Bob');
    expect(readByLabel(['Ann', 'Bob', 'Cy'])).toBe('Read by Ann, Bob and Cy');
    expect(readByLabel(['Ann', 'Bob', 'Cy', 'Di', 'Ed'])).toBe('Read by Ann, Bob and 3 others');
  });
});

describe('watermarks sent by the client', () => {
  /** A send the test answers by hand. */
  function controlled() {
    const sent: Array<{ roomId: string; seq: number; answer: (error?: { code: string }) => void }> = [];
    const queue = new WatermarkQueue(
      (roomId, seq) =>
        new Promise<void>((resolve, reject) => {
          sent.push({ roomId, seq, answer: (error) => (error ? reject(Object.assign(new Error(error.code), error)) : resolve()) });
        }),
    );
    return { queue, sent };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('sends one watermark for a burst of messages: the first, then the highest of the rest', async () => {
    const { queue, sent } = controlled();
    for (let seq = 1; seq <= 10; seq++) queue.push('room', seq);
    expect(sent.map((s) => s.seq)).toEqual([1]);
    sent[0]!.answer();
    await settle();
    expect(sent.map((s) => s.seq)).toEqual([1, 10]);
    sent[1]!.answer();
    await settle();
    queue.push('room', 10);
    queue.push('room', 4);
    expect(sent).toHaveLength(2);
  });

  it('keeps conversations apart', () => {
    const { queue, sent } = controlled();
    queue.push('a', 3);
    queue.push('b', 5);
    expect(sent.map((s) => `${s.roomId}:${s.seq}`)).toEqual(['a:3', 'b:5']);
  });

  it('sends nothing the server already has', () => {
    const { queue, sent } = controlled();
    queue.known('room', 7);
    queue.push('room', 7);
    queue.push('room', 2);
    expect(sent).toHaveLength(0);
    queue.push('room', 8);
    expect(sent.map((s) => s.seq)).toEqual([8]);
  });

  it('tries a failed watermark again after a reconnect, but not one the server refused for good', async () => {
    const { queue, sent } = controlled();
    queue.push('lost', 4);
    queue.push('gone', 2);
    sent[0]!.answer({ code: 'TIMEOUT' });
    sent[1]!.answer({ code: 'CONVERSATION_NOT_FOUND' });
    await settle();
    queue.retry();
    expect(sent.map((s) => `${s.roomId}:${s.seq}`)).toEqual(['lost:4', 'gone:2', 'lost:4']);
  });
});

describe('edits', () => {
  const sent = '2026-03-10T12:00:00.000Z';
  const at = (minutes: number) => Date.parse(sent) + minutes * 60_000;

  it('offers Edit on my ordinary message within the 15-minute window only', () => {
    expect(mayOfferEdit({ type: 'normal', deletedAt: null, createdAt: sent }, 900, at(14))).toBe(true);
    expect(mayOfferEdit({ type: 'normal', deletedAt: null, createdAt: sent }, 900, at(15))).toBe(false);
    expect(mayOfferEdit({ type: 'system', deletedAt: null, createdAt: sent }, 900, at(1))).toBe(false);
    expect(mayOfferEdit({ type: 'normal', deletedAt: sent, createdAt: sent }, 900, at(1))).toBe(false);
    expect(mayOfferEdit({ type: 'normal', deletedAt: null, createdAt: sent, forwarded: true }, 900, at(1))).toBe(false);
  });

  it('follows the window the server says, shorter or off', () => {
    expect(mayOfferEdit({ type: 'normal', deletedAt: null, createdAt: sent }, 120, at(1))).toBe(true);
    expect(mayOfferEdit({ type: 'normal', deletedAt: null, createdAt: sent }, 120, at(2))).toBe(false);
    expect(mayOfferEdit({ type: 'normal', deletedAt: null, createdAt: sent }, 0, at(0))).toBe(false);
    expect(editWindowEnds({ createdAt: sent }, 120)).toBe(at(2));
  });
});
