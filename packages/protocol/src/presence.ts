import { z } from 'zod';
import { USER_STATUSES, type UserStatus } from './auth';
import { conversationSummarySchema } from './inbox';

/**
 * Account presence and each person's own list settings for a conversation
 * (SPEC §4: presence, mute, archive; a pinned conversation).
 *
 * Presence is by connection: an account is connected while any of its
 * connections heartbeats (every PRESENCE_HEARTBEAT_MS; one goes stale
 * PRESENCE_TTL_MS after its last). What others see is the status the person
 * chose while connected (`online`, `away`, `busy`), and `offline` otherwise,
 * or always when they chose "appear offline" (`status: "offline"` in the
 * profile). Presence goes only to conversation partners: people who share a
 * direct or group conversation with the person.
 */

export const PRESENCE_STATUSES = USER_STATUSES;
export type PresenceStatus = UserStatus;

/**
 * One person's presence as you may see it. `lastSeenAt` is set only while
 * they are offline, and null when either of you hides last seen (privacy
 * both ways, as in WhatsApp) or it is not known. Someone who appears offline
 * shows their last seen from when they were last visibly online.
 */
export const userPresenceSchema = z.object({
  userId: z.string(),
  status: z.enum(PRESENCE_STATUSES),
  lastSeenAt: z.string().nullable(),
});
export type UserPresence = z.infer<typeof userPresenceSchema>;

/** How many people `GET /api/presence` answers for at once. */
export const PRESENCE_QUERY_MAX_USERS = 100;

/**
 * `GET /api/presence?userIds=<id>,<id>`: the presence of these people. Only
 * your conversation partners (and yourself) are answered; anyone else is
 * left out exactly as an unknown id is, so the answer tells a stranger nothing.
 */
export const presenceQuerySchema = z.object({
  userIds: z
    .string()
    .max(PRESENCE_QUERY_MAX_USERS * 37 + 10, `Ask for at most ${PRESENCE_QUERY_MAX_USERS} people at once.`)
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
    .pipe(
      z
        .array(z.string().uuid('userIds: each is a user id.'))
        .min(1, 'Name at least one person.')
        .max(PRESENCE_QUERY_MAX_USERS, `Ask for at most ${PRESENCE_QUERY_MAX_USERS} people at once.`),
    ),
});

/** `GET /api/presence` and `GET /api/conversations/:id/presence` (the other members of one conversation). */
export const presenceListSchema = z.object({ presence: z.array(userPresenceSchema) });
export type PresenceList = z.infer<typeof presenceListSchema>;

// ---- mute, archive, pin ---------------------------------------------------------

export const MUTE_DURATIONS = ['8h', '1w', 'always'] as const;
export type MuteDuration = (typeof MUTE_DURATIONS)[number];
/** How long each mute lasts; `always` lasts until unmuted. */
export const MUTE_DURATION_MS: Record<Exclude<MuteDuration, 'always'>, number> = {
  '8h': 8 * 60 * 60 * 1000,
  '1w': 7 * 24 * 60 * 60 * 1000,
};

/** Conversations one person may pin to the top of their list. */
export const CONVERSATION_PIN_LIMIT = 5;

/**
 * `POST /api/conversations/:id/mute {duration}`: no notification sounds, and
 * its unread messages leave your totals (the header badge and dashboard),
 * until the time runs out or you unmute. Muting again replaces the time.
 */
export const muteBodySchema = z
  .object({ duration: z.enum(MUTE_DURATIONS, 'duration is one of 8h, 1w or always.') })
  .strict();
export type MuteBody = z.infer<typeof muteBodySchema>;

/**
 * The answer of `POST …/mute`, `…/unmute`, `…/archive`, `…/unarchive`,
 * `…/pin` and `…/unpin`: your summary as it now is (also sent to your
 * devices as `conversation:updated`).
 */
export const conversationPreferenceResponseSchema = z.object({ conversation: conversationSummarySchema });
