// The CNIL dossier as the form edits it: flat strings and booleans, and back. Pure, so it is tested
// without a browser; the rules that matter (empty is "not given", an empty sensitive-data list
// says "none") live here.
import { isoToLocalInput, lines, localInputToIso } from './format.ts';

export const ORIGINS = ['piratage', 'materiel_perdu_vole', 'papier_perdu_vole', 'courrier_perdu_ouvert', 'envoi_mauvais_destinataire', 'publication_involontaire', 'donnees_mauvaise_personne', 'divulgation_orale', 'mise_au_rebut', 'autre'] as const;
export const CAUSES = ['malveillance_externe', 'malveillance_interne', 'accident_externe', 'erreur_interne', 'prestataire', 'inconnue'] as const;
export const RISKS = ['improbable', 'risque', 'eleve'] as const;
export const KINDS = ['initial', 'complementary', 'complete'] as const;
export type Kind = (typeof KINDS)[number];

export interface Dossier {
  notificationKind?: Kind;
  previousNotificationReference?: string;
  contact?: { name?: string; role?: string; email?: string; phone?: string };
  dates?: { startedAt?: string; startUnknown?: boolean; discoveredAt?: string; endedAt?: string; ongoing?: boolean };
  detectionMethod?: string;
  nature?: { confidentiality?: boolean; integrity?: boolean; availability?: boolean };
  origin?: string;
  howItHappened?: string;
  cause?: string;
  persons?: { approxCount?: number; categories?: string[]; minors?: boolean; vulnerable?: boolean };
  records?: { approxCount?: number };
  dataCategories?: string[];
  sensitiveData?: string[];
  riskLevel?: string;
  consequences?: string;
  measuresTaken?: string;
  measuresPlanned?: string;
  personsInformed?: { status?: 'yes' | 'planned' | 'no'; how?: string; when?: string; content?: string; reasonNot?: string };
  crossBorder?: { involved?: boolean; countries?: string[]; otherAuthorities?: string };
  otherReports?: string;
  delayReasons?: string;
}
export interface CnilState {
  dossier: Dossier;
  completeness: {
    complete: boolean;
    late: boolean;
    deadline?: string;
    fields: { path: string; label: string; filled: boolean; required: boolean }[];
    warnings?: { path: string; message: string }[];
  };
  submissions: { id: string; kind: string; submittedAt: string; submittedByName: string; changes?: { path: string; label: string }[] | null }[];
}

export type Form = Record<string, string | boolean>;

/** Drops empty values so that an untouched field stays "not given" rather than "". */
export const clean = <T extends object>(o: T): T | undefined => {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
};
/** "10 000", "10 000" (narrow space) and "10000" are the same count; anything else is sent as typed for the server to refuse. */
export const num = (v: string): number | undefined => {
  const compact = v.replace(/\s/g, '');
  if (compact === '') return undefined;
  return /^\d+$/.test(compact) ? Number(compact) : Number.NaN;
};
export const anchor = (path: string) => `cnil-${path.replace(/\./g, '-')}`;

