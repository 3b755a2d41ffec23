import { z } from 'zod';

/**
 * The notification centre (SPEC §4): what happened to a signed-in user while
 * they were elsewhere, stored per user, read and unread, live over their
 * connections as `notification:new` and `notifications:read`, and, with Web
 * Push configured, on their devices while the app is closed.
 */

export const NOTIFICATION_KINDS = [
  /** Someone @mentioned them: in a conversation, or in a pop chat where they take part with their account. */
  'mention',
  /** Someone replied to their message. */
  'reply',
  /** A new message in one of their direct conversations. */
  'direct_message',
  /** Someone asked to be their contact. */
  'contact_request',
  /** Someone added them to a group (or created one with them in it). */
  'group_added',
  /** Their paid pin is no longer the top one: a higher pin came. */
  'pin_outbid',
  /** Someone tipped them, the host. */
  'tip_received',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Notifications per page of `GET /api/notifications`. */
export const NOTIFICATION_PAGE_SIZE = 30;
/**
 * Notifications of one kind from one room gather into one while unread and
 * younger than this: a user mentioned 100 times in a minute gets one
 * notification that counts 100.
 */
export const NOTIFICATION_GROUP_WINDOW_MS = 60_000;
/** Longest text quoted in a notification, in characters. */
export const NOTIFICATION_PREVIEW_MAX_CHARS = 140;
/** The unread count stops counting here (a badge shows "99+"). */
export const NOTIFICATION_UNREAD_MAX = 100;

export const notificationSchema = z.object({
  id: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  /** How many events this one gathers (the same kind, room and window); 1 for most. */
  count: z.number().int().min(1),
  read: z.boolean(),
  /** Who did it: a username (pop chat names included), or null (a system). */
  actor: z.object({ userId: z.string().nullable(), username: z.string().nullable() }),
  /** Where it happened; null for a contact request. */
  room: z
    .object({
      id: z.string(),
      kind: z.enum(['pop', 'backroom', 'direct', 'group']),
      name: z.string(),
      /** A pop chat's code (its Back Room's parent's), null for conversations. */
      code: z.string().nullable(),
    })
    .nullable(),
  /** The message it is about (the newest one for a grouped notification). */
  messageId: z.string().nullable(),
  seq: z.number().int().nullable(),
  /** The message's text, cut to NOTIFICATION_PREVIEW_MAX_CHARS; empty when there is none. */
  preview: z.string(),
  /** A tip's or pin's amount. */
  amountCents: z.number().int().nullable(),
  /** Where following it leads in the web app: `/inbox/<id>?at=<seq>`, `/chat/<code>?at=<seq>`, … */
  link: z.string(),
  createdAt: z.string(),
  /** When it last gathered an event (equals createdAt for a single one). */
  updatedAt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(NOTIFICATION_PAGE_SIZE).default(NOTIFICATION_PAGE_SIZE),
  /** Only the unread ones. */
  unread: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

/** `GET /api/notifications`: newest (by last event) first; `nextCursor` null on the last page. */
export const notificationListSchema = z.object({
  notifications: z.array(notificationSchema),
  nextCursor: z.string().nullable(),
  unread: z.number().int().min(0),
});
export type NotificationList = z.infer<typeof notificationListSchema>;

/** The answer of `POST /api/notifications/read`: the unread count left, and the notifications named (none for `all`). */
export const notificationsReadResponseSchema = z.object({ unread: z.number().int().min(0), notifications: z.array(notificationSchema) });

/** `POST /api/notifications/read`: these ids, or every one (`all: true`). */
export const markNotificationsReadBodySchema = z
  .object({
    ids: z.array(z.string().uuid('There is no such notification.')).min(1).max(100).optional(),
    all: z.literal(true).optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), 'Give either the ids to mark read or "all": true.');

/** Server → client, to the user's connections: a new notification, or one that gathered another event. */
export interface NotificationNewPayload {
  notification: Notification;
  unread: number;
}

/** Server → client, to the user's connections: these were read (`ids` null: all of them). */
export interface NotificationsReadPayload {
  ids: string[] | null;
  unread: number;
}

// ---- Web Push -------------------------------------------------------------------

/** The longest push endpoint accepted, in characters. */
export const PUSH_ENDPOINT_MAX_CHARS = 2048;

const base64url = (what: string, min: number, max: number) =>
  z
    .string()
    .min(min, `${what} is too short.`)
    .max(max, `${what} is too long.`)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url.`);

/** `POST /api/push/subscriptions`: a browser's PushSubscription (its `toJSON()`). */
export const pushSubscriptionBodySchema = z.object({
  endpoint: z
    .string()
    .max(PUSH_ENDPOINT_MAX_CHARS, 'The push endpoint is too long.')
    .url('The push endpoint must be a URL.'),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    /** The browser's P-256 public key, uncompressed: 65 bytes (87 base64url characters). */
    p256dh: base64url('keys.p256dh', 80, 100),
    /** The 16-byte authentication secret (22 base64url characters). */
    auth: base64url('keys.auth', 16, 32),
  }),
});
export type PushSubscriptionBody = z.infer<typeof pushSubscriptionBodySchema>;

export const pushUnsubscribeBodySchema = z.object({
  endpoint: z.string().max(PUSH_ENDPOINT_MAX_CHARS, 'The push endpoint is too long.').url('The push endpoint must be a URL.'),
});

export const pushDeviceSchema = z.object({
  id: z.string(),
  /** A label for the device ("Chrome on Android"), from its user agent. */
  label: z.string(),
  createdAt: z.string(),
});
export type PushDevice = z.infer<typeof pushDeviceSchema>;

/** `GET /api/push`: whether the server sends Web Push, its VAPID public key, and this account's devices. */
export const pushStatusSchema = z.object({
  enabled: z.boolean(),
  publicKey: z.string().nullable(),
  devices: z.array(pushDeviceSchema),
});
export type PushStatus = z.infer<typeof pushStatusSchema>;

/** What a push message carries (the service worker shows it). */
export interface PushPayload {
  title: string;
  body: string;
  link: string;
  /** Replaces an earlier notification of the same tag on the device (a grouped one). */
  tag: string;
  notificationId: string;
  unread: number;
}
