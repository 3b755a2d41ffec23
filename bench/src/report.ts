import type { BenchResults, FanoutResult, ServerResult } from './results';
import { renderRules } from './rules';
import { renderSearch } from './search';
import { P99_LIMIT_MS } from './results';

type Cell = number | string | null;
interface Row {
  label: string;
  get: (s: ServerResult) => Cell;
  /** Digits after the point. */
  digits?: number;
  /** Ratio to A is shown for numeric rows unless false. */
  ratio?: boolean;
  /** Footnote marks for a cell (†, ‡, §). */
  mark?: (s: ServerResult) => string;
}

const kb = (b: number) => b / 1024;
const fmtNum = (n: number, digits = 0) => {
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(digits);
};

function rows(results: BenchResults): Row[] {
  const out: Row[] = [];
  const all = results.servers;
  out.push({ label: 'correctness: socket.io-client + thin', get: (s) => (s.verify ? (s.verify.ok ? `ok ${s.verify.delivered}/${s.verify.expectedDeliveries}` : `FAIL ${s.verify.delivered}/${s.verify.expectedDeliveries}`) : null) });
  const memConns = [...new Set(all.flatMap((s) => s.memory?.map((m) => m.connections) ?? []))].sort((a, b) => a - b);
  for (const n of memConns) {
    out.push({
      label: `idle memory KB/conn @${fmtNum(n)}`,
      digits: 1,
      get: (s) => nullable(s.memory?.find((m) => m.connections === n), (m) => kb(m.conservativeBytesPerConn)),
      mark: (s) => (s.memory?.find((m) => m.connections === n)?.rssDrifted ? '‡' : ''),
    });
    out.push({ label: `  RSS-only KB/conn @${fmtNum(n)}`, digits: 1, ratio: false, get: (s) => nullable(s.memory?.find((m) => m.connections === n), (m) => kb(m.bytesPerConn)) });
  }
  if (memConns.length) {
    const n = memConns[memConns.length - 1]!;
    out.push({ label: `  heap KB/conn @${fmtNum(n)}`, digits: 1, get: (s) => nullable(s.memory?.find((m) => m.connections === n), (m) => kb(m.heapBytesPerConn)) });
    out.push({ label: 'connect rate conn/s (largest batch)', get: (s) => nullable(s.memory?.[s.memory.length - 1], (m) => m.connect.perSec) });
    out.push({ label: '  connect+join p99 ms', digits: 1, get: (s) => nullable(s.memory?.[s.memory.length - 1], (m) => m.connect.latency.p99) });
  }
  const sizes = [...new Set(all.flatMap((s) => s.fanout?.map((f) => f.roomSize) ?? []))].sort((a, b) => a - b);
  for (const size of sizes) {
    out.push({ label: `fan-out ${size}-member rooms: best deliv/s`, get: (s) => nullable(s.fanout?.find((f) => f.roomSize === size), (f) => f.best), mark: (s) => fanoutMarks(s.fanout?.find((f) => f.roomSize === size)) });
    out.push({ label: `  p99 ms at that load`, digits: 1, ratio: false, get: (s) => nullable(s.fanout?.find((f) => f.roomSize === size), (f) => f.bestP99) });
  }
  for (const size of sizes) {
    // Server CPU per delivery at the best passing load: where the time goes, independent of the ladder's steps.
    out.push({
      label: `server CPU µs/delivery, ${size}-member rooms`,
      digits: 1,
      get: (s) =>
        nullable(s.fanout?.find((f) => f.roomSize === size), (f) => {
          const best = f.steps.filter((st) => st.pass).sort((a, b) => b.streams[0]!.deliveredPerSec - a.streams[0]!.deliveredPerSec)[0];
          return best ? (best.server.cpuPct * 1e4) / Math.max(1, best.streams[0]!.deliveredPerSec) : null;
        }),
    });
  }
  const headline = (s: ServerResult) => (s.fanout?.length ? [...s.fanout].sort((a, b) => b.best - a.best)[0]! : null);
  if (sizes.length) {
    out.push({
      label: 'fan-out HEADLINE: best deliv/s (any size)',
      get: (s) => headline(s)?.best ?? null,
      mark: (s) => fanoutMarks(headline(s) ?? undefined),
    });
  }
  out.push({ label: 'send→ack p50 ms (100-member room)', digits: 2, get: (s) => s.ack?.streams[0]?.ack.p50 ?? null });
  out.push({ label: 'send→ack p99 ms', digits: 2, get: (s) => s.ack?.streams[0]?.ack.p99 ?? null });
  out.push({ label: '  delivery p99 ms in that room', digits: 2, get: (s) => s.ack?.streams[0]?.latency.p99 ?? null });
  out.push({ label: 'history page HTTP p50 ms', digits: 3, ratio: false, get: (s) => s.history?.http.latency.p50 ?? null });
  out.push({ label: 'history page HTTP p90 ms', digits: 3, ratio: false, get: (s) => s.history?.http.latency.p90 ?? null });
  out.push({ label: 'history page HTTP p99 ms', digits: 3, ratio: false, get: (s) => s.history?.http.latency.p99 ?? null });
  out.push({ label: 'history page inject p50 ms', digits: 3, ratio: false, get: (s) => s.history?.inject?.latency.p50 ?? null });
  out.push({ label: 'history page inject p99 ms', digits: 3, ratio: false, get: (s) => s.history?.inject?.latency.p99 ?? null });
  out.push({ label: '  served from cache', ratio: false, get: (s) => (s.history ? `${s.history.http.fromCache}/${s.history.http.requests}` : null) });
  out.push({ label: 'inbox send→ack p50/p99 ms', ratio: false, get: (s) => (s.inbox ? `${s.inbox.withReceipts.ack.p50} / ${s.inbox.withReceipts.ack.p99}` : null) });
  out.push({ label: 'inbox delivery p99 ms', ratio: false, get: (s) => s.inbox?.withReceipts.delivery.p99 ?? null });
  out.push({ label: 'inbox receipt CPU µs/read', ratio: false, get: (s) => s.inbox?.receiptCpuUsPerRead ?? null });
  out.push({ label: 'inbox list p99 ms (heavy user)', digits: 3, ratio: false, get: (s) => s.inbox?.list.latency.p99 ?? null });
  out.push({ label: 'inbox unread totals p99 ms', digits: 3, ratio: false, get: (s) => s.inbox?.unread.latency.p99 ?? null });
  out.push({ label: 'reconnect storm: clients back/s', ratio: false, get: (s) => s.storm?.reconnectPerSec ?? null });
  out.push({ label: '  replay missing/dup of owed', ratio: false, get: (s) => (s.storm ? `${s.storm.missing}/${s.storm.duplicates} of ${fmtNum(s.storm.expected)}` : null) });
  out.push({ label: '  clients exactly-once (raw)', ratio: false, get: (s) => (s.storm ? `${s.storm.clientsComplete}/${s.storm.reconnecting}` : null) });
  const mults = [...new Set(all.flatMap((s) => s.mix?.map((m) => m.multiplier) ?? []))].sort((a, b) => a - b);
  for (const m of mults) {
    out.push({
      label: `chat mix ×${m}: p99 ms small/big`,
      ratio: false,
      get: (s) =>
        nullable(s.mix?.find((x) => x.multiplier === m), (x) => `${x.step.streams.map((st) => st.latency.p99.toFixed(1)).join('/')}${x.step.pass ? '' : ' FAIL'}${!x.step.pass && x.step.othersPct >= NOISY_PCT ? '§' : ''}`),
    });
  }
  return out;
}

