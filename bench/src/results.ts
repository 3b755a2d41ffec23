import type { RulesResult } from './rules';
import type { SearchResult } from './search';
import type { CpuUsage } from './cpu';
import type { ConnectResult, HistoryResult, LatencySummary, StepResult, StormResult, VerifyResult } from './types';

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
  /**
   * CPU used by everything else on the machine meanwhile (other users of this
   * shared machine), in percent of one core: machine busy − server − generator − softirq.
   */
  othersPct: number;
  /** A failing step measured while others used a lot of CPU is measured again; these are the earlier tries. */
  noisyTries?: StepRecord[];
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
  /** The first failing step above the best had the generator's core ≥ 75% busy: the server's own limit may be higher. */
  generatorBound: boolean;
  /** CPU profiles of the server(s) over the measured steps (BENCH_CPU_PROF). */
  profiles?: string[];
}

export interface MemoryPoint {
  connections: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  /** (RSS after − RSS before) / connections, as specified. */
  bytesPerConn: number;
  /** V8 heap growth per connection: part of RSS, so a floor for it. */
  heapBytesPerConn: number;
  /**
   * max(RSS-based, heap-based): the RSS baseline of the product drifts down by
   * tens of MB at random moments (memory the runtime hands back after start-up),
   * which can make the RSS-based figure too low or even negative.
   */
  conservativeBytesPerConn: number;
  rssDrifted: boolean;
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
  inbox?: InboxResult;
}

export interface InboxLoadRun {
  sent: number;
  acked: number;
  ackErrors: number;
  errors: Record<string, number>;
  delivered: number;
  reads: number;
  readErrors: number;
  ack: LatencySummary;
  delivery: LatencySummary;
  serverCpuPct: number;
  othersPct: number;
}

export interface InboxResult {
  users: number;
  conversations: number;
  seedSeconds: number;
  connect: {
    clients: number;
    joins: number;
    joinFailed: number;
    /** Refusals by error code, and joins with no answer within a minute (`timeout`). */
    joinErrors?: Record<string, number>;
    /** Connections the server closed while they were joining. */
    dropped?: number;
    /** Handshakes refused, closed by the server or unanswered within two minutes. */
    connectFailed?: number;
    /** How long connecting and joining everyone took. */
    seconds?: number;
    join: LatencySummary;
  };
  messagesPerSecond: number;
  withoutReceipts: InboxLoadRun;
  withReceipts: InboxLoadRun;
  /** (server CPU with receipts − without) / reads sent. */
  receiptCpuUsPerRead: number;
  /** `GET /api/conversations` (first page) and `GET /api/inbox/summary` of a user in `heavyConversations` conversations, in process. */
  heavyConversations: number;
  list: { requests: number; errors: number; latency: LatencySummary };
  unread: { requests: number; errors: number; latency: LatencySummary };
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
  /** The content rules' micro-benchmark (scenario `rules`), in the orchestrator's process. */
  rules?: RulesResult;
  /** Full-text search over seeded messages (scenario `search`), in the orchestrator's process. */
  search?: SearchResult;
  servers: ServerResult[];
}

export const P99_LIMIT_MS = 50;

/** A step passes with p99 ≤ 50 ms, nothing lost, duplicated, refused, unacked or skipped, and no connection lost. */

export function passes(step: StepResult): boolean {
  return (step.connectionsLost ?? 0) === 0 && step.streams.every(
    (s) => s.latency.p99 <= P99_LIMIT_MS && s.lost === 0 && s.unacked === 0 && s.budgetSkipped === 0 && Object.keys(s.errors).length === 0 && s.duplicates === 0,
  );
}

export type { LatencySummary };
