// The launcher's `forensics` path: the compiled bundle (scripts/build-forensics.mjs) run in plain
// Node must behave byte for byte like the sources, and be rebuilt when a source changes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../bench/forensics/generate.ts';
import { BUNDLES, freshBundle, isFresh } from '../../../scripts/build-forensics.mjs';
import { main } from './forensics-main.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(ROOT, 'apps/cli/bin/rempart.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-forensics-main-'));
const logs = join(dir, 'journal.ndjson');

beforeAll(async () => {
  await generate({ events: 1, out: logs, seed: 11 });
  expect(await freshBundle('cli')).toBe(BUNDLES.cli);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function launch(...args: string[]): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('rempart forensics from the compiled bundle', () => {
  it('writes the same three files as the sources, byte for byte', async () => {
    const compiled = join(dir, 'compiled');
    const sources = join(dir, 'sources');
    const run = launch('forensics', 'scan', logs, '--out', compiled);
    expect(run.stderr).toContain('Résultats :');
    expect(run.status).toBe(0);
    const saved = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(await main(['node', 'rempart', 'forensics', 'scan', logs, '--out', sources])).toBe(0);
    } finally {
      process.stderr.write = saved;
      process.exitCode = undefined;
    }
    for (const file of ['findings.json', 'findings.csv', 'report.html']) {
      expect(readFileSync(join(compiled, file)).equals(readFileSync(join(sources, file))), file).toBe(true);
    }
  }, 120_000);

  it('a bundle older than a source it was built from is stale, and the launcher rebuilds it before running', () => {
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(BUNDLES.cli, past, past);
    expect(isFresh()).toBe(false);
    const run = launch('forensics', 'scan', join(dir, 'absent.ndjson'));
    expect(run.stderr).toContain('Erreur : fichier introuvable');
    expect(run.status).toBe(2);
    expect(statSync(BUNDLES.cli).mtimeMs).toBeGreaterThan(past.getTime());
    expect(isFresh()).toBe(true);
  }, 120_000);
});
