import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryPresence } from './presence';

describe('presence by counted connections', () => {
  // The clock is the test's: a loaded machine cannot make an entry expire early or late.
  afterEach(() => vi.useRealTimers());

  it('keeps a member online while any of their connections lives, and expires silent ones', async () => {
    vi.useFakeTimers();
    const presence = new MemoryPresence(50);
    await presence.touch('r', 'tab1', { memberId: 'alice', username: 'Alice' });
    await presence.touch('r', 'tab2', { memberId: 'alice', username: 'Alice' });
    await presence.touch('r', 'tab3', { memberId: 'bob', username: 'Bob' });
    expect((await presence.online('r')).map((o) => o.username).sort()).toEqual(['Alice', 'Bob']);
    await presence.remove('r', 'tab1');
    expect(await presence.online('r')).toHaveLength(2);
    vi.advanceTimersByTime(30);
    await presence.touch('r', 'tab3', { memberId: 'bob', username: 'Bob' }); // Bob heartbeats, Alice's tab2 does not
    vi.advanceTimersByTime(30);
    expect((await presence.online('r')).map((o) => o.username)).toEqual(['Bob']);
    expect(await presence.sweep()).toEqual(['r']);
  });
});
