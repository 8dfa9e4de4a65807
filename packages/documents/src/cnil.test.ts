import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cnilDossierJson, cnilDossierSchema, DOSSIER_LABELS, dossierCompleteness, dossierDiff, mergeDossier, pdfText, prefillDossier, renderCnilDossierPdf, type CnilDossier } from './index.ts';
import { aware, full, HOUR, incident, organisation } from './fixtures.ts';

const missingPaths = (d: CnilDossier, at: Date) => dossierCompleteness(d, { awareAt: aware, notifiedAt: at }).fields.filter((f) => f.required && !f.filled).map((f) => f.path);

describe('CNIL dossier schema', () => {
  it('accepts an empty draft and a full dossier, and drops unknown fields', () => {
    expect(cnilDossierSchema.parse({})).toEqual({});
    expect(cnilDossierSchema.parse(full)).toEqual(full);
    expect(cnilDossierSchema.parse({ howItHappened: 'x', pirate: true })).toEqual({ howItHappened: 'x' });
  });

  it('names the field of each mistake a person can make in the form', () => {
    const r = cnilDossierSchema.safeParse({
      contact: { email: 'pas-une-adresse' }, persons: { approxCount: -3 }, records: { approxCount: 2.5 }, dates: { startedAt: 'hier soir' },
      notificationKind: 'finale', personsInformed: { status: 'peut-être' },
    });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    expect(paths.sort()).toEqual(['contact.email', 'dates.startedAt', 'notificationKind', 'persons.approxCount', 'personsInformed.status', 'records.approxCount']);
    expect(r.success ? '' : r.error.issues.find((i) => i.path.join('.') === 'contact.email')!.message).toBe('Adresse électronique invalide.');
  });
});

