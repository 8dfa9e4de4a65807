import type { CnilDossier, Completeness } from './cnil.ts';
import { frNumber, parisDateTime } from './format.ts';
import { PdfWriter } from './pdf.ts';
import { INCIDENT_TYPE_LABELS, type IncidentInfo, type OrganisationInfo } from './types.ts';

export interface CnilDocumentInput {
  dossier: CnilDossier;
  organisation: OrganisationInfo;
  incident: IncidentInfo;
  completeness: Completeness;
  generatedAt: Date;
}

const KIND = { initial: 'Notification initiale', complementary: 'Notification complémentaire', complete: 'Notification complète' } as const;
const CAUSE: Record<string, string> = {
  malveillance_externe: 'Acte malveillant externe', malveillance_interne: 'Acte malveillant interne', erreur_interne: 'Erreur interne',
  prestataire: 'Chez un prestataire ou sous-traitant', inconnue: 'Inconnue à ce stade',
};
const INFORMED = { yes: 'Oui, les personnes ont été informées', planned: 'Information prévue', no: 'Non' } as const;
const yesNo = (b: boolean | undefined) => (b === undefined ? '' : b ? 'Oui' : 'Non');

export async function renderCnilDossierPdf(input: CnilDocumentInput): Promise<Buffer> {
  const { dossier: d, organisation: o, incident: i, completeness } = input;
  const missing = completeness.fields.filter((f) => f.required && !f.filled);
  const pdf = new PdfWriter(`Dossier de notification CNIL — ${i.reference}`, input.generatedAt, 'Notification de violation de données personnelles (art. 33 RGPD)');
  pdf.heading(
    'Notification de violation de données personnelles',
    `${o.name} — incident ${i.reference} « ${i.title} » — dossier établi le ${parisDateTime(input.generatedAt)} (heure de Paris)`,
  );
  pdf.paragraph(
    missing.length === 0
      ? 'Dossier complet : tous les éléments demandés par l’article 33(3) du RGPD et le formulaire de la CNIL sont renseignés.'
      : `Dossier incomplet : ${missing.length} élément(s) à compléter — ${missing.map((f) => f.label).join(' ; ')}.`,
    { bold: true },
  );

  pdf.section('1. Responsable du traitement et contact');
  pdf.field('Organisme', `${o.name}${o.siren ? ` (SIREN ${o.siren})` : ''}`);
  pdf.field('Adresse', o.address, { required: false });
  pdf.field('Délégué(e) à la protection des données', [o.dpo.name, o.dpo.email, o.dpo.phone].filter(Boolean).join(' — '));
  pdf.field('Personne à contacter pour cette notification', [d.contact?.name, d.contact?.role, d.contact?.email, d.contact?.phone].filter(Boolean).join(' — '));
  pdf.field('Type de notification', d.notificationKind ? KIND[d.notificationKind] : '');

  pdf.section('2. Chronologie');
  pdf.field('Début de la violation', d.dates?.startUnknown ? 'Inconnu à ce stade' : parisDateTime(d.dates?.startedAt));
  pdf.field('Prise de connaissance', parisDateTime(d.dates?.discoveredAt));
  pdf.field('Fin de la violation', d.dates?.ongoing ? 'Violation en cours' : parisDateTime(d.dates?.endedAt));
  pdf.field('Délai de 72 heures', completeness.late ? 'Notification faite après 72 heures' : 'Notification dans les 72 heures');
  if (completeness.late || d.delayReasons) pdf.field('Motifs du retard (art. 33(1) RGPD)', d.delayReasons);

  pdf.section('3. Nature et circonstances');
  const nature = [d.nature?.confidentiality && 'perte de confidentialité', d.nature?.integrity && "perte d'intégrité", d.nature?.availability && 'perte de disponibilité'].filter(Boolean).join(', ');
  pdf.field('Nature de la violation', nature);
  pdf.field('Type d’incident', INCIDENT_TYPE_LABELS[i.type] ?? i.type);
  pdf.field('Circonstances', d.howItHappened);
  pdf.field('Origine', d.cause ? CAUSE[d.cause] : '', { required: false });

  pdf.section('4. Personnes et données concernées');
  pdf.field('Nombre approximatif de personnes', frNumber(d.persons?.approxCount));
  pdf.field('Catégories de personnes', (d.persons?.categories ?? []).join(', '));
  pdf.field('Mineurs concernés', yesNo(d.persons?.minors), { required: false });
  pdf.field("Nombre approximatif d'enregistrements", frNumber(d.records?.approxCount));
  pdf.field('Catégories de données', (d.dataCategories ?? []).join(', '));
  pdf.field('Données sensibles ou relatives aux infractions', d.sensitiveData ? (d.sensitiveData.length ? d.sensitiveData.join(', ') : 'Aucune') : '', { required: false });

  pdf.section('5. Conséquences et mesures');
  pdf.field('Conséquences probables pour les personnes', d.consequences);
  pdf.field('Mesures prises', d.measuresTaken);
  pdf.field('Mesures envisagées', d.measuresPlanned);

  pdf.section('6. Information des personnes');
  const informed = d.personsInformed;
  pdf.field('Information des personnes concernées', informed?.status ? INFORMED[informed.status] : '');
  if (informed?.status !== 'no') pdf.field('Modalités (courrier, SMS, courriel, affichage) et date', [informed?.how, informed?.when ? `le ${parisDateTime(informed.when)}` : ''].filter(Boolean).join(' — '));
  else pdf.field('Motif de non-information', informed.reasonNot);

  pdf.section('7. Aspects transfrontaliers et autres signalements');
  pdf.field('Personnes dans d’autres États de l’UE', d.crossBorder?.involved === undefined ? '' : d.crossBorder.involved ? `Oui : ${(d.crossBorder.countries ?? []).join(', ')}` : 'Non');
  if (d.crossBorder?.otherAuthorities) pdf.field('Autres autorités notifiées', d.crossBorder.otherAuthorities);
  pdf.field('Autres signalements (plainte, ANSSI, CSIRT)', d.otherReports, { required: false });

  return pdf.finish(`Rempart — ${o.name} — ${i.reference} — document confidentiel`);
}

export function cnilDossierJson(input: CnilDocumentInput) {
  return {
    format: 'rempart-cnil-dossier/1',
    generatedAt: input.generatedAt.toISOString(),
    organisation: input.organisation,
    incident: { reference: input.incident.reference, title: input.incident.title, type: input.incident.type, awareAt: new Date(input.incident.awareAt).toISOString() },
    dossier: input.dossier,
    completeness: input.completeness,
  };
}
