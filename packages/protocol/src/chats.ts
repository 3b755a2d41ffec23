import { z } from 'zod';

/** Crockford base32: no I, L, O or U, so a code read aloud is never ambiguous. */
export const CHAT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CHAT_CODE_LENGTH = 8;
export const chatCodeSchema = z
  .string()
  .regex(new RegExp(`^[${CHAT_CODE_ALPHABET}]{${CHAT_CODE_LENGTH}}$`), 'A chat code has 8 characters.');

export const THEMES = ['purple-dream', 'ocean-blue', 'dark-mode'] as const;
export type Theme = (typeof THEMES)[number];

export const SLOW_MODE_MAX_SECONDS = 300;
export const SEAT_LIMIT_MAX = 1000;
export const ACCESS_CODE_MIN_CHARS = 4;
export const ACCESS_CODE_MAX_CHARS = 32;
export const CHAT_NAME_MAX_CHARS = 100;
export const CHAT_DESCRIPTION_MAX_CHARS = 500;

export const accessCodeSchema = z
  .string()
  .trim()
  .min(ACCESS_CODE_MIN_CHARS, `An access code needs at least ${ACCESS_CODE_MIN_CHARS} characters.`)
  .max(ACCESS_CODE_MAX_CHARS, `An access code can have at most ${ACCESS_CODE_MAX_CHARS} characters.`);

const centsSchema = z.number().int().min(100).max(50_000);

/** Slow mode choices offered in the app (SPEC §2.4: 5 s to 5 min); the server takes any 0–300. */
export const SLOW_MODE_PRESETS_SECONDS = [0, 5, 10, 30, 60, 120, 300] as const;
export const BLOCKED_TERMS_MAX = 200;
export const BLOCKED_TERM_MAX_CHARS = 50;
export const LOCKDOWN_NEWCOMER_MAX_MINUTES = 1440;

/** Host-defined words that are refused in messages (SPEC §2.4), compared without case or accents, as whole words. */
export const blockedTermsSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1, 'A blocked term cannot be empty.')
      .max(BLOCKED_TERM_MAX_CHARS, `A blocked term can have at most ${BLOCKED_TERM_MAX_CHARS} characters.`),
  )
  .max(BLOCKED_TERMS_MAX, `At most ${BLOCKED_TERMS_MAX} blocked terms.`)
  .transform((terms) => [...new Map(terms.map((t) => [t.toLowerCase(), t])).values()]);

/**
 * Lockdown (SPEC §2.4): a saved preset turned on in one tap during a raid.
 * While `active`: slow mode of at least `slowModeSeconds`, participants who
 * joined less than `newcomerMinutes` ago wait, and links are refused when
 * `blockLinks`. The host and moderators are never held back.
 */
export const lockdownSchema = z.object({
  active: z.boolean().default(false),
  slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS).default(30),
  newcomerMinutes: z.number().int().min(0).max(LOCKDOWN_NEWCOMER_MAX_MINUTES).default(10),
  blockLinks: z.boolean().default(true),
});
export type Lockdown = z.infer<typeof lockdownSchema>;
export const DEFAULT_LOCKDOWN: Lockdown = { active: false, slowModeSeconds: 30, newcomerMinutes: 10, blockLinks: true };

