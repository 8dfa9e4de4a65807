import { describe, expect, it } from 'vitest';
import { draftPublicNotice, organisationSubject, pdfText, renderNoticePdf } from './index.ts';
import { aware, full, incident, organisation } from './fixtures.ts';

describe('public notice', () => {
  it('tells what happened, which data, the risks that follow from them, the measures and whom to contact', () => {
    const { title, body } = draftPublicNotice({ organisation, incident, dossier: full });
    expect(title).toContain('Commune de Val-de-Brême');
    expect(body).toContain('Le 28 mars 2026, la commune de Val-de-Brême a constaté un accès non autorisé');
    expect(body).toContain('environ 10 000 personnes (requérants, mis en cause, témoins, victimes)');
    expect(body).toContain("- périodes d'absence (OTV)");
    expect(body).toContain('Cambriolage');
    expect(body).toContain('représailles');
    expect(body).toContain('- Compte désactivé.');
    expect(body).toContain('représentants légaux');
    expect(body).toContain('www.cybermalveillance.gouv.fr');
    expect(body).toContain('dpd@val-de-breme.invalid');
  });

  it('marks what Rempart cannot know as to confirm, and states it once known', () => {
    const draft = draftPublicNotice({ organisation, incident }).body;
    expect(draft).toContain('Une plainte a été déposée [à confirmer].');
    expect(draft).toContain('(CNIL) [à confirmer]');
    const known = draftPublicNotice({ organisation, incident, facts: { complaintFiled: true, cnilNotifiedAt: '2026-03-30T09:00:00Z', csirtInformed: true } }).body;
    expect(known).not.toContain('plainte a été déposée [à confirmer]');
    expect(known).not.toContain('cybersécurité [à confirmer]');
    expect(known).toContain('notifiée le 30/03/2026 à la Commission nationale');
    expect(known).toContain('Une plainte a été déposée.');
  });

  it('does not claim a data leak when no personal data is involved', () => {
    const { body } = draftPublicNotice({ organisation, incident: { ...incident, type: 'deni_de_service', personalData: { involved: false, categories: [] } } });
    expect(body).toContain('rien n’indique');
    expect(body).not.toContain('Cambriolage');
    expect(body).not.toContain('CNIL');
    expect(body).toContain('subit une attaque qui rend certains de ses services en ligne indisponibles');
    expect(body).toContain('Comment joindre nos services ?');
    expect(body).toContain('[à compléter : numéros de téléphone et horaires]');
  });

  it('drafts the letter to each affected person (art. 34) with the same facts, addressed to them', () => {
    const letter = draftPublicNotice({ organisation, incident, dossier: full, audience: 'persons' });
    expect(letter.title).toContain('violation de vos données personnelles');
    expect(letter.body.startsWith('Madame, Monsieur,')).toBe(true);
    for (const s of ['données personnelles vous concernant', 'Cambriolage', 'dpd@val-de-breme.invalid', 'salutations distinguées']) expect(letter.body).toContain(s);
    const noData = draftPublicNotice({ organisation, incident: { ...incident, personalData: { involved: false, categories: [] } }, audience: 'persons' });
    expect(noData.body).not.toContain('vous concernant');
  });

  it('names the organisation with the right article', () => {
    expect(organisationSubject({ name: 'Ville de Lyon', dpo: {} })).toBe('la ville de Lyon');
    expect(organisationSubject({ name: 'Département de Seine-et-Marne', dpo: {} })).toBe('le département de Seine-et-Marne');
    expect(organisationSubject({ name: 'Joinville-le-Pont', kind: 'commune', dpo: {} })).toBe('la commune de Joinville-le-Pont');
    expect(organisationSubject({ name: 'Syndicat des eaux du Val', dpo: {} })).toBe('le syndicat des eaux du Val');
  });

  it('prints the notice with its headings, bullets and accents', async () => {
    const notice = draftPublicNotice({ organisation, incident, dossier: full });
    const text = await pdfText(await renderNoticePdf({ organisation, notice, generatedAt: aware }));
    for (const s of ['Quels sont les risques pour les personnes concernées ?', 'Nos recommandations', 'Usurpation d’identité.', '•', 'le 28 mars 2026']) expect(text).toContain(s);
  });

  it('prints an edited notice as written, even without our headings', async () => {
    const text = await pdfText(await renderNoticePdf({ organisation, notice: { title: 'Incident informatique', body: 'Texte libre ; « citation ».\r\n\r\n- point un\n- point deux' }, generatedAt: aware }));
    expect(text).toContain('Texte libre ; « citation ».');
    expect(text).toContain('point deux');
  });
});
