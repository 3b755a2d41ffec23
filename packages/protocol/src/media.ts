import { z } from 'zod';

/**
 * Media attached to messages (SPEC §2.9, §4). Photos are built; voice, video
 * and documents will join the same attachment shape with their own kinds.
 */
export const ATTACHMENT_KINDS = ['photo'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** SPEC §6: the largest photo accepted, before re-encoding. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** Photo types accepted, decided by the content (magic bytes), never the name or the declared type. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
/** A message carries at most this many photos (an album). */
export const ALBUM_MAX_PHOTOS = 10;
/** The longer side of the display copy and of the thumbnail, in pixels. */
export const PHOTO_DISPLAY_MAX_PX = 1600;
export const PHOTO_THUMB_MAX_PX = 480;
/** Variants of a stored photo a client may fetch. */
export const MEDIA_VARIANTS = ['display', 'thumb'] as const;
export type MediaVariant = (typeof MEDIA_VARIANTS)[number];

export const attachmentSchema = z.object({
  id: z.string(),
  kind: z.enum(ATTACHMENT_KINDS),
  /** Type of the stored (re-encoded) file. */
  mime: z.string(),
  /** Size of the display copy, upright: a client reserves this box before the image loads. */
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  /** A ThumbHash (base64) of the photo: a blurred placeholder drawn before the image arrives. */
  placeholder: z.string(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const attachmentIdsSchema = z
  .array(z.string().uuid('Unknown attachment.'))
  .max(ALBUM_MAX_PHOTOS, `A message can carry at most ${ALBUM_MAX_PHOTOS} photos.`)
  .refine((ids) => new Set(ids).size === ids.length, 'An attachment can be sent once per message.');

/** `POST /api/media` answers the stored upload; its id goes into `message:send {attachmentIds}`. */
export const uploadResponseSchema = z.object({ attachment: attachmentSchema });
export type UploadResponse = z.infer<typeof uploadResponseSchema>;

/**
 * `media:key {roomId}`: a signed, expiring key naming the room and the
 * member, for uploads (`Authorization: Bearer <key>`) and for fetching the
 * room's media (`?key=<key>`).
 */
export const mediaKeyRequestSchema = z.object({ roomId: z.string().uuid('Unknown room.') }).strict();
export const mediaKeyResultSchema = z.object({ key: z.string(), expiresAt: z.string() });
export type MediaKeyResult = z.infer<typeof mediaKeyResultSchema>;

/** The path of a stored photo's variant; add `?key=` for a room that is not a public pop chat. */
export const mediaPath = (id: string, variant: MediaVariant) => `/api/media/${id}/${variant}`;
