import type { ConversationSummary, PresenceStatus, UserPresence } from '@chatpop/protocol';

/**
 * What the Inbox says about people's presence and about a conversation's
 * mute, without I/O (docs/api.md, "Presence"; SPEC §4).
 */

/** A status as a word ("appear offline" reads as plain "offline" to everyone else). */
export const STATUS_WORDS: Record<PresenceStatus, string> = {
  online: 'online',
  away: 'away',
  busy: 'busy',
  offline: 'offline',
};

/** The choices of one's own status, as the menu and the profile name them. */
export const MY_STATUS_CHOICES: { value: PresenceStatus; label: string; help: string }[] = [
  { value: 'online', label: 'Online', help: 'Shown as online while ChatPop is open' },
  { value: 'away', label: 'Away', help: 'Shown as away while ChatPop is open' },
  { value: 'busy', label: 'Busy', help: 'Do not disturb' },
  { value: 'offline', label: 'Appear offline', help: 'Everyone sees you offline, pop chats included' },
];

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateWithYearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** "just now", "5 min ago", "today at 3:41 PM", "yesterday at 9:05 AM", "Mon at 8:00 PM", "Mar 3", "Mar 3, 2024". */
export function lastSeenPhrase(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const days = Math.round((startOfDay(now) - startOfDay(at)) / 86_400_000);
  if (days <= 0) return `today at ${timeFormat.format(at)}`;
  if (days === 1) return `yesterday at ${timeFormat.format(at)}`;
  if (days < 7) return `${weekdayFormat.format(at)} at ${timeFormat.format(at)}`;
  return at.getFullYear() === now.getFullYear() ? dateFormat.format(at) : dateWithYearFormat.format(at);
}

/**
 * The line under a person's name: "online", "away", "busy", "last seen 5 min
 * ago", or "offline" where last seen is hidden or not known yet. Null while
 * their presence has not been fetched.
 */
export function presenceText(presence: UserPresence | undefined, now = new Date()): string | null {
  if (!presence) return null;
  if (presence.status !== 'offline') return STATUS_WORDS[presence.status];
  return presence.lastSeenAt ? `last seen ${lastSeenPhrase(presence.lastSeenAt, now)}` : 'offline';
}

/** Shown as a dot: anything but offline. */
export function hasDot(presence: UserPresence | undefined): presence is UserPresence & { status: Exclude<PresenceStatus, 'offline'> } {
  return presence !== undefined && presence.status !== 'offline';
}

/** "2 online" of a group's other members, or null when none is. */
export function onlineCount(userIds: readonly string[], presence: Readonly<Record<string, UserPresence>>): number {
  return userIds.filter((id) => hasDot(presence[id])).length;
}

// ---- mute ------------------------------------------------------------------------

/** Muted right now: a timed mute runs out by itself, before any event says so. */
export function isMutedNow(row: Pick<ConversationSummary, 'muted' | 'mutedUntil'>, now = Date.now()): boolean {
  return row.muted && (row.mutedUntil === null || Date.parse(row.mutedUntil) > now);
}

const untilFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
const untilDateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** "Muted until Tue 3:41 PM", "Muted" (until unmuted), or null when not muted. */
export function muteText(row: Pick<ConversationSummary, 'muted' | 'mutedUntil'>, now = Date.now()): string | null {
  if (!isMutedNow(row, now)) return null;
  if (row.mutedUntil === null) return 'Muted';
  const until = new Date(row.mutedUntil);
  const withinWeek = until.getTime() - now < 6 * 86_400_000;
  return `Muted until ${(withinWeek ? untilFormat : untilDateFormat).format(until)}`;
}