describe('completeness', () => {
  it('requires every item of art. 33(3) GDPR and the CNIL form, with a French label each', () => {
    const empty = dossierCompleteness({}, { awareAt: aware, notifiedAt: aware });
    expect(empty.complete).toBe(false);
    expect(empty.fields.filter((f) => f.required).map((f) => f.path)).toEqual([
      'notificationKind', 'contact', 'dates.startedAt', 'dates.discoveredAt', 'dates.endedAt', 'nature', 'howItHappened', 'persons.approxCount',
      'persons.categories', 'records.approxCount', 'dataCategories', 'consequences', 'measuresTaken', 'measuresPlanned', 'personsInformed', 'crossBorder',
    ]);
    for (const f of empty.fields) expect(f.label).toMatch(/[a-zé]{3}/);
  });

  it('asks for the reasons of the delay only when notified after 72 hours (the 72nd hour itself is on time)', () => {
    expect(missingPaths(full, new Date(aware.getTime() + 70 * HOUR))).toEqual([]);
    expect(missingPaths(full, new Date(aware.getTime() + 72 * HOUR))).toEqual([]);
    expect(missingPaths(full, new Date(aware.getTime() + 72 * HOUR + 1))).toEqual(['delayReasons']);
    expect(missingPaths({ ...full, delayReasons: 'Périmètre établi le troisième jour.' }, new Date(aware.getTime() + 90 * HOUR))).toEqual([]);
  });

  it('uses now when the CNIL has not been notified yet, and gives the deadline', () => {
    const notYet = dossierCompleteness(full, { awareAt: aware, now: new Date(aware.getTime() + 80 * HOUR) });
    expect(notYet.late).toBe(true);
    expect(notYet.deadline).toBe('2026-03-31T17:40:00.000Z');
    const notifiedEarly = dossierCompleteness(full, { awareAt: aware, notifiedAt: new Date(aware.getTime() + HOUR), now: new Date(aware.getTime() + 80 * HOUR) });
    expect(notifiedEarly.late).toBe(false);
  });

  it('accepts "start unknown", "still ongoing" and "persons not informed, because…"', () => {
    const d: CnilDossier = { ...full, dates: { startUnknown: true, discoveredAt: full.dates!.discoveredAt, ongoing: true }, personsInformed: { status: 'no' } };
    expect(missingPaths(d, aware)).toEqual(['personsInformed']);
    expect(missingPaths({ ...d, personsInformed: { status: 'no', reasonNot: 'Données chiffrées, clé non compromise.' } }, aware)).toEqual([]);
  });

  it('flags inconsistent dates and figures without blocking', () => {
    const c = dossierCompleteness({ ...full, dates: { ...full.dates, startedAt: '2026-03-29T00:00:00Z', endedAt: '2026-03-20T00:00:00Z' }, persons: { ...full.persons, approxCount: 50_000 } }, { awareAt: aware, notifiedAt: aware });
    expect(c.warnings.map((w) => w.path)).toEqual(expect.arrayContaining(['dates.endedAt', 'dates.discoveredAt', 'persons.approxCount']));
    expect(c.complete).toBe(true);
  });

  it('never throws and is complete exactly when no required field is missing, whatever the draft', () => {
    const dossier = fc.record({
      notificationKind: fc.constantFrom('initial', 'complementary', 'complete'),
      howItHappened: fc.string(),
      persons: fc.record({ approxCount: fc.nat(), categories: fc.array(fc.string({ minLength: 1 })) }, { requiredKeys: [] }),
      personsInformed: fc.record({ status: fc.constantFrom('yes', 'planned', 'no'), how: fc.string(), reasonNot: fc.string() }, { requiredKeys: [] }),
      crossBorder: fc.record({ involved: fc.boolean() }, { requiredKeys: [] }),
      delayReasons: fc.string(),
    }, { requiredKeys: [] }) as fc.Arbitrary<CnilDossier>;
    fc.assert(fc.property(dossier, fc.integer({ min: -100 * HOUR, max: 200 * HOUR }), (d, offset) => {
      const c = dossierCompleteness(d, { awareAt: aware, notifiedAt: new Date(aware.getTime() + offset) });
      expect(c.complete).toBe(c.fields.every((f) => !f.required || f.filled));
      expect(c.fields.find((f) => f.path === 'delayReasons')!.required).toBe(offset > 72 * HOUR);
    }));
  });
});

describe('prefill and merge', () => {
  it('prefills from the incident and the organisation, and lets saved answers win', () => {
    const pre = prefillDossier(incident, organisation);
    expect(pre).toMatchObject({
      notificationKind: 'initial', origin: 'piratage', persons: { approxCount: 10000, minors: true }, records: { approxCount: 27500 },
      contact: { email: 'dpd@val-de-breme.invalid' }, dates: { discoveredAt: '2026-03-28T17:40:00.000Z', startedAt: '2026-03-19T08:00:00.000Z', ongoing: true },
    });
    expect(mergeDossier(pre, { persons: { approxCount: 9800 } }).persons).toEqual({ approxCount: 9800, minors: true });
  });
});

describe('complementary notification', () => {
  it('lists only what changed, with French labels', () => {
    const next = mergeDossier(full, { persons: { approxCount: 9800 }, measuresPlanned: 'Audit terminé.' });
    expect(dossierDiff(full, next)).toEqual([
      { path: 'measuresPlanned', label: 'Mesures envisagées', before: 'Audit des journaux de tous les agents.', after: 'Audit terminé.' },
      { path: 'persons.approxCount', label: 'Nombre approximatif de personnes concernées', before: 10000, after: 9800 },
    ]);
  });

  it('treats a field cleared in the form ("", [], {}) as never given', () => {
    expect(dossierDiff({ howItHappened: 'x', dataCategories: [] }, { howItHappened: 'x', consequences: '', crossBorder: {} })).toEqual([]);
    expect(dossierDiff({ consequences: 'Risque' }, { consequences: '' })).toEqual([{ path: 'consequences', label: DOSSIER_LABELS.consequences, before: 'Risque', after: null }]);
  });

  it('finds no change between a dossier and itself, and exactly the changed leaf otherwise', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.nat(), (a, b, n) => {
      const base: CnilDossier = { ...full, howItHappened: a.trim() || 'x', persons: { ...full.persons, approxCount: n } };
      expect(dossierDiff(base, structuredClone(base))).toEqual([]);
      const changed = { ...base, consequences: b.trim() || 'y' };
      const diff = dossierDiff(base, changed);
      if (changed.consequences === base.consequences) expect(diff).toEqual([]);
      else expect(diff.map((c) => c.path)).toEqual(['consequences']);
    }));
  });
});

