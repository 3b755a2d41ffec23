export interface HealthResponse {
  status: 'ok' | 'degraded';
  db: 'pglite' | 'postgres';
  cache: 'memory' | 'redis';
  version: string;
}
