import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, scanFiles, withOverrides, type ScanResult } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'forensics-detect-'));
const logs = join(dir, 'spray.ndjson');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const lines: string[] = [];
  const login = (t: Date, u: string, ip: string, outcome: 'success' | 'failure') =>
    lines.push(JSON.stringify({ '@timestamp': t.toISOString(), user: { name: u }, source: { ip }, event: { action: 'login', outcome }, app: { module: 'portail' }, records: 0 }));
  // Ordinary days for a few agents, from the office.
  for (let day = 1; day <= 20; day++) {
    for (const u of ['a.one', 'b.two', 'c.three', 'd.four']) login(new Date(Date.UTC(2024, 3, day, 7, 30)), u, '10.1.0.5', 'success');
  }
  // One outside address fails five times within an hour, against three accounts only: enough
  // failed logins for a threshold of four accounts, not enough accounts.
  const at = (m: number) => new Date(Date.UTC(2024, 3, 21, 2, m));
  login(at(1), 'a.one', '203.0.113.9', 'failure');
  login(at(2), 'a.one', '203.0.113.9', 'failure');
  login(at(3), 'a.one', '203.0.113.9', 'failure');
  login(at(4), 'b.two', '203.0.113.9', 'failure');
  login(at(5), 'c.three', '203.0.113.9', 'failure');
  writeFileSync(logs, `${lines.join('\n')}\n`);
});

const targeted = (r: ScanResult) => r.accounts.filter((a) => a.findings.some((f) => f.rule === 'spray_target')).map((a) => a.account).sort();
const only = (min: number) => withOverrides(loadRules(), { spray_target: { spray_min_accounts: min } });

describe('spray_target threshold (failing accounts per address and hour)', () => {
  it('finds the accounts when the address failed for exactly the threshold', async () => {
    expect(targeted(await scanFiles([logs], { rules: only(3) }))).toEqual(['a.one', 'b.two', 'c.three']);
  });

  it('counts accounts, not failed logins: five failures against three accounts stay under a threshold of four', async () => {
    expect(targeted(await scanFiles([logs], { rules: only(4) }))).toEqual([]);
  });
});
