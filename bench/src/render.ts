/**
 * Re-renders the table and the chart from a results file, e.g. after changing
 * the report: `npm run report -w bench [-- results/run-….json]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from './proc';
import { renderSvg, renderTable } from './report';
import type { BenchResults } from './results';

const file = path.resolve(process.argv[2] ?? path.join(BENCH_DIR, 'results', 'latest.json'));
const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
const base = file.replace(/\.json$/, '');
const table = renderTable(results);
writeFileSync(`${base}.txt`, table);
if (path.basename(file) === 'latest.json') writeFileSync(path.join(path.dirname(file), 'latency.svg'), renderSvg(results));
else if (path.basename(file) === 'latest-quick.json') writeFileSync(path.join(path.dirname(file), 'latency-quick.svg'), renderSvg(results));
else writeFileSync(`${base}.svg`, renderSvg(results));
console.log(table);
