// Errors a user can cause while feeding files to an engine: stable codes, French first, English too,
// always located (file, line, field) so that the person can open the file at the right place.

export type IngestCode =
  | 'file_unreadable'
  | 'mapping_unreadable'
  | 'mapping_yaml'
  | 'mapping_invalid'
  | 'missing_column'
  | 'unknown_format'
  | 'empty_file'
  | 'invalid_json'
  | 'not_an_object'
  | 'column_count'
  | 'csv_syntax'
  | 'line_too_long'
  | 'missing_field'
  | 'invalid_date'
  | 'ambiguous_date'
  | 'invalid_number'
  | 'unknown_value';

export interface IngestIssue {
  code: IngestCode;
  file: string;
  /** 1-based physical line in the file (for CSV, the line where the record starts). */
  line?: number;
  /** Canonical field (e.g. `user.name`) or source column, when one is at fault. */
  field?: string;
  /** The offending value, cut to 80 characters. */
  value?: string;
  message: string;
  messageEn: string;
}

/** Thrown for errors that must stop a run at once (unreadable file, wrong mapping, missing column). */
export class IngestError extends Error {
  readonly code: IngestCode;
  readonly issues: IngestIssue[];
  constructor(issues: IngestIssue[]) {
    super(issues.map((issue) => formatIssue(issue)).join('\n'));
    this.name = 'IngestError';
    this.issues = issues;
    this.code = issues[0]?.code ?? 'mapping_invalid';
  }
}

export function clip(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `fichier.csv, ligne 12, champ user.name : message` — the shape every CLI prints. */
export function formatIssue(issue: IngestIssue, language: 'fr' | 'en' = 'fr'): string {
  const parts = [issue.file];
  if (issue.line !== undefined) parts.push(language === 'fr' ? `ligne ${issue.line}` : `line ${issue.line}`);
  if (issue.field !== undefined) parts.push(language === 'fr' ? `champ ${issue.field}` : `field ${issue.field}`);
  const message = language === 'fr' ? issue.message : issue.messageEn;
  return `${parts.join(', ')}${language === 'fr' ? ' : ' : ': '}${message}`;
}
