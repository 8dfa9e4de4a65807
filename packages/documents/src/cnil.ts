// The CNIL notification dossier: every item of art. 33(3) GDPR and of the CNIL's online form.
// Every field is optional so a draft can be saved at 3 a.m.; completeness says what is missing.
import { z } from 'zod';
import type { IncidentInfo, OrganisationInfo } from './types.ts';

const CNIL_DEADLINE_MS = 72 * 3_600_000;

const text = (max = 20_000) => z.string().trim().max(max, `Texte trop long (au plus ${max} caractères).`);
const list = z.array(z.string().trim().min(1).max(300)).max(100);
const instant = z.iso.datetime({ offset: true, message: 'Date et heure ISO 8601 attendues.' });
const count = (max: number) => z.number({ message: 'Nombre attendu.' }).int('Nombre entier attendu.').min(0, 'Nombre positif attendu.').max(max);

/** How the breach happened, in the categories the CNIL's form proposes. */
export const BREACH_ORIGINS = [
  'piratage', 'materiel_perdu_vole', 'papier_perdu_vole', 'courrier_perdu_ouvert', 'envoi_mauvais_destinataire', 'publication_involontaire',
  'donnees_mauvaise_personne', 'divulgation_orale', 'mise_au_rebut', 'autre',
] as const;
export const BREACH_CAUSES = ['malveillance_externe', 'malveillance_interne', 'accident_externe', 'erreur_interne', 'prestataire', 'inconnue'] as const;
/** Art. 33(1) and 34(1): unlikely risk → register only; risk → notify the CNIL; high risk → also inform the persons. */
export const RISK_LEVELS = ['improbable', 'risque', 'eleve'] as const;

export const cnilDossierSchema = z.object({
  notificationKind: z.enum(['initial', 'complementary', 'complete']).optional(),
  /** The number the CNIL gave the initial notification, quoted by every complementary one. */
  previousNotificationReference: text(100).optional(),
  contact: z
    .object({
      name: text(200).optional(),
      role: text(200).optional(),
      email: z.string().trim().email('Adresse électronique invalide.').max(320).optional().or(z.literal('')),
      phone: text(40).optional(),
    })
    .optional(),
  dates: z
    .object({
      startedAt: instant.optional(),
      startUnknown: z.boolean().optional(),
      discoveredAt: instant.optional(),
      endedAt: instant.optional(),
      ongoing: z.boolean().optional(),
    })
    .optional(),
  /** How the organisation found out (alert from the software vendor, a resident's call, a ransom note…). */
  detectionMethod: text(5000).optional(),
  nature: z.object({ confidentiality: z.boolean().optional(), integrity: z.boolean().optional(), availability: z.boolean().optional() }).optional(),
  origin: z.enum(BREACH_ORIGINS).optional(),
  howItHappened: text().optional(),
  cause: z.enum(BREACH_CAUSES).optional(),
  persons: z.object({ approxCount: count(1_000_000_000).optional(), categories: list.optional(), minors: z.boolean().optional(), vulnerable: z.boolean().optional() }).optional(),
  records: z.object({ approxCount: count(100_000_000_000).optional() }).optional(),
  dataCategories: list.optional(),
  /** Art. 9 and 10 data (health, opinions, offences…); an empty list says "none", absent says "not yet assessed". */
  sensitiveData: list.optional(),
  riskLevel: z.enum(RISK_LEVELS).optional(),
  consequences: text().optional(),
  measuresTaken: text().optional(),
  measuresPlanned: text().optional(),
  personsInformed: z
    .object({
      status: z.enum(['yes', 'planned', 'no']).optional(),
      how: text(5000).optional(),
      when: instant.optional(),
      content: text(20_000).optional(),
      reasonNot: text(5000).optional(),
    })
    .optional(),
  crossBorder: z.object({ involved: z.boolean().optional(), countries: list.optional(), otherAuthorities: text(2000).optional() }).optional(),
  otherReports: text(5000).optional(),
  delayReasons: text().optional(),
});

