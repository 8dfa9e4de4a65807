// The CNIL notification dossier as a printable French PDF and as JSON, in the order of the CNIL's
// online form so the DPO can copy it field by field into the téléservice.
import { BREACH_CAUSES, BREACH_ORIGINS, RISK_LEVELS, type CnilDossier, type Completeness, type DossierChange } from './cnil.ts';
import { frNumber, parisDateTime } from './format.ts';
import { PdfWriter } from './pdf.ts';
import { INCIDENT_TYPE_LABELS, type IncidentInfo, type OrganisationInfo } from './types.ts';

export interface CnilDocumentInput {
  dossier: CnilDossier;
  organisation: OrganisationInfo;
  incident: IncidentInfo;
  completeness: Completeness;
  generatedAt: Date;
  /** For a complementary notification: what changed since the previous one (see dossierDiff). */
  changes?: DossierChange[];
  /** When the CNIL was notified, if it was. */
  notifiedAt?: Date | string | null;
}

const KIND = { initial: 'Notification initiale', complementary: 'Notification complémentaire', complete: 'Notification complète (initiale et définitive)' } as const;
export const CAUSE_LABELS: Record<(typeof BREACH_CAUSES)[number], string> = {
  malveillance_externe: 'Acte malveillant externe', malveillance_interne: 'Acte malveillant interne', accident_externe: 'Acte accidentel externe',
  erreur_interne: 'Erreur ou acte accidentel interne', prestataire: 'Chez un prestataire ou sous-traitant', inconnue: 'Inconnue à ce stade',
};
export const ORIGIN_LABELS: Record<(typeof BREACH_ORIGINS)[number], string> = {
  piratage: 'Piratage, logiciel malveillant, hameçonnage', materiel_perdu_vole: 'Équipement perdu ou volé', papier_perdu_vole: 'Papier perdu, volé ou laissé accessible',
  courrier_perdu_ouvert: 'Courrier perdu ou ouvert avant d’être retourné', envoi_mauvais_destinataire: 'Données envoyées à un mauvais destinataire',
  publication_involontaire: 'Publication non volontaire d’informations', donnees_mauvaise_personne: 'Données de la mauvaise personne affichées',
  divulgation_orale: 'Informations révélées oralement de façon non autorisée', mise_au_rebut: 'Mise au rebut de documents ou d’équipements non sécurisée', autre: 'Autre',
};
export const RISK_LABELS: Record<(typeof RISK_LEVELS)[number], string> = {
  improbable: 'Risque improbable pour les droits et libertés des personnes',
  risque: 'Risque pour les droits et libertés des personnes',
  eleve: 'Risque élevé pour les droits et libertés des personnes',
};
const INFORMED = { yes: 'Oui, les personnes ont été informées', planned: 'Information prévue', no: 'Non' } as const;
const yesNo = (b: boolean | undefined) => (b === undefined ? '' : b ? 'Oui' : 'Non');

const VALUE_LABELS: Record<string, Record<string, string>> = {
  notificationKind: { initial: 'Notification initiale', complementary: 'Notification complémentaire', complete: 'Notification complète' },
  'personsInformed.status': INFORMED,
  riskLevel: RISK_LABELS,
  origin: ORIGIN_LABELS,
  cause: CAUSE_LABELS,
};

