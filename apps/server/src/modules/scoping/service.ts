// Breach scoping inside an incident: map the extract's columns, run the engine as a job, keep what it
// finds sealed with the dataset's key, and show it masked; only counts are stored in clear.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { createMapper, formatIssue, IngestError, loadMapping, readBatches, type IngestIssue, type Mapping } from '@rempart/ingest';
import { KNOWN_FIELDS, scopeRecords, type ScopePerson, type ScopeResult } from '@rempart/scoping';
import { json } from '@rempart/db';
import { AppError, errors } from '../../platform/errors.ts';
import { safeIssuesText } from '../../platform/job-errors.ts';
import type { Services } from '../../platform/services.ts';
import { withScratchDir } from '../../platform/scratch.ts';
import { previewText, readDataset, scopingResultKey, scopingResultKeys, scopingSegmentKey, withDatasetKey, type ScopingLayout } from '../datasets/service.ts';

// ---------------------------------------------------------------------------------------------
// Mapping: a suggestion from the header, then a preview of the first rows as the engine reads them.

const loose = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** Header names seen in police-software exports, per canonical field (compared without case, accents or punctuation). */
const ALIASES: Record<string, string[]> = {
  'record.id': ['id ligne', 'id', 'identifiant', 'identifiant ligne', 'n ligne', 'no ligne'],
  'dossier.id': ['n dossier', 'no dossier', 'numero dossier', 'num dossier', 'dossier', 'reference dossier', 'reference'],
  'dossier.module': ['module', 'type de dossier', 'type dossier', 'application'],
  'dossier.date': ['date dossier', 'date du dossier', 'date de creation', 'date creation', 'date saisie', 'date'],
  'person.role': ['role', 'qualite', 'role personne'],
  'person.last_name': ['nom', 'nom de famille', 'nom d usage', 'nom usage', 'nom naissance'],
  'person.first_name': ['prenom', 'prenoms'],
  'person.birth_date': ['date de naissance', 'date naissance', 'ne le', 'nee le', 'naissance', 'ddn'],
  'person.birth_place': ['lieu de naissance', 'lieu naissance', 'ne a', 'nee a', 'commune de naissance'],
  'person.gender': ['sexe', 'civilite', 'genre'],
  'person.occupation': ['profession', 'metier', 'emploi', 'activite professionnelle'],
  // After person.last_name: the column it took is skipped, so a second surname column lands here.
  'person.other_names': ['alias', 'autres noms', 'surnom', 'nom de naissance', 'nom naissance', 'nom de jeune fille', 'nom d usage', 'nom usage', 'nom marital', 'nom d epouse'],
  'person.phone': ['telephone', 'tel', 'portable', 'mobile', 'numero de telephone'],
  'person.email': ['courriel', 'email', 'e mail', 'mail', 'adresse electronique', 'adresse mail'],
  'person.address': ['adresse', 'adresse postale', 'rue', 'domicile'],
  'person.postcode': ['code postal', 'cp'],
  'person.city': ['ville', 'commune', 'localite'],
  'person.id_document': ['piece d identite', 'numero cni', 'cni', 'passeport', 'numero piece'],
  'vehicle.plate': ['immatriculation', 'plaque', 'immat'],
  'absence.start': ['absence du', 'debut absence', 'date de depart', 'depart le', 'depart'],
  'absence.end': ['absence au', 'fin absence', 'date de retour', 'retour le', 'retour'],
  'offence.label': ['infraction', 'natinf', 'qualification', 'nature infraction'],
  'facts.text': ['faits', 'recit', 'recit des faits', 'observations', 'description'],
};

export const DATE_FORMATS = ['dd/MM/yyyy', 'yyyy-MM-dd', 'd/M/yyyy', 'd/M/yy', 'dd/MM/yy'];
const MAPPER_OPTIONS = {
  required: ['person.last_name'],
  dates: { 'dossier.date': 'date', 'person.birth_date': 'date', 'absence.start': 'date', 'absence.end': 'date' } as const,
  known: KNOWN_FIELDS, keepOther: true,
};
const MAX_PREVIEW_BYTES = 256 * 1024;
const PREVIEW_ROWS = 20;

/** The decrypted extract (or its head) as a private temporary file, for the streaming readers; always removed. */
async function withPlainFile<T>(services: Services, data: Buffer, name: string, use: (file: string) => Promise<T>): Promise<T> {
  return withScratchDir(services, 'scoping', async (dir) => {
    const file = path.join(dir, name);
    await writeFile(file, data, { mode: 0o600 });
    return use(file);
  });
}

