import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMapping, type Mapping } from '@rempart/ingest';
import { defaultRiskMatrix, generateSynthetic, loadRiskMatrix, RISK_IDS, RiskMatrixError, scopeRecords, syntheticCsv, SYNTHETIC_MAPPING } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'rempart-risks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mapping = (): Mapping => { const m = loadMapping({ text: SYNTHETIC_MAPPING, name: 'm.yml' }); if (!m.ok) throw new Error('mapping'); return m.mapping; };

describe('risk matrix', () => {
  it('ships every risk with its reasoning in French', () => {
    const m = defaultRiskMatrix();
    expect(Object.keys(m).sort()).toEqual([...RISK_IDS].sort());
    for (const id of RISK_IDS) { expect(m[id].why.length).toBeGreaterThan(40); expect(m[id].enabled).toBe(true); }
  });

  it('refuses a matrix with an unknown risk, an unknown category or no condition, saying where', () => {
    const bad = (text: string) => { try { loadRiskMatrix({ text, name: 'org.yml' }); } catch (e) { return e; } return null; };
    const unknown = bad('fraude_fiscale: { label: x, why: y, reason: z, when: { categories_any: [contact] } }\n');
    expect(unknown).toBeInstanceOf(RiskMatrixError);
    expect((unknown as Error).message).toMatch(/org\.yml[\s\S]*fraude_fiscale/);
    expect((bad('phishing: { label: x, why: y, reason: z, when: { categories_any: [telepathie] } }\n') as Error).message).toMatch(/phishing\.when\.categories_any/);
    expect((bad('phishing: { label: x, why: y, reason: z, when: {} }\n') as Error).message).toMatch(/au moins une condition/);
    expect((bad('phishing: [unclosed\n') as Error).message).toMatch(/YAML illisible/);
  });

  it('is applied by scopeRecords: a risk can be switched off, reworded or given other conditions', async () => {
    const file = join(dir, 'x.csv');
    writeFileSync(file, syntheticCsv(generateSynthetic(600, 4)));
    const base = await scopeRecords({ files: [file], mapping: mapping() }, { notificationDate: '2025-01-15' });
    const count = (r: typeof base, risk: string) => r.persons.filter((p) => p.risks.some((x) => x.risk === risk)).length;
    expect(count(base, 'phishing')).toBeGreaterThan(0);
    expect(count(base, 'burglary')).toBeGreaterThan(0);
    const risks = loadRiskMatrix({ text: `phishing: { enabled: false, label: h, why: pas pour nous, reason: r, when: { categories_any: [contact] } }
burglary: { label: c, why: w, reason: "Absence connue ({detail}).", when: { modules_any: [fourriere] } }
`, name: 'org.yml' });
    const custom = await scopeRecords({ files: [file], mapping: mapping() }, { notificationDate: '2025-01-15', risks });
    expect(count(custom, 'phishing')).toBe(0);
    const burglary = custom.persons.filter((p) => p.risks.some((x) => x.risk === 'burglary'));
    expect(burglary.length).toBeGreaterThan(0);
    for (const p of burglary) {
      expect(p.modules).toContain('fourriere');
      expect(p.risks.find((x) => x.risk === 'burglary')!.reason).toBe('Absence connue (module fourriere).');
    }
    expect(count(custom, 'sensitive')).toBe(count(base, 'sensitive'));
  });
});
