/**
 * Scenario `search`: full-text search over 1,000,000 seeded messages, with
 * the product's own query (apps/server/src/modules/search/repo.ts) on the
 * product's own schema and migrations, on PGlite and, when
 * BENCH_DATABASE_URL is set, on PostgreSQL. No server process: the query's
 * time is what is measured, in the orchestrator's process.
 *
 * The data: 2,000 rooms (pop chats, groups, direct conversations), the
 * searcher a member of 200 of them (so 10 % of the messages are theirs to
 * read), messages of eight words from a 4,000-word vocabulary with a few
 * frequent words, one in 40 with a link. Seeded with generate_series in one
 * statement; the full-text and link indexes are built after the rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../apps/server/src/db/client';
import { searchMessages, type SearchFilters } from '../../apps/server/src/modules/search/repo';
import { createDatabase, dropDatabase } from './external';

export interface SearchCase {
  name: string;
  query: string;
  /** Hits on the first page. */
  hits: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SearchBackendResult {
  backend: 'pglite' | 'postgres';
  messages: number;
  readableMessages: number;
  seedSeconds: number;
  runs: number;
  cases: SearchCase[];
}

export interface SearchResult {
  target: string;
  backends: SearchBackendResult[];
}

const ROOMS = 2_000;
const MY_ROOMS = 200;
const VOCABULARY = 4_000;
const SEARCHER = '00000000-0000-7000-8000-000000000001';
const AUTHOR = '00000000-0000-7000-8000-000000000002';

const roomId = (i: number) => `00000000-0000-7000-9000-${i.toString(16).padStart(12, '0')}`;

