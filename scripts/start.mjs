#!/usr/bin/env node
// `npm start`: builds the web app when its sources are newer than the last
// build, then runs the server (port 9000) and the web app (port 4000) together.
// `npm run dev` runs both with reload. Ctrl-C or SIGTERM stops both cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const webDir = path.join(root, 'apps/web');
const buildId = path.join(webDir, '.next/BUILD_ID');
const buildStamp = path.join(webDir, '.next/chatpop-build.json');

// Ports: the API (PORT, 9000) and the web app (WEB_PORT, 4000). The web app is
// built for the API it talks to, so a different API port means a new build.
const apiPort = process.env.PORT || '9000';
const webPort = process.env.WEB_PORT || '4000';
const buildEnv = {
  API_URL: process.env.API_URL || `http://127.0.0.1:${apiPort}`,
  NEXT_PUBLIC_SOCKET_PORT: process.env.NEXT_PUBLIC_SOCKET_PORT || apiPort,
  NEXT_PUBLIC_SOCKET_URL: process.env.NEXT_PUBLIC_SOCKET_URL || '',
};

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.next') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function webNeedsBuild() {
  if (!existsSync(buildId) || !existsSync(buildStamp)) return true;
  if (readFileSync(buildStamp, 'utf8') !== JSON.stringify(buildEnv)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = [path.join(webDir, 'src'), path.join(webDir, 'public'), path.join(root, 'packages/protocol/src')].filter(existsSync);
  const configs = ['next.config.ts', 'package.json', 'postcss.config.mjs'].map((f) => path.join(webDir, f)).filter(existsSync);
  return Math.max(...sources.map(newestMtime), ...configs.map((f) => statSync(f).mtimeMs)) > built;
}

if (!dev && webNeedsBuild()) {
  console.log('Building the web app (first start, or its sources changed)…');
  const res = spawnSync('npm', ['run', 'build', '-w', 'apps/web'], { cwd: root, stdio: 'inherit', env: { ...process.env, ...buildEnv } });
  if (res.status !== 0) process.exit(res.status ?? 1);
  writeFileSync(buildStamp, JSON.stringify(buildEnv));
}

const env = {
  ...process.env,
  ...buildEnv,
  PORT: apiPort,
  WEB_PORT: webPort,
  // The web app on this machine forwards /api with the visitor's address in
  // X-Forwarded-For, set from its own socket (apps/web/server.ts; never what
  // the visitor sent): without this every visitor would share 127.0.0.1, and
  // the per-IP limits (3 new anonymous names per chat, 3 registrations an
  // hour) would hold for everyone at once. Only loopback is believed, so a
  // visitor who reaches port 9000 directly cannot name their own address.
  TRUST_PROXY: process.env.TRUST_PROXY || 'loopback',
  WEB_ORIGINS: process.env.WEB_ORIGINS || `http://localhost:${webPort},http://127.0.0.1:${webPort}`,
};

// Each child leads its own process group, so stopping it reaches what npm started under it.
const run = (workspace) => spawn('npm', ['run', dev ? 'dev' : 'start', '-w', workspace], { cwd: root, env, stdio: 'inherit', detached: true });
const children = [run('apps/server'), run('apps/web')];
console.log(`ChatPop: web on http://localhost:${webPort}, API on http://localhost:${apiPort}`);

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));
let exitCode = 0;
let running = children.length;
for (const child of children) {
  child.on('exit', (code) => {
    if (code) exitCode = code;
    stopAll('SIGTERM');
    if (--running === 0) process.exit(stopping ? exitCode : 1);
  });
}
