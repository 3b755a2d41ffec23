import { defineConfig } from 'vitest/config';

const networked = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

const shared = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

/**
 * Every suite runs on the embedded default (PGlite, in-process cache); with
 * TEST_DATABASE_URL and TEST_REDIS_URL set, the same suites run again on
 * PostgreSQL and Redis.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'embedded', env: { CHATPOP_TEST_BACKEND: 'embedded' } } },
      ...(networked ? [{ test: { ...shared, name: 'networked', env: { CHATPOP_TEST_BACKEND: 'networked' } } }] : []),
    ],
  },
});
