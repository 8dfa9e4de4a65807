import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { num, toDossier, toForm, type Dossier } from './dossier-form.ts';

describe('CNIL dossier form', () => {
  const full: Dossier = {
    notificationKind: 'initial',
    contact: { name: 'Karim Benali', role: 'DPO', email: 'dpd@val-de-breme.test', phone: '01 45 00 00 00' },
    dates: { startedAt: '2026-03-20T08:00:00.000Z', discoveredAt: '2026-03-29T16:40:00.000Z', ongoing: true },
    detectionMethod: "Alerte de l'éditeur",
    nature: { confidentiality: true },
    origin: 'piratage',
    howItHappened: "Compte d'un agent compromis",
    cause: 'malveillance_externe',
    persons: { approxCount: 9876, categories: ['requérants', 'victimes'], minors: true, vulnerable: false },
    records: { approxCount: 24680 },
    dataCategories: ['identité', 'adresse'],
    sensitiveData: ['infractions'],
    riskLevel: 'eleve',
    consequences: 'Escroqueries',
    measuresTaken: 'Compte désactivé',
    measuresPlanned: 'Audit des journaux',
    personsInformed: { status: 'planned', how: 'Courrier', when: '2026-03-31T08:00:00.000Z', content: 'Madame, Monsieur…' },
    crossBorder: { involved: true, countries: ['Belgique'], otherAuthorities: 'APD' },
    otherReports: 'Plainte déposée',
  };

  it('gives back the dossier it was filled from', () => {
    expect(toDossier(toForm(full), {})).toEqual(full);
  });

  it('keeps "no sensitive data" apart from "not assessed yet"', () => {
    expect(toDossier(toForm({ sensitiveData: [] }), {}).sensitiveData).toEqual([]);
    expect(toDossier(toForm({}), {}).sensitiveData).toBeUndefined();
    // Ticking "none" wins over a list typed before.
    expect(toDossier({ ...toForm({ sensitiveData: ['santé'] }), sensitiveNone: true }, {}).sensitiveData).toEqual([]);
  });

  it('sends an emptied field as not given, and keeps what the form does not show', () => {
    const form = { ...toForm(full), measuresPlanned: '   ', contactPhone: '' };
    // A field the server added after this form was written survives a save from the form.
    const back = toDossier(form, { ...full, laterField: 'ABC-123' } as Dossier);
    expect(back.measuresPlanned).toBeUndefined();
    expect(back.contact).toEqual({ name: 'Karim Benali', role: 'DPO', email: 'dpd@val-de-breme.test' });
    expect((back as Record<string, unknown>).laterField).toBe('ABC-123');
  });

  it('reads counts written the French way and refuses words', () => {
    expect(num('10 000')).toBe(10000);
    expect(num('10\u202f000')).toBe(10000);
    expect(num('')).toBeUndefined();
    expect(num('environ 10 000')).toBeNaN();
    fc.assert(fc.property(fc.nat(), (n) => num(n.toLocaleString('fr-FR')) === n));
  });
});
