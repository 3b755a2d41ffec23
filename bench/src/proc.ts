import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** True when `taskset` can pin processes here (util-linux). */
export const HAS_TASKSET = (() => {
  try {
    return spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
})();

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface SpawnOptions {
  /** Core to pin to with taskset, when taskset exists. */
  core?: number;
  env?: NodeJS.ProcessEnv;
  name: string;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A TypeScript child process with an IPC channel, pinned to a core, with its
 * file-descriptor limit raised as far as the shell allows. `request` sends
 * `{id, ...msg}` and resolves with the child's `{id, ok, result}` reply.
 */
export class Child {
  readonly proc: ChildProcess;
  readonly name: string;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners: ((msg: Record<string, unknown>) => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(script: string, opts: SpawnOptions) {
    this.name = opts.name;
    const node = [process.execPath, '--import', 'tsx', '--expose-gc', ...(opts.nodeArgs ?? []), script];
    const pin = HAS_TASKSET && opts.core !== undefined ? `taskset -c ${opts.core} ` : '';
    // `exec` keeps the pid: the pid we hold is the node process itself (for /proc reads and signals).
    const cmd = `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${pin}${node.map(quote).join(' ')}`;
    this.proc = spawn('/bin/sh', ['-c', cmd], {
      cwd: BENCH_DIR,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (raw) => {
      const msg = raw as Record<string, unknown>;
      if (typeof msg.id === 'number' && this.pending.has(msg.id)) {
        const p = this.pending.get(msg.id)!;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(`${this.name}: ${String(msg.error)}`));
        return;
      }
      for (const l of this.listeners) l(msg);
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code) => {
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new Error(`${this.name} exited (code ${code}) during a request`));
        }
        this.pending.clear();
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Resolves with the first unsolicited message of the given type. */
  waitFor<T>(type: string, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
      const onMsg = (msg: Record<string, unknown>) => {
        if (msg.type !== type) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== onMsg);
        resolve(msg as T);
      };
      this.listeners.push(onMsg);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (code ${code}) before '${type}'`));
      });
    });
  }

  request<T>(msg: Record<string, unknown>, timeoutMs = 300_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: request ${String(msg.cmd)} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.proc.send({ ...msg, id });
    });
  }

  /** Asks the child to exit, then kills it (this child only) if it does not. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    try {
      await this.request({ cmd: 'exit' }, graceMs);
    } catch {
      // exiting children may not answer
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Child side: answers `{id, cmd}` requests with `{id, ok, result|error}`. */
export function serveRequests(handler: (msg: Record<string, unknown>) => Promise<unknown> | unknown): void {
  process.on('message', (raw) => {
    const msg = raw as Record<string, unknown>;
    const id = msg.id;
    Promise.resolve()
      .then(() => handler(msg))
      .then(
        (result) => process.send?.({ id, ok: true, result }),
        (err: unknown) => process.send?.({ id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  // The orchestrator went away: do not linger.
  process.on('disconnect', () => process.exit(0));
}
