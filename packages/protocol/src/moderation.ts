import { z } from 'zod';
import { chatSettingsPatchSchema, chatViewSchema, memberSchema } from './chats';
import { emojiSchema, messageSchema, reactionSchema } from './messages';

/** Time-out lengths a host or moderator may choose (SPEC §2.4). */
export const TIMEOUT_PRESETS_SECONDS = [10, 60, 300, 600, 1800, 86_400] as const;

/**
 * What a host or moderator can do to a participant. `timeout` needs one of
 * the presets; `untimeout` lifts it. `promote`/`demote` (moderator role) are
 * the host's alone.
 */
export const moderateMemberBodySchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('timeout'),
      seconds: z
        .number()
        .int()
        .refine((s) => (TIMEOUT_PRESETS_SECONDS as readonly number[]).includes(s), 'Choose one of the time-out lengths: 10 s, 1 min, 5 min, 10 min, 30 min or 24 h.'),
    })
    .strict(),
  /**
   * A ban may also take down the person's messages of the last
   * `BAN_DELETE_RECENT_HOURS` (as Twitch clears a banned user's lines).
   */
  z.object({ action: z.literal('ban'), deleteRecent: z.boolean().optional() }).strict(),
  z.object({ action: z.enum(['untimeout', 'unban', 'hide', 'unhide', 'promote', 'demote']) }).strict(),
]);

/** How far back "also delete their recent messages" reaches when banning. */
export const BAN_DELETE_RECENT_HOURS = 24;
export type ModerateMemberBody = z.infer<typeof moderateMemberBodySchema>;
export type ModerationAction = ModerateMemberBody['action'];

export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'sexual', 'violence', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
export const REPORT_NOTE_MAX_CHARS = 500;

export const reportBodySchema = z
  .object({
    reason: z.enum(REPORT_REASONS),
    note: z.string().trim().max(REPORT_NOTE_MAX_CHARS, `A note can have at most ${REPORT_NOTE_MAX_CHARS} characters.`).optional(),
  })
  .strict();
export type ReportBody = z.infer<typeof reportBodySchema>;

export const reportSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  messageId: z.string(),
  reason: z.enum(REPORT_REASONS),
  note: z.string().nullable(),
  status: z.enum(['open', 'dismissed', 'actioned']),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  /** Only in the host's and moderators' queue. */
  reporter: z.object({ id: z.string(), username: z.string() }).optional(),
  message: messageSchema.optional(),
});
export type Report = z.infer<typeof reportSchema>;

export const resolveReportBodySchema = z.object({ status: z.enum(['dismissed', 'actioned']) }).strict();
export const reportsQuerySchema = z.object({ status: z.enum(['open', 'all']).default('open') });
export const reportListSchema = z.object({ reports: z.array(reportSchema) });

export const reactionBodySchema = z.object({ emoji: emojiSchema, on: z.boolean() }).strict();
export type ReactionBody = z.infer<typeof reactionBodySchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.string().nullable(),
  target: z.string().nullable(),
  messageId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditListSchema = z.object({ entries: z.array(auditEntrySchema) });

// ---- socket payloads -------------------------------------------------------

const roomId = z.string().uuid('Unknown room.');
const messageId = z.string().uuid('Unknown message.');

export const messageDeleteSchema = z.object({ roomId, messageId }).strict();
export const reactionSetSchema = z.object({ roomId, messageId, emoji: emojiSchema, on: z.boolean() }).strict();
export const messageReportSchema = z.object({ roomId, messageId, reason: z.enum(REPORT_REASONS), note: z.string().trim().max(REPORT_NOTE_MAX_CHARS).optional() }).strict();
export const memberModerateSchema = z.intersection(z.object({ roomId, memberId: z.string().uuid('Unknown participant.') }), moderateMemberBodySchema);
export const roomModerateSchema = z.object({ roomId, settings: chatSettingsPatchSchema }).strict();

export interface MessageDeletedPayload {
  roomId: string;
  id: string;
  seq: number;
  deletedAt: string;
}
export interface ReactionUpdatedPayload {
  roomId: string;
  messageId: string;
  seq: number;
  reactions: z.infer<typeof reactionSchema>[];
}
export interface MemberUpdatedPayload {
  roomId: string;
  member: z.infer<typeof memberSchema>;
}
export interface RoomUpdatedPayload {
  roomId: string;
  chat: z.infer<typeof chatViewSchema>;
}
/** A seq that holds nothing for this reader: step over it without asking. */
export interface MessageSkipPayload {
  roomId: string;
  seq: number;
}
export interface ReportNewPayload {
  roomId: string;
  report: Report;
}