export async function seed(db: Database['db'], messages: number): Promise<void> {
  const run = (q: ReturnType<typeof sql>) => db.execute(q);
  await run(sql`insert into users (id, email, password_hash, username, username_lower, email_confirmed_at)
    values (${SEARCHER}::uuid, 'searcher@example.com', 'x', 'Searcher', 'searcher', now()),
           (${AUTHOR}::uuid, 'author@example.com', 'x', 'Author', 'author', now())`);
  // Rooms: every tenth a direct conversation, every tenth + 1 a group, the rest pop chats.
  await run(sql`insert into rooms (id, kind, code, name, settings, last_seq)
    select ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid,
           case when i % 10 = 0 then 'direct' when i % 10 = 1 then 'group' else 'pop' end,
           case when i % 10 > 1 then 'B' || lpad(i::text, 7, '0') end,
           'Room ' || i, '{}'::jsonb, ${Math.ceil(messages / ROOMS)}
    from generate_series(0, ${ROOMS - 1}) i`);
  // The searcher in one room of ten, of every kind; one author (another account) writes everything.
  await run(sql`insert into members (id, room_id, user_id, username, username_lower, role)
    select gen_random_uuid(), ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, ${SEARCHER}::uuid, 'Searcher', 'searcher', 'member'
    from generate_series(0, ${ROOMS - 1}) i where i % 10 = (i / 10) % 10`);
  await run(sql`insert into members (id, room_id, user_id, username, username_lower, role)
    select ('00000000-0000-7000-a000-' || lpad(to_hex(i), 12, '0'))::uuid, ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid,
           ${AUTHOR}::uuid, 'Author', 'author', 'member'
    from generate_series(0, ${ROOMS - 1}) i`);
  // The vocabulary: w0 … w3999; w1 … w4 are frequent (in about 1 message of 8, 16, 32, 64).
  await run(sql`drop index messages_room_search_idx`);
  await run(sql`drop index messages_link_idx`);
  await run(sql`drop index messages_created_idx`);
  await run(sql`insert into messages (id, room_id, seq, member_id, username, verified, type, content, created_at)
    select gen_random_uuid(),
           ('00000000-0000-7000-9000-' || lpad(to_hex(i % ${ROOMS}), 12, '0'))::uuid,
           (i / ${ROOMS} + 1)::int,
           ('00000000-0000-7000-a000-' || lpad(to_hex(i % ${ROOMS}), 12, '0'))::uuid,
           'Author', true, 'normal',
           concat_ws(' ',
             'w' || ((i * 7919) % ${VOCABULARY}), 'w' || ((i * 104729 + 13) % ${VOCABULARY}), 'w' || ((i * 15485863 + 7) % ${VOCABULARY}),
             case when i % 8 = 3 then 'w1' end, case when i % 16 = 5 then 'w2' end, case when i % 32 = 9 then 'w3' end, case when i % 64 = 17 then 'w4' end,
             'w' || ((i * 31 + 101) % ${VOCABULARY}), 'w' || ((i * 17 + 3) % ${VOCABULARY}),
             case when i % 40 = 0 then 'see https://example.com/p/' || i end),
           now() - make_interval(secs => ${messages} - i)
    from generate_series(0::bigint, ${messages - 1}::bigint) i`);
  await run(sql`create index messages_room_search_idx on messages using gin ((room_id::text), search)`);
  await run(sql`create index messages_link_idx on messages (room_id, created_at) where has_link`);
  await run(sql`create index messages_created_idx on messages (created_at, id)`);
  await run(sql`analyze`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The typical queries: a word, a frequent word, a phrase, an exclusion, an "or", and with each filter. */
function cases(): { name: string; f: Omit<SearchFilters, 'limit'> }[] {
  const day = 24 * 60 * 60 * 1000;
  return [
    { name: 'word', f: { q: 'w2345' } },
    { name: 'frequent word (1 in 8)', f: { q: 'w1' } },
    { name: 'two words', f: { q: 'w2 w3' } },
    { name: '"phrase"', f: { q: '"w0 w13"' } },
    { name: 'word -exclude', f: { q: 'w2 -w3' } },
    { name: 'word or word', f: { q: 'w777 or w3001' } },
    { name: 'in one room', f: { q: 'w2', roomId: roomId(122) } },
    { name: 'from a person', f: { q: 'w2', fromUserId: AUTHOR } },
    { name: 'has:link', f: { q: 'w1', has: 'link' } },
    { name: 'date range (a day)', f: { q: 'w2', after: new Date(Date.now() - 5 * day), before: new Date(Date.now() - 4 * day) } },
    { name: 'rare word, no hits', f: { q: 'nothinglikethis' } },
  ];
}

async function measure(database: Database, runs: number, messages: number, seedSeconds: number): Promise<SearchBackendResult> {
  const out: SearchCase[] = [];
  for (const c of cases()) {
    const f = { ...c.f, limit: 21 };
    let hits = 0;
    for (let i = 0; i < 3; i++) hits = (await searchMessages(database.db, SEARCHER, f)).length;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await searchMessages(database.db, SEARCHER, f);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    out.push({ name: c.name, query: c.f.q, hits: Math.min(hits, 20), p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: times.at(-1)! });
  }
  return { backend: database.kind, messages, readableMessages: Math.round(messages / (ROOMS / MY_ROOMS)), seedSeconds, runs, cases: out };
}

async function runOn(database: Database, messages: number, runs: number, log: (m: string) => void): Promise<SearchBackendResult> {
  const t0 = performance.now();
  log(`search: seeding ${messages.toLocaleString('en-US')} messages on ${database.kind}`);
  await seed(database.db, messages);
  const seedSeconds = Math.round((performance.now() - t0) / 1000);
  log(`search: seeded in ${seedSeconds} s; ${runs} runs of each query`);
  const result = await measure(database, runs, messages, seedSeconds);
  log(renderSearchBackend(result));
  return result;
}

export async function measureSearch(opts: { messages: number; runs: number; databaseUrl: string; log: (m: string) => void }): Promise<SearchResult> {
  const backends: SearchBackendResult[] = [];
  if (opts.databaseUrl) {
    const name = `chatpop_bench_search_${Date.now()}`;
    const url = await createDatabase(opts.databaseUrl, name);
    try {
      const postgres = await openDatabase({ databaseUrl: url, dataDir: '' });
      try {
        backends.push(await runOn(postgres, opts.messages, opts.runs, opts.log));
      } finally {
        await postgres.close();
      }
    } finally {
      await dropDatabase(opts.databaseUrl, name);
    }
  } else opts.log('search: PostgreSQL SKIPPED (set BENCH_DATABASE_URL)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatpop-search-'));
  try {
    const pglite = await openDatabase({ dataDir: dir });
    try {
      backends.push(await runOn(pglite, opts.messages, opts.runs, opts.log));
    } finally {
      await pglite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { target: 'p99 ≤ 50 ms on PostgreSQL', backends };
}

export function renderSearchBackend(r: SearchBackendResult): string {
  const lines = [
    `search on ${r.backend}: ${r.messages.toLocaleString('en-US')} messages (${r.readableMessages.toLocaleString('en-US')} readable by the searcher), seeded in ${r.seedSeconds} s, ${r.runs} runs each`,
    `  ${'query'.padEnd(24)} ${'hits'.padStart(4)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
  ];
  for (const c of r.cases) {
    lines.push(`  ${c.name.padEnd(24)} ${String(c.hits).padStart(4)} ${c.p50Ms.toFixed(1).padStart(8)} ${c.p99Ms.toFixed(1).padStart(8)} ${c.maxMs.toFixed(1).padStart(8)}`);
  }
  return lines.join('\n');
}

export function renderSearch(s: SearchResult): string {
  return s.backends.map(renderSearchBackend).join('\n') + `\n  target: ${s.target}`;
}
