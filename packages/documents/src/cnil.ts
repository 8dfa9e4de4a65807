// The CNIL notification dossier: every item of art. 33(3) GDPR and of the CNIL's online form.
// Every field is optional so a draft can be saved at 3 a.m.; completeness says what is missing.
import { z } from 'zod';
import type { IncidentInfo, OrganisationInfo } from './types.ts';

const text = (max = 20_000) => z.string().trim().max(max);
const list = z.array(z.string().trim().min(1).max(300)).max(100);
const instant = z.iso.datetime({ offset: true, message: 'Date et heure ISO 8601 attendues.' });

export const cnilDossierSchema = z.object({
  notificationKind: z.enum(['initial', 'complementary', 'complete']).optional(),
  contact: z
    .object({ name: text(200).optional(), role: text(200).optional(), email: z.string().trim().email('Adresse électronique invalide.').max(320).optional().or(z.literal('')), phone: text(40).optional() })
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
  nature: z.object({ confidentiality: z.boolean().optional(), integrity: z.boolean().optional(), availability: z.boolean().optional() }).optional(),
  howItHappened: text().optional(),
  cause: z.enum(['malveillance_externe', 'malveillance_interne', 'erreur_interne', 'prestataire', 'inconnue']).optional(),
  persons: z.object({ approxCount: z.number().int().min(0).max(1_000_000_000).optional(), categories: list.optional(), minors: z.boolean().optional() }).optional(),
  records: z.object({ approxCount: z.number().int().min(0).max(100_000_000_000).optional() }).optional(),
  dataCategories: list.optional(),
  sensitiveData: list.optional(),
  consequences: text().optional(),
  measuresTaken: text().optional(),
  measuresPlanned: text().optional(),
  personsInformed: z
    .object({ status: z.enum(['yes', 'planned', 'no']).optional(), how: text(5000).optional(), when: instant.optional(), reasonNot: text(5000).optional() })
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

export interface Completeness {
  complete: boolean;
  late: boolean;
  fields: CompletenessField[];
}

const has = (s: string | undefined | null) => !!s && s.trim().length > 0;
const nonEmpty = (l: unknown[] | undefined) => !!l && l.length > 0;

/** Field by field, in the order of the CNIL form. Reasons for delay become required after 72 h. */
export function dossierCompleteness(dossier: CnilDossier, context: { awareAt: Date; notifiedAt: Date }): Completeness {
  const late = context.notifiedAt.getTime() - context.awareAt.getTime() > 72 * 3_600_000;
  const d = dossier;
  const fields: CompletenessField[] = [
    { path: 'notificationKind', label: 'Type de notification (initiale, complémentaire, complète)', filled: !!d.notificationKind, required: true },
    { path: 'contact', label: 'Personne à contacter (DPO ou responsable)', filled: has(d.contact?.name) && (has(d.contact?.email) || has(d.contact?.phone)), required: true },
    { path: 'dates.startedAt', label: 'Date de début de la violation (ou « inconnue »)', filled: has(d.dates?.startedAt) || !!d.dates?.startUnknown, required: true },
    { path: 'dates.discoveredAt', label: 'Date de prise de connaissance', filled: has(d.dates?.discoveredAt), required: true },
    { path: 'dates.endedAt', label: 'Date de fin (ou « en cours »)', filled: has(d.dates?.endedAt) || !!d.dates?.ongoing, required: true },
    { path: 'nature', label: 'Nature : confidentialité, intégrité, disponibilité', filled: !!(d.nature?.confidentiality || d.nature?.integrity || d.nature?.availability), required: true },
    { path: 'howItHappened', label: 'Circonstances : comment la violation s’est produite', filled: has(d.howItHappened), required: true },
    { path: 'cause', label: 'Origine de la violation', filled: !!d.cause, required: false },
    { path: 'persons.approxCount', label: 'Nombre approximatif de personnes concernées', filled: d.persons?.approxCount !== undefined, required: true },
    { path: 'persons.categories', label: 'Catégories de personnes concernées', filled: nonEmpty(d.persons?.categories), required: true },
    { path: 'records.approxCount', label: "Nombre approximatif d'enregistrements concernés", filled: d.records?.approxCount !== undefined, required: true },
    { path: 'dataCategories', label: 'Catégories de données concernées', filled: nonEmpty(d.dataCategories), required: true },
    { path: 'sensitiveData', label: 'Données sensibles ou relatives aux infractions', filled: d.sensitiveData !== undefined, required: false },
    { path: 'consequences', label: 'Conséquences probables pour les personnes', filled: has(d.consequences), required: true },
    { path: 'measuresTaken', label: 'Mesures prises pour remédier à la violation', filled: has(d.measuresTaken), required: true },
    { path: 'measuresPlanned', label: 'Mesures envisagées', filled: has(d.measuresPlanned), required: true },
    {
      path: 'personsInformed',
      label: 'Information des personnes : oui, prévue, ou motif de non-information',
      filled: !!d.personsInformed?.status && (d.personsInformed.status !== 'no' || has(d.personsInformed.reasonNot)) && (d.personsInformed.status === 'no' || has(d.personsInformed.how)),
      required: true,
    },
    { path: 'crossBorder', label: 'Dimension transfrontalière', filled: d.crossBorder?.involved !== undefined, required: true },
    { path: 'otherReports', label: 'Autres signalements (plainte, ANSSI, CSIRT)', filled: has(d.otherReports), required: false },
    { path: 'delayReasons', label: 'Motifs du retard (notification après 72 heures)', filled: has(d.delayReasons), required: late },
  ];
  return { complete: fields.every((f) => !f.required || f.filled), late, fields };
}

/** What a fresh dossier can already say from the incident and the organisation. */
export function prefillDossier(incident: IncidentInfo, organisation: OrganisationInfo): CnilDossier {
  const iso = (v: string | Date | null | undefined) => (v ? new Date(v).toISOString() : undefined);
  return {
    notificationKind: 'initial',
    contact: organisation.dpo.name || organisation.dpo.email
      ? { name: organisation.dpo.name ?? undefined, role: 'Délégué(e) à la protection des données', email: organisation.dpo.email ?? undefined, phone: organisation.dpo.phone ?? undefined }
      : undefined,
    dates: { startedAt: iso(incident.startedAt), discoveredAt: iso(incident.awareAt), endedAt: iso(incident.endedAt), ongoing: incident.endedAt ? undefined : true },
    howItHappened: incident.detectedHow || undefined,
    persons: incident.personalData.approxPersons != null ? { approxCount: incident.personalData.approxPersons, minors: incident.personalData.minors } : undefined,
    records: incident.personalData.approxRecords != null ? { approxCount: incident.personalData.approxRecords } : undefined,
    dataCategories: incident.personalData.categories.length ? incident.personalData.categories : undefined,
  };
}

/** Saved values win over the prefill, field by field. */
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
  before: unknown;
  after: unknown;
}

/** Leaf-level differences, for a complementary notification that states only what changed. */
export function dossierDiff(previous: CnilDossier, current: CnilDossier): DossierChange[] {
  const changes: DossierChange[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObj(a) || isObj(b)) {
      const keys = new Set([...Object.keys((a as object) ?? {}), ...Object.keys((b as object) ?? {})]);
      for (const k of [...keys].sort()) walk((a as Record<string, unknown>)?.[k], (b as Record<string, unknown>)?.[k], path ? `${path}.${k}` : k);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ path, before: a ?? null, after: b ?? null });
  };
  walk(previous, current, '');
  return changes;
}