/** The §2.1 settings a host chooses; stored as the room's JSONB `settings`. */
export const chatSettingsSchema = z.object({
  media: z
    .object({ photo: z.boolean().default(false), voice: z.boolean().default(false), video: z.boolean().default(false) })
    .default({ photo: false, voice: false, video: false }),
  backroom: z
    .object({
      enabled: z.boolean().default(false),
      seatPriceCents: centsSchema.default(500),
      seatLimit: z.number().int().min(1).max(SEAT_LIMIT_MAX).default(10),
    })
    .default({ enabled: false, seatPriceCents: 500, seatLimit: 10 }),
  pins: z
    .object({ enabled: z.boolean().default(false), basePriceCents: centsSchema.default(100) })
    .default({ enabled: false, basePriceCents: 100 }),
  tips: z.object({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  theme: z.enum(THEMES).default('purple-dream'),
  slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS).default(0),
  locked: z.boolean().default(false),
  blockedTerms: blockedTermsSchema.default([]),
  lockdown: lockdownSchema.default(DEFAULT_LOCKDOWN),
});
export type ChatSettings = z.infer<typeof chatSettingsSchema>;

/**
 * A change to some settings: only the fields given, nested ones included, are
 * changed (no defaults fill the rest). The server merges it into the stored
 * settings.
 */
export const chatSettingsPatchSchema = z
  .object({
    media: z.object({ photo: z.boolean(), voice: z.boolean(), video: z.boolean() }).partial().strict(),
    backroom: z
      .object({ enabled: z.boolean(), seatPriceCents: centsSchema, seatLimit: z.number().int().min(1).max(SEAT_LIMIT_MAX) })
      .partial()
      .strict(),
    pins: z.object({ enabled: z.boolean(), basePriceCents: centsSchema }).partial().strict(),
    tips: z.object({ enabled: z.boolean() }).partial().strict(),
    theme: z.enum(THEMES),
    slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS),
    locked: z.boolean(),
    blockedTerms: blockedTermsSchema,
    lockdown: z
      .object({
        active: z.boolean(),
        slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS),
        newcomerMinutes: z.number().int().min(0).max(LOCKDOWN_NEWCOMER_MAX_MINUTES),
        blockLinks: z.boolean(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type ChatSettingsPatch = z.infer<typeof chatSettingsPatchSchema>;

/** The settings a moderator may change too (SPEC §2.4); everything else is the host's. */
export const MODERATION_SETTING_KEYS = ['slowModeSeconds', 'locked', 'blockedTerms', 'lockdown'] as const;

/** Applies a patch to stored settings, nested objects merged field by field. */
export function mergeChatSettings(current: ChatSettings, patch: ChatSettingsPatch): ChatSettings {
  return chatSettingsSchema.parse({
    ...current,
    ...patch,
    media: { ...current.media, ...patch.media },
    backroom: { ...current.backroom, ...patch.backroom },
    pins: { ...current.pins, ...patch.pins },
    tips: { ...current.tips, ...patch.tips },
    lockdown: { ...current.lockdown, ...patch.lockdown },
  });
}

export const createChatBodySchema = z
  .object({
    name: z.string().trim().min(1, 'Give the chat a name.').max(CHAT_NAME_MAX_CHARS, `A chat name can have at most ${CHAT_NAME_MAX_CHARS} characters.`),
    description: z.string().trim().max(CHAT_DESCRIPTION_MAX_CHARS, `A description can have at most ${CHAT_DESCRIPTION_MAX_CHARS} characters.`).default(''),
    access: z.enum(['public', 'private']).default('public'),
    /** For a private chat; generated when left out. */
    accessCode: accessCodeSchema.optional(),
    settings: chatSettingsSchema.partial().default({}),
  })
  .strict();
export type CreateChatBody = z.input<typeof createChatBodySchema>;

export const updateChatBodySchema = z
  .object({
    name: z.string().trim().min(1).max(CHAT_NAME_MAX_CHARS).optional(),
    description: z.string().trim().max(CHAT_DESCRIPTION_MAX_CHARS).optional(),
    access: z.enum(['public', 'private']).optional(),
    accessCode: accessCodeSchema.optional(),
    settings: chatSettingsPatchSchema.optional(),
  })
  .strict();
export type UpdateChatBody = z.input<typeof updateChatBodySchema>;

export const chatViewSchema = z.object({
  roomId: z.string(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  access: z.enum(['public', 'private']),
  host: z.object({ username: z.string().nullable() }),
  settings: chatSettingsSchema,
  memberCount: z.number().int(),
  onlineCount: z.number().int(),
  lastSeq: z.number().int(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  /** Only in the host's own view. */
  accessCode: z.string().optional(),
});
export type ChatView = z.infer<typeof chatViewSchema>;

export const accessBodySchema = z.object({ accessCode: z.string().max(200) }).strict();

export const joinBodySchema = z.object({ username: z.string().max(100).optional() }).strict();
export type JoinBody = z.infer<typeof joinBodySchema>;

export const ROLES = ['host', 'moderator', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The account behind a participation, shown only where the participant wears
 * their reserved username (verified): a signed-in user who rolled a name in a
 * chat stays as anonymous there as anyone else.
 */
export const memberProfileSchema = z.object({
  displayName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  /** What the person says about their availability; "offline" when they appear offline. */
  status: z.enum(['online', 'away', 'busy', 'offline']),
});
export type MemberProfile = z.infer<typeof memberProfileSchema>;

/** `GET /api/chats/:code/profiles?ids=…`: at most this many member ids per request. */
export const PROFILES_MAX_IDS = 100;
export const profilesQuerySchema = z.object({
  ids: z
    .string()
    .max(PROFILES_MAX_IDS * 37)
    .transform((s) => [...new Set(s.split(',').filter(Boolean))])
    .pipe(z.array(z.string().uuid('Member ids are UUIDs.')).min(1, 'Name at least one member.').max(PROFILES_MAX_IDS, `At most ${PROFILES_MAX_IDS} members at a time.`)),
});
export const profilesResponseSchema = z.object({ profiles: z.record(z.string(), memberProfileSchema) });
export type ProfilesResponse = z.infer<typeof profilesResponseSchema>;

export const memberSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  username: z.string(),
  role: z.enum(ROLES),
  /** Verified badge: a signed-in participant wearing their reserved username. */
  verified: z.boolean(),
  anonymous: z.boolean(),
  joinedAt: z.string(),
  /** A time-out in force: shown to the member and to moderators. */
  mutedUntil: z.string().nullable().optional(),
  /** Only in a moderator's view of the member list. */
  banned: z.boolean().optional(),
  /** Silently hidden (only in a moderator's view: the member never learns it). */
  hidden: z.boolean().optional(),
});
export type Member = z.infer<typeof memberSchema>;

export const joinResponseSchema = z.object({
  member: memberSchema,
  /** The chat session token (SPEC §2.2), for the socket handshake. */
  token: z.string(),
  chat: chatViewSchema,
});
export type JoinResponse = z.infer<typeof joinResponseSchema>;

export const myParticipationSchema = z.object({
  member: memberSchema.nullable(),
  token: z.string().nullable(),
});
export type MyParticipation = z.infer<typeof myParticipationSchema>;

export const memberListSchema = z.object({
  members: z.array(memberSchema.extend({ online: z.boolean(), profile: memberProfileSchema.nullable().optional() })),
});
export type MemberList = z.infer<typeof memberListSchema>;

export const myChatsSchema = z.object({
  hosting: z.array(chatViewSchema),
  joined: z.array(chatViewSchema),
});
export type MyChats = z.infer<typeof myChatsSchema>;
