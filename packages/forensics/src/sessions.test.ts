// Two rules that the generated year never sets off on their own: concurrent sessions from two
// networks, and a first use of a module after a long history. Small planted fixtures show each
// fires where it should and stays quiet where it should not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFiles, type ScanResult } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'forensics-sessions-'));
const logs = join(dir, 'weeks.ndjson');
let result: ScanResult;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 8, 0, 0, 0);

beforeAll(async () => {
  const lines: string[] = [];
  const ev = (ms: number, u: string, ip: string, module = 'main_courante', action = 'view') =>
    lines.push(JSON.stringify({ '@timestamp': new Date(ms).toISOString(), user: { name: u }, source: { ip }, event: { action, outcome: 'success' }, app: { module }, records: 1 }));
  // Sixty working days of ordinary office use for every account.
  for (let d = 0; d < 60; d++) {
    for (const [u, ip] of [['x.double', '10.1.0.5'], ['w.office', '10.2.0.5'], ['y.module', '10.3.0.5']] as const) {
      for (let h = 9; h < 17; h += 2) ev(START + d * DAY + h * 3_600_000, u, ip);
    }
  }
  // Only five days of history for the newcomer before it opens another module.
  for (let d = 55; d < 60; d++) ev(START + d * DAY + 10 * 3_600_000, 'z.young', '10.4.0.5');
  const day = START + 60 * DAY + 14 * 3_600_000;
  // x.double: the office network at 14:00 and 14:08, an outside network at 14:03 and 14:05 in between.
  ev(day, 'x.double', '10.1.0.5');
  ev(day + 3 * 60_000, 'x.double', '203.0.113.7');
  ev(day + 5 * 60_000, 'x.double', '203.0.113.7');
  ev(day + 8 * 60_000, 'x.double', '10.1.0.5');
  // w.office: two workstations of the same office network interleaved the same way: one place.
  ev(day, 'w.office', '10.2.0.5');
  ev(day + 3 * 60_000, 'w.office', '10.2.0.9');
  ev(day + 5 * 60_000, 'w.office', '10.2.0.9');
  ev(day + 8 * 60_000, 'w.office', '10.2.0.5');
  // y.module: sixty days of main courante, then the impound register for the first time.
  ev(day, 'y.module', '10.3.0.5', 'fourriere');
  // z.young: a newcomer trying a second module is not out of pattern yet.
  ev(day, 'z.young', '10.4.0.5', 'fourriere');
  lines.sort();
  writeFileSync(logs, `${lines.join('\n')}\n`);
  result = await scanFiles([logs]);
}, 60_000);

const rulesOf = (account: string) => (result.accounts.find((a) => a.account === account)?.findings ?? []).map((f) => f.rule);

describe('concurrent sessions and never-used modules', () => {
  it('flags activity from an outside network nested inside the office session, not two office workstations', () => {
    expect(rulesOf('x.double')).toContain('concurrent_sessions');
    expect(rulesOf('w.office')).not.toContain('concurrent_sessions');
  });

  it('flags the first use of a module after a long history, not a newcomer finding their way', () => {
    const finding = result.accounts.find((a) => a.account === 'y.module')?.findings.find((f) => f.rule === 'new_module');
    expect(finding?.explanation).toContain('fourriere');
    expect(rulesOf('z.young')).not.toContain('new_module');
  });
});
