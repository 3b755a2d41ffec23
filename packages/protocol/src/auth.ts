import { z } from 'zod';

export const PASSWORD_MIN_CHARS = 8;
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_CHARS) problems.push(`at least ${PASSWORD_MIN_CHARS} characters`);
  if (!/[A-Z]/.test(password)) problems.push('an upper-case letter');
  if (!/[a-z]/.test(password)) problems.push('a lower-case letter');
  if (!/[0-9]/.test(password)) problems.push('a digit');
  return problems;
}

export const passwordSchema = z
  .string()
  .max(200, 'A password can have at most 200 characters.')
  .superRefine((value, ctx) => {
    const problems = passwordProblems(value);
    if (problems.length > 0) {
      ctx.addIssue({ code: 'custom', message: `The password needs ${problems.join(', ')}.` });
    }
  });

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'That email address is too long.')
  .pipe(z.email('Enter a valid email address.'));

/** A page of this site to return to (`/create`, `/chat/ABCD2345`): a path, never another origin. */
export const returnPathSchema = z
  .string()
  .max(300, 'That return address is too long.')
  .regex(/^\/(?![/\\])[^\s]*$/, 'The return address must be a path on this site.');

export const registerBodySchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  username: z.string().max(100, 'That username is far too long.').optional(),
  /** Where the confirmation link leads after signing in. */
  next: returnPathSchema.optional(),
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

/** `POST /api/auth/register` → 202: the same reply whether or not the email has an account. */
export const registeredResponseSchema = z.object({ message: z.string() });
export type RegisteredResponse = z.infer<typeof registeredResponseSchema>;

/** `POST /api/auth/confirm-email`: the token from the emailed link. */
export const confirmEmailBodySchema = z
  .object({ token: z.string().min(1, 'The confirmation link is incomplete.').max(2000, 'The confirmation link is not valid.') })
  .strict();
export type ConfirmEmailBody = z.infer<typeof confirmEmailBodySchema>;

export const loginBodySchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password.').max(200),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const USER_STATUSES = ['online', 'away', 'busy', 'offline'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
export const DISPLAY_NAME_MAX_CHARS = 50;
export const BIO_MAX_CHARS = 300;
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
/** Avatars are stored as a square WebP of this many pixels a side. */
export const AVATAR_SIZE_PX = 256;
export const AVATAR_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;

/** Who may start a direct conversation with you or add you to a group: everyone, or only people in your contacts. */
export const WHO_CAN_MESSAGE = ['everyone', 'contacts'] as const;
export type WhoCanMessage = (typeof WHO_CAN_MESSAGE)[number];

export const privacySchema = z.object({
  hideReadReceipts: z.boolean(),
  hideLastSeen: z.boolean(),
  whoCanMessage: z.enum(WHO_CAN_MESSAGE, 'Who can message you is everyone or contacts.'),
});
export type Privacy = z.infer<typeof privacySchema>;

/** The signed-in user's own view of their account. */
export const publicUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  /** Reserved username: theirs platform-wide, worn with the verified badge. */
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  status: z.enum(USER_STATUSES),
  privacy: privacySchema,
  createdAt: z.string(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const meResponseSchema = z.object({ user: publicUserSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;

/** `GET /api/auth/session`: who is signed in on this browser, null for nobody (never a 401). */
export const sessionResponseSchema = z.object({ user: publicUserSchema.nullable() });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const sessionInfoSchema = z.object({
  id: z.string(),
  userAgent: z.string().nullable(),
  /** "Chrome on macOS", read from the user agent; null when it says nothing useful. */
  device: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** `PATCH /api/me`: any subset; `displayName: null` or `""` clears it. */
export const updateProfileBodySchema = z
  .object({
    displayName: z
      .string()
      .trim()
      .max(DISPLAY_NAME_MAX_CHARS, `A display name can have at most ${DISPLAY_NAME_MAX_CHARS} characters.`)
      .nullable()
      .optional(),
    bio: z.string().trim().max(BIO_MAX_CHARS, `A bio can have at most ${BIO_MAX_CHARS} characters.`).optional(),
    status: z.enum(USER_STATUSES, 'Status is one of online, away, busy or offline.').optional(),
    privacy: privacySchema.partial().optional(),
    /** Reserve a username, for an account that has none yet. */
    username: z.string().max(100, 'That username is far too long.').optional(),
  })
  .strict();
export type UpdateProfileBody = z.input<typeof updateProfileBodySchema>;

export const changePasswordBodySchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password.').max(200),
    newPassword: passwordSchema,
  })
  .strict();
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

/** `POST /api/auth/password-reset`: always the same answer, whether the email has an account or not. */
export const passwordResetRequestSchema = z.object({ email: emailSchema }).strict();
export const passwordResetRequestedSchema = z.object({ message: z.string() });

export const PASSWORD_RESET_TTL_MINUTES = 60;
export const passwordResetConfirmSchema = z
  .object({
    token: z.string().min(1, 'The reset link is incomplete.').max(200),
    password: passwordSchema,
  })
  .strict();
export type PasswordResetConfirm = z.infer<typeof passwordResetConfirmSchema>;

export const sessionListSchema = z.object({ sessions: z.array(sessionInfoSchema) });
export type SessionList = z.infer<typeof sessionListSchema>;

/** `GET /api/dev/outbox` (only with `DEV_OUTBOX=true`, only to requests made on the server's own machine). */
export const outboxMailSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  sentAt: z.string(),
});
export const outboxSchema = z.object({ mails: z.array(outboxMailSchema) });
export type OutboxMail = z.infer<typeof outboxMailSchema>;
