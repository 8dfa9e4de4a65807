import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pdfText, REGISTER_COLUMNS, registerCsv, renderRegisterPdf, type RegisterEntry } from './index.ts';
import { aware, incident, organisation } from './fixtures.ts';

const entry = (over: Partial<RegisterEntry> = {}): RegisterEntry => ({
  reference: 'INC-2026-001', title: 'Fuite', type: 'exfiltration', awareAt: aware, personalData: incident.personalData,
  facts: 'Faits', effects: 'Effets', remedialActions: 'Mesures', notified: true, notifiedAt: aware, ...over,
});
const readBack = (csv: string): string[][] => parse(csv, { bom: true, delimiter: ';', relax_column_count: false });

describe('breach register as CSV', () => {
  const entries = [
    entry({ title: 'Fuite ; "police"', facts: 'Ligne 1\nLigne 2', effects: '=HYPERLINK("x")' }),
    entry({ reference: 'INC-2026-002', title: 'Clé USB perdue', type: 'perte_vol_materiel', personalData: { involved: true, categories: ['identité'] }, notified: false, notifiedAt: null, reasonNotNotified: 'Support chiffré, clé non compromise : pas de risque.' }),
  ];

  it('opens in a French spreadsheet: BOM, semicolons, CRLF, one row per breach, every column', () => {
    const csv = registerCsv(entries);
    expect(csv.startsWith('\ufeffRéférence;Intitulé;Type')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = readBack(csv);
    expect(rows[0]).toEqual(REGISTER_COLUMNS);
    expect(REGISTER_COLUMNS).toEqual(expect.arrayContaining(['Faits', 'Effets', 'Mesures prises', 'Notifiée à la CNIL', 'Motif de non-notification']));
    expect(rows).toHaveLength(3);
    const col = (name: string) => REGISTER_COLUMNS.indexOf(name);
    expect(rows[1]![col('Intitulé')]).toBe('Fuite ; "police"');
    expect(rows[1]![col('Faits')]).toBe('Ligne 1\nLigne 2');
    expect(rows[1]![col('Prise de connaissance')]).toBe('28/03/2026 à 18 h 40');
    expect(rows[1]![col('Personnes (approx.)')]).toBe('10 000');
    expect(rows[2]![col('Notifiée à la CNIL')]).toBe('non');
    expect(rows[2]![col('Motif de non-notification')]).toBe('Support chiffré, clé non compromise : pas de risque.');
  });

  it('never lets a cell run as a formula', () => {
    const rows = readBack(registerCsv([entry({ effects: '=HYPERLINK("x")', facts: '+33 1', remedialActions: '@SUM(A1)', title: '-1' })]));
    const col = (name: string) => REGISTER_COLUMNS.indexOf(name);
    expect(rows[1]![col('Effets')]).toBe(`'=HYPERLINK("x")`);
    expect(rows[1]![col('Faits')]).toBe("'+33 1");
    expect(rows[1]![col('Mesures prises')]).toBe("'@SUM(A1)");
    expect(rows[1]![col('Intitulé')]).toBe("'-1");
  });

  it('writes only the header for an empty register', () => {
    expect(readBack(registerCsv([]))).toEqual([REGISTER_COLUMNS]);
  });

  it('reads back every text exactly, whatever quotes, semicolons and line breaks it holds', () => {
    const nasty = fc.string({ unit: fc.constantFrom('a', 'é', ';', '"', '\n', '\r\n', ' ', ',', "'", '€', '«', '=', '-', '\t'), maxLength: 30 });
    fc.assert(fc.property(nasty, nasty, nasty, (facts, effects, title) => {
      const rows = readBack(registerCsv([entry({ facts, effects, title })]));
      expect(rows).toHaveLength(2);
      expect(rows[1]).toHaveLength(REGISTER_COLUMNS.length);
      // Only a leading formula trigger is changed, by the apostrophe that keeps it text.
      const asText = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
      expect(rows[1]![REGISTER_COLUMNS.indexOf('Faits')]).toBe(asText(facts));
      expect(rows[1]![REGISTER_COLUMNS.indexOf('Effets')]).toBe(asText(effects));
      expect(rows[1]![REGISTER_COLUMNS.indexOf('Intitulé')]).toBe(asText(title));
    }));
  });
});

describe('breach register as PDF', () => {
  it('shows each breach with its facts, effects, measures and the reason for not notifying, page after page', async () => {
    const many = Array.from({ length: 12 }, (_, i) => entry({ reference: `INC-2026-${String(i + 1).padStart(3, '0')}`, title: `Violation n° ${i + 1}`, facts: `Faits de la violation ${i + 1}` }));
    many.push(entry({ reference: 'INC-2026-099', notified: false, notifiedAt: null, reasonNotNotified: 'Support chiffré, clé non compromise.' }));
    const text = await pdfText(await renderRegisterPdf({ organisation, entries: many, generatedAt: aware }));
    expect(text).toContain('13 violation(s)');
    expect(text).toContain('INC-2026-012');
    expect(text).toContain('Faits de la violation 12');
    expect(text).toContain('Support chiffré, clé non compromise.');
    expect(text).toMatch(/page 1 sur (\d+)/);
    expect(Number(/page 1 sur (\d+)/.exec(text)![1])).toBeGreaterThan(1);
    expect(text).toContain('Début : inconnu — prise de connaissance : 28/03/2026 à 18 h 40');
  });

  it('says so when the register is empty', async () => {
    expect(await pdfText(await renderRegisterPdf({ organisation, entries: [], generatedAt: aware }))).toContain('Aucune violation inscrite.');
  });
});
