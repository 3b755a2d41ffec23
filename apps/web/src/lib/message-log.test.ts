import type { Message } from '@chatpop/protocol';
import { describe, expect, it } from 'vitest';
import { MessageLog, typingLabel, type PendingSend } from './message-log';

const ROOM = '0190c2a4-0000-7000-8000-000000000000';

function message(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    roomId: ROOM,
    seq,
    clientId: null,
    memberId: 'alice',
    username: 'Alice',
    verified: false,
    type: 'normal',
    content: `message ${seq}`,
    replyTo: null,
    createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
    deletedAt: null,
    reactions: [],
    ...extra,
  };
}

function pending(clientId: string, content = 'hello'): PendingSend {
  return {
    clientId,
    content,
    replyTo: null,
    replyToId: null,
    createdAt: new Date().toISOString(),
    status: 'pending',
    inFlight: true,
    attempt: 1,
    error: null,
  };
}

describe('MessageLog', () => {
  it('keeps messages in seq order whatever order they arrive in', () => {
    const log = new MessageLog();
    log.merge([message(3), message(1)]);
    log.merge([message(2)]);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('merges a replay that overlaps what it holds without duplicates', () => {
    const log = new MessageLog();
    log.merge([message(1), message(2), message(3)]);
    const changed = log.merge([message(2), message(3), message(4)]);
    expect(changed).toBe(true);
    expect(log.messages().map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('reports no change when the same messages come again', () => {
    const log = new MessageLog();
    log.merge([message(1), message(2)]);
    expect(log.merge([message(1), message(2)])).toBe(false);
  });

  it('replaces a message whose copy changed (a delete) in place', () => {
    const log = new MessageLog();
    log.merge([message(1), message(2)]);
    log.merge([message(1, { deletedAt: new Date().toISOString() })]);
    expect(log.messages()).toHaveLength(2);
    expect(log.messages()[0]?.deletedAt).not.toBeNull();
  });

  it('steps over a seq it will never get, and sees a change of reactions or of a quote', () => {
    const log = new MessageLog();
    log.merge([message(1), message(3)]);
    expect(log.hasSeq(2)).toBe(false);
    log.markWithheld(2);
    expect(log.hasSeq(2)).toBe(true);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 3]);
    expect(log.merge([message(1, { reactions: [{ emoji: '👍', count: 1, members: [{ id: 'bob', username: 'Bob' }] }] })])).toBe(true);
    expect(log.merge([message(3, { replyTo: { id: 'm1', username: 'Alice', content: '', deleted: true } })])).toBe(true);
    expect(log.byId('m1')?.reactions[0]?.count).toBe(1);
  });

  it('drops a message deleted for me for good: its seq is held, and a late copy never brings it back', () => {
    const log = new MessageLog();
    log.merge([message(1), message(2), message(3)]);
    expect(log.remove(2)).toBe(true);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 3]);
    expect(log.byId('m2')).toBeUndefined();
    expect(log.hasSeq(2)).toBe(true);
    expect(log.merge([message(2)])).toBe(false);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 3]);
    expect(log.remove(7)).toBe(false);
    expect(log.hasSeq(7)).toBe(true);
  });

  it('finds the next held seq above a hole', () => {
    const log = new MessageLog();
    log.merge([message(1), message(2), message(5), message(9)]);
    expect(log.nextSeqAbove(2)).toBe(5);
    expect(log.nextSeqAbove(5)).toBe(9);
    expect(log.nextSeqAbove(9)).toBeNull();
    expect(log.hasSeq(3)).toBe(false);
    expect(log.lowestSeq()).toBe(1);
    expect(log.highestSeq()).toBe(9);
  });

  it('lists pending sends after the confirmed messages, then swaps in the real one by clientId', () => {
    const log = new MessageLog();
    log.merge([message(1)]);
    log.addPending(pending('client-abc-123'));
    const self = { memberId: 'bob', username: 'Bob', verified: true, type: 'normal' as const };
    let items = log.items(self, ROOM);
    expect(items.map((i) => i.status)).toEqual(['sent', 'pending']);
    expect(items[1]?.key).toBe('c:client-abc-123');
    expect(items[1]?.message.username).toBe('Bob');

    log.merge([message(2, { clientId: 'client-abc-123', memberId: 'bob', username: 'Bob', content: 'hello' })]);
    items = log.items(self, ROOM);
    expect(items.map((i) => i.status)).toEqual(['sent', 'sent']);
    // Same key before and after the swap: the bubble is not remounted.
    expect(items[1]?.key).toBe('c:client-abc-123');
    expect(log.pendingSends()).toHaveLength(0);
  });

  it('hands out the same item for an unchanged message, so rows need not re-render', () => {
    const log = new MessageLog();
    log.merge([message(1), message(2)]);
    const before = log.items(null, ROOM);
    expect(log.items(null, ROOM)).toBe(before);
    log.merge([message(3)]);
    const after = log.items(null, ROOM);
    expect(after).not.toBe(before);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
  });

  it('keeps a failed send with its error until it is retried or discarded', () => {
    const log = new MessageLog();
    log.addPending(pending('client-xyz-789'));
    log.updatePending('client-xyz-789', { status: 'failed', inFlight: false, error: 'Slow mode is on.' });
    const [item] = log.items(null, ROOM);
    expect(item?.status).toBe('failed');
    expect(item?.error).toBe('Slow mode is on.');
    expect(log.removePending('client-xyz-789')).toBe(true);
    expect(log.items(null, ROOM)).toHaveLength(0);
  });
});

describe('typingLabel', () => {
  it('names one, two, up to five typists, then gives up on names', () => {
    expect(typingLabel([])).toBe('');
    expect(typingLabel(['Alice'])).toBe('Alice is typing…');
    expect(typingLabel(['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
    expect(typingLabel(['Alice', 'Bob', 'Carol'])).toBe('Alice, Bob and 1 other are typing…');
    expect(typingLabel(['Alice', 'Bob', 'Carol', 'Dave'])).toBe('Alice, Bob and 2 others are typing…');
    expect(typingLabel(['A', 'B', 'C', 'D', 'E'])).toBe('A, B and 3 others are typing…');
    expect(typingLabel(['A', 'B', 'C', 'D', 'E', 'F'])).toBe('Several people are typing…');
  });
});