export function toForm(d: Dossier): Form {
  const yesNo = (b: boolean | undefined) => (b === undefined ? '' : b ? 'yes' : 'no');
  return {
    notificationKind: d.notificationKind ?? '', previousNotificationReference: d.previousNotificationReference ?? '',
    contactName: d.contact?.name ?? '', contactRole: d.contact?.role ?? '', contactEmail: d.contact?.email ?? '', contactPhone: d.contact?.phone ?? '',
    startedAt: isoToLocalInput(d.dates?.startedAt), startUnknown: !!d.dates?.startUnknown, discoveredAt: isoToLocalInput(d.dates?.discoveredAt),
    endedAt: isoToLocalInput(d.dates?.endedAt), ongoing: !!d.dates?.ongoing, detectionMethod: d.detectionMethod ?? '',
    confidentiality: !!d.nature?.confidentiality, integrity: !!d.nature?.integrity, availability: !!d.nature?.availability,
    origin: d.origin ?? '', howItHappened: d.howItHappened ?? '', cause: d.cause ?? '',
    personsCount: d.persons?.approxCount?.toString() ?? '', personsCategories: (d.persons?.categories ?? []).join('\n'),
    minors: yesNo(d.persons?.minors), vulnerable: yesNo(d.persons?.vulnerable),
    recordsCount: d.records?.approxCount?.toString() ?? '', dataCategories: (d.dataCategories ?? []).join('\n'),
    sensitiveNone: d.sensitiveData !== undefined && d.sensitiveData.length === 0, sensitiveData: (d.sensitiveData ?? []).join('\n'),
    riskLevel: d.riskLevel ?? '', consequences: d.consequences ?? '', measuresTaken: d.measuresTaken ?? '', measuresPlanned: d.measuresPlanned ?? '',
    informed: d.personsInformed?.status ?? '', informedHow: d.personsInformed?.how ?? '', informedWhen: isoToLocalInput(d.personsInformed?.when),
    informedContent: d.personsInformed?.content ?? '', reasonNot: d.personsInformed?.reasonNot ?? '',
    crossBorder: yesNo(d.crossBorder?.involved), countries: (d.crossBorder?.countries ?? []).join('\n'), otherAuthorities: d.crossBorder?.otherAuthorities ?? '',
    otherReports: d.otherReports ?? '', delayReasons: d.delayReasons ?? '',
  };
}

/** The form back as a dossier; what the form does not show (e.g. the contact's role when never edited) is kept. */
export function toDossier(f: Form, previous: Dossier): Dossier {
  const s = (k: string) => String(f[k] ?? '').trim();
  const b = (k: string) => f[k] === true;
  const yesNo = (k: string) => (s(k) === 'yes' ? true : s(k) === 'no' ? false : undefined);
  const sensitive = b('sensitiveNone') ? [] : lines(s('sensitiveData'));
  return {
    ...previous,
    notificationKind: (s('notificationKind') || undefined) as Kind | undefined,
    previousNotificationReference: s('previousNotificationReference') || undefined,
    contact: clean({ name: s('contactName'), role: s('contactRole'), email: s('contactEmail'), phone: s('contactPhone') }),
    dates: clean({ startedAt: localInputToIso(s('startedAt')), startUnknown: b('startUnknown') || undefined, discoveredAt: localInputToIso(s('discoveredAt')), endedAt: localInputToIso(s('endedAt')), ongoing: b('ongoing') || undefined }),
    detectionMethod: s('detectionMethod') || undefined,
    nature: clean({ confidentiality: b('confidentiality') || undefined, integrity: b('integrity') || undefined, availability: b('availability') || undefined }),
    origin: s('origin') || undefined,
    howItHappened: s('howItHappened') || undefined,
    cause: s('cause') || undefined,
    persons: clean({ approxCount: num(s('personsCount')), categories: lines(s('personsCategories')), minors: yesNo('minors'), vulnerable: yesNo('vulnerable') }),
    records: clean({ approxCount: num(s('recordsCount')) }),
    dataCategories: lines(s('dataCategories')),
    // An empty list says "none"; leaving both the box and the list empty says "not assessed yet".
    sensitiveData: b('sensitiveNone') || sensitive.length ? sensitive : undefined,
    riskLevel: s('riskLevel') || undefined,
    consequences: s('consequences') || undefined,
    measuresTaken: s('measuresTaken') || undefined,
    measuresPlanned: s('measuresPlanned') || undefined,
    personsInformed: clean({ status: (s('informed') || undefined) as 'yes' | undefined, how: s('informedHow'), when: localInputToIso(s('informedWhen')), content: s('informedContent'), reasonNot: s('reasonNot') }),
    crossBorder: clean({ involved: yesNo('crossBorder'), countries: lines(s('countries')), otherAuthorities: s('otherAuthorities') }),
    otherReports: s('otherReports') || undefined,
    delayReasons: s('delayReasons') || undefined,
  };
}

