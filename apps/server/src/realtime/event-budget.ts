import type { ErrorBody } from '@chatpop/protocol';

/** A connection may send this many events at once … */
export const EVENT_BURST = 60;
/** … and this many a second after that, whatever the events are. */
export const EVENTS_PER_SECOND = 20;

/**
 * One token bucket per connection for every client → server event (docs/api.md,
 * "Limits"): the web client sends a few events a second at most; a flood past
 * the burst is answered `RATE_LIMITED` (events without an acknowledgement,
 * such as `typing`, are dropped) until the bucket refills. The per-participant
 * limits (messages, reactions) apply on top.
 */
export class EventBudget {
  private tokens = EVENT_BURST;
  private at: number;

  constructor(now = Date.now()) {
    this.at = now;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(EVENT_BURST, this.tokens + ((now - this.at) / 1000) * EVENTS_PER_SECOND);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export const overBudget: ErrorBody['error'] = {
  code: 'RATE_LIMITED',
  message: 'This connection is sending too many events. Slow down a little.',
  details: { retryAfterSeconds: 1 },
};
