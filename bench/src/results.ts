import type { CpuUsage } from './cpu';
import type { ConnectResult, HistoryResult, LatencySummary, ProcessLoad, StepResult, StormResult, VerifyResult } from './types';

export interface ServerLoad {
  rss: number;
  cpuPct: number;
  eldP99: number;
  eldMax: number;
}

/** One measured step: what the generator saw, plus the server's and the machine's load meanwhile. */
export interface StepRecord extends StepResult {
  server: ServerLoad;
  machine: CpuUsage;
  loadgenPinned: ProcessLoad;
  pass: boolean;
}

export interface FanoutResult {
  roomSize: number;
  rooms: number;
  connect: ConnectResult;
  steps: StepRecord[];
  /** Highest offered deliveries/s with p99 ≤ 50 ms, zero loss and no send errors. */
  best: number;
  bestP99: number | null;
  /** Why the ladder stopped. */
  stoppedBy: string;
}

export interface MemoryPoint {
  connections: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  bytesPerConn: number;
  heapBytesPerConn: number;
  connect: ConnectResult;
}

export interface MixPoint {
  multiplier: number;
  step: StepRecord;
}

export interface ServerResult {
  id: string;
  label: string;
  kind?: string;
  skipped?: string;
  error?: string;
  seconds?: number;
  verify?: VerifyResult;
  memory?: MemoryPoint[];
  fanout?: FanoutResult[];
  ack?: StepRecord;
  history?: { http: HistoryResult; inject?: HistoryResult };
  storm?: StormResult;
  mix?: MixPoint[];
  profiles?: string[];
}

export interface BenchResults {
  meta: {
    startedAt: string;
    finishedAt: string;
    seconds: number;
    node: string;
    cpus: number;
    cpuModel: string;
    taskset: boolean;
    quick: boolean;
    passRule: string;
  };
  config: Record<string, unknown>;
  servers: ServerResult[];
}

export const P99_LIMIT_MS = 50;

export function passes(step: StepResult): boolean {
  return step.streams.every(
    (s) => s.latency.p99 <= P99_LIMIT_MS && s.lost === 0 && s.unacked === 0 && s.budgetSkipped === 0 && Object.keys(s.errors).length === 0 && s.duplicates === 0,
  );
}

export type { LatencySummary };
