import { TYPING_TTL_MS } from '@chatpop/protocol';

/**
 * At most one `typing: true` per member per this long reaches the room (the
 * web client repeats it every 3 s while typing; readers keep it for
 * TYPING_TTL_MS).
 */
export const TYPING_COALESCE_MS = 2_000;

/** How often forgotten entries (a typist who left without a stop) are dropped. */
const SWEEP_MS = 60_000;

/**
 * Coalesces typing per member on this node (docs/api.md, "typing"): a start
 * goes out when none went out in the last TYPING_COALESCE_MS, a stop only
 * after a start went out (and once). So however fast a client sends, the room
 * hears at most one start every two seconds and one stop per start from each
 * member. The state is this node's: a member typing on two nodes at once is
 * coalesced on each.
 */
export class TypingGate {
  /** `roomId:memberId` → when the last start went out. */
  private readonly shown = new Map<string, number>();
  private sweptAt = Date.now();

  /** Whether this signal should be broadcast. */
  pass(roomId: string, memberId: string, typing: boolean, now = Date.now()): boolean {
    this.sweep(now);
    const key = `${roomId}:${memberId}`;
    const last = this.shown.get(key);
    if (!typing) {
      if (last === undefined) return false;
      this.shown.delete(key);
      return true;
    }
    if (last !== undefined && now - last < TYPING_COALESCE_MS) return false;
    this.shown.set(key, now);
    return true;
  }

  /** A sent message ends its author's typing for every reader; the next start goes out at once. */
  forget(roomId: string, memberId: string): void {
    this.shown.delete(`${roomId}:${memberId}`);
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_MS) return;
    this.sweptAt = now;
    // Readers have long dropped a start this old; a stop for it is not needed either.
    for (const [key, at] of this.shown) if (now - at > TYPING_TTL_MS) this.shown.delete(key);
  }
}