describe('CNIL dossier documents', () => {
  it('renders a PDF with the figures, the accents, Paris times across the change of clocks and the missing fields', async () => {
    const dossier = { ...full, consequences: undefined };
    const completeness = dossierCompleteness(dossier, { awareAt: aware, notifiedAt: new Date(aware.getTime() + 80 * HOUR) });
    const pdf = await renderCnilDossierPdf({ dossier, organisation, incident, completeness, generatedAt: new Date('2026-04-01T08:00:00Z'), notifiedAt: new Date(aware.getTime() + 80 * HOUR) });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const expected of [
      'Commune de Val-de-Brême', '10 000', '27 500', 'requérants, mis en cause, témoins, victimes', 'Conséquences probables', 'À compléter',
      '28/03/2026 à 18 h 40', // 17:40 UTC, winter time in Paris
      '31/03/2026 à 19 h 40', // the deadline, 72 hours later, summer time
      'Motifs du retard', 'Piratage, logiciel malveillant, hameçonnage', 'SIREN 219499902', 'page 1 sur 2',
    ]) expect(text).toContain(expected);
    expect(text).toMatch(/Dossier incomplet : 2 élément\(s\)/);
  });

  it('puts what changed first in a complementary notification', async () => {
    const next = mergeDossier(full, { notificationKind: 'complementary', previousNotificationReference: 'CNIL-2026-12345', persons: { approxCount: 9800 } });
    const changes = dossierDiff(full, next);
    const completeness = dossierCompleteness(next, { awareAt: aware, notifiedAt: aware });
    const text = await pdfText(await renderCnilDossierPdf({ dossier: next, organisation, incident, completeness, generatedAt: aware, changes }));
    expect(text).toContain('Ce qui a changé depuis la notification précédente');
    expect(text).toContain('Avant : 10 000 — désormais : 9 800');
    expect(text).toContain('Avant : Notification initiale — désormais : Notification complémentaire');
    expect(text).toContain('CNIL-2026-12345');
    expect(text.indexOf('Ce qui a changé')).toBeLessThan(text.indexOf('1. Responsable du traitement'));
  });

  it('renders any text a person can type, in any script, without failing', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), async (a, b) => {
      const dossier: CnilDossier = { ...full, howItHappened: a, consequences: b, persons: { categories: [a || 'x', b || 'y'] } };
      const completeness = dossierCompleteness(dossier, { awareAt: aware, notifiedAt: aware });
      const pdf = await renderCnilDossierPdf({ dossier, organisation: { ...organisation, name: b || 'Commune' }, incident: { ...incident, title: a }, completeness, generatedAt: aware });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    }), { numRuns: 15 });
  });

  it('exports the same dossier as JSON', () => {
    const completeness = dossierCompleteness(full, { awareAt: aware, notifiedAt: aware });
    const json = JSON.parse(JSON.stringify(cnilDossierJson({ dossier: full, organisation, incident, completeness, generatedAt: aware })));
    expect(json).toMatchObject({ format: 'rempart-cnil-dossier/1', incident: { reference: 'INC-2026-001', awareAt: '2026-03-28T17:40:00.000Z' }, completeness: { complete: true } });
    expect(cnilDossierSchema.parse(json.dossier)).toEqual(full);
  });
});
