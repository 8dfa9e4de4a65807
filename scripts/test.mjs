#!/usr/bin/env node
// `npm test`: every suite — unit and integration (PGlite, and PostgreSQL when TEST_DATABASE_URL is
// set), then the browser tests against a freshly built web app — and one closing count line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = '.tmp/test-results';
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

if (!process.env.TEST_DATABASE_URL) {
  console.log('PostgreSQL: TEST_DATABASE_URL is not set, so the PostgreSQL suites are skipped (they run in CI).');
}

function run(label, args) {
  console.log(`\n=== ${label} ===`);
  const r = spawnSync('npx', args, { stdio: 'inherit', env: process.env });
  return r.status ?? 1;
}

let status = 0;
status |= run('lint (eslint: no eval, no string-built SQL, TypeScript rules)', ['eslint', '--max-warnings=0', '--no-error-on-unmatched-pattern', 'apps', 'packages', 'e2e', 'scripts', 'bench']);
status |= run('type check', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
status |= run('unit and integration tests', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/unit.json`]);

if (existsSync('e2e/vitest.config.ts')) {
  status |= run('web build', ['vite', 'build', '--config', 'apps/web/vite.config.ts', '--logLevel', 'warn']);
  status |= run('browser tests (Chromium)', ['vitest', 'run', '--config', 'e2e/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/e2e.json`]);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of ['unit.json', 'e2e.json']) {
  const path = `${results}/${file}`;
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
if (passed + failed === 0) status = 1;
if (status !== 0 && failed === 0) console.log('A step other than the test runs failed (lint, type check or build): see above.');
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
