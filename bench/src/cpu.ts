import { readFileSync } from 'node:fs';

/** Jiffies per CPU line of /proc/stat ("cpu" = all cores). */
export type CpuSnapshot = Map<string, { busy: number; softirq: number; total: number }>;

export function readCpu(): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return snap;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [name, ...rest] = line.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = rest.map(Number);
    // guest time is already counted in user; softirq and irq are busy time (network stack work).
    const busy = user + nice + system + irq + softirq + steal;
    snap.set(name!, { busy, softirq, total: busy + idle + iowait });
  }
  return snap;
}

export interface CpuUsage {
  /** Whole machine, percent of all cores (100 = every core busy). */
  machinePct: number;
  softirqPct: number;
  /** Per core, percent of that core. */
  cores: Record<string, number>;
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUsage {
  const pct = (name: string, field: 'busy' | 'softirq') => {
    const x = a.get(name);
    const y = b.get(name);
    if (!x || !y || y.total === x.total) return 0;
    return Math.round((1000 * (y[field] - x[field])) / (y.total - x.total)) / 10;
  };
  const cores: Record<string, number> = {};
  for (const name of b.keys()) if (name !== 'cpu') cores[name] = pct(name, 'busy');
  return { machinePct: pct('cpu', 'busy'), softirqPct: pct('cpu', 'softirq'), cores };
}

/** Resident set size of a process from /proc, bytes (0 when unreadable). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