export type CnilDossier = z.infer<typeof cnilDossierSchema>;

export interface CompletenessField {
  path: string;
  label: string;
  filled: boolean;
  required: boolean;
}

export interface DossierWarning {
  path: string;
  message: string;
}

export interface Completeness {
  complete: boolean;
  /** Notified (or, not yet notified, now) more than 72 hours after awareness. */
  late: boolean;
  /** ISO instant: awareness + 72 hours. */
  deadline: string;
  fields: CompletenessField[];
  /** Inconsistencies worth a second look (an end before the start…); they never block. */
  warnings: DossierWarning[];
}

/** French labels of every path a person fills in, in the order of the CNIL form. */
export const DOSSIER_LABELS: Record<string, string> = {
  notificationKind: 'Type de notification (initiale, complémentaire, complète)',
  previousNotificationReference: 'Numéro de la notification initiale à la CNIL',
  contact: 'Personne à contacter (DPO ou responsable)',
  'contact.name': 'Nom de la personne à contacter',
  'contact.role': 'Fonction de la personne à contacter',
  'contact.email': 'Adresse électronique de la personne à contacter',
  'contact.phone': 'Téléphone de la personne à contacter',
  'dates.startedAt': 'Date de début de la violation (ou « inconnue »)',
  'dates.startUnknown': 'Date de début inconnue',
  'dates.discoveredAt': 'Date de prise de connaissance',
  'dates.endedAt': 'Date de fin (ou « en cours »)',
  'dates.ongoing': 'Violation en cours',
  detectionMethod: 'Comment la violation a été découverte',
  nature: 'Nature : confidentialité, intégrité, disponibilité',
  'nature.confidentiality': 'Perte de confidentialité',
  'nature.integrity': 'Perte d’intégrité',
  'nature.availability': 'Perte de disponibilité',
  origin: 'Origine de l’incident',
  howItHappened: 'Circonstances : comment la violation s’est produite',
  cause: 'Cause de la violation',
  'persons.approxCount': 'Nombre approximatif de personnes concernées',
  'persons.categories': 'Catégories de personnes concernées',
  'persons.minors': 'Mineurs concernés',
  'persons.vulnerable': 'Personnes vulnérables concernées',
  'records.approxCount': "Nombre approximatif d'enregistrements concernés",
  dataCategories: 'Catégories de données concernées',
  sensitiveData: 'Données sensibles ou relatives aux infractions',
  riskLevel: 'Niveau de risque pour les personnes',
  consequences: 'Conséquences probables pour les personnes',
  measuresTaken: 'Mesures prises pour remédier à la violation',
  measuresPlanned: 'Mesures envisagées',
  personsInformed: 'Information des personnes : oui, prévue, ou motif de non-information',
  'personsInformed.status': 'Information des personnes concernées',
  'personsInformed.how': 'Modalités de l’information des personnes',
  'personsInformed.when': 'Date de l’information des personnes',
  'personsInformed.content': 'Contenu de l’information des personnes',
  'personsInformed.reasonNot': 'Motif de non-information des personnes',
  crossBorder: 'Dimension transfrontalière',
  'crossBorder.involved': 'Personnes dans d’autres États de l’Union européenne',
  'crossBorder.countries': 'États concernés',
  'crossBorder.otherAuthorities': 'Autres autorités de contrôle notifiées',
  otherReports: 'Autres signalements (plainte, ANSSI, CSIRT)',
  delayReasons: 'Motifs du retard (notification après 72 heures)',
};

const has = (s: string | undefined | null) => !!s && s.trim().length > 0;
const nonEmpty = (l: unknown[] | undefined) => !!l && l.length > 0;
const field = (path: string, filled: boolean, required: boolean): CompletenessField => ({ path, label: DOSSIER_LABELS[path]!, filled, required });

