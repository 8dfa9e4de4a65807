import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthetic, syntheticCsv, SYNTHETIC_MAPPING } from '@rempart/scoping';
import { runScope } from './scope.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-scope-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mapping = join(dir, 'm.yml');
writeFileSync(mapping, SYNTHETIC_MAPPING);
const io = () => { const o = { out: '', err: '' }; return { o, io: { stdout: (t: string) => { o.out += t; }, stderr: (t: string) => { o.err += t; } } }; };

describe('rempart scope', () => {
  it('writes the result files and says how many persons, within the perimeter', async () => {
    const file = join(dir, 'extract.csv');
    writeFileSync(file, syntheticCsv(generateSynthetic(800, 2)));
    const { o, io: x } = io();
    const out = join(dir, 'out');
    const code = await runScope([file], { mapping, out, since: '01/01/2022', modules: 'main_courante,otv', date: '2025-01-15' }, x);
    expect(code).toBe(0);
    for (const f of ['assignments.csv', 'persons.csv', 'summary.json', 'review.csv', 'report.html', 'letters.pdf', 'sms.csv', 'emails.csv']) expect(existsSync(join(out, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary.records_by_module).sort()).toEqual(['main_courante', 'otv']);
    expect(o.out).toContain(`${summary.persons.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ')} personnes distinctes`);
  });

  it('takes an organisation risk matrix and refuses a broken one', async () => {
    const file = join(dir, 'risks.csv');
    writeFileSync(file, syntheticCsv(generateSynthetic(300, 6)));
    const matrix = join(dir, 'risks.yml');
    writeFileSync(matrix, 'phishing: { enabled: false, label: h, why: w, reason: r, when: { categories_any: [contact] } }\n');
    const out = join(dir, 'out-risks');
    expect(await runScope([file], { mapping, out, date: '2025-01-15', risks: matrix }, io().io)).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).by_risk.phishing).toBeUndefined();
    writeFileSync(matrix, 'phishing: { label: h }\n');
    const { o, io: x } = io();
    expect(await runScope([file], { mapping, out, risks: matrix }, x)).toBe(2);
    expect(o.err).toContain('Matrice des risques invalide');
  });

  it('explains in French what is wrong instead of crashing', async () => {
    const { o, io: x } = io();
    expect(await runScope([join(dir, 'absent.csv')], { mapping }, x)).toBe(2);
    expect(o.err).toContain('fichier introuvable');
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'format: xml\n');
    const file = join(dir, 'one.csv');
    writeFileSync(file, 'Nom\nDupont\n');
    const y = io();
    expect(await runScope([file], { mapping: bad }, y.io)).toBe(2);
    expect(y.o.err).toContain('correspondance invalide');
    const z = io();
    expect(await runScope([file], { mapping, out: join(dir, 'o2') }, z.io)).toBe(2);
    expect(z.o.err).toMatch(/one\.csv.*colonne/);
    const w = io();
    expect(await runScope([file], { mapping, since: '31/02/2024' }, w.io)).toBe(2);
    expect(w.o.err).toContain('date illisible');
  });
});
