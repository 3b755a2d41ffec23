import { Redis } from 'ioredis';

/**
 * A client for cache, limits and presence: commands fail fast when Redis is
 * unreachable (no offline queue), so callers fall back to the database instead
 * of waiting.
 */
export async function connectRedis(url: string, name: string, keyPrefix = ''): Promise<Redis> {
  const client = new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    connectionName: `chatpop:${name}`,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  client.on('error', () => undefined); // surfaced by the failing command; reconnection is automatic
  await client.connect();
  return client;
}

/** A client for Socket.IO's adapter: it must queue while reconnecting and resubscribe after. */
export async function connectRedisForPubSub(url: string, name: string): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: `chatpop:${name}`,
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
