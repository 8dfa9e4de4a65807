// jobs.error (and the status columns of the modules) are in clear and listed without an audited
// read, so what a failed job says there must hold no value read from the files it processed.
import type { IngestCode, IngestIssue } from '@rempart/ingest';

// What a stopped job says in clear: where (file, line, field) and what kind of problem, never a
// value read from the file (a header line can be a log line when the export has no header).
const SAFE_ISSUE: Record<IngestCode, string> = {
  file_unreadable: 'fichier illisible ou archive gzip corrompue.',
  mapping_unreadable: 'correspondance illisible.',
  mapping_yaml: 'correspondance : YAML invalide.',
  mapping_invalid: 'correspondance invalide.',
  missing_column: 'colonne absente de l’en-tête.',
  unknown_format: 'format de fichier non reconnu (CSV ou NDJSON attendu).',
  empty_file: 'fichier vide.',
  invalid_json: 'JSON invalide.',
  not_an_object: 'la ligne n’est pas un objet JSON.',
  column_count: 'nombre de colonnes inattendu.',
  csv_syntax: 'syntaxe CSV invalide.',
  line_too_long: 'ligne trop longue.',
  missing_field: 'champ obligatoire manquant.',
  invalid_date: 'date illisible.',
  ambiguous_date: 'date ambiguë.',
  invalid_number: 'nombre illisible.',
  unknown_value: 'valeur inconnue.',
};

function safeIssueText(issue: IngestIssue): string {
  const where = [issue.file, issue.line !== undefined ? `ligne ${issue.line}` : '', issue.field ? `champ ${issue.field}` : ''].filter(Boolean).join(', ');
  // The column a mapping asks for comes from the mapping (the organisation's settings), not from the file.
  const what = issue.code === 'missing_column' && issue.value ? `colonne « ${issue.value} » absente de l’en-tête.` : SAFE_ISSUE[issue.code];
  return `${where} : ${what}`;
}

/** The first five issues of a run stopped by its input, safe for a clear column. */
export function safeIssuesText(issues: IngestIssue[]): string {
  return issues.slice(0, 5).map(safeIssueText).join(' ; ');
}