const safeName = (name: string) => (/\.(ndjson|jsonl|json)(\.gz)?$/i.test(name) ? 'extrait.ndjson' : 'extrait.csv') + (/\.gz$/i.test(name) ? '.gz' : '');

function head(data: Buffer): Buffer {
  if (data.length <= MAX_PREVIEW_BYTES || (data[0] === 0x1f && data[1] === 0x8b)) return data;
  const cut = data.lastIndexOf(0x0a, MAX_PREVIEW_BYTES);
  return data.subarray(0, cut > 0 ? cut + 1 : MAX_PREVIEW_BYTES);
}

async function readHeader(services: Services, data: Buffer, name: string, mapping: Pick<Mapping, 'format' | 'delimiter' | 'encoding'>): Promise<{ columns: string[]; rows: { line: number; values: Record<string, unknown> }[]; issues: IngestIssue[] }> {
  return withPlainFile(services, head(data), safeName(name), async (file) => {
    let columns: string[] = [];
    const rows: { line: number; values: Record<string, unknown> }[] = [];
    const issues: IngestIssue[] = [];
    for await (const batch of readBatches(file, { ...mapping, name, batchSize: 64, onHeader: (c) => { columns = c; } })) {
      issues.push(...batch.issues);
      for (const r of batch.rows) { if (rows.length < 200) rows.push({ line: r.line, values: r.values }); }
      if (rows.length >= 200) break;
    }
    if (!columns.length && rows[0]) columns = Object.keys(rows[0].values);
    return { columns, rows, issues };
  });
}

/** A mapping to start from: each canonical field matched to a header column, module labels to codes. */
export async function suggestMapping(services: Services, data: Buffer, name: string): Promise<string> {
  const p = previewText(data);
  const format = /\.(ndjson|jsonl|json)(\.gz)?$/i.test(name) ? 'ndjson' : 'csv';
  // A gzip file's head says nothing about its text: let the reader detect encoding and delimiter.
  const gzip = data[0] === 0x1f && data[1] === 0x8b;
  const base = { format, encoding: gzip ? 'auto' : p.encoding, ...(format === 'csv' && p.delimiter && !gzip ? { delimiter: p.delimiter } : {}) } as const;
  const { columns, rows } = await readHeader(services, data, name, base);
  const byLoose = new Map(columns.map((c) => [loose(c), c]));
  const taken = new Set<string>();
  const fields: Record<string, string> = {};
  for (const [field, aliases] of Object.entries(ALIASES)) {
    const found = aliases.map((a) => byLoose.get(a)).find((c) => c !== undefined && !taken.has(c));
    if (found) { fields[field] = found; taken.add(found); }
  }
  const values: Record<string, Record<string, string>> = {};
  const moduleColumn = fields['dossier.module'];
  if (moduleColumn) {
    const labels = [...new Set(rows.map((r) => String(r.values[moduleColumn] ?? '').trim()).filter(Boolean))].slice(0, 50).sort();
    const map = Object.fromEntries(labels.map((l) => [l, loose(l).replace(/ /g, '_') || l]).filter(([l, c]) => l !== c));
    if (Object.keys(map).length) values['dossier.module'] = map;
  }
  return stringify({ ...base, dates: { format: DATE_FORMATS, timezone: 'Europe/Paris' }, fields, ...(Object.keys(values).length ? { values } : {}) }, { lineWidth: 0 });
}

export interface MappingPreview {
  ok: boolean;
  /** Problems that stop a run: YAML errors, unknown keys, mapped columns absent from the header. */
  errors: { line?: number; field?: string; column?: string; message: string }[];
  columns: string[];
  unmapped: string[];
  rows: { line: number; values: Record<string, string>; raw: Record<string, string>; other: string[]; issues: { field?: string; column?: string; message: string }[] }[];
}

const issueOut = (i: IngestIssue, columnOf: (field?: string) => string | undefined) => ({ line: i.line, field: i.field, column: columnOf(i.field) ?? (i.code === 'missing_column' ? i.value : undefined), message: formatIssue(i) });

export function parseMapping(text: string): { ok: true; mapping: Mapping } | { ok: false; errors: MappingPreview['errors'] } {
  const loaded = loadMapping({ text, name: 'correspondance.yml' });
  if (!loaded.ok) return { ok: false, errors: loaded.issues.map((i) => ({ line: i.line, field: i.field, message: formatIssue(i) })) };
  const unknown = Object.keys(loaded.mapping.fields).filter((f) => !KNOWN_FIELDS.includes(f));
  if (unknown.length) {
    return { ok: false, errors: unknown.map((f) => ({ field: f, message: `correspondance.yml, champ ${f} : champ inconnu ; champs possibles : ${KNOWN_FIELDS.join(', ')}.` })) };
  }
  return loaded;
}

