import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Redis } from 'ioredis';
import pg from 'pg';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../src/db/client';
import { messages } from '../src/db/schema';

/** A message as the database holds it: what every read is compared with. */
export interface StoredRow {
  seq: number;
  id: string;
  content: string;
}

/**
 * The messages of a room straight from the database of a server started with
 * `env`: PostgreSQL over its own connection; the embedded PGlite folder is
 * opened here, so the server using it must be stopped first.
 */
export async function storedMessages(env: NodeJS.ProcessEnv, roomId: string): Promise<StoredRow[]> {
  const sql = 'select seq, id, content from messages where room_id = $1 order by seq';
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<StoredRow>(sql, [roomId])).rows;
    } finally {
      await client.end();
    }
  }
  const db = await PGlite.create(path.join(env.DATA_DIR!, 'pglite'), { extensions: { pg_trgm } });
  try {
    return (await db.query<StoredRow>(sql, [roomId])).rows;
  } finally {
    await db.close();
  }
}

/** Deletes every message-cache key of one deployment's Redis prefix (messages, times, held runs), as a lost Redis would. */
export async function deleteCacheKeys(prefix: string): Promise<number> {
  const redis = new Redis(process.env.TEST_REDIS_URL!, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*:messages*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** seq:content of each message, for comparisons that name what differs. */
export const view = (rows: { seq: number; content: string }[]) => rows.map((r) => `${r.seq}:${r.content}`);

/** The same, through a running in-process app's own database handle. */
export async function storedVia(db: Db, roomId: string): Promise<StoredRow[]> {
  return db.select({ seq: messages.seq, id: messages.id, content: messages.content }).from(messages).where(eq(messages.roomId, roomId)).orderBy(asc(messages.seq));
}
