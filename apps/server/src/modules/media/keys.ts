import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors';

/** How long a media key opens its room's media (docs/api.md, "Media"). */
export const MEDIA_KEY_TTL_SECONDS = 60 * 60;

export interface MediaKeyClaims {
  roomId: string;
  memberId: string;
  /** Unix seconds. */
  expiresAt: number;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KEY_PATTERN = new RegExp(`^(${UUID})\\.(${UUID})\\.(\\d{1,12})\\.([A-Za-z0-9_-]{43})$`);

/**
 * A media key: `<roomId>.<memberId>.<expires>.<HMAC-SHA256>`, signed with a
 * key derived from the server's secret for this one use. It says that this
 * member of this room was let into the room's media until then; every use
 * still checks the membership as it is now (media/policy.ts).
 */
export class MediaKeys {
  private readonly secret: Buffer;

  constructor(serverSecret: string) {
    this.secret = createHmac('sha256', serverSecret).update('chatpop media keys').digest();
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  sign(roomId: string, memberId: string, now = Date.now()): { key: string; expiresAt: Date } {
    const expiresAt = Math.floor(now / 1000) + MEDIA_KEY_TTL_SECONDS;
    const payload = `${roomId}.${memberId}.${expiresAt}`;
    return { key: `${payload}.${this.mac(payload)}`, expiresAt: new Date(expiresAt * 1000) };
  }

  verify(key: string, now = Date.now()): MediaKeyClaims {
    const match = KEY_PATTERN.exec(key);
    if (!match) throw invalidKey();
    const [, roomId, memberId, expires, mac] = match;
    const expected = Buffer.from(this.mac(`${roomId}.${memberId}.${expires}`));
    if (!timingSafeEqual(expected, Buffer.from(mac!))) throw invalidKey();
    const expiresAt = Number(expires);
    if (expiresAt * 1000 <= now) throw new AppError(403, 'MEDIA_KEY_EXPIRED', 'This media link has expired. Reopen the chat to load it again.');
    return { roomId: roomId!, memberId: memberId!, expiresAt };
  }
}

const invalidKey = () => new AppError(403, 'MEDIA_KEY_INVALID', 'This media link is not valid.');