/** The first rows read with this mapping: values as the engine will see them, and each problem located. */
export async function previewMapping(services: Services, data: Buffer, name: string, text: string): Promise<MappingPreview> {
  const parsed = parseMapping(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, columns: [], unmapped: [], rows: [] };
  const mapping = parsed.mapping;
  const columnOf = (field?: string) => {
    const spec = field ? mapping.fields[field] : undefined;
    return spec === undefined ? undefined : typeof spec === 'string' ? spec : spec.column ?? spec.columns?.join(' + ');
  };
  const mapper = createMapper(mapping, MAPPER_OPTIONS);
  let read;
  try {
    read = await readHeader(services, data, name, mapping);
  } catch (e) {
    if (e instanceof IngestError) return { ok: false, errors: e.issues.map((i) => issueOut(i, columnOf)), columns: [], unmapped: [], rows: [] };
    throw e;
  }
  try {
    mapper.checkHeader(read.columns, name);
  } catch (e) {
    if (e instanceof IngestError) return { ok: false, errors: e.issues.map((i) => issueOut(i, columnOf)), columns: read.columns, unmapped: [], rows: [] };
    throw e;
  }
  const used = new Set(Object.values(mapping.fields).flatMap((s) => (typeof s === 'string' ? [s] : s.columns ?? [s.column!])).map(loose));
  const rows: MappingPreview['rows'] = [];
  for (const row of read.rows.slice(0, PREVIEW_ROWS)) {
    const m = mapper.apply({ file: name, line: row.line, values: row.values });
    const raw = Object.fromEntries(Object.entries(row.values).map(([k, v]) => [k, v === undefined || v === null ? '' : String(v)]));
    if (!m.ok) { rows.push({ line: row.line, values: {}, raw, other: [], issues: m.issues.map((i) => issueOut(i, columnOf)) }); continue; }
    rows.push({
      line: row.line, raw, other: Object.keys(m.other ?? {}),
      values: Object.fromEntries(Object.entries(m.record).map(([k, v]) => [k, String(v)])),
      issues: m.warnings.map((i) => issueOut(i, columnOf)),
    });
  }
  const fileIssues = read.issues.filter((i) => (i.line ?? 0) <= (read.rows.at(-1)?.line ?? 0) + 1).slice(0, 20).map((i) => issueOut(i, columnOf));
  return { ok: true, errors: fileIssues, columns: read.columns, unmapped: read.columns.filter((c) => !used.has(loose(c))), rows };
}

// ---------------------------------------------------------------------------------------------
// Results: everything personal is sealed with the dataset's key, cut into segments so that a page
// reads one file, not the whole run: persons by pages of PERSONS_PER_SEGMENT (with their records),
// review pairs by pages (with theirs), a filter index, the record → person assignments and the
// review pair keys. Each segment's seal binds the run id and the segment name: a file cannot be
// passed off as another. Runs stored before (one document, no layout) are read whole, as before.

export interface StoredRecord { id: string; line: number; module: string; dossierId: string; dossierDate: string | null; role: string; fields: Record<string, string>; other: string[] }
export interface StoredPerson extends Omit<ScopePerson, 'records'> { records: string[] }
/** `attached`: why a lone record was attached in the resolver's second pass (French), for the reviewer. */
export interface StoredPair { a: string; b: string; probability: number; weight: number; refused: string | null; attached?: string; evidence: { field: string; level: string; weight: number }[] }
export interface StoredResults { persons: StoredPerson[]; records: Record<string, StoredRecord>; review: StoredPair[]; rejected: { line?: number; field?: string; message: string }[] }

