/**
 * Summarizes a V8 .cpuprofile (from BENCH_CPU_PROF=C): self time by function
 * and by module/package, and inclusive time of the busiest functions.
 * Usage: npx tsx src/profile-summary.ts results/profiles/<file>.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  console.error('usage: tsx src/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));

// Self time per node from the samples and their time deltas (µs).
const selfUs = new Map<number, number>();
if (prof.samples && prof.timeDeltas) {
  prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas![i + 1] ?? 0)));
} else {
  const per = (prof.endTime - prof.startTime) / Math.max(1, prof.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0));
  for (const n of prof.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * per);
}
const all = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = prof.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((a, n) => a + (selfUs.get(n.id) ?? 0), 0);
/** Percentages are of busy (non-idle) time. */
const total = Math.max(1, all - idleUs);

const short = (url: string) => {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const app = url.indexOf('/apps/server/src/');
  if (app >= 0) return `server:${url.slice(app + 17)}`;
  const pkg = url.indexOf('/packages/');
  if (pkg >= 0) return url.slice(pkg + 1);
  if (url.startsWith('node:')) return url;
  return url ? url.split('/').slice(-2).join('/') : '(native/vm)';
};
const key = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const selfByFn = new Map<string, number>();
const selfByModule = new Map<string, number>();
for (const n of prof.nodes) {
  const us = selfUs.get(n.id) ?? 0;
  if (!us || n.callFrame.functionName === '(idle)') continue;
  selfByFn.set(key(n), (selfByFn.get(key(n)) ?? 0) + us);
  const mod = short(n.callFrame.url);
  selfByModule.set(mod, (selfByModule.get(mod) ?? 0) + us);
}

// Inclusive time per function key (a recursive frame is counted once per path).
const inclusive = new Map<string, number>();
const visit = (id: number, onPath: Set<string>): number => {
  const n = byId.get(id)!;
  let us = selfUs.get(id) ?? 0;
  const k = key(n);
  const fresh = !onPath.has(k);
  if (fresh) onPath.add(k);
  for (const c of n.children ?? []) us += visit(c, onPath);
  if (fresh) {
    onPath.delete(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
  return us;
};
visit(prof.nodes[0]!.id, new Set());

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, us]) => console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`));
};
console.log(`${file}: ${(all / 1e6).toFixed(1)} s sampled, ${(total / 1e6).toFixed(1)} s busy (${((100 * total) / all).toFixed(0)}%); percentages are of busy time`);
print('self time by module/package', selfByModule, top);
print('self time by function', selfByFn, top);
print('inclusive time by function (excluding idle/program/root)', new Map([...inclusive].filter(([k]) => !/^\((root|idle|program|garbage collector)\)/.test(k))), top);
