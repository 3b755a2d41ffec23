/** Shapes shared by the orchestrator (run.ts), the servers under test and the load generator. */

export type ServerId = 'A' | 'B' | 'C' | 'D' | 'E';

/** One room the orchestrator asks a server to create: `size` members, optionally `messages` seeded before the run. */
export interface RoomPlan {
  key: string;
  size: number;
  messages?: number;
  /** How many of its members take part with an account (notifications reach accounts only). */
  accounts?: number;
}

export interface MemberSpec {
  memberId: string;
  /** Chat session token (product) or just the member id (A, B). */
  token: string;
  /** The member's username (product). */
  username?: string;
}

export interface RoomSpec {
  key: string;
  roomId: string;
  /** Pop chat code, for the history endpoint (product only). */
  code?: string;
  members: MemberSpec[];
}

/** Summary of an HDR histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface ServerStats {
  pid: number;
  rss: number;
  heapUsed: number;
  /** Event-loop delay since the last reset, ms. */
  eld: { p50: number; p99: number; max: number; mean: number };
  /** Process CPU since the last reset, percent of one core. */
  cpuPct: number;
}

export interface ProcessLoad {
  cpuPct: number;
  eldP99: number;
  eldMax: number;
}

export interface StreamResult {
  label: string;
  rooms: number;
  roomSize: number;
  /** Scheduled messages per second. */
  rate: number;
  scheduled: number;
  sent: number;
  acked: number;
  errors: Record<string, number>;
  /** Sends the generator held back because the product's per-member rate limit would refuse them. */
  budgetSkipped: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  /** Sends with neither an ok nor an error ack by the deadline. */
  unacked: number;
  duplicates: number;
  offeredDeliveriesPerSec: number;
  deliveredPerSec: number;
  latency: LatencySummary;
  ack: LatencySummary;
}

export interface StepResult {
  durationMs: number;
  streams: StreamResult[];
  loadgen: ProcessLoad;
  /** Connections (any group) that closed without the generator asking, during the step and its settling. */
  connectionsLost: number;
}

export interface ConnectResult {
  requested: number;
  connected: number;
  failed: number;
  errors: Record<string, number>;
  ms: number;
  perSec: number;
  latency: LatencySummary;
}

export interface StormResult {
  rooms: number;
  reconnecting: number;
  stayers: number;
  reconnected: number;
  failed: number;
  /** Messages each reconnecting client missed, summed: what replay + live must cover. */
  expected: number;
  missing: number;
  /** Extra copies beyond one, replay and live together. */
  duplicates: number;
  /** Messages that came both in the join ack's replay and live (sent while the join was being served). */
  replayLiveOverlap: number;
  /** Clients that got every missed message exactly once. */
  clientsComplete: number;
  /** Clients that got every missed message at least once (what a client that drops seen seqs ends up with). */
  clientsCompleteAfterSeqDedupe: number;
  replayHasMore: number;
  stormMs: number;
  reconnectPerSec: number;
  joinLatency: LatencySummary;
  liveSentDuringStorm: number;
  sendErrors: Record<string, number>;
}

export interface HistoryResult {
  requests: number;
  fromCache: number;
  errors: number;
  bytes: number;
  latency: LatencySummary;
  /** Server and machine load while it ran (filled in by the orchestrator). */
  load?: { server: { cpuPct: number; eldP99: number; eldMax: number }; machine: unknown; othersPct: number };
}

export interface VerifyResult {
  ok: boolean;
  clients: number;
  realClients: number;
  messages: number;
  expectedDeliveries: number;
  delivered: number;
  duplicates: number;
  seqContiguous: boolean;
  acksOk: number;
  thinMatchesReal: boolean;
  notes: string[];
}

/** Requests sent to a server child over IPC. */
export type ServerRequest =
  | { cmd: 'seed'; rooms: RoomPlan[] }
  | { cmd: 'stats'; gc?: boolean; reset?: boolean }
  | { cmd: 'inject'; url: string; n: number; warmup: number }
  | { cmd: 'exit' };

/** The first message every server child sends. */
export interface ReadyMessage {
  type: 'ready';
  port: number;
  kind: string;
}