export const PERSONS_PER_SEGMENT = 500;
const REVIEW_PER_SEGMENT = 200;
interface PersonsSegment { persons: StoredPerson[]; records: Record<string, StoredRecord> }
interface ReviewSegment { pairs: StoredPair[]; records: Record<string, StoredRecord> }
/** Per person, in order: risk bits, the minor bit, and module numbers (into `modules`). Version 2: one file for the run. */
interface IndexSegment { modules: string[]; flags: number[]; personModules: number[][] }
/** Version 3: the index of one persons segment; module numbers point into the summary's `modules`. */
interface IndexPart { flags: number[]; personModules: number[][] }
/** Version 3: per index segment, how many persons meet each single criterion (`risk:burglary`, `module:otv`, `minor:true`). */
interface IndexSummary { modules: string[]; counts: Record<string, number[]> }
const ASSIGNMENTS_PER_SEGMENT = 1000;
/** Which assignments file holds a record id (FNV-1a over its UTF-16 units): a decision opens only its two rows' files. */
export function assignmentSegmentOf(recordId: string, segments: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < recordId.length; i++) h = Math.imul(h ^ recordId.charCodeAt(i), 0x01000193) >>> 0;
  return h % segments;
}
const filterKeys = (f: PersonFilter) => [...(f.risk ? [`risk:${f.risk}`] : []), ...(f.module ? [`module:${f.module}`] : []), ...(f.minor ? [`minor:${f.minor}`] : [])];
const RISK_BIT: Record<string, number> = { phishing: 1, identity_theft: 2, burglary: 4, retaliation: 8, vehicle_fraud: 16, sensitive: 32 };
const MINOR_BIT = 64;

function storedRecord(r: ScopeResult['records'][number]): StoredRecord {
  return {
    id: r.recordId, line: r.line, module: r.module, dossierId: r.dossierId, dossierDate: r.dossierDate ?? null, role: r.role,
    fields: Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, String(v)])), other: r.other,
  };
}

const rejectedOf = (result: ScopeResult) => result.rejected.slice(0, 500).map((i) => ({ line: i.line, field: i.field, message: formatIssue(i) }));

type RunRef = { id: string; organisation_id: string; dataset_id: string };
const binding = (runId: string, segment: string) => `scoping:${runId}:${segment}`;

function resultsLayout(result: ScopeResult): ScopingLayout {
  return {
    version: 3, persons: result.persons.length, personsPerSegment: PERSONS_PER_SEGMENT, review: result.review.length, reviewPerSegment: REVIEW_PER_SEGMENT,
    assignmentSegments: Math.max(1, Math.ceil(result.records.length / ASSIGNMENTS_PER_SEGMENT)),
  };
}

/** Seals and stores every segment of a run's results; built one at a time, never all at once. */
export async function writeResults(services: Services, run: RunRef, result: ScopeResult, layout: ScopingLayout): Promise<void> {
  const rid = (i: number) => result.records[i]!.recordId;
  const recordsOf = (indexes: Iterable<number>) => {
    const out: Record<string, StoredRecord> = {};
    for (const i of [...new Set(indexes)].sort((a, b) => a - b)) out[rid(i)] = storedRecord(result.records[i]!);
    return out;
  };
  await withDatasetKey(services, run.organisation_id, run.dataset_id, async (seal) => {
    const put = async (segment: string, value: unknown) => {
      const key = scopingSegmentKey(run.organisation_id, run.id, segment);
      const sealed = seal(Buffer.from(JSON.stringify(value)), binding(run.id, segment));
      await services.files.remove(key);
      await services.files.put(key, sealed);
    };
    const modules: string[] = [];
    const moduleNo = new Map<string, number>();
    const segmentCount = Math.ceil(result.persons.length / layout.personsPerSegment);
    const summary: IndexSummary = { modules, counts: {} };
    const count = (key: string, s: number) => { (summary.counts[key] ??= new Array<number>(segmentCount).fill(0))[s]!++; };
    const assignments = Array.from({ length: layout.assignmentSegments! }, () => ({}) as Record<string, number>);
    const assign = (id: string, at: number) => { assignments[assignmentSegmentOf(id, assignments.length)]![id] = at; };
    const assigned = (id: string) => id in assignments[assignmentSegmentOf(id, assignments.length)]!;
    for (let s = 0; s * layout.personsPerSegment < result.persons.length; s++) {
      const chunk = result.persons.slice(s * layout.personsPerSegment, (s + 1) * layout.personsPerSegment);
      const segment: PersonsSegment = { persons: chunk.map((p) => ({ ...p, records: p.records.map(rid) })), records: recordsOf(chunk.flatMap((p) => p.records)) };
      const index: IndexPart = { flags: [], personModules: [] };
      for (const [k, p] of chunk.entries()) {
        index.flags.push(p.risks.reduce((f, r) => f | (RISK_BIT[r.risk] ?? 0), p.minor ? MINOR_BIT : 0));
        index.personModules.push(p.modules.map((m) => { let n = moduleNo.get(m); if (n === undefined) { n = modules.length; modules.push(m); moduleNo.set(m, n); } return n; }));
        for (const r of new Set(p.risks.map((x) => x.risk))) if (RISK_BIT[r]) count(`risk:${r}`, s);
        for (const m of new Set(p.modules)) count(`module:${m}`, s);
        count(`minor:${p.minor}`, s);
        for (const i of p.records) assign(rid(i), s * layout.personsPerSegment + k);
      }
      await put(`persons-${s}`, segment);
      await put(`index-${s}`, index);
    }
    const pairs: StoredPair[] = result.review.map((p) => ({ a: rid(p.a), b: rid(p.b), probability: p.probability, weight: p.weight, refused: p.refused ?? null, ...(p.attached ? { attached: p.attached } : {}), evidence: p.evidence }));
    for (let s = 0; s * layout.reviewPerSegment < result.review.length; s++) {
      const chunk = result.review.slice(s * layout.reviewPerSegment, (s + 1) * layout.reviewPerSegment);
      await put(`review-${s}`, { pairs: pairs.slice(s * layout.reviewPerSegment, (s + 1) * layout.reviewPerSegment), records: recordsOf(chunk.flatMap((p) => [p.a, p.b])) } satisfies ReviewSegment);
    }
    // Records only met in review pairs are still results (a decision may name them): -1, no person.
    for (const p of result.review) for (const i of [p.a, p.b]) if (!assigned(rid(i))) assign(rid(i), -1);
    await put('index-summary', summary);
    for (const [k, a] of assignments.entries()) await put(`assignments-${k}`, a);
    await put('review-index', pairs.map((p) => [p.a, p.b]));
    await put('rejected', rejectedOf(result));
  });
}