const NOISY_PCT = 25;

/** † generator-bound, § noise-bound: judged on the first failing step above the best. */
function fanoutMarks(f: FanoutResult | undefined): string {
  if (!f) return '';
  const nextFail = f.steps.filter((st) => !st.pass && st.streams[0]!.offeredDeliveriesPerSec > f.best).sort((a, b) => a.streams[0]!.offeredDeliveriesPerSec - b.streams[0]!.offeredDeliveriesPerSec)[0];
  return (capped(f) ? '+' : '') + (f.generatorBound ? '†' : '') + (nextFail && nextFail.othersPct >= NOISY_PCT ? '§' : '');
}

/** The ladder ran out of steps (or hit its rate cap) while still passing: the result is a lower bound. */
function capped(f: FanoutResult): boolean {
  return f.best > 0 && !f.steps.some((st) => !st.pass && st.streams[0]!.offeredDeliveriesPerSec > f.best);
}

function nullable<T>(v: T | undefined | null, f: (v: T) => Cell): Cell {
  return v === undefined || v === null ? null : f(v);
}

function cell(v: Cell, a: Cell, row: Row): string {
  if (v === null) return '–';
  if (typeof v === 'string') return v;
  const base = fmtNum(v, row.digits ?? 0);
  if (row.ratio === false || typeof a !== 'number' || a === 0) return base;
  return `${base} (${(v / a).toFixed(2)}×)`;
}

