// Turn source rows into canonical records with a mapping: column names, value maps, dates in a time
// zone, numbers. Row problems are values naming file, line and field; a mapping that does not fit
// the file's header is an IngestError raised before the first row.
import { createDateParser, type DateKind, type DateParse } from './dates.ts';
import { IngestError, clip, type IngestIssue } from './errors.ts';
import type { Mapping } from './mapping.ts';
import type { RawRow } from './read.ts';

export type CanonicalValue = string | number;
export type CanonicalRecord = Record<string, CanonicalValue>;

export type MappedRow =
  | { ok: true; file: string; line: number; record: CanonicalRecord; warnings: IngestIssue[]; other?: Record<string, string> }
  | { ok: false; file: string; line: number; issues: IngestIssue[] };

export interface MapperOptions {
  /** Canonical fields every row must have; a row without one is rejected. */
  required?: string[];
  /** Canonical date fields and their kind: `datetime` → UTC epoch ms, `date` → `yyyy-MM-dd`. */
  dates?: Record<string, DateKind>;
  /** Canonical numeric fields (`records`); French writing `1 200,5` is accepted. */
  numbers?: string[];
  /** Canonical fields read as-is (same name in the source) when the mapping does not map them. */
  known?: string[];
  /** Keep unmapped source columns in `other` (scoping counts them as exposed data). */
  keepOther?: boolean;
}

export interface Mapper {
  /** Throws IngestError `missing_column` naming the first mapped column absent from the header. */
  checkHeader(columns: string[], file: string): void;
  apply(row: RawRow): MappedRow;
  /** Each canonical field with the source columns it reads (header names as found by checkHeader). */
  sources(): { field: string; columns: string[] }[];
}

interface FieldPlan {
  field: string;
  columns: string[];
  map?: Map<string, string>;
  mapLoose?: Map<string, string>;
  date?: (text: string) => DateParse;
  number: boolean;
  required: boolean;
  /** Header names actually read (after loose matching), set by checkHeader. */
  sources: string[];
  /** Labels already looked up, including misses, so that the loose match runs once per label. */
  seen?: Map<string, string>;
}

const NO_WARNINGS: IngestIssue[] = [];

