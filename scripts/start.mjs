#!/usr/bin/env node
// `npm start`: builds the web app when its sources changed since the last build, then runs the
// quick start (embedded PostgreSQL, demo organisation on an empty data folder).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const built = 'apps/web/dist/index.html';
if (existsSync('apps/web/index.html') && (!existsSync(built) || statSync(built).mtimeMs < newest('apps/web/src'))) {
  console.log("Construction de l'application web…");
  const r = spawnSync('npx', ['vite', 'build', '--config', 'apps/web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, ['apps/cli/bin/rempart.js', 'quickstart', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