export interface PersonFilter { risk?: string; module?: string; minor?: 'true' | 'false' }
export interface ReviewPairView extends StoredPair { recordA: StoredRecord | null; recordB: StoredRecord | null }

/** Reads a run's results a segment at a time; `opened` lists the segments read, for tests. */
export interface ResultsReader {
  readonly opened: string[];
  personsPage(filter: PersonFilter, page: number, size: number): Promise<{ total: number; persons: StoredPerson[] }>;
  person(id: string): Promise<{ person: StoredPerson; records: StoredRecord[] } | null>;
  reviewPage(page: number, size: number): Promise<{ total: number; pairs: ReviewPairView[] }>;
  reviewKeys(): Promise<[string, string][]>;
  hasRecords(ids: string[]): Promise<boolean>;
  /** Every person, in order, one segment in memory at a time. */
  persons(): AsyncGenerator<StoredPerson>;
  /** The whole results at once: for older code paths and tests, not for pages. */
  all(): Promise<StoredResults>;
}

type RunRow = RunRef & { storage_key: string | null; status: string; results_layout?: ScopingLayout | null };

export async function openResults(services: Services, run: RunRow): Promise<ResultsReader> {
  if (run.status === 'purged') throw new AppError('dataset_purged', 410, "L'extrait a été purgé : les résultats de cette analyse n'existent plus.");
  if (!run.storage_key) throw errors.conflict('run_not_done', "L'analyse n'est pas terminée : ses résultats ne sont pas encore disponibles.");
  const base = run.storage_key;
  const opened: string[] = [];
  const read = async <T>(unseal: (sealed: Buffer, binding: string) => Buffer, segment: string | null): Promise<T> => {
    opened.push(segment ?? '(document)');
    const sealed = await services.files.get(segment === null ? base : `${base}/${segment}`);
    return JSON.parse(unseal(sealed, segment === null ? `scoping:${run.id}` : binding(run.id, segment)).toString('utf8')) as T;
  };
  const open = <T>(segment: string | null): Promise<T> => withDatasetKey(services, run.organisation_id, run.dataset_id, (_seal, unseal) => read<T>(unseal, segment));
  // Several segments under one unwrapping of the key, still one in memory at a time.
  const openEach = <T>(segments: string[], each: (value: T, i: number) => void) => withDatasetKey(services, run.organisation_id, run.dataset_id, async (_seal, unseal) => {
    for (const [i, segment] of segments.entries()) each(await read<T>(unseal, segment), i);
  });
  const layout = run.results_layout ?? null;
  if (!layout) return wholeReader(await open<StoredResults>(null), opened);
  const matches = (flags: number, modules: number[], names: string[], f: PersonFilter) =>
    (!f.risk || (flags & (RISK_BIT[f.risk] ?? 0)) !== 0) && (!f.minor || ((flags & MINOR_BIT) !== 0) === (f.minor === 'true'))
    && (!f.module || modules.some((m) => names[m] === f.module));
  const personsAt = async (positions: number[]) => {
    const bySegment = new Map<number, PersonsSegment>();
    for (const s of new Set(positions.map((p) => Math.floor(p / layout.personsPerSegment)))) bySegment.set(s, await open<PersonsSegment>(`persons-${s}`));
    return positions.map((p) => bySegment.get(Math.floor(p / layout.personsPerSegment))!.persons[p % layout.personsPerSegment]!);
  };
  const reader: ResultsReader = {
    opened,
    async personsPage(filter, page, size) {
      const from = (page - 1) * size;
      if (!filter.risk && !filter.module && !filter.minor) {
        const positions = Array.from({ length: Math.max(0, Math.min(size, layout.persons - from)) }, (_, i) => from + i);
        return { total: layout.persons, persons: await personsAt(positions) };
      }
      if (layout.version === 2) {
        const index = await open<IndexSegment>('index');
        const hits: number[] = [];
        for (let i = 0; i < index.flags.length; i++) if (matches(index.flags[i]!, index.personModules[i]!, index.modules, filter)) hits.push(i);
        return { total: hits.length, persons: await personsAt(hits.slice(from, from + size)) };
      }
      // The summary says how many persons of each index segment meet each criterion: a segment with
      // none is never opened, and with one criterion the total is known without opening any.
      const summary = await open<IndexSummary>('index-summary');
      const segments = Math.ceil(layout.persons / layout.personsPerSegment);
      const counts = filterKeys(filter).map((k) => summary.counts[k] ?? new Array<number>(segments).fill(0));
      const exact = counts.length === 1 ? counts[0]! : null;
      let total = exact ? exact.reduce((a, b) => a + b, 0) : 0;
      // Which index segments to open, and how many hits come before each: known from the counts alone.
      const toRead: number[] = [];
      const hitsBefore: number[] = [];
      let counted = 0;
      for (let s = 0; s < segments; s++) {
        if (counts.some((c) => !c[s])) continue;
        // One criterion: the segments wholly before or after the page are counted, not read.
        if (exact && (counted + exact[s]! <= from || counted >= from + size)) { counted += exact[s]!; continue; }
        toRead.push(s);
        hitsBefore.push(counted);
        if (exact) counted += exact[s]!;
      }
      let seen = 0;
      const hits: number[] = [];
      await openEach<IndexPart>(toRead.map((s) => `index-${s}`), (index, i) => {
        const s = toRead[i]!;
        if (exact) seen = hitsBefore[i]!;
        for (let k = 0; k < index.flags.length; k++) {
          if (!matches(index.flags[k]!, index.personModules[k]!, summary.modules, filter)) continue;
          if (seen >= from && seen < from + size) hits.push(s * layout.personsPerSegment + k);
          seen++;
        }
      });
      if (!exact) total = seen;
      return { total, persons: await personsAt(hits) };
    },
    async person(id) {
      // Person ids are numbered in order (P000001 is the first): the number names the segment.
      const n = /^P(\d{6,})$/.exec(id) ? Number(id.slice(1)) - 1 : -1;
      if (n < 0 || n >= layout.persons) return null;
      const segment = await open<PersonsSegment>(`persons-${Math.floor(n / layout.personsPerSegment)}`);
      const person = segment.persons.find((p) => p.id === id);
      return person ? { person, records: person.records.map((r) => segment.records[r]).filter((r): r is StoredRecord => !!r) } : null;
    },
    async reviewPage(page, size) {
      const from = (page - 1) * size;
      const to = Math.min(layout.review, from + size);
      const pairs: ReviewPairView[] = [];
      if (from >= to) return { total: layout.review, pairs };
      for (let s = Math.floor(from / layout.reviewPerSegment); s * layout.reviewPerSegment < to; s++) {
        const seg = await open<ReviewSegment>(`review-${s}`);
        for (const [k, p] of seg.pairs.entries()) {
          const at = s * layout.reviewPerSegment + k;
          if (at >= from && at < to) pairs.push({ ...p, recordA: seg.records[p.a] ?? null, recordB: seg.records[p.b] ?? null });
        }
      }
      return { total: layout.review, pairs };
    },
    reviewKeys: () => open<[string, string][]>('review-index'),
    async hasRecords(ids) {
      if (layout.version === 2) { const a = await open<Record<string, number>>('assignments'); return ids.every((id) => id in a); }
      const n = layout.assignmentSegments!;
      for (const k of new Set(ids.map((id) => assignmentSegmentOf(id, n)))) {
        const a = await open<Record<string, number>>(`assignments-${k}`);
        if (!ids.every((id) => assignmentSegmentOf(id, n) !== k || id in a)) return false;
      }
      return true;
    },
    async *persons() {
      for (let s = 0; s * layout.personsPerSegment < layout.persons; s++) yield* (await open<PersonsSegment>(`persons-${s}`)).persons;
    },
    async all() {
      const out: StoredResults = { persons: [], records: {}, review: [], rejected: await open('rejected') };
      for (let s = 0; s * layout.personsPerSegment < layout.persons; s++) { const seg = await open<PersonsSegment>(`persons-${s}`); out.persons.push(...seg.persons); Object.assign(out.records, seg.records); }
      for (let s = 0; s * layout.reviewPerSegment < layout.review; s++) { const seg = await open<ReviewSegment>(`review-${s}`); out.review.push(...seg.pairs); Object.assign(out.records, seg.records); }
      out.records = Object.fromEntries(Object.entries(out.records).sort(([, a], [, b]) => a.line - b.line || (a.id < b.id ? -1 : 1)));
      return out;
    },
  };
  return reader;
}

