import { createHash } from 'node:crypto';
import webpush from 'web-push';
import type { PushPayload } from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { Config } from '../../config';
import * as repo from './repo';

/** How long a push service keeps a message for a device that is offline. */
const PUSH_TTL_SECONDS = 24 * 60 * 60;
const PUSH_TIMEOUT_MS = 10_000;

export type PushConfig = NonNullable<Config['push']>;

/**
 * Web Push (RFC 8030/8291/8292) through `web-push`: it encrypts the payload
 * for the device's keys (aes128gcm) and signs the VAPID JWT; the request
 * itself goes out with fetch. A subscription the push service no longer knows
 * (404, 410) is deleted.
 */
export class PushSender {
  constructor(
    private readonly ctx: AppContext,
    private readonly config: PushConfig,
  ) {}

  async send(userId: string, payload: PushPayload): Promise<void> {
    const subs = await repo.subscriptionsOf(this.ctx.db, userId);
    await Promise.all(
      subs.map(async (sub) => {
        try {
          const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, JSON.stringify(payload), {
            vapidDetails: { subject: this.config.subject, publicKey: this.config.publicKey, privateKey: this.config.privateKey },
            TTL: PUSH_TTL_SECONDS,
            contentEncoding: 'aes128gcm',
            urgency: 'normal',
            topic: topicOf(payload.tag),
          });
          const headers = { ...request.headers } as Record<string, string>;
          // fetch sets the length itself.
          delete headers['Content-Length'];
          const res = await fetch(request.endpoint, {
            method: request.method,
            headers,
            body: request.body ?? undefined,
            signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
            redirect: 'error',
          });
          await res.body?.cancel();
          if (res.status === 404 || res.status === 410) {
            await repo.deleteSubscription(this.ctx.db, { id: sub.id });
            this.ctx.log.info({ userId, status: res.status }, 'push subscription gone; removed');
          } else if (!res.ok) {
            this.ctx.log.warn({ userId, status: res.status }, 'push service refused a message');
          }
        } catch (err) {
          this.ctx.log.warn({ err, userId }, 'push not sent');
        }
      }),
    );
  }
}

/** A push Topic (RFC 8030 §5.4) replaces an undelivered message of the same topic: at most 32 URL-safe characters. */
function topicOf(tag: string): string {
  return createHash('sha256').update(tag).digest('base64url').slice(0, 32);
}

/** Whether a device's endpoint may be used: https, or plain http where the tests allow it. */
export function endpointAllowed(config: PushConfig, endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'https:' || (config.allowHttp && url.protocol === 'http:');
}