export function renderTable(results: BenchResults): string {
  const servers = results.servers;
  const A = servers.find((s) => s.id === 'A');
  const header = ['metric', ...servers.map((s) => s.label)];
  const body: string[][] = [];
  for (const row of rows(results)) {
    const a = A ? row.get(A) : null;
    const cells = servers.map((s) => (s.skipped ? 'skipped' : s.error && row.get(s) === null ? 'error' : cell(row.get(s), a, row) + (row.mark?.(s) ?? '')));
    if (cells.every((c) => c === '–' || c === 'skipped' || c === 'error')) continue;
    body.push([row.label, ...cells]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' │ ');
  const sep = widths.map((w) => '─'.repeat(w)).join('─┼─');
  const lines = [
    `ChatPop benchmark — ${results.meta.startedAt}${results.meta.quick ? ' (QUICK smoke run)' : ''}, node ${results.meta.node}, ${results.meta.cpus}× ${results.meta.cpuModel}` +
      `${results.meta.taskset ? ', servers pinned to core 0, generator to core 1' : ', NOT pinned'}`,
    `(x×) = ratio to A in this run. Fan-out pass rule: ${results.meta.passRule}.`,
    '',
    line(header),
    sep,
    ...body.map(line),
  ];
  for (const s of servers) {
    if (s.skipped) lines.push(`${s.id} skipped: ${s.skipped}`);
    if (s.error) lines.push(`${s.id} error: ${s.error}`);
    for (const f of s.fanout ?? []) if (f.stoppedBy.startsWith('sender budget')) lines.push(`${s.id} fan-out ${f.roomSize}: ladder stopped by the sender budget (product rate limits), the best is a lower bound`);
  }
  if (body.some((r) => r.slice(1).some((c) => /\d\.\d\d×\)\+/.test(c)))) {
    lines.push('+ no step above this one failed (the ladder ran out of steps): at least this much; ratios between such cells say nothing');
  }
  if (body.some((r) => r.some((c) => c.includes('§')))) {
    lines.push('§ the failing step that limits this was measured while other processes on this shared machine used ≥ 25% of a core, even after the retries: noise may be what limited it');
  }
  if (servers.some((s) => s.fanout?.some((f) => f.generatorBound))) {
    lines.push('† the first failing load above this one had the generator\'s core ≥ 75% busy: this is (also) the generator\'s limit, the server\'s own may be higher');
  }
  if (servers.some((s) => s.memory?.some((m) => m.rssDrifted))) {
    lines.push('‡ RSS grew less than the V8 heap (the RSS baseline drifted down meanwhile): the heap growth is shown, as the floor; idle memory = max(ΔRSS, Δheap) / connections');
  }
  if (results.rules) lines.push('', renderRules(results.rules));
  if (results.search) lines.push('', renderSearch(results.search));
  lines.push('', ...targets(results));
  return lines.join('\n') + '\n';
}

