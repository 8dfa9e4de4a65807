// The YAML mapping format shared by the forensics and scoping engines: how a file is read (format,
// delimiter, encoding) and how its columns become canonical fields (names, value maps, dates).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { parseDocument, LineCounter, isMap, isSeq, type Node as YamlNode } from 'yaml';
import { IngestError, type IngestIssue } from './errors.ts';

const formatList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const timezone = z.string().min(1).refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, { message: 'unknown time zone' });

/** How a date is written: one or several luxon formats (`dd/MM/yyyy`), or `iso`, `epoch_s`, `epoch_ms`. */
export const DateSpecSchema = z.strictObject({
  format: formatList.optional(),
  timezone: timezone.optional(),
});

/** A canonical field read from one column, or from several joined by a space (a date and a time). */
export const FieldSpecSchema = z.union([
  z.string().min(1),
  z.strictObject({
    column: z.string().min(1).optional(),
    columns: z.array(z.string().min(1)).min(1).optional(),
    format: formatList.optional(),
    timezone: timezone.optional(),
  }).refine((f) => (f.column === undefined) !== (f.columns === undefined), { message: 'give exactly one of column or columns' }),
]);

export const MappingSchema = z.strictObject({
  format: z.enum(['csv', 'ndjson']).optional(),
  delimiter: z.string().length(1).optional(),
  encoding: z.enum(['auto', 'utf-8', 'windows-1252', 'latin1']).default('auto'),
  /** The event time (forensics): `field` or `fields` (joined with a space), format(s), time zone. */
  timestamp: z.strictObject({
    field: z.string().min(1).optional(),
    fields: z.array(z.string().min(1)).min(1).optional(),
    format: formatList.optional(),
    timezone: timezone.optional(),
  }).refine((t) => (t.field === undefined) !== (t.fields === undefined), { message: 'give exactly one of field or fields' }).optional(),
  /** Default format(s) and time zone for every date field the engine declares. */
  dates: DateSpecSchema.optional(),
  /** canonical name → source column (or column spec). */
  fields: z.record(z.string().min(1), FieldSpecSchema).default({}),
  /** canonical name → { source label: canonical value }. Labels absent from a map pass through unchanged. */
  values: z.record(z.string().min(1), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))).default({}),
});

export type Mapping = z.infer<typeof MappingSchema>;
export type FieldSpec = z.infer<typeof FieldSpecSchema>;
export type DateSpec = z.infer<typeof DateSpecSchema>;

export type LoadResult = { ok: true; mapping: Mapping } | { ok: false; issues: IngestIssue[] };

const MAX_MAPPING_BYTES = 256 * 1024;

/**
 * Load a mapping from a file path, or from text (`{ text, name }`, e.g. an upload).
 * Never throws for a user mistake: the issues name the file, line and key at fault.
 */
export function loadMapping(source: string | { text: string; name?: string }): LoadResult {
  if (typeof source === 'string') {
    const name = basename(source);
    let text: string;
    try {
      const bytes = readFileSync(source);
      if (bytes.length > MAX_MAPPING_BYTES) return fail({ code: 'mapping_unreadable', file: name, message: `fichier de correspondance trop volumineux (maximum ${MAX_MAPPING_BYTES} octets).`, messageEn: `mapping file too large (at most ${MAX_MAPPING_BYTES} bytes).` });
      text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    } catch (error) {
      return fail({ code: 'mapping_unreadable', file: name, message: `fichier de correspondance illisible (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, messageEn: `cannot read mapping file (${(error as Error).message}).` });
    }
    return parseMappingText(text, name);
  }
  return parseMappingText(source.text.replace(/^\uFEFF/, ''), source.name ?? 'mapping.yml');
}

/** Like loadMapping but throws an IngestError; for callers that stop at once on a wrong mapping. */
export function loadMappingOrThrow(source: string | { text: string; name?: string }): Mapping {
  const result = loadMapping(source);
  if (!result.ok) throw new IngestError(result.issues);
  return result.mapping;
}

function fail(issue: IngestIssue): LoadResult {
  return { ok: false, issues: [issue] };
}

function parseMappingText(text: string, file: string): LoadResult {
  if (text.length > MAX_MAPPING_BYTES) return fail({ code: 'mapping_unreadable', file, message: 'texte de correspondance trop volumineux.', messageEn: 'mapping text too large.' });
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        code: 'mapping_yaml' as const,
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        message: e.code === 'DUPLICATE_KEY' ? 'clé en double dans le YAML.' : `syntaxe YAML invalide (${e.code}).`,
        messageEn: e.message.split('\n')[0] ?? e.code,
      })),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    return fail({ code: 'mapping_yaml', file, line: 1, message: 'YAML invalide (alias ou ancre interdits).', messageEn: (error as Error).message });
  }
  if (raw === null || raw === undefined) return fail({ code: 'mapping_invalid', file, line: 1, message: 'fichier de correspondance vide.', messageEn: 'empty mapping file.' });
  const parsed = MappingSchema.safeParse(raw);
  if (parsed.success) return { ok: true, mapping: parsed.data };
  const lineOf = (path: PropertyKey[]): number | undefined => {
    let node: YamlNode | null | undefined = doc.contents as YamlNode | null;
    let found = node;
    for (const key of path) {
      if (isMap(node)) node = node.get(String(key), true) as YamlNode | undefined;
      else if (isSeq(node)) node = node.get(Number(key), true) as YamlNode | undefined;
      else break;
      if (node) found = node;
    }
    const offset = found?.range?.[0];
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      code: 'mapping_invalid' as const,
      file,
      line: lineOf(issue.path),
      field: issue.path.map(String).join('.') || undefined,
      message: frenchMessage(issue),
      messageEn: issue.message,
    })),
  };
}

function frenchMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'valeur obligatoire manquante.' : `type attendu : ${issue.expected}.`;
    case 'invalid_value':
      return `valeur non reconnue ; valeurs possibles : ${issue.values.map(String).join(', ')}.`;
    case 'unrecognized_keys':
      return `clé inconnue : ${issue.keys.join(', ')}.`;
    case 'too_small':
    case 'too_big':
      return issue.origin === 'string' ? 'longueur incorrecte (le séparateur est un seul caractère, les noms ne sont pas vides).' : 'nombre d’éléments incorrect.';
    case 'invalid_union':
      return 'forme non reconnue : un nom de colonne, ou { column | columns, format, timezone }.';
    case 'custom':
      return issue.message === 'unknown time zone' ? 'fuseau horaire inconnu (ex. Europe/Paris).'
        : issue.message.startsWith('give exactly one of field') ? 'indiquer soit field, soit fields.'
        : issue.message.startsWith('give exactly one of column') ? 'indiquer soit column, soit columns.'
        : issue.message;
    default:
      return issue.message;
  }
}