/**
 * Field by field, in the order of the CNIL form. The reasons for the delay become required once
 * the notification is (or, not made yet, would be) more than 72 hours after awareness.
 */
export function dossierCompleteness(dossier: CnilDossier, context: { awareAt: Date; notifiedAt?: Date | null; now?: Date }): Completeness {
  if (Number.isNaN(context.awareAt.getTime())) throw new RangeError('awareAt is not a valid date');
  const at = context.notifiedAt ?? context.now ?? new Date();
  const late = at.getTime() - context.awareAt.getTime() > CNIL_DEADLINE_MS;
  const d = dossier;
  const informed = d.personsInformed;
  const fields: CompletenessField[] = [
    field('notificationKind', !!d.notificationKind, true),
    field('previousNotificationReference', has(d.previousNotificationReference), false),
    field('contact', has(d.contact?.name) && (has(d.contact?.email) || has(d.contact?.phone)), true),
    field('dates.startedAt', has(d.dates?.startedAt) || !!d.dates?.startUnknown, true),
    field('dates.discoveredAt', has(d.dates?.discoveredAt), true),
    field('dates.endedAt', has(d.dates?.endedAt) || !!d.dates?.ongoing, true),
    field('detectionMethod', has(d.detectionMethod), false),
    field('nature', !!(d.nature?.confidentiality || d.nature?.integrity || d.nature?.availability), true),
    field('origin', !!d.origin, false),
    field('howItHappened', has(d.howItHappened), true),
    field('cause', !!d.cause, false),
    field('persons.approxCount', d.persons?.approxCount !== undefined, true),
    field('persons.categories', nonEmpty(d.persons?.categories), true),
    field('records.approxCount', d.records?.approxCount !== undefined, true),
    field('dataCategories', nonEmpty(d.dataCategories), true),
    field('sensitiveData', d.sensitiveData !== undefined, false),
    field('riskLevel', !!d.riskLevel, false),
    field('consequences', has(d.consequences), true),
    field('measuresTaken', has(d.measuresTaken), true),
    field('measuresPlanned', has(d.measuresPlanned), true),
    field('personsInformed', !!informed?.status && (informed.status === 'no' ? has(informed.reasonNot) : has(informed.how)), true),
    field('crossBorder', d.crossBorder?.involved !== undefined, true),
    field('otherReports', has(d.otherReports), false),
    field('delayReasons', has(d.delayReasons), late),
  ];
  return {
    complete: fields.every((f) => !f.required || f.filled),
    late,
    deadline: new Date(context.awareAt.getTime() + CNIL_DEADLINE_MS).toISOString(),
    fields,
    warnings: dossierWarnings(d, context.awareAt),
  };
}

function dossierWarnings(d: CnilDossier, awareAt: Date): DossierWarning[] {
  const out: DossierWarning[] = [];
  const t = (v: string | undefined) => (v ? new Date(v).getTime() : undefined);
  const start = t(d.dates?.startedAt);
  const discovered = t(d.dates?.discoveredAt);
  const end = t(d.dates?.endedAt);
  if (start !== undefined && end !== undefined && end < start) out.push({ path: 'dates.endedAt', message: 'La date de fin est antérieure à la date de début.' });
  if (start !== undefined && discovered !== undefined && discovered < start) out.push({ path: 'dates.discoveredAt', message: 'La prise de connaissance est antérieure au début de la violation.' });
  if (discovered !== undefined && discovered !== awareAt.getTime()) {
    out.push({ path: 'dates.discoveredAt', message: 'La date de prise de connaissance diffère de celle de l’incident, qui fait courir le délai de 72 heures.' });
  }
  if (end !== undefined && d.dates?.ongoing) out.push({ path: 'dates.ongoing', message: 'La violation est dite « en cours » alors qu’une date de fin est saisie.' });
  const persons = d.persons?.approxCount;
  const records = d.records?.approxCount;
  if (persons !== undefined && records !== undefined && records > 0 && persons > records) {
    out.push({ path: 'persons.approxCount', message: 'Plus de personnes que d’enregistrements : vérifiez les deux chiffres.' });
  }
  if (d.crossBorder?.involved && !nonEmpty(d.crossBorder.countries)) out.push({ path: 'crossBorder.countries', message: 'Précisez les États de l’Union européenne concernés.' });
  if (d.riskLevel === 'eleve' && d.personsInformed?.status === 'no' && !has(d.personsInformed.reasonNot)) {
    out.push({ path: 'personsInformed.reasonNot', message: 'Risque élevé : les personnes doivent être informées (art. 34 RGPD), sauf exception à justifier.' });
  }
  return out;
}