/** A run stored as one document (before segments): same answers, from memory. */
function wholeReader(results: StoredResults, opened: string[]): ResultsReader {
  const matches = (p: StoredPerson, f: PersonFilter) => (!f.risk || p.risks.some((r) => r.risk === f.risk)) && (!f.module || p.modules.includes(f.module)) && (!f.minor || p.minor === (f.minor === 'true'));
  return {
    opened,
    async personsPage(filter, page, size) { const list = results.persons.filter((p) => matches(p, filter)); return { total: list.length, persons: list.slice((page - 1) * size, page * size) }; },
    async person(id) { const person = results.persons.find((p) => p.id === id); return person ? { person, records: person.records.map((r) => results.records[r]).filter((r): r is StoredRecord => !!r) } : null; },
    async reviewPage(page, size) { return { total: results.review.length, pairs: results.review.slice((page - 1) * size, page * size).map((p) => ({ ...p, recordA: results.records[p.a] ?? null, recordB: results.records[p.b] ?? null })) }; },
    async reviewKeys() { return results.review.map((p) => [p.a, p.b] as [string, string]); },
    async hasRecords(ids) { return ids.every((id) => !!results.records[id]); },
    async *persons() { yield* results.persons; },
    async all() { return results; },
  };
}

export async function loadResults(services: Services, run: RunRow): Promise<StoredResults> {
  return (await openResults(services, run)).all();
}

