import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serveRequests } from '../src/proc';
import type { RoomPlan, RoomSpec, ServerStats } from '../src/types';

/** The histogram holds the time between timer ticks: the delay is that minus the sampling interval. */
const ELD_RESOLUTION_MS = 5;
const delay = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * The IPC side every server under test shares: `stats` (RSS, heap, event-loop
 * delay and CPU since the last reset) and `exit`; `extra` answers the rest.
 */
export function serveBenchIpc(extra: (msg: Record<string, unknown>) => Promise<unknown> | unknown, onExit: () => Promise<void>) {
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
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
            p50: eld.count ? delay(eld.percentile(50)) : 0,
            p99: eld.count ? delay(eld.percentile(99)) : 0,
            max: eld.count ? delay(eld.max) : 0,
            mean: eld.count ? delay(eld.mean) : 0,
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
      case 'profileStart':
        await profiler.start();
        return {};
      case 'profileStop':
        return { file: await profiler.stop(String(msg.file)) };
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

/** CPU profiling of the main thread on demand (BENCH_CPU_PROF), so a profile covers only the measured steps. */
const profiler = {
  session: null as Session | null,
  async start() {
    if (this.session) return;
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.session.post('Profiler.start');
  },
  async stop(file: string): Promise<string | null> {
    if (!this.session) return null;
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    this.session = null;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
};
