import { describe, expect, it } from 'vitest';
import { hasDot, isMutedNow, lastSeenPhrase, muteText, onlineCount, presenceText } from './presence';

const NOW = new Date(2026, 2, 12, 15, 0, 0); // Thursday 12 March 2026, 3 PM local time
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;

describe('last seen', () => {
  it('reads as a person would say it', () => {
    expect(lastSeenPhrase(ago(20_000), NOW)).toBe('just now');
    expect(lastSeenPhrase(ago(5 * MIN), NOW)).toBe('5 min ago');
    expect(lastSeenPhrase(ago(59 * MIN), NOW)).toBe('59 min ago');
    expect(lastSeenPhrase(new Date(2026, 2, 12, 9, 5).toISOString(), NOW)).toMatch(/^today at 9:05/);
    expect(lastSeenPhrase(new Date(2026, 2, 11, 21, 30).toISOString(), NOW)).toMatch(/^yesterday at 9:30/);
    expect(lastSeenPhrase(new Date(2026, 2, 9, 8, 0).toISOString(), NOW)).toMatch(/^Mon at 8:00/);
    expect(lastSeenPhrase(new Date(2026, 0, 3, 8, 0).toISOString(), NOW)).toBe('Jan 3');
    expect(lastSeenPhrase(new Date(2024, 0, 3, 8, 0).toISOString(), NOW)).toBe('Jan 3, 2024');
    expect(lastSeenPhrase('not a date', NOW)).toBe('');
  });

  it('makes the line under a name from a presence, or nothing before it is known', () => {
    expect(presenceText(undefined, NOW)).toBeNull();
    expect(presenceText({ userId: 'a', status: 'online', lastSeenAt: null }, NOW)).toBe('online');
    expect(presenceText({ userId: 'a', status: 'away', lastSeenAt: null }, NOW)).toBe('away');
    expect(presenceText({ userId: 'a', status: 'busy', lastSeenAt: null }, NOW)).toBe('busy');
    expect(presenceText({ userId: 'a', status: 'offline', lastSeenAt: ago(5 * MIN) }, NOW)).toBe('last seen 5 min ago');
    // Hidden (either side hides last seen) or never seen.
    expect(presenceText({ userId: 'a', status: 'offline', lastSeenAt: null }, NOW)).toBe('offline');
  });

  it('dots everyone but the offline, and counts them', () => {
    const presence = {
      a: { userId: 'a', status: 'online' as const, lastSeenAt: null },
      b: { userId: 'b', status: 'busy' as const, lastSeenAt: null },
      c: { userId: 'c', status: 'offline' as const, lastSeenAt: ago(MIN) },
    };
    expect(hasDot(presence.a)).toBe(true);
    expect(hasDot(presence.c)).toBe(false);
    expect(hasDot(undefined)).toBe(false);
    expect(onlineCount(['a', 'b', 'c', 'unknown'], presence)).toBe(2);
  });
});

describe('mute', () => {
  const now = NOW.getTime();
  it('runs out by itself, and "always" never does', () => {
    expect(isMutedNow({ muted: false, mutedUntil: null }, now)).toBe(false);
    expect(isMutedNow({ muted: true, mutedUntil: null }, now)).toBe(true);
    expect(isMutedNow({ muted: true, mutedUntil: new Date(now + MIN).toISOString() }, now)).toBe(true);
    expect(isMutedNow({ muted: true, mutedUntil: new Date(now - MIN).toISOString() }, now)).toBe(false);
  });

  it('says until when', () => {
    expect(muteText({ muted: false, mutedUntil: null }, now)).toBeNull();
    expect(muteText({ muted: true, mutedUntil: null }, now)).toBe('Muted');
    expect(muteText({ muted: true, mutedUntil: new Date(2026, 2, 12, 23, 0).toISOString() }, now)).toMatch(/^Muted until Thu 11:00/);
    expect(muteText({ muted: true, mutedUntil: new Date(2026, 2, 19, 15, 0).toISOString() }, now)).toMatch(/^Muted until Mar 19/);
    expect(muteText({ muted: true, mutedUntil: new Date(now - MIN).toISOString() }, now)).toBeNull();
  });
});
