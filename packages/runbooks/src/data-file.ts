// Runbooks and contacts are data files that an operator may edit by hand. A mistake in one must
// come back as a value naming the file, the line and the field, in French and in English, never as
// a crash deep inside the server.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

/** Far above any real runbook (a few kB); stops a pasted log or a binary from being parsed. */
export const MAX_DATA_FILE_BYTES = 512 * 1024;

export interface DataIssue {
  code: 'file_unreadable' | 'file_too_large' | 'empty_file' | 'yaml_syntax' | 'invalid_field' | 'unknown_type' | 'duplicate_key' | 'unknown_include' | 'include_cycle' | 'type_mismatch' | 'phase_mismatch';
  file: string;
  line?: number;
  field?: string;
  /** French, for the person who edits the file. */
  message: string;
  messageEn: string;
}

export type DataResult<T> = { ok: true; value: T } | { ok: false; issues: DataIssue[] };

/** Thrown only by the convenience loaders, when the shipped data itself is broken. */
export class DataFileError extends Error {
  readonly code: DataIssue['code'];
  constructor(readonly issues: DataIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'DataFileError';
    this.code = issues[0]?.code ?? 'invalid_field';
  }
}

export function formatIssue(issue: DataIssue): string {
  const where = [issue.file, issue.line ? `ligne ${issue.line}` : '', issue.field ? `champ « ${issue.field} »` : ''].filter(Boolean).join(', ');
  return `${where} : ${issue.message}`;
}

/**
 * Bytes to text: UTF-8 (with or without BOM) as written by any editor today, Windows-1252 as
 * written by older Windows tools; French accents survive both.
 */
export function decodeDataBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(Buffer.from(bytes), 'windows-1252');
  }
  return text.replace(/^\ufeff/, '');
}

export function readDataFile(file: string): DataResult<string> {
  const name = path.basename(file);
  try {
    const size = statSync(file).size;
    if (size > MAX_DATA_FILE_BYTES) {
      return fail({ code: 'file_too_large', file: name, message: `fichier trop volumineux (${size} octets, maximum ${MAX_DATA_FILE_BYTES}).`, messageEn: `file too large (${size} bytes, at most ${MAX_DATA_FILE_BYTES}).` });
    }
    return { ok: true, value: decodeDataBytes(readFileSync(file)) };
  } catch (error) {
    return fail({ code: 'file_unreadable', file: name, message: `fichier illisible (${(error as Error).message}).`, messageEn: `cannot read file (${(error as Error).message}).` });
  }
}

function fail<T>(issue: DataIssue): DataResult<T> {
  return { ok: false, issues: [issue] };
}

/** YAML text to a value checked by `schema`; every problem carries its line. */
export function parseYamlData<S extends z.ZodType>(text: string, file: string, schema: S): DataResult<z.output<S>> & { lineOf?: (p: (string | number)[]) => number | undefined } {
  if (text.length > MAX_DATA_FILE_BYTES) {
    return fail({ code: 'file_too_large', file, message: `texte trop volumineux (maximum ${MAX_DATA_FILE_BYTES} caractères).`, messageEn: `text too large (at most ${MAX_DATA_FILE_BYTES} characters).` });
  }
  const clean = text.replace(/^\ufeff/, '');
  if (clean.trim() === '' || clean.split(/\r?\n/).every((l) => l.trim() === '' || l.trim().startsWith('#'))) {
    return fail({ code: 'empty_file', file, line: 1, message: 'fichier vide.', messageEn: 'empty file.' });
  }
  const lines = new LineCounter();
  const doc = parseDocument(clean, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        code: e.code === 'DUPLICATE_KEY' ? 'duplicate_key' : 'yaml_syntax',
        file,
        line: lines.linePos(e.pos[0]).line,
        message: e.code === 'DUPLICATE_KEY' ? 'clé YAML en double.' : `syntaxe YAML invalide (${e.code}).`,
        messageEn: e.message.split('\n')[0] ?? e.code,
      })),
    };
  }
  const lineOf = (p: (string | number)[]): number | undefined => {
    // A missing field has no node: point at the closest parent that exists.
    for (let n = p.length; n >= 0; n -= 1) {
      const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  let data: unknown;
  try {
    // Aliases can still fail here (unresolved, or a "billion laughs" expansion): same error kind.
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return fail({ code: 'yaml_syntax', file, line: 1, message: 'syntaxe YAML invalide (alias ou ancre).', messageEn: (error as Error).message });
  }
  const valueAt = (p: (string | number)[]): unknown => p.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), data);
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => {
        const p = i.path.filter((x): x is string | number => typeof x !== 'symbol');
        return { code: 'invalid_field', file, line: lineOf(p), field: p.join('.') || undefined, message: valueAt(p) === undefined && i.code !== 'unrecognized_keys' ? 'champ obligatoire manquant.' : frenchMessage(i), messageEn: i.message };
      }),
    };
  }
  return { ok: true, value: parsed.data, lineOf };
}

function frenchMessage(issue: z.core.$ZodIssue): string {
  // Custom messages in the schemas are already French; zod's defaults are not.
  switch (issue.code) {
    case 'invalid_type':
      return `type invalide (attendu : ${issue.expected}).`;
    case 'invalid_value':
      return `valeur invalide ; valeurs possibles : ${issue.values.map(String).join(', ')}.`;
    case 'too_small':
      return issue.origin === 'array' ? `au moins ${String(issue.minimum)} élément(s) attendu(s).` : `trop court (au moins ${String(issue.minimum)} caractères).`;
    case 'too_big':
      return issue.origin === 'array' ? `au plus ${String(issue.maximum)} éléments.` : `trop long (au plus ${String(issue.maximum)} caractères).`;
    case 'unrecognized_keys':
      return `champ(s) inconnu(s) : ${issue.keys.join(', ')}.`;
    default:
      return issue.message;
  }
}
