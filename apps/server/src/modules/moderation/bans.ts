import type { AppContext } from '../../context';
import { AppError } from '../../errors';
import * as repo from './repo';

/**
 * An address that names the visitor's network. A loopback address is the
 * server's own proxy (the web app's /api rewrite without a front proxy that
 * sets X-Forwarded-For): banning it would ban every newcomer, so it is not
 * used (docs/decisions.md).
 */
export function networkOf(ip: string | null | undefined): string | null {
  if (!ip) return null;
  if (/^(127\.|::1$|::ffff:127\.)/.test(ip)) return null;
  return ip;
}

/** A join refused while a ban holds on the account, the device or the network (SPEC §2.4). */
export async function checkNotBanned(ctx: AppContext, roomId: string, who: { userId?: string | null; deviceId?: string | null; ip?: string | null }) {
  const ban = await repo.findActiveBan(ctx.db, roomId, { ...who, ip: networkOf(who.ip) });
  if (ban) throw new AppError(403, 'BANNED', 'You have been banned from this chat.');
}
