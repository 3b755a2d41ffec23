import path from 'node:path';
import type { Readable } from 'node:stream';
import { uuidv7 } from 'uuidv7';
import { PHOTO_MAX_BYTES, type MediaKeyResult, type MediaVariant, type UploadResponse } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import { track } from '../../context';
import { AppError } from '../../errors';
import { isUuid } from '../../http';
import type { MemberRow, RoomRow } from '../../db/schema';
import { MediaKeys } from './keys';
import { memberOfKey } from './policy';
import { processPhoto, receive, tooLarge } from './process';
import * as repo from './repo';
import { checkPhotosAllowed, isPublicRoom } from './rules';

/** Browsers and shared caches may keep a photo this long; a deleted message's photo is refused at once by this server. */
export const MEDIA_CACHE_SECONDS = 600;

const keysByContext = new WeakMap<AppContext, MediaKeys>();
function mediaKeys(ctx: AppContext): MediaKeys {
  let keys = keysByContext.get(ctx);
  if (!keys) keysByContext.set(ctx, (keys = new MediaKeys(ctx.config.jwtSecret)));
  return keys;
}

export const storageKey = (id: string, variant: MediaVariant) => `media/${id}-${variant}.webp`;

/** A key for a joined member's room media (the socket's `media:key`): the connection's membership is the check. */
export function issueKey(ctx: AppContext, room: RoomRow, member: MemberRow): MediaKeyResult {
  const { key, expiresAt } = mediaKeys(ctx).sign(room.id, member.id);
  return { key, expiresAt: expiresAt.toISOString() };
}

/** Who a request's `Authorization: Bearer <media key>` names, as they are now. */
async function keyHolder(ctx: AppContext, key: string | undefined) {
  if (!key) throw new AppError(401, 'MEDIA_KEY_REQUIRED', 'Open the chat again to send or see its photos.');
  return memberOfKey(ctx, mediaKeys(ctx).verify(key));
}

/**
 * One photo upload (docs/api.md, `POST /api/media`): who and where from the
 * media key, the room's switches, the daily quota, then the bytes streamed to
 * a temporary file, checked and re-encoded; only the re-encoded copies are
 * stored. Nothing is written when any step refuses.
 */
export async function uploadPhoto(ctx: AppContext, key: string | undefined, body: Readable, declaredLength: number | null): Promise<UploadResponse> {
  const { room, member } = await keyHolder(ctx, key);
  await checkPhotosAllowed(ctx, room, member);
  if (declaredLength !== null && declaredLength > PHOTO_MAX_BYTES) throw tooLarge();
  const person = member.userId ?? member.deviceId ?? member.id;
  await ctx.limits.consume('mediaUploadsPerDay', person);
  return track(
    ctx,
    (async () => {
      let received;
      try {
        received = await receive(body, path.join(ctx.config.uploadsDir, 'tmp'));
      } catch (err) {
        await ctx.limits.refund('mediaUploadsPerDay', person);
        if (err instanceof AppError) throw err;
        throw new AppError(400, 'MEDIA_UNREADABLE', 'The upload was cut short. Try again.');
      }
      try {
        const photo = await processPhoto(received);
        const id = uuidv7();
        await Promise.all([ctx.storage.put(storageKey(id, 'display'), photo.display), ctx.storage.put(storageKey(id, 'thumb'), photo.thumb)]);
        const row = await repo.insert(ctx.db, {
          id,
          roomId: room.id,
          memberId: member.id,
          kind: 'photo',
          mime: 'image/webp',
          width: photo.width,
          height: photo.height,
          bytes: photo.display.length + photo.thumb.length,
          placeholder: photo.placeholder,
        });
        return { attachment: repo.toAttachment(row) };
      } catch (err) {
        await ctx.limits.refund('mediaUploadsPerDay', person);
        throw err;
      } finally {
        await received.remove();
      }
    })(),
  );
}

const notFound = () => new AppError(404, 'MEDIA_NOT_FOUND', 'There is no such photo.');

export interface ServedMedia {
  stream: Readable;
  size: number;
  contentType: string;
  cacheControl: string;
}

/**
 * A stored photo for a reader (docs/api.md, `GET /api/media/:id/:variant`):
 * a sent, undeleted message's, to anyone when the room is a public pop chat,
 * else to the holder of a valid media key of that room whose membership
 * still stands. A silently hidden participant's photos are theirs alone.
 */
export async function servePhoto(ctx: AppContext, id: string, variant: MediaVariant, key: string | undefined): Promise<ServedMedia> {
  if (!isUuid(id)) throw notFound();
  const found = await repo.findForServing(ctx.db, id);
  if (!found || !found.attachment.messageId) throw notFound();
  if (found.deletedAt) throw new AppError(410, 'MEDIA_DELETED', 'This photo was deleted.');
  const open = !found.hidden && isPublicRoom({ kind: found.roomKind, isPrivate: found.roomPrivate });
  if (!open) {
    const { room, member } = await keyHolder(ctx, key);
    if (room.id !== found.attachment.roomId) throw new AppError(403, 'MEDIA_KEY_INVALID', 'This media link is for another chat.');
    if (found.hidden && member.id !== found.attachment.memberId) throw notFound();
  }
  const stored = await ctx.storage.open(storageKey(id, variant));
  if (!stored) throw notFound();
  return {
    ...stored,
    cacheControl: open ? `public, max-age=${MEDIA_CACHE_SECONDS}` : `private, max-age=${MEDIA_CACHE_SECONDS}`,
  };
}

/** Removes unsent uploads past their time and the media of deleted messages, rows first (one node each), then files. */
export async function sweepMedia(ctx: AppContext, now = Date.now()): Promise<number> {
  const ids = await repo.sweep(ctx.db, new Date(now - ctx.config.mediaUnsentTtlMs));
  await Promise.all(ids.flatMap((id) => (['display', 'thumb'] as const).map((v) => ctx.storage.delete(storageKey(id, v)))));
  return ids.length;
}

export function startMediaSweeper(ctx: AppContext): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    track(ctx, sweepMedia(ctx))
      .catch((err: unknown) => ctx.log.warn({ err }, 'media sweep failed'))
      .finally(() => {
        running = false;
      });
  }, ctx.config.mediaSweepMs);
  timer.unref();
  return timer;
}