async function removeKeys(services: Services, keys: string[]) { for (const k of keys) await services.files.remove(k); }

/** The 'scoping.run' job: decrypt, resolve, seal the results, store the counts. */
export async function runScopingJob(services: Services, ctx: { payload: Record<string, unknown>; signal: AbortSignal; progress(v: Record<string, unknown>): Promise<void> }): Promise<Record<string, unknown>> {
  const runId = String(ctx.payload.runId);
  const run = await services.db.selectFrom('scoping_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
  const dataset = await services.db.selectFrom('leaked_datasets').select(['name']).where('id', '=', run.dataset_id).executeTakeFirstOrThrow();
  await services.db.updateTable('scoping_runs').set({ status: 'running' }).where('id', '=', runId).where('status', '=', 'queued').execute();
  let written: string[] = [];
  try {
    const mapping = parseMapping(run.mapping);
    if (!mapping.ok) throw new Error(mapping.errors.map((e) => e.message).join('\n'));
    const decisions = await services.db.selectFrom('scoping_decisions').select(['record_a', 'record_b', 'same'])
      .where('organisation_id', '=', run.organisation_id).where('dataset_id', '=', run.dataset_id).orderBy('decided_at').execute();
    const data = await readDataset(services, run.organisation_id, run.dataset_id);
    let last = 0;
    let pending: Promise<void> = Promise.resolve();
    const result = await withPlainFile(services, data, safeName(dataset.name), async (file) => {
      data.fill(0);
      return scopeRecords({ files: [file], mapping: { ...mapping.mapping } }, {
        since: run.perimeter.since ?? undefined, until: run.perimeter.until ?? undefined, modules: run.perimeter.modules ?? undefined,
        notificationDate: run.notification_date, signal: ctx.signal,
        decisions: decisions.map((d) => ({ a: d.record_a, b: d.record_b, same: d.same })),
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 300) return;
          last = now;
          pending = pending.then(() => ctx.progress({ stage: p.stage, done: p.done, ...(p.total ? { total: p.total } : {}) })).catch(() => undefined);
        },
      });
    });
    await pending;
    ctx.signal.throwIfAborted();
    const layout = resultsLayout(result);
    const key = scopingResultKey(run.organisation_id, run.id);
    written = scopingResultKeys(run.organisation_id, run.id, layout);
    await writeResults(services, run, result, layout);
    const updated = await services.db.updateTable('scoping_runs')
      .set({ status: 'done', storage_key: key, results_layout: json(layout), figures: json(result.summary), decisions_applied: result.decisionsApplied, finished_at: services.now() })
      .where('id', '=', runId).where('status', '=', 'running').executeTakeFirst();
    // Purged while running: the key is gone, so the files just written are unreadable; remove them anyway.
    if (Number(updated.numUpdatedRows) === 0) await removeKeys(services, written);
    return { persons: result.persons.length, records: Number(result.summary.records), reviewPairs: result.review.length };
  } catch (error) {
    await removeKeys(services, written);
    // Both columns are in clear: an input error says where and what kind, never the values (a
    // header-less extract would otherwise put a person's row in the message).
    const message = error instanceof IngestError ? `Analyse arrêtée : ${safeIssuesText(error.issues)}` : (error as Error).message;
    await services.db.updateTable('scoping_runs').set({ status: ctx.signal.aborted ? 'cancelled' : 'failed', error: message.slice(0, 2000), finished_at: services.now() })
      .where('id', '=', runId).where('status', '=', 'running').execute();
    throw error instanceof IngestError ? new Error(message) : error;
  }
}

