import { randomBytes } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AVATAR_SIZE_PX, AVATAR_TYPES } from '@chatpop/protocol';
import { AppError } from '../../errors';

/** Larger images are refused before decoding (a decompression bomb fits in 5 MB). */
const MAX_INPUT_PIXELS = 50_000_000;

const unsupported = () =>
  new AppError(415, 'FILE_TYPE_UNSUPPORTED', 'Upload a JPEG, PNG, WebP or GIF image.');

/**
 * An uploaded avatar, checked by its content (magic bytes, never the name or
 * the declared type), turned upright, cut to a square and re-encoded as WebP:
 * the metadata (EXIF, GPS) does not survive.
 */
export async function processAvatar(data: Buffer): Promise<Buffer> {
  const type = await fileTypeFromBuffer(data);
  if (!type || !(AVATAR_TYPES as readonly string[]).includes(type.mime)) throw unsupported();
  try {
    return await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS, animated: false })
      .rotate()
      .resize(AVATAR_SIZE_PX, AVATAR_SIZE_PX, { fit: 'cover', position: 'attention' })
      .webp({ quality: 85 })
      .toBuffer();
  } catch {
    throw new AppError(415, 'FILE_TYPE_UNSUPPORTED', 'That image could not be read. Try another file.');
  }
}

export const newAvatarKey = (userId: string) => `avatars/${userId}-${randomBytes(9).toString('base64url')}.webp`;
