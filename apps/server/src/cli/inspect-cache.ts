#!/usr/bin/env node
// `npm run inspect-cache -- …`: the operator's look into the message cache (see inspect.ts and docs/api.md).
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { openDatabase, type Database } from '../db/client';
import { connectRedis } from '../infra/redis';
import { runInspect, USAGE, type InspectOptions } from './inspect';

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        list: { type: 'boolean' },
        chat: { type: 'string' },
        'show-messages': { type: 'boolean' },
        limit: { type: 'string' },
        compare: { type: 'boolean' },
        message: { type: 'string' },
        monitor: { type: 'boolean' },
        interval: { type: 'string' },
        count: { type: 'string' },
        stats: { type: 'boolean' },
        clear: { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  const opts: InspectOptions = {
    list: values.list === true,
    chat: typeof values.chat === 'string' ? values.chat : undefined,
    showMessages: values['show-messages'] === true,
    limit: num(values.limit),
    compare: values.compare === true,
    message: typeof values.message === 'string' ? values.message : undefined,
    monitor: values.monitor === true,
    interval: num(values.interval),
    count: num(values.count),
    stats: values.stats === true,
    clear: values.clear === true,
    force: values.force === true,
  };

  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, 'inspect', config.redisPrefix) : null;
  // The embedded database belongs to the running server: two processes must never open it at once.
  let database: Database | null = null;
  if (config.databaseUrl) database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const dbNote = database
    ? undefined
    : 'The embedded database (PGlite) is held by the running server and is not opened from here; set DATABASE_URL to compare with PostgreSQL.';
  try {
    return await runInspect(opts, {
      redis,
      db: database?.db ?? null,
      dbNote,
      out: (line) => console.log(line),
      confirm: async (question) => {
        if (!process.stdin.isTTY) return false;
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question(question);
        rl.close();
        return /^y(es)?$/i.test(answer.trim());
      },
    });
  } finally {
    redis?.disconnect();
    await database?.close();
  }
}

let stopping = false;
process.on('SIGINT', () => {
  if (stopping) process.exit(130);
  stopping = true;
  process.exit(0);
});

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`❌ ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
