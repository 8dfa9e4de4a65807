import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cnilDossierJson, dossierCompleteness, dossierDiff, draftPublicNotice, mergeDossier, pdfText, prefillDossier, registerCsv,
  renderCnilDossierPdf, renderNoticePdf, renderRegisterPdf, type CnilDossier, type IncidentInfo, type OrganisationInfo, type RegisterEntry,
} from './index.ts';

const organisation: OrganisationInfo = {
  name: 'Commune de Val-de-Brême', siren: '219499902', address: '1 place de la Mairie',
  dpo: { name: 'Karim Benali', email: 'dpd@val-de-breme.invalid', phone: '01 45 00 00 00' },
};
const incident: IncidentInfo = {
  reference: 'INC-2026-001', title: 'Exfiltration du logiciel de police municipale', type: 'exfiltration',
  awareAt: '2026-03-28T17:40:00Z', startedAt: '2026-03-19T08:00:00Z',
  detectedHow: "Exports massifs depuis le compte d'un agent.",
  affectedServices: ['Police municipale'],
  personalData: { involved: true, categories: ['identité', 'coordonnées', "périodes d'absence (OTV)", 'description des faits'], approxPersons: 10000, approxRecords: 27500, sensitive: true, minors: true },
};
const full: CnilDossier = mergeDossier(prefillDossier(incident, organisation), {
  nature: { confidentiality: true },
  persons: { categories: ['requérants', 'mis en cause', 'témoins', 'victimes'] },
  consequences: 'Escroqueries, usurpation d’identité, cambriolages, représailles.',
  measuresTaken: 'Compte désactivé, mots de passe réinitialisés, droits d’export retirés.',
  measuresPlanned: 'Audit des journaux de tous les agents.',
  personsInformed: { status: 'planned', how: 'Appel téléphonique et courrier individuel' },
  crossBorder: { involved: false },
  dates: { endedAt: '2026-03-28T18:10:00Z', ongoing: false },
});
const aware = new Date(incident.awareAt);

describe('CNIL dossier', () => {
  it('shows completeness field by field, and asks for reasons only when notified after 72 hours', () => {
    const onTime = dossierCompleteness(full, { awareAt: aware, notifiedAt: new Date(aware.getTime() + 70 * 3_600_000) });
    expect(onTime.fields.filter((f) => f.required && !f.filled).map((f) => f.path)).toEqual([]);
    expect(onTime.complete).toBe(true);
    const late = dossierCompleteness(full, { awareAt: aware, notifiedAt: new Date(aware.getTime() + 73 * 3_600_000) });
    expect(late.complete).toBe(false);
    expect(late.fields.filter((f) => f.required && !f.filled).map((f) => f.path)).toEqual(['delayReasons']);
    const empty = dossierCompleteness({}, { awareAt: aware, notifiedAt: aware });
    expect(empty.fields.filter((f) => f.required && !f.filled).length).toBeGreaterThan(12);
  });

  it('prefills from the incident and lets saved answers win', () => {
    const pre = prefillDossier(incident, organisation);
    expect(pre.persons?.approxCount).toBe(10000);
    expect(pre.contact?.email).toBe('dpd@val-de-breme.invalid');
    expect(mergeDossier(pre, { persons: { approxCount: 9800 } }).persons).toEqual({ approxCount: 9800, minors: true });
  });

  it('lists only what changed for a complementary notification', () => {
    const next = mergeDossier(full, { persons: { approxCount: 9800 }, measuresPlanned: 'Audit terminé.' });
    expect(dossierDiff(full, next)).toEqual([
      { path: 'measuresPlanned', before: 'Audit des journaux de tous les agents.', after: 'Audit terminé.' },
      { path: 'persons.approxCount', before: 10000, after: 9800 },
    ]);
    fc.assert(fc.property(fc.string(), (s) => dossierDiff({ howItHappened: s }, { howItHappened: s }).length === 0));
  });

  it('renders a PDF whose text carries the figures, the accents and the missing fields', async () => {
    const completeness = dossierCompleteness({ ...full, consequences: undefined }, { awareAt: aware, notifiedAt: aware });
    const pdf = await renderCnilDossierPdf({ dossier: { ...full, consequences: undefined }, organisation, incident, completeness, generatedAt: new Date('2026-03-29T08:00:00Z') });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('Commune de Val-de-Brême');
    expect(text).toContain('10 000');
    expect(text).toContain('27 500');
    expect(text).toContain('requérants, mis en cause, témoins, victimes');
    expect(text).toContain('À compléter');
    expect(text).toMatch(/Conséquences probables/);
    expect(text).toContain('28/03/2026 à 18 h 40'); // 17:40 UTC is 18:40 in Paris before the clocks change
  });

  it('exports the same dossier as JSON', () => {
    const completeness = dossierCompleteness(full, { awareAt: aware, notifiedAt: aware });
    const json = cnilDossierJson({ dossier: full, organisation, incident, completeness, generatedAt: aware });
    expect(json.dossier.persons?.approxCount).toBe(10000);
    expect(json.completeness.complete).toBe(true);
  });
});

describe('breach register', () => {
  const entries: RegisterEntry[] = [
    { reference: 'INC-2026-001', title: 'Fuite ; "police"', type: 'exfiltration', awareAt: aware, personalData: incident.personalData, facts: 'Ligne 1\nLigne 2', effects: '=HYPERLINK("x")', remedialActions: 'Comptes', notified: true, notifiedAt: aware },
    { reference: 'INC-2026-002', title: 'Clé USB perdue', type: 'perte_vol_materiel', awareAt: aware, personalData: { involved: true, categories: ['identité'] }, facts: 'Clé chiffrée', effects: 'Aucun', remedialActions: 'Aucune', notified: false, reasonNotNotified: 'Support chiffré, clé non compromise : pas de risque.' },
  ];
  it('writes a French spreadsheet CSV: BOM, semicolons, quoting, no formula injection', () => {
    const csv = registerCsv(entries);
    expect(csv.startsWith('\ufeffRéférence;Intitulé;Type')).toBe(true);
    expect(csv).toContain('"Fuite ; ""police"""');
    expect(csv).toContain('"Ligne 1\nLigne 2"');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.split('\r\n').length).toBe(4);
  });
  it('renders the register as a PDF with the reason for not notifying', async () => {
    const text = await pdfText(await renderRegisterPdf({ organisation, entries, generatedAt: aware }));
    expect(text).toContain('INC-2026-002');
    expect(text).toContain('Support chiffré, clé non compromise');
  });
});

describe('public notice', () => {
  it('drafts a notice with the risks that follow from the leaked categories and the DPO contact', async () => {
    const notice = draftPublicNotice({ organisation, incident, dossier: full });
    expect(notice.body).toContain('environ 10 000 personnes');
    expect(notice.body).toContain('Cambriolage');
    expect(notice.body).toContain('dpd@val-de-breme.invalid');
    expect(notice.body).toContain('cybermalveillance.gouv.fr');
    expect(notice.body).toContain('représentants légaux');
    const text = await pdfText(await renderNoticePdf({ organisation, notice, generatedAt: aware }));
    expect(text).toContain('Quels sont les risques');
  });
  it('does not claim a data leak when no personal data is involved', () => {
    const notice = draftPublicNotice({ organisation, incident: { ...incident, type: 'deni_de_service', personalData: { involved: false, categories: [] } } });
    expect(notice.body).toContain('rien n’indique');
    expect(notice.body).not.toContain('Cambriolage');
  });
});