function targets(results: BenchResults): string[] {
  const A = results.servers.find((s) => s.id === 'A');
  const out: string[] = [];
  for (const s of results.servers.filter((x) => (x.id === 'C' || x.id === 'D') && !x.skipped)) {
    const mark = (ok: boolean | null) => (ok === null ? '  ?' : ok ? ' ok' : ' NO');
    out.push(`Targets for ${s.label}:`);
    const bestOf = (r: ServerResult | undefined) => (r?.fanout?.length ? Math.max(...r.fanout.map((f) => f.best)) : null);
    const best = bestOf(s);
    const aBest = bestOf(A);
    if (s.id === 'C') {
      const ratio = best !== null && aBest ? best / aBest : null;
      const anyCapped = [...(s.fanout ?? []), ...(A?.fanout ?? [])].some(capped);
      out.push(
        `${mark(ratio === null || anyCapped ? null : ratio >= 0.6)}  fan-out best deliveries/s ≥ 0.6× A: ${best === null ? '–' : fmtNum(best)} vs ${aBest === null ? '–' : fmtNum(aBest)} = ${ratio === null ? '–' : ratio.toFixed(2)}×` +
          (anyCapped ? ' (a ladder ran out of steps before failing: not decided by this run)' : ''),
      );
      for (const f of s.fanout ?? []) {
        const af = A?.fanout?.find((x) => x.roomSize === f.roomSize);
        if (af?.best) out.push(`       ${f.roomSize}-member rooms: ${fmtNum(f.best)} vs ${fmtNum(af.best)} = ${(f.best / af.best).toFixed(2)}×`);
      }
    }
    const ack = s.ack?.streams[0]?.ack;
    out.push(`${mark(ack ? ack.p50 <= 3 : null)}  send→ack p50 ≤ 3 ms (100-member room): ${ack ? `${ack.p50} ms` : '–'}`);
    out.push(`${mark(ack ? ack.p99 <= 15 : null)}  send→ack p99 ≤ 15 ms: ${ack ? `${ack.p99} ms` : '–'}`);
    if (s.id === 'C') {
      const m5 = s.memory?.find((m) => m.connections === 5000) ?? s.memory?.[s.memory.length - 1];
      out.push(
        `${mark(m5 ? m5.conservativeBytesPerConn / 1024 <= 25 : null)}  idle memory ≤ 25 KB/conn at 5k: ${m5 ? `${(m5.conservativeBytesPerConn / 1024).toFixed(1)} KB at ${m5.connections} (ΔRSS ${(m5.bytesPerConn / 1024).toFixed(1)}, Δheap ${(m5.heapBytesPerConn / 1024).toFixed(1)} KB/conn)` : '–'}`,
      );
    }
    const h = s.history;
    out.push(
      `${mark(h ? h.http.latency.p99 <= 1 && h.http.fromCache === h.http.requests : null)}  history page from cache p99 ≤ 1 ms: ${h ? `HTTP ${h.http.latency.p99} ms, inject ${h.inject?.latency.p99 ?? '–'} ms, ${h.http.fromCache}/${h.http.requests} from cache` : '–'}`,
    );
    const ib = s.inbox;
    if (ib) {
      const target = s.id === 'C' ? 10 : 20;
      out.push(
        `${mark(ib.list.latency.p99 <= target && ib.list.errors === 0)}  conversation list p99 ≤ ${target} ms for a user in ${ib.heavyConversations} conversations: ${ib.list.latency.p99} ms (p50 ${ib.list.latency.p50} ms); unread totals p99 ${ib.unread.latency.p99} ms`,
      );
    }
    const st = s.storm;
    if (st) {
      out.push(
        `${mark(st.missing === 0 && st.duplicates === 0 && st.failed === 0)}  reconnect storm: every missed message exactly once: ${st.missing} missing, ${st.duplicates} duplicates ` +
          `(${st.replayLiveOverlap} both in the replay and live), ${st.failed} failed reconnects; ${st.clientsCompleteAfterSeqDedupe}/${st.reconnecting} complete after dropping seen seqs`,
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------- SVG chart

const COLORS: Record<string, string> = { A: '#1f77b4', B: '#ff7f0e', C: '#2ca02c', D: '#d62728', E: '#9467bd' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** p99 (solid) and p50 (dotted) delivery latency against offered deliveries/s, one panel per room size, log–log. */
export function renderSvg(results: BenchResults): string {
  const servers = results.servers.filter((s) => s.fanout?.length);
  const sizes = [...new Set(servers.flatMap((s) => s.fanout!.map((f) => f.roomSize)))].sort((a, b) => a - b);
  const W = 420;
  const H = 340;
  const m = { l: 60, r: 15, t: 40, b: 50 };
  const width = Math.max(1, sizes.length) * W;
  const height = H + 60;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  const yMin = 0.1;
  const allP = servers.flatMap((s) => s.fanout!.flatMap((f) => f.steps.map((st) => st.streams[0]!.latency.max)));
  const yMax = Math.max(100, ...allP.map((v) => v * 1.2));
  const ly = (v: number) => Math.log10(Math.max(v, yMin));
  sizes.forEach((size, pi) => {
    const ox = pi * W;
    const pw = W - m.l - m.r;
    const ph = H - m.t - m.b;
    const points = servers.flatMap((s) => s.fanout!.filter((f) => f.roomSize === size).flatMap((f) => f.steps.map((st) => st.streams[0]!.offeredDeliveriesPerSec)));
    const xMin = Math.max(1, Math.min(...points) / 1.5);
    const xMax = Math.max(xMin * 10, Math.max(...points) * 1.5);
    const X = (v: number) => ox + m.l + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * pw;
    const Y = (v: number) => m.t + ph - ((ly(v) - ly(yMin)) / (ly(yMax) - ly(yMin))) * ph;
    parts.push(`<text x="${ox + m.l + pw / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">rooms of ${size}: delivery latency vs load</text>`);
    parts.push(`<rect x="${ox + m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    for (let e = Math.ceil(Math.log10(yMin)); e <= Math.floor(Math.log10(yMax)); e++) {
      const v = 10 ** e;
      parts.push(`<line x1="${ox + m.l}" x2="${ox + m.l + pw}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/>`);
      parts.push(`<text x="${ox + m.l - 5}" y="${Y(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
    }
    for (let e = Math.floor(Math.log10(xMin)); e <= Math.floor(Math.log10(xMax)); e++) {
      for (const k of [1, 2, 5]) {
        const v = k * 10 ** e;
        if (v < xMin || v > xMax) continue;
        parts.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${m.t}" y2="${m.t + ph}" stroke="#eee"/>`);
        parts.push(`<text x="${X(v)}" y="${m.t + ph + 14}" text-anchor="middle">${fmtNum(v)}</text>`);
      }
    }
    parts.push(`<line x1="${ox + m.l}" x2="${ox + m.l + pw}" y1="${Y(P99_LIMIT_MS)}" y2="${Y(P99_LIMIT_MS)}" stroke="#c00" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${ox + m.l + pw - 4}" y="${Y(P99_LIMIT_MS) - 4}" text-anchor="end" fill="#c00">p99 limit 50 ms</text>`);
    parts.push(`<text x="${ox + m.l + pw / 2}" y="${m.t + ph + 32}" text-anchor="middle">offered deliveries/s (log)</text>`);
    parts.push(`<text transform="translate(${ox + 14},${m.t + ph / 2}) rotate(-90)" text-anchor="middle">latency (log)</text>`);
    for (const s of servers) {
      const f = s.fanout!.find((x) => x.roomSize === size);
      if (!f || f.steps.length === 0) continue;
      const color = COLORS[s.id] ?? '#333';
      const pts = f.steps.map((st) => ({ x: st.streams[0]!.offeredDeliveriesPerSec, p99: st.streams[0]!.latency.p99, p50: st.streams[0]!.latency.p50, pass: st.pass }));
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.p99).toFixed(1)}`).join(' ')}"/>`);
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1" stroke-dasharray="2 3" points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.p50).toFixed(1)}`).join(' ')}"/>`);
      for (const p of pts) {
        parts.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.p99).toFixed(1)}" r="3.5" fill="${p.pass ? color : 'white'}" stroke="${color}" stroke-width="1.5"><title>${esc(`${s.label}: ${fmtNum(p.x)} deliveries/s, p99 ${p.p99} ms, p50 ${p.p50} ms${p.pass ? '' : ' (fails: p99 > 50 ms or loss)'}`)}</title></circle>`);
      }
    }
  });
  // legend
  let lx = 10;
  const ly0 = H + 25;
  for (const s of servers) {
    const color = COLORS[s.id] ?? '#333';
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly0}" y2="${ly0}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 30}" y="${ly0 + 4}">${esc(s.label)}</text>`);
    lx += 40 + s.label.length * 6.5;
  }
  parts.push(`<text x="10" y="${ly0 + 22}" fill="#555">solid: p99, dotted: p50; filled dot: step passes (p99 ≤ 50 ms, zero loss), hollow: fails. ${esc(results.meta.startedAt)}${results.meta.quick ? ' (quick run)' : ''}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