function loose(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function toFormats(format: string | string[] | undefined): string[] | undefined {
  return format === undefined ? undefined : Array.isArray(format) ? format : [format];
}

export function createMapper(mapping: Mapping | null, options: MapperOptions = {}): Mapper {
  const required = new Set(options.required ?? []);
  const dates = options.dates ?? {};
  const numbers = new Set(options.numbers ?? []);
  const plans: FieldPlan[] = [];
  const fields = mapping?.fields ?? {};
  const planned = new Set<string>();
  const add = (field: string, columns: string[], format?: string[], timezone?: string): void => {
    planned.add(field);
    const values = mapping?.values[field];
    const kind = dates[field];
    const plan: FieldPlan = { field, columns, number: numbers.has(field), required: required.has(field), sources: columns };
    if (values) {
      plan.map = new Map(Object.entries(values));
      plan.mapLoose = new Map(Object.entries(values).map(([k, v]) => [loose(k), v]));
    }
    if (kind) {
      plan.date = createDateParser({ kind, formats: format ?? toFormats(mapping?.dates?.format), timezone: timezone ?? mapping?.dates?.timezone });
    }
    plans.push(plan);
  };
  if (mapping?.timestamp) {
    const t = mapping.timestamp;
    add('@timestamp', t.fields ?? [t.field as string], toFormats(t.format), t.timezone);
  }
  for (const [field, spec] of Object.entries(fields)) {
    if (planned.has(field)) continue;
    if (typeof spec === 'string') add(field, [spec]);
    else add(field, spec.columns ?? [spec.column as string], toFormats(spec.format), spec.timezone);
  }
  for (const field of new Set([...(options.known ?? []), ...required, ...Object.keys(dates), ...numbers])) {
    if (!planned.has(field)) add(field, [field]);
  }
  const explicit = new Set([...(mapping?.timestamp ? ['@timestamp'] : []), ...Object.keys(fields)]);


  return {
    checkHeader(columns, file) {
      const present = new Set(columns);
      const byLoose = new Map(columns.map((c) => [loose(c), c]));
      const resolved = new Map<string, string>(); // mapped column → header name actually present
      const missing: IngestIssue[] = [];
      for (const plan of plans) {
        // Identity fields (not in the mapping file) are optional in a CSV header unless required.
        if (!explicit.has(plan.field) && !plan.required) continue;
        for (const column of plan.columns) {
          if (present.has(column)) continue;
          const found = byLoose.get(loose(column));
          if (found !== undefined) {
            resolved.set(column, found);
            continue;
          }
          missing.push({
            code: 'missing_column', file, line: 1, field: plan.field, value: column,
            message: `colonne « ${column} » absente de l’en-tête (nécessaire pour ${plan.field}). Colonnes présentes : ${columns.slice(0, 30).join(', ')}.`,
            messageEn: `column "${column}" not in the header (needed for ${plan.field}). Columns present: ${columns.slice(0, 30).join(', ')}.`,
          });
        }
      }
      if (missing.length > 0) throw new IngestError(missing);
      for (const plan of plans) plan.sources = plan.columns.map((c) => resolved.get(c) ?? c);
    },
    sources() {
      return plans.map((p) => ({ field: p.field, columns: [...p.sources] }));
    },
    apply(row) {
      const record: CanonicalRecord = {};
      let warnings = NO_WARNINGS;
      let errors: IngestIssue[] | null = null;
      for (const plan of plans) {
        let raw: unknown;
        if (plan.sources.length === 1) raw = row.values[plan.sources[0] as string];
        else {
          const parts: string[] = [];
          for (const column of plan.sources) {
            const v = row.values[column];
            if (v !== undefined && v !== null && String(v).trim() !== '') parts.push(String(v).trim());
          }
          raw = parts.length === plan.columns.length ? parts.join(' ') : undefined;
        }
        if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
          if (plan.required) {
            (errors ??= []).push({ code: 'missing_field', file: row.file, line: row.line, field: plan.field, message: `valeur manquante pour ${plan.field} (colonne ${plan.columns.join(' + ')}).`, messageEn: `missing value for ${plan.field} (column ${plan.columns.join(' + ')}).` });
          }
          continue;
        }
        let text = typeof raw === 'string' ? raw.trim() : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
        if (plan.map) {
          let mapped = plan.map.get(text);
          if (mapped === undefined) {
            const seen = (plan.seen ??= new Map());
            mapped = seen.get(text);
            if (mapped === undefined) {
              mapped = plan.mapLoose?.get(loose(text)) ?? text;
              if (seen.size < 10_000) seen.set(text, mapped);
            }
          }
          text = mapped;
        }
        let value: CanonicalValue = text;
        let problem: IngestIssue | null = null;
        if (plan.date) {
          const parsed = typeof raw === 'number' ? plan.date(String(raw)) : plan.date(text);
          if (parsed.ok) value = parsed.value;
          else problem = parsed.code === 'ambiguous_date'
            ? { code: 'ambiguous_date', file: row.file, line: row.line, field: plan.field, value: clip(text), message: `date ambiguë « ${clip(text)} » : plusieurs formats donnent des dates différentes.`, messageEn: `ambiguous date "${clip(text)}": several formats give different dates.` }
            : { code: 'invalid_date', file: row.file, line: row.line, field: plan.field, value: clip(text), message: `date illisible ou impossible « ${clip(text)} ».`, messageEn: `unreadable or impossible date "${clip(text)}".` };
        } else if (plan.number) {
          const n = typeof raw === 'number' ? raw : /^\d{1,15}$/.test(text) ? Number(text) : Number(text.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'));
          if (Number.isFinite(n)) value = n;
          else problem = { code: 'invalid_number', file: row.file, line: row.line, field: plan.field, value: clip(text), message: `nombre illisible « ${clip(text)} ».`, messageEn: `unreadable number "${clip(text)}".` };
        }
        if (problem) {
          if (plan.required) (errors ??= []).push(problem);
          else (warnings === NO_WARNINGS ? (warnings = []) : warnings).push(problem);
          continue;
        }
        record[plan.field] = value;
      }
      if (errors) return { ok: false, file: row.file, line: row.line, issues: errors };
      if (!options.keepOther) return { ok: true, file: row.file, line: row.line, record, warnings };
      const other: Record<string, string> = {};
      const used = new Set(plans.flatMap((p) => p.sources));
      for (const key in row.values) {
        const v = row.values[key];
        if (!used.has(key) && v !== undefined && v !== null && String(v).trim() !== '') other[key] = typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
      return { ok: true, file: row.file, line: row.line, record, warnings, other };
    },
  };
}