/** What a fresh dossier can already say from the incident and the organisation. */
export function prefillDossier(incident: IncidentInfo, organisation: OrganisationInfo): CnilDossier {
  const iso = (v: string | Date | null | undefined) => (v ? new Date(v).toISOString() : undefined);
  const pd = incident.personalData;
  return {
    notificationKind: 'initial',
    contact: organisation.dpo.name || organisation.dpo.email
      ? { name: organisation.dpo.name ?? undefined, role: 'Délégué(e) à la protection des données', email: organisation.dpo.email ?? undefined, phone: organisation.dpo.phone ?? undefined }
      : undefined,
    dates: { startedAt: iso(incident.startedAt), discoveredAt: iso(incident.awareAt), endedAt: iso(incident.endedAt), ongoing: incident.endedAt ? undefined : true },
    detectionMethod: incident.detectedHow || undefined,
    // Until the DPO writes the circumstances, how it was detected is the best account we have.
    howItHappened: incident.detectedHow || undefined,
    origin: incident.type === 'perte_vol_materiel' ? 'materiel_perdu_vole' : ['rancongiciel', 'exfiltration', 'compromission_compte', 'hameconnage'].includes(incident.type) ? 'piratage' : undefined,
    cause: incident.type === 'prestataire' ? 'prestataire' : undefined,
    persons: pd.approxPersons != null || pd.minors ? { approxCount: pd.approxPersons ?? undefined, minors: pd.minors } : undefined,
    records: pd.approxRecords != null ? { approxCount: pd.approxRecords } : undefined,
    dataCategories: pd.categories.length ? pd.categories : undefined,
  };
}

/** Saved values win over the prefill, field by field (one level deep, as the form is built). */
export function mergeDossier(base: CnilDossier, saved: CnilDossier): CnilDossier {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) continue;
    const prior = out[key];
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && prior && typeof prior === 'object' && !Array.isArray(prior) ? { ...prior, ...value } : value;
  }
  return out as CnilDossier;
}

export interface DossierChange {
  path: string;
  /** French label of the field, for the complementary notification. */
  label: string;
  before: unknown;
  after: unknown;
}

// A field cleared in the form arrives as "", [] or {}: for the CNIL that is "not given", as absent.
function blank(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(blank);
  return false;
}

/** Leaf-level differences, for a complementary notification that states only what changed. */
export function dossierDiff(previous: CnilDossier, current: CnilDossier): DossierChange[] {
  const changes: DossierChange[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const walk = (a: unknown, b: unknown, path: string) => {
    if (isObj(a) || isObj(b)) {
      const keys = new Set([...Object.keys(isObj(a) ? a : {}), ...Object.keys(isObj(b) ? b : {})]);
      for (const k of [...keys].sort()) walk(isObj(a) ? a[k] : undefined, isObj(b) ? b[k] : undefined, path ? `${path}.${k}` : k);
      return;
    }
    if (blank(a) && blank(b)) return;
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      changes.push({ path, label: DOSSIER_LABELS[path] ?? DOSSIER_LABELS[path.split('.')[0]!] ?? path, before: blank(a) ? null : a, after: blank(b) ? null : b });
    }
  };
  walk(previous, current, '');
  return changes;
}
