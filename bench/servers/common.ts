import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serveRequests } from '../src/proc';
import type { RoomPlan, RoomSpec, ServerStats } from '../src/types';

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * The IPC side every server under test shares: `stats` (RSS, heap, event-loop
 * delay and CPU since the last reset) and `exit`; `extra` answers the rest.
 */
export function serveBenchIpc(extra: (msg: Record<string, unknown>) => Promise<unknown> | unknown, onExit: () => Promise<void>) {
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  let cpuFrom = process.cpuUsage();
  let cpuAt = performance.now();

  serveRequests(async (msg) => {
    switch (msg.cmd) {
      case 'stats': {
        if (msg.gc && gc) {
          // Two passes and a pause: let finalizers and freed pages settle before reading RSS.
          gc();
          await new Promise((r) => setTimeout(r, 100));
          gc();
        }
        const mem = process.memoryUsage();
        const cpu = process.cpuUsage(cpuFrom);
        const elapsedUs = (performance.now() - cpuAt) * 1000;
        const stats: ServerStats = {
          pid: process.pid,
          rss: mem.rss,
          heapUsed: mem.heapUsed,
          eld: {
            p50: eld.count ? eld.percentile(50) / 1e6 : 0,
            p99: eld.count ? eld.percentile(99) / 1e6 : 0,
            max: eld.count ? eld.max / 1e6 : 0,
            mean: eld.count ? eld.mean / 1e6 : 0,
          },
          cpuPct: elapsedUs > 0 ? Math.round((1000 * (cpu.user + cpu.system)) / elapsedUs) / 10 : 0,
        };
        if (msg.reset) {
          eld.reset();
          cpuFrom = process.cpuUsage();
          cpuAt = performance.now();
        }
        return stats;
      }
      case 'exit':
        setTimeout(() => {
          onExit().finally(() => process.exit(0));
        }, 10);
        return {};
      default:
        return extra(msg);
    }
  });
}

/** A and B have no accounts: a room is an id, a member's "token" is its id. */
export function fakeSeed(plan: RoomPlan[]): { rooms: RoomSpec[] } {
  return {
    rooms: plan.map((p) => ({
      key: p.key,
      roomId: randomUUID(),
      members: Array.from({ length: p.size }, () => {
        const id = randomUUID();
        return { memberId: id, token: id };
      }),
    })),
  };
}