// ---------------------------------------------------------------------------------------------
// Masking: enough to tell persons apart on screen, not enough to identify them.

// A fixed number of stars: the length of a name or address is itself a clue.
const stars = (s: string, keep = 1) => { const t = s.trim(); return t ? `${t.slice(0, keep)}***` : ''; };

export function maskPerson(p: StoredPerson) {
  const initial = p.firstName.trim() ? `${p.firstName.trim()[0]!.toUpperCase()}.` : '';
  const [local, domain] = p.email.split('@');
  return {
    id: p.id, masked: true as const,
    name: [stars(p.lastName), initial].filter(Boolean).join(' '),
    birthYear: p.birthDate ? p.birthDate.slice(0, 4) : null,
    phone: p.phone ? `•• •• •• •• ${p.phone.e164.slice(-2)}` : null,
    email: p.email ? `${stars(local ?? '')}@${domain ?? ''}` : null,
    postcode: p.postal?.postcode ?? null,
    records: p.records.length, modules: p.modules, roles: p.roles, categories: p.categories, risks: p.risks.map((r) => r.risk), minor: p.minor,
    channels: { sms: !!p.phone?.mobile, email: !!p.email, postal: !!p.postal },
  };
}

export const ROLE_FR: Record<string, string> = { requerant: 'requérants', mis_en_cause: 'mis en cause', temoin: 'témoins', victime: 'victimes', proprietaire: 'propriétaires' };
export const CATEGORY_FR: Record<string, string> = { identity: 'État civil, identité', birth: 'Date ou lieu de naissance', contact: 'Coordonnées (téléphone, courriel)', address: 'Adresse postale', vehicle: 'Immatriculation de véhicule', absence: 'Dates d’absence du domicile', offence: 'Infractions, condamnations', facts: 'Récit des faits (texte libre)', other: 'Autres données' };

/** What the run says for the CNIL dossier's persons and data fields. */
export function cnilProposal(figures: Record<string, any>) {
  const roles = Object.keys(figures.by_role ?? {}).map((r) => ROLE_FR[r] ?? r.replace(/_/g, ' '));
  const categories = Object.keys(figures.by_category ?? {}).map((c) => CATEGORY_FR[c] ?? c);
  const range = figures.persons_range as [number, number] | undefined;
  return {
    persons: { approxCount: Number(figures.persons), categories: roles.map((r) => `Personnes citées dans les fichiers de police municipale : ${r}`), minors: Number(figures.minors) > 0 },
    records: { approxCount: Number(figures.records) },
    dataCategories: categories,
    sensitiveData: figures.by_category?.offence ? ['Données relatives aux infractions (art. 10 RGPD)'] : [],
    range: range ?? [Number(figures.persons), Number(figures.persons)],
  };
}

export const newId = () => randomUUID();
