#!/usr/bin/env node
// `npm start`: builds the web app when its sources are newer than the last
// build, then runs the server (port 9000) and the web app (port 4000) together.
// `npm run dev` runs both with reload. Ctrl-C or SIGTERM stops both cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const webDir = path.join(root, 'apps/web');
const buildId = path.join(webDir, '.next/BUILD_ID');

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
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = [path.join(webDir, 'src'), path.join(webDir, 'public'), path.join(root, 'packages/protocol/src')].filter(existsSync);
  const configs = ['next.config.ts', 'package.json', 'postcss.config.mjs'].map((f) => path.join(webDir, f)).filter(existsSync);
  return Math.max(...sources.map(newestMtime), ...configs.map((f) => statSync(f).mtimeMs)) > built;
}

if (!dev && webNeedsBuild()) {
  console.log('Building the web app (first start, or its sources changed)…');
  const res = spawnSync('npm', ['run', 'build', '-w', 'apps/web'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

const children = [
  spawn('npm', ['run', dev ? 'dev' : 'start', '-w', 'apps/server'], { cwd: root, stdio: 'inherit' }),
  spawn('npm', ['run', dev ? 'dev' : 'start', '-w', 'apps/web'], { cwd: root, stdio: 'inherit' }),
];
console.log('ChatPop: web on http://localhost:4000, API on http://localhost:9000');

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
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
