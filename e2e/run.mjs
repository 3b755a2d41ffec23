#!/usr/bin/env node
// End-to-end tests: starts the product the way a user does (`npm start`, fresh
// data folder), waits for it, runs Playwright in Chromium, stops it.
// Without Chromium the tests are skipped with a message, except when
// CHATPOP_E2E_REQUIRED=1 (CI), where a missing browser is a failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const required = process.env.CHATPOP_E2E_REQUIRED === '1';
const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

if (!chromium || !existsSync(chromium)) {
  const msg = 'End-to-end tests need Chromium (apt-get install -y chromium, or set CHROMIUM_PATH).';
  if (required) {
    console.error(`FAIL: ${msg}`);
    process.exit(1);
  }
  console.log(`SKIPPED: ${msg}`);
  process.exit(0);
}

const portFree = (port) =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
const webPort = Number(process.env.E2E_WEB_PORT || 4000);
const apiPort = Number(process.env.E2E_API_PORT || 9000);
for (const port of [webPort, apiPort]) {
  if (!(await portFree(port))) {
    console.error(`FAIL: port ${port} is in use; stop what runs there (another ChatPop?) and run the tests again.`);
    process.exit(1);
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatpop-e2e-'));
// The product as `npm start` runs it: embedded database in a fresh folder, no Redis.
// The dev outbox on: the tests read the mailed links there, as the person at the machine would.
// WEB_TRUST_PROXY=loopback: each browser context plays a visitor from its own network by
// sending X-Forwarded-For (tests/support.ts newContext), as a reverse proxy on this machine would.
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  PORT: String(apiPort),
  WEB_PORT: String(webPort),
  DEV_OUTBOX: 'true',
  // The long-conversation test fills a conversation through the dev seed route (this machine only).
  DEV_SEED: 'true',
  WEB_TRUST_PROXY: 'loopback',
};
delete env.DATABASE_URL;
delete env.REDIS_URL;
const product = spawn('node', ['scripts/start.mjs'], {
  cwd: root,
  env,
  stdio: 'inherit',
  detached: true,
});
let productExited = false;
product.on('exit', () => (productExited = true));

function stopProduct() {
  try {
    process.kill(-product.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
process.on('SIGINT', () => {
  stopProduct();
  process.exit(130);
});

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (productExited) throw new Error('the product exited before it was ready');
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

let status = 1;
try {
  await waitFor(`http://127.0.0.1:${apiPort}/api/health`, 300_000);
  await waitFor(`http://127.0.0.1:${webPort}/`, 300_000);
  const res = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], {
    cwd: here,
    stdio: 'inherit',
    env: { ...process.env, CHROMIUM_PATH: chromium, E2E_BASE_URL: `http://localhost:${webPort}`, E2E_API_URL: `http://127.0.0.1:${apiPort}` },
  });
  status = res.status ?? 1;
} catch (err) {
  console.error(`FAIL: ${err.message}`);
} finally {
  stopProduct();
  await new Promise((r) => setTimeout(r, 1500));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(status);
