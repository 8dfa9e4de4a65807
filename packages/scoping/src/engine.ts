// scopeRecords: read the extract through @rempart/ingest, resolve persons over ALL rows (records
// outside the perimeter still help to reach people), then keep the persons with a record inside.
import { createMapper, readBatches, type CanonicalRecord, type IngestIssue, type Mapping } from '@rempart/ingest';
import { addressKey, birthDateKey, emailKey, genderKey, labelKey, normText, phoneKey, postcodeKey, type Phone } from './normalize.ts';
import { resolvePersons, type ResolveOptions, type ScoredPair } from './resolve.ts';
import { applyDecisions, type ReviewDecision } from './decisions.ts';
import { defaultRiskMatrix, type RiskMatrix } from './risks.ts';

export const CATEGORIES = ['identity', 'birth', 'contact', 'address', 'vehicle', 'absence', 'offence', 'facts', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const RISKS = ['phishing', 'identity_theft', 'burglary', 'retaliation', 'vehicle_fraud', 'sensitive'] as const;
export type Risk = (typeof RISKS)[number];

const FIELD_CATEGORY: Record<string, Category> = {
  'person.last_name': 'identity', 'person.first_name': 'identity', 'person.id_document': 'identity',
  'person.gender': 'identity', 'person.occupation': 'identity', 'person.other_names': 'identity',
  'person.birth_date': 'birth', 'person.birth_place': 'birth',
  'person.phone': 'contact', 'person.email': 'contact',
  'person.address': 'address', 'person.postcode': 'address', 'person.city': 'address',
  'vehicle.plate': 'vehicle', 'absence.start': 'absence', 'absence.end': 'absence',
  'offence.label': 'offence', 'facts.text': 'facts',
};
export const KNOWN_FIELDS = ['record.id', 'dossier.id', 'dossier.module', 'dossier.date', 'person.role', ...Object.keys(FIELD_CATEGORY)];

export interface ScopeRecord {
  index: number; file: string; line: number; recordId: string; dossierId: string; module: string; dossierDate?: string; role: string;
  inPerimeter: boolean; fields: CanonicalRecord; other: string[]; phone: Phone | null; email: string; address: string; postcode: string; city: string;
}

export interface ScopeOptions {
  since?: string; // yyyy-MM-dd, on dossier.date, included
  until?: string; // included
  modules?: string[];
  /** Notification date (yyyy-MM-dd): minors and current absences are judged on it. */
  notificationDate: string;
  resolve?: ResolveOptions;
  /** Risk matrix (defaults: risks.yml); see loadRiskMatrix. */
  risks?: RiskMatrix;
  onProgress?: (p: { stage: string; done: number; total?: number }) => void;
  signal?: AbortSignal;
  /** Reviewers' answers on record pairs (by record id), applied over the resolution. */
  decisions?: ReviewDecision[];
}

export interface ScopePerson {
  id: string; records: number[]; lastName: string; firstName: string; birthDate: string;
  modules: string[]; roles: string[]; categories: Category[]; risks: { risk: Risk; reason: string }[];
  phone: Phone | null; email: string; postal: { address: string; postcode: string; city: string } | null; minor: boolean;
}

export interface ScopeResult {
  records: ScopeRecord[]; persons: ScopePerson[]; personOf: Map<number, string>;
  rejected: IngestIssue[]; warnings: number; review: ScoredPair[];
  personsRange: [number, number];
  summary: Record<string, unknown>;
  /** Scores any two records (indexes) the way the resolver did, for side-by-side review. */
  explain: (a: number, b: number) => ScoredPair;
  decisionsApplied: number;
}

const ROLE_ALIASES: [RegExp, string][] = [
  [/MIS EN CAUSE|SUSPECT|AUTEUR/, 'mis_en_cause'], [/REQUERANT|PLAIGNANT|DECLARANT/, 'requerant'], [/TEMOIN/, 'temoin'],
  [/VICTIME/, 'victime'], [/PROPRIETAIRE/, 'proprietaire'],
];
export function canonicalRole(text: string): string {
  const n = normText(text);
  for (const [re, role] of ROLE_ALIASES) if (re.test(n)) return role;
  return n.toLowerCase().replace(/ /g, '_') || 'inconnu';
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export async function readScopeRecords(files: string[], mapping: Mapping, options: Pick<ScopeOptions, 'since' | 'until' | 'modules' | 'signal' | 'onProgress'>): Promise<{ records: ScopeRecord[]; rejected: IngestIssue[]; warnings: number }> {
  const mapper = createMapper(mapping, {
    required: ['person.last_name'],
    dates: { 'dossier.date': 'date', 'person.birth_date': 'date', 'absence.start': 'date', 'absence.end': 'date' },
    known: KNOWN_FIELDS, keepOther: true,
  });
  const records: ScopeRecord[] = [];
  const rejected: IngestIssue[] = [];
  let warnings = 0;
  const modules = options.modules?.length ? new Set(options.modules) : null;
  const today = new Date().toISOString().slice(0, 10);
  for (const file of files) {
    for await (const batch of readBatches(file, { format: mapping.format, delimiter: mapping.delimiter, encoding: mapping.encoding, onHeader: (c, f) => mapper.checkHeader(c, f), signal: options.signal })) {
      rejected.push(...batch.issues);
      for (const row of batch.rows) {
        const m = mapper.apply(row);
        if (!m.ok) { rejected.push(...m.issues); continue; }
        warnings += m.warnings.length;
        const r = m.record;
        const dossierDate = r['dossier.date'] === undefined ? undefined : str(r['dossier.date']);
        const module = str(r['dossier.module']) || 'inconnu';
        const inPerimeter = (!options.since || (dossierDate !== undefined && dossierDate >= options.since))
          && (!options.until || (dossierDate !== undefined && dossierDate <= options.until))
          && (!modules || modules.has(module));
        const other = Object.entries(m.other ?? {}).filter(([, v]) => str(v).trim() !== '').map(([k]) => k).sort();
        const birth = str(r['person.birth_date']);
        if (birth) {
          const fixed = birthDateKey(birth, today);
          if (fixed) r['person.birth_date'] = fixed;
          else delete r['person.birth_date'];
        }
        records.push({
          index: records.length, file: m.file, line: m.line, recordId: str(r['record.id']) || `${m.file}:${m.line}`, dossierId: str(r['dossier.id']),
          module, dossierDate, role: canonicalRole(str(r['person.role'])), inPerimeter, fields: r, other,
          phone: phoneKey(str(r['person.phone'])), email: emailKey(str(r['person.email'])), address: addressKey(str(r['person.address'])),
          postcode: postcodeKey(str(r['person.postcode'])), city: normText(str(r['person.city'])),
        });
      }
      options.onProgress?.({ stage: 'lecture', done: batch.linesRead });
    }
  }
  return { records, rejected, warnings };
}

function addYears(date: string, years: number): string { return `${String(Number(date.slice(0, 4)) + years).padStart(4, '0')}${date.slice(4)}`; }

export async function scopeRecords(input: { files: string[]; mapping: Mapping } | { records: ScopeRecord[]; rejected?: IngestIssue[]; warnings?: number }, options: ScopeOptions): Promise<ScopeResult> {
  const read = 'files' in input ? await readScopeRecords(input.files, input.mapping, options) : { records: input.records, rejected: input.rejected ?? [], warnings: input.warnings ?? 0 };
  const { records } = read;
  options.signal?.throwIfAborted();
  const resolution = resolvePersons(records.map((r) => ({
    last_name: str(r.fields['person.last_name']), first_name: str(r.fields['person.first_name']), birth_date: str(r.fields['person.birth_date']) || undefined,
    phone: r.phone?.e164, email: r.email || undefined, address: r.address || undefined, postcode: r.postcode || undefined,
    birth_place: labelKey(str(r.fields['person.birth_place'])) || undefined, gender: genderKey(str(r.fields['person.gender'])) || undefined,
    occupation: labelKey(str(r.fields['person.occupation'])) || undefined, other_names: str(r.fields['person.other_names']) || undefined,
  })), { ...options.resolve, signal: options.signal, onProgress: (stage, done, total) => options.onProgress?.({ stage, done, total }) });

  const decided = options.decisions?.length
    ? applyDecisions(records.map((r) => r.recordId), resolution.clusterOf, resolution.review, options.decisions, resolution.explain)
    : { clusterOf: resolution.clusterOf, applied: 0, review: resolution.review };
  const byCluster = new Map<number, number[]>();
  for (const r of records) { const c = decided.clusterOf[r.index]!; const l = byCluster.get(c); if (l) l.push(r.index); else byCluster.set(c, [r.index]); }
  // Dossiers whose mis en cause is exposed, for the retaliation risk.
  const matrix = options.risks ?? defaultRiskMatrix();
  const accusedBy = new Map<string, Set<string>>();
  for (const rule of Object.values(matrix)) {
    const key = rule.when.accused_roles.join('|');
    if (rule.when.accused_roles.length && !accusedBy.has(key)) accusedBy.set(key, new Set(records.filter((r) => r.inPerimeter && rule.when.accused_roles.includes(r.role) && r.dossierId).map((r) => r.dossierId)));
  }
  const persons: ScopePerson[] = [];
  const personOf = new Map<number, string>();
  const today = options.notificationDate;
  for (const all of [...byCluster.values()].sort((a, b) => a[0]! - b[0]!)) {
    const inside = all.filter((i) => records[i]!.inPerimeter);
    if (!inside.length) continue;
    const id = `P${String(persons.length + 1).padStart(6, '0')}`;
    for (const i of inside) personOf.set(i, id);
    const rs = inside.map((i) => records[i]!);
    const every = all.map((i) => records[i]!);
    const categories = new Set<Category>();
    for (const r of rs) {
      for (const k of Object.keys(r.fields)) { const c = FIELD_CATEGORY[k]; if (c) categories.add(c); }
      if (r.other.length) categories.add('other');
    }
    const mode = (vals: string[]) => { const c = new Map<string, number>(); for (const v of vals) if (v) c.set(v, (c.get(v) ?? 0) + 1); return [...c.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? ''; };
    const birthDate = mode(every.map((r) => str(r.fields['person.birth_date'])));
    const roles = [...new Set(rs.map((r) => r.role))].sort();
    const modules = [...new Set(rs.map((r) => r.module))].sort();
    const risks: { risk: Risk; reason: string }[] = [];
    const roleFr: Record<string, string> = { temoin: 'témoin', victime: 'victime', requerant: 'requérant', mis_en_cause: 'mis en cause', proprietaire: 'propriétaire' };
    for (const risk of RISKS) {
      const rule = matrix[risk];
      if (!rule.enabled) continue;
      const w = rule.when;
      if (!w.categories_all.every((c) => categories.has(c))) continue;
      let detail = '';
      let hit = !(w.categories_any.length || w.fields_any.length || w.modules_any.length || w.open_absence || w.exposed_roles.length);
      if (!hit && w.categories_any.some((c) => categories.has(c))) hit = true;
      if (!hit && w.fields_any.some((f) => rs.some((r) => r.fields[f] !== undefined))) hit = true;
      const inModule = w.modules_any.length ? rs.find((r) => w.modules_any.includes(r.module)) : undefined;
      const open = w.open_absence ? rs.find((r) => r.fields['absence.start'] !== undefined && (r.fields['absence.end'] === undefined || str(r.fields['absence.end']) >= today)) : undefined;
      if (!hit && (inModule || open)) { hit = true; detail = inModule ? (inModule.module === 'otv' ? 'opération tranquillité vacances' : `module ${inModule.module}`) : `absence du ${str(open!.fields['absence.start'])}`; }
      if (!hit && w.exposed_roles.length) {
        const accused = accusedBy.get(w.accused_roles.join('|'))!;
        const exposed = rs.find((r) => w.exposed_roles.includes(r.role) && accused.has(r.dossierId));
        if (exposed) { hit = true; detail = `${roleFr[exposed.role] ?? exposed.role} (dossier ${exposed.dossierId})`; }
      }
      if (hit) risks.push({ risk, reason: rule.reason.replace(/\{detail\}/g, detail).trim() });
    }
    // Reachability uses every record of the person, newest dossier first; mobiles first for SMS.
    const newest = [...every].sort((a, b) => str(b.dossierDate).localeCompare(str(a.dossierDate)) || a.index - b.index);
    const phone = newest.find((r) => r.phone?.mobile)?.phone ?? newest.find((r) => r.phone)?.phone ?? null;
    const email = newest.find((r) => r.email)?.email ?? '';
    const post = newest.find((r) => r.address && (r.postcode || r.city));
    persons.push({
      id, records: inside, lastName: normText(mode(every.map((r) => str(r.fields['person.last_name'])))), firstName: mode(every.map((r) => str(r.fields['person.first_name']))),
      birthDate, modules, roles, categories: CATEGORIES.filter((c) => categories.has(c)), risks, phone, email,
      postal: post ? { address: str(post.fields['person.address']), postcode: post.postcode, city: str(post.fields['person.city']) } : null,
      minor: birthDate !== '' && addYears(birthDate, 18) > today,
    });
  }
  const inRecords = records.filter((r) => r.inPerimeter);
  // The range of the person count: recount persons inside the perimeter at the strict / loose thresholds.
  const ratio = persons.length / Math.max(1, resolution.clusters);
  const personsRange: [number, number] = [Math.min(persons.length, Math.round(resolution.clustersLoose * ratio)), Math.max(persons.length, Math.round(resolution.clustersStrict * ratio))];
  const countBy = <T extends string>(list: T[][]) => { const c: Record<string, number> = {}; for (const l of list) for (const v of l) c[v] = (c[v] ?? 0) + 1; return Object.fromEntries(Object.entries(c).sort()); };
  const rejectedBy: Record<string, number> = {};
  for (const i of read.rejected) rejectedBy[i.code] = (rejectedBy[i.code] ?? 0) + 1;
  const summary = {
    persons: persons.length, persons_range: personsRange, records: inRecords.length, records_read: records.length,
    perimeter: { since: options.since ?? null, until: options.until ?? null, modules: options.modules ?? null }, notification_date: today,
    by_module: countBy(persons.map((p) => p.modules)), records_by_module: countBy(inRecords.map((r) => [r.module])),
    by_category: countBy(persons.map((p) => p.categories)), by_role: countBy(persons.map((p) => p.roles)), by_risk: countBy(persons.map((p) => p.risks.map((r) => r.risk))),
    minors: persons.filter((p) => p.minor).length,
    reachable: { sms: persons.filter((p) => p.phone?.mobile).length, phone: persons.filter((p) => p.phone).length, email: persons.filter((p) => p.email).length, postal: persons.filter((p) => p.postal).length, none: persons.filter((p) => !p.phone && !p.email && !p.postal).length },
    review_pairs: decided.review.length, decisions_applied: decided.applied, rejected_rows: read.rejected.length, rejected_by_code: rejectedBy, warnings: read.warnings,
    model: { pairs_compared: resolution.parameters.pairsCompared, blocks_windowed: resolution.parameters.blocksWindowed, blocks_skipped: resolution.parameters.blocksSkipped, prior: Number(resolution.parameters.lambda.toPrecision(4)) },
  };
  return { records, persons, personOf, rejected: read.rejected, warnings: read.warnings, review: decided.review, personsRange, summary, explain: resolution.explain, decisionsApplied: decided.applied };
}
