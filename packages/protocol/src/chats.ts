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
});
export type ChatSettings = z.infer<typeof chatSettingsSchema>;

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
    settings: chatSettingsSchema.partial().optional(),
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

export const memberSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  username: z.string(),
  role: z.enum(ROLES),
  /** Verified badge: a signed-in participant wearing their reserved username. */
  verified: z.boolean(),
  anonymous: z.boolean(),
  joinedAt: z.string(),
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
  members: z.array(memberSchema.extend({ online: z.boolean() })),
});
export type MemberList = z.infer<typeof memberListSchema>;

export const myChatsSchema = z.object({
  hosting: z.array(chatViewSchema),
  joined: z.array(chatViewSchema),
});
export type MyChats = z.infer<typeof myChatsSchema>;