function show(value: unknown, path = ''): string {
  if (value === null || value === undefined) return '(vide)';
  if (typeof value === 'string' && VALUE_LABELS[path]?.[value]) return VALUE_LABELS[path][value]!;
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  if (typeof value === 'number') return frNumber(value);
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return parisDateTime(value);
  return String(value);
}

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
  for (const w of completeness.warnings ?? []) pdf.paragraph(`À vérifier : ${w.message}`, { muted: true });

  if (input.changes && input.changes.length > 0) {
    pdf.section('Ce qui a changé depuis la notification précédente');
    for (const c of input.changes) pdf.field(c.label, `Avant : ${show(c.before, c.path)} — désormais : ${show(c.after, c.path)}`);
  }

  pdf.section('1. Responsable du traitement et contact');
  pdf.field('Organisme', `${o.name}${o.siren ? ` (SIREN ${o.siren})` : ''}`);
  pdf.field('Adresse', o.address, { required: false });
  pdf.field('Délégué(e) à la protection des données', [o.dpo.name, o.dpo.email, o.dpo.phone].filter(Boolean).join(' — '));
  pdf.field('Personne à contacter pour cette notification', [d.contact?.name, d.contact?.role, d.contact?.email, d.contact?.phone].filter(Boolean).join(' — '));
  pdf.field('Type de notification', d.notificationKind ? KIND[d.notificationKind] : '');
  if (d.notificationKind === 'complementary' || d.previousNotificationReference) {
    pdf.field('Numéro de la notification initiale', d.previousNotificationReference, { required: d.notificationKind === 'complementary' });
  }

  pdf.section('2. Chronologie');
  pdf.field('Début de la violation', d.dates?.startUnknown ? 'Inconnu à ce stade' : parisDateTime(d.dates?.startedAt));
  pdf.field('Prise de connaissance', parisDateTime(d.dates?.discoveredAt));
  pdf.field('Comment la violation a été découverte', d.detectionMethod, { required: false });
  pdf.field('Fin de la violation', d.dates?.ongoing ? 'Violation en cours' : parisDateTime(d.dates?.endedAt));
  const notified = input.notifiedAt ? parisDateTime(input.notifiedAt) : '';
  pdf.field(
    'Délai de 72 heures (art. 33(1) RGPD)',
    `Échéance le ${parisDateTime(completeness.deadline)}. ` +
      (notified
        ? `Notification faite le ${notified}, ${completeness.late ? 'après le délai de 72 heures.' : 'dans le délai.'}`
        : completeness.late ? 'Notification non encore faite : le délai est dépassé.' : 'Notification non encore faite.'),
  );
  if (completeness.late || d.delayReasons) pdf.field('Motifs du retard', d.delayReasons);

  pdf.section('3. Nature et circonstances');
  const nature = [d.nature?.confidentiality && 'perte de confidentialité', d.nature?.integrity && "perte d'intégrité", d.nature?.availability && 'perte de disponibilité'].filter(Boolean).join(', ');
  pdf.field('Nature de la violation', nature);
  pdf.field('Type d’incident', INCIDENT_TYPE_LABELS[i.type] ?? i.type);
  pdf.field('Origine de l’incident', d.origin ? ORIGIN_LABELS[d.origin] : '', { required: false });
  pdf.field('Circonstances', d.howItHappened);
  pdf.field('Cause', d.cause ? CAUSE_LABELS[d.cause] : '', { required: false });

  pdf.section('4. Personnes et données concernées');
  pdf.field('Nombre approximatif de personnes', frNumber(d.persons?.approxCount));
  pdf.field('Catégories de personnes', (d.persons?.categories ?? []).join(', '));
  pdf.field('Mineurs concernés', yesNo(d.persons?.minors), { required: false });
  pdf.field('Personnes vulnérables concernées', yesNo(d.persons?.vulnerable), { required: false });
  pdf.field("Nombre approximatif d'enregistrements", frNumber(d.records?.approxCount));
  pdf.field('Catégories de données', (d.dataCategories ?? []).join(', '));
  pdf.field('Données sensibles ou relatives aux infractions', d.sensitiveData ? (d.sensitiveData.length ? d.sensitiveData.join(', ') : 'Aucune') : '', { required: false });

  pdf.section('5. Risques, conséquences et mesures');
  pdf.field('Niveau de risque', d.riskLevel ? RISK_LABELS[d.riskLevel] : '', { required: false });
  pdf.field('Conséquences probables pour les personnes', d.consequences);
  pdf.field('Mesures prises', d.measuresTaken);
  pdf.field('Mesures envisagées', d.measuresPlanned);

  pdf.section('6. Information des personnes');
  const informed = d.personsInformed;
  pdf.field('Information des personnes concernées', informed?.status ? INFORMED[informed.status] : '');
  if (informed?.status !== 'no') {
    pdf.field('Modalités (courrier, SMS, courriel, affichage) et date', [informed?.how, informed?.when ? `le ${parisDateTime(informed.when)}` : ''].filter(Boolean).join(' — '));
    if (informed?.content) pdf.field('Contenu du message aux personnes', informed.content);
  } else pdf.field('Motif de non-information', informed.reasonNot);

  pdf.section('7. Aspects transfrontaliers et autres signalements');
  pdf.field('Personnes dans d’autres États de l’UE', d.crossBorder?.involved === undefined ? '' : d.crossBorder.involved ? `Oui : ${(d.crossBorder.countries ?? []).join(', ') || 'États à préciser'}` : 'Non');
  if (d.crossBorder?.otherAuthorities) pdf.field('Autres autorités notifiées', d.crossBorder.otherAuthorities);
  pdf.field('Autres signalements (plainte, ANSSI, CSIRT)', d.otherReports, { required: false });

  return pdf.finish(`Rempart — ${o.name} — ${i.reference} — document confidentiel`);
}

/** The same dossier as a JSON document, stable in shape (`format`) for other tools to read. */
export function cnilDossierJson(input: CnilDocumentInput) {
  return {
    format: 'rempart-cnil-dossier/1',
    generatedAt: input.generatedAt.toISOString(),
    organisation: input.organisation,
    incident: {
      reference: input.incident.reference, title: input.incident.title, type: input.incident.type, awareAt: new Date(input.incident.awareAt).toISOString(),
    },
    notifiedAt: input.notifiedAt ? new Date(input.notifiedAt).toISOString() : null,
    dossier: input.dossier,
    completeness: input.completeness,
    ...(input.changes ? { changes: input.changes } : {}),
  };
}
