import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { PHOTO_DISPLAY_MAX_PX, PHOTO_MAX_BYTES, PHOTO_THUMB_MAX_PX, PHOTO_TYPES } from '@chatpop/protocol';
import { AppError } from '../../errors';

/** Larger images are refused before decoding (a decompression bomb fits in 10 MB). */
const MAX_INPUT_PIXELS = 50_000_000;
/** ThumbHash works on an image of at most 100×100. */
const PLACEHOLDER_SOURCE_PX = 100;

export const tooLarge = () =>
  new AppError(413, 'MEDIA_TOO_LARGE', `A photo can be at most ${PHOTO_MAX_BYTES / (1024 * 1024)} MB.`, { maxBytes: PHOTO_MAX_BYTES });
const unsupported = (reason: string) =>
  new AppError(415, 'MEDIA_TYPE_UNSUPPORTED', 'Send a photo: JPEG, PNG, WebP or GIF.', { reason });
const unreadable = () => new AppError(422, 'MEDIA_UNREADABLE', 'That image could not be read: it may be cut short or damaged.');

/**
 * Markup that has no business in a photo. A file that carries it besides its
 * image data is a polyglot (a JPEG that is also an HTML page, an SVG under a
 * PNG's name): refused, although the re-encoded copy would not keep it, so a
 * file made to be read two ways never gets in. Matched on lower-cased Latin-1
 * text chunk by chunk (linear in the upload, STYLE §17), with an overlap so a
 * marker split across two chunks is still seen.
 */
const MARKUP = ['<script', '<html', '<!doctype', '<svg', '<iframe', '<body', '<?php', '<object', '<embed'];
const OVERLAP = Math.max(...MARKUP.map((m) => m.length)) - 1;
/** A ZIP's end-of-central-directory record (a JPEG that is also an archive). */
const ZIP_END = 'pk\x05\x06';

class MarkupScanner extends Transform {
  bytes = 0;
  found: string | null = null;
  private tail = '';

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void) {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(tooLarge());
    if (this.found === null) {
      const text = this.tail + chunk.toString('latin1').toLowerCase();
      this.found = MARKUP.find((m) => text.includes(m)) ?? (text.includes(ZIP_END) ? 'zip' : null);
      this.tail = text.slice(-OVERLAP);
    }
    done(null, chunk);
  }
}

export interface ReceivedFile {
  file: string;
  bytes: number;
  /** A marker of another format found in the bytes, or null. */
  polyglot: string | null;
  remove(): Promise<void>;
}

/** Streams an upload to a temporary file (never whole in memory), stopping at `maxBytes`. */
export async function receive(body: Readable, tmpDir: string, maxBytes = PHOTO_MAX_BYTES): Promise<ReceivedFile> {
  await mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `${randomUUID()}.upload`);
  const remove = () => rm(file, { force: true });
  const scanner = new MarkupScanner(maxBytes);
  try {
    await pipeline(body, scanner, createWriteStream(file));
  } catch (err) {
    await remove();
    throw err;
  }
  return { file, bytes: scanner.bytes, polyglot: scanner.found, remove };
}

export interface ProcessedPhoto {
  display: Buffer;
  thumb: Buffer;
  width: number;
  height: number;
  placeholder: string;
}

/**
 * A received photo, checked by its content (magic bytes, never the name or
 * the declared type) and re-encoded as WebP: turned upright from its EXIF
 * orientation, then every piece of metadata (EXIF, GPS, XMP, ICC) left
 * behind, as sharp does unless asked to keep it. A display copy, a thumbnail
 * and a ThumbHash placeholder. An animated GIF stays animated.
 */
export async function processPhoto(received: ReceivedFile): Promise<ProcessedPhoto> {
  if (received.bytes === 0) throw unsupported('empty');
  const type = await fileTypeFromFile(received.file);
  if (!type) throw unsupported('unknown');
  if (!(PHOTO_TYPES as readonly string[]).includes(type.mime)) throw unsupported(type.mime);
  if (received.polyglot) throw unsupported('polyglot');
  const animated = type.mime === 'image/gif' || type.mime === 'image/webp';
  const open = () => sharp(received.file, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated', animated });
  try {
    const meta = await open().metadata();
    const moving = animated && (meta.pages ?? 1) > 1;
    const base = () => (moving ? open() : sharp(received.file, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' }).rotate());
    const resize = (px: number) => ({ width: px, height: px, fit: 'inside' as const, withoutEnlargement: true });
    const [display, thumb, small] = await Promise.all([
      base().resize(resize(PHOTO_DISPLAY_MAX_PX)).webp({ quality: 82 }).toBuffer({ resolveWithObject: true }),
      base().resize(resize(PHOTO_THUMB_MAX_PX)).webp({ quality: 75 }).toBuffer(),
      sharp(received.file, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' })
        .rotate()
        .resize(PLACEHOLDER_SOURCE_PX, PLACEHOLDER_SOURCE_PX, { fit: 'inside' })
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true }),
    ]);
    const height = moving ? (display.info.pageHeight ?? display.info.height) : display.info.height;
    const hash = rgbaToThumbHash(small.info.width, small.info.height, small.data);
    return { display: display.data, thumb, width: display.info.width, height, placeholder: Buffer.from(hash).toString('base64') };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable();
  }
}
