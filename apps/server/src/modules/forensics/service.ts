// Forensics inside an incident: mappings and their preview, the operator's import folder, scans
// (rows, sealed findings) and turning a flagged account into tasks and a journal entry.
import { lstat, mkdir, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Transaction } from 'kysely';
import type { Schema } from '@rempart/db';
import { formatIssue, IngestError, loadMapping, readBatches, type Mapping } from '@rempart/ingest';
import { newMapper, type AccountResult, type ScanResult } from '@rempart/forensics';
import { AppError, errors } from '../../platform/errors.ts';
import { safeIssuesText } from '../../platform/job-errors.ts';
import type { Services } from '../../platform/services.ts';
import { cleanFileName, sizeLabel } from '../../platform/upload.ts';
import { writeEvidenceTo } from '../evidence/service.ts';
import { jobView } from '../jobs/queue.ts';
import { MAPPING_PRESETS, PRESET_IDS, type PresetId } from './presets.ts';
import { say } from '../../platform/say.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, say('Date attendue au format AAAA-MM-JJ.', 'Date expected as YYYY-MM-DD.'));

// A mapping is chosen one way only: a preset, a mapping saved by the organisation, or YAML written now.
const choiceFields = {
  preset: z.enum(PRESET_IDS).optional(),
  mappingId: z.string().uuid(say('Correspondance enregistrée inconnue.', 'Unknown saved mapping.')).optional(),
  mapping: z.string().max(256 * 1024, say('Correspondance trop longue (256 Ko au plus).', 'Mapping too long (256 KB at most).')).optional(),
};
const ONE_CHOICE = { message: say('Choisissez un modèle de correspondance, une correspondance enregistrée ou écrivez la vôtre (l’un des trois).', 'Choose a mapping preset, a saved mapping, or write your own (one of the three).'), path: ['preset'] };
const oneChoice = (m: { preset?: unknown; mappingId?: unknown; mapping?: unknown }) => [m.preset, m.mappingId, m.mapping].filter((v) => v !== undefined).length === 1;

export const previewSchema = z.object({
  evidenceId: z.string().uuid(say('Pièce inconnue.', 'Unknown piece of evidence.')),
  ...choiceFields,
}).refine(oneChoice, ONE_CHOICE);

export const scanInputSchema = z.object({
  evidenceIds: z.array(z.string().uuid(say('Pièce inconnue.', 'Unknown piece of evidence.'))).min(1, say('Choisissez au moins un journal.', 'Choose at least one log.')).max(50),
  ...choiceFields,
  since: day.optional(),
  until: day.optional(),
}).refine(oneChoice, ONE_CHOICE)
  .refine((s) => !s.since || !s.until || s.since <= s.until, { message: say('La fin de la période précède son début.', 'The end of the period is before its start.'), path: ['until'] });

export const importSchema = z.object({
  files: z.array(z.string().min(1).max(1000)).min(1, say('Choisissez au moins un fichier.', 'Choose at least one file.')).max(50),
});

export const actionSchema = z.object({
  account: z.string().min(1).max(500),
  tasks: z.boolean().default(true),
  journal: z.boolean().default(true),
});

export interface MappingIssue { line?: number; field?: string; message: string }

/** « ligne 3, champ fields : clé inconnue » — where the mapping is wrong, then why. */
export function mappingIssueText(issue: MappingIssue): string {
  const where = [issue.line ? `ligne ${issue.line}` : '', issue.field ? `champ ${issue.field}` : ''].filter(Boolean).join(', ');
  return where ? `${where} : ${issue.message}` : issue.message;
}

/** The mapping a user chose: a preset (null = canonical events) or their YAML, or the located reasons it is wrong. */
export function resolveMapping(choice: { preset?: PresetId; mapping?: string }): { ok: true; mapping: Mapping | null } | { ok: false; issues: MappingIssue[] } {
  const text = choice.preset ? MAPPING_PRESETS[choice.preset].text : choice.mapping ?? null;
  if (text === null) return { ok: true, mapping: null };
  const loaded = loadMapping({ text, name: 'correspondance' });
  if (!loaded.ok) return { ok: false, issues: loaded.issues.map((i) => ({ line: i.line, field: i.field, message: i.message })) };
  return { ok: true, mapping: loaded.mapping };
}

/** Paris day → UTC instant; `until` is inclusive, so it becomes the start of the next day. */
export function dayBound(value: string | undefined, end: boolean): Date | null {
  if (!value) return null;
  const start = DateTime.fromISO(value, { zone: 'Europe/Paris' });
  if (!start.isValid) throw errors.validation([{ path: end ? 'until' : 'since', message: 'Date invalide.' }]);
  return (end ? start.plus({ days: 1 }) : start).startOf('day').toJSDate();
}

/**
 * Decrypts an input into the scratch folder under its own name (the format is detected from the
 * name), one folder each; a preview takes only the first `maxBytes`.
 */
export async function writeInput(services: Services, dir: string, index: number, row: { name: string } & Parameters<typeof writeEvidenceTo>[1], options: { maxBytes?: number } = {}): Promise<string> {
  const folder = path.join(dir, 'in', String(index));
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, cleanFileName(row.name, 'journal').replace(/^\.+/, '_'));
  await writeEvidenceTo(services, row, file, options);
  return file;
}

export const scanErrorAad = (orgId: string, scanId: string) => `forensics-error:${orgId}:${scanId}`;

/**
 * Why a scan failed, in two parts: `text` for jobs.error (in clear, shown in the list) holds no value
 * taken from the logs; `detail`, the engine's own words, is sealed on the scan and read with an audit.
 */
export function scanFailure(error: unknown): { text: string; detail: string | null } {
  if (error instanceof IngestError) {
    return { text: `Analyse arrêtée : ${safeIssuesText(error.issues)}`, detail: error.issues.slice(0, 5).map((i) => formatIssue(i)).join('\n') };
  }
  // Our own errors (a piece altered in storage, a mapping that no longer loads) are written from names and settings.
  if (error instanceof AppError || error instanceof ScanSetupError) return { text: error.message, detail: null };
  return { text: 'Analyse impossible : le moteur d’analyse a rencontré une erreur (détail chiffré, lisible dans l’analyse).', detail: (error as Error)?.message ?? String(error) };
}

/** A scan that cannot start for a reason stated by the platform itself (no value from the logs). */
export class ScanSetupError extends Error {}

const PREVIEW_ROWS = 20;
/** A preview reads at most 500 lines: the first 16 MiB of a piece are decrypted for it, not a multi-gigabyte whole. */
export const PREVIEW_BYTES = 16 * 1024 * 1024;
const PREVIEW_MAX_LINES = 500;

export interface PreviewResult {
  ok: boolean;
  /** Header of a CSV file, to help write a mapping. */
  columns: string[];
  events: Record<string, string | number>[];
  rejected: { line: number | null; field: string | null; message: string }[];
  /** A mapping that cannot work at all (YAML, unknown key, missing column), located. */
  errors: MappingIssue[];
  linesRead: number;
}

/** Parses the first events of a file with a mapping exactly as a scan would, stopping early. */
export async function previewFile(file: string, choice: { preset?: PresetId; mapping?: string }): Promise<PreviewResult> {
  const result: PreviewResult = { ok: false, columns: [], events: [], rejected: [], errors: [], linesRead: 0 };
  const resolved = resolveMapping(choice);
  if (!resolved.ok) {
    result.errors = resolved.issues;
    return result;
  }
  const mapping = resolved.mapping;
  const mapper = newMapper(mapping);
  try {
    for await (const batch of readBatches(file, {
      format: mapping?.format, delimiter: mapping?.delimiter, encoding: mapping?.encoding, batchSize: 50,
      onHeader: (columns, name) => {
        result.columns = columns.slice(0, 100).map((c) => (c.length > 80 ? `${c.slice(0, 77)}...` : c));
        mapper.checkHeader(columns, name);
      },
    })) {
      result.linesRead = batch.linesRead;
      for (const issue of batch.issues) result.rejected.push({ line: issue.line ?? null, field: issue.field ?? null, message: issue.message });
      for (const row of batch.rows) {
        const mapped = mapper.apply(row);
        if (!mapped.ok) {
          const issue = mapped.issues[0]!;
          result.rejected.push({ line: mapped.line, field: issue.field ?? null, message: issue.message });
          continue;
        }
        if (result.events.length >= PREVIEW_ROWS) continue;
        const record: Record<string, string | number> = { line: mapped.line };
        for (const [key, value] of Object.entries(mapped.record)) {
          record[key] = key === '@timestamp' && typeof value === 'number'
            ? (DateTime.fromMillis(value, { zone: 'Europe/Paris' }).toISO({ suppressMilliseconds: true }) as string)
            : value;
        }
        result.events.push(record);
      }
      if (result.events.length >= PREVIEW_ROWS || batch.linesRead >= PREVIEW_MAX_LINES) break;
    }
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    result.errors = error.issues.map((i) => ({ line: i.line, field: i.field, message: formatIssue(i) }));
    return { ...result, events: [], ok: false };
  }
  result.rejected = result.rejected.slice(0, 50);
  result.ok = result.events.length > 0;
  if (!result.ok && result.errors.length === 0 && result.rejected.length === 0) result.errors.push({ message: 'Aucun événement : le fichier est vide.' });
  return result;
}

// ---- The operator's import folder -------------------------------------------------------------

const MAX_LISTED = 1000;

function notConfigured(): AppError {
  return new AppError('log_import_not_configured', 409, "L'import depuis un dossier du serveur n'est pas configuré : l'exploitant doit définir REMPART_LOG_IMPORT_DIR (voir docs/operations.md).");
}

/** Each organisation has its own sub-folder (named by its id): on a shared server, one commune cannot pick another's logs. */
async function importRoot(services: Services, orgId: string): Promise<string> {
  const configured = services.config.logImportDir;
  if (!configured) throw notConfigured();
  try {
    const root = await realpath(configured);
    const own = await realpath(path.join(root, orgId));
    if (path.dirname(own) !== root) throw new Error('outside');
    return own;
  } catch {
    throw new AppError('log_import_missing', 409, `Aucun dossier d'import pour cette organisation : l'exploitant doit créer le sous-dossier « ${orgId} » dans REMPART_LOG_IMPORT_DIR et y déposer les journaux.`);
  }
}

export interface FolderEntry { path: string; size: number; modifiedAt: string }

/** Regular files under the import folder; symbolic links are neither listed nor followed. */
export async function listImportFolder(services: Services, orgId: string): Promise<{ root: string; files: FolderEntry[]; truncated: boolean }> {
  const root = await importRoot(services, orgId);
  const files: FolderEntry[] = [];
  let truncated = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (files.length >= MAX_LISTED) {
        truncated = true;
        return;
      }
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 4) await walk(full, depth + 1);
      else if (entry.isFile()) {
        const info = await lstat(full);
        files.push({ path: path.relative(root, full).split(path.sep).join('/'), size: info.size, modifiedAt: info.mtime.toISOString() });
      }
    }
  };
  await walk(root, 0);
  return { root: path.basename(root), files, truncated };
}

/**
 * Resolves a path chosen in the listing and checks it: relative, no `..`, and the real path (symbolic
 * links resolved) must be the same file inside the folder, so a link cannot lead outside it.
 */
export async function checkImportFile(services: Services, orgId: string, relative: string): Promise<{ name: string; file: string }> {
  const root = await importRoot(services, orgId);
  const refuse = (message: string) => errors.validation([{ path: 'files', message: `${relative.slice(0, 200)} : ${message}` }]);
  if (relative.includes('\0') || path.isAbsolute(relative) || relative.split(/[\\/]/).some((part) => part === '..')) throw refuse('chemin refusé (il doit rester dans le dossier d’import).');
  const candidate = path.resolve(root, relative);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw refuse('fichier introuvable.');
  }
  if (real !== candidate || !real.startsWith(root + path.sep)) throw refuse('lien symbolique ou chemin hors du dossier d’import refusé.');
  const info = await lstat(real);
  if (!info.isFile()) throw refuse('ce n’est pas un fichier.');
  if (info.size === 0) throw refuse('fichier vide.');
  if (info.size > services.config.maxEvidenceBytes) throw refuse(`fichier trop volumineux (${sizeLabel(services.config.maxEvidenceBytes)} au plus par fichier, limite REMPART_MAX_EVIDENCE_MB ; découpez-le).`);
  return { name: path.basename(real), file: real };
}

// ---- Scans ----------------------------------------------------------------------------------------

export const findingsAad = (orgId: string, scanId: string) => `forensics:${orgId}:${scanId}`;

export interface SealedFindings {
  accounts: AccountResult[];
  series: ScanResult['series'];
  firstRejected: ScanResult['summary']['first_rejected'];
}

export async function scanRows(db: Services['db'] | Transaction<Schema>, orgId: string, incidentId: string, scanId?: string) {
  let q = db.selectFrom('forensic_scans')
    .leftJoin('jobs', 'jobs.id', 'forensic_scans.job_id')
    .leftJoin('evidence', 'evidence.id', 'forensic_scans.report_evidence_id')
    .selectAll('forensic_scans')
    .select(['jobs.status as job_status', 'jobs.progress as job_progress', 'jobs.error as job_error', 'jobs.kind as job_kind', 'jobs.id as jid', 'jobs.result as job_result',
      'jobs.created_at as job_created_at', 'jobs.started_at as job_started_at', 'jobs.finished_at as job_finished_at',
      'evidence.name as report_name', 'evidence.sha256 as report_sha256'])
    .where('forensic_scans.organisation_id', '=', orgId).where('forensic_scans.incident_id', '=', incidentId);
  if (scanId) q = q.where('forensic_scans.id', '=', scanId);
  return q.orderBy('forensic_scans.created_at', 'desc').execute();
}

export function scanView(row: Awaited<ReturnType<typeof scanRows>>[number], evidenceNames: Map<string, string>) {
  const job = row.jid ? jobView({ id: row.jid, kind: row.job_kind, status: row.job_status, progress: row.job_progress, result: row.job_result, error: row.job_error, created_at: row.job_created_at, started_at: row.job_started_at, finished_at: row.job_finished_at }) : null;
  const inputs = (row.input_evidence_ids as string[]).map((id) => ({ id, name: evidenceNames.get(id) ?? '?' }));
  return {
    id: row.id,
    status: job?.status ?? 'failed',
    progress: job?.progress ?? {},
    error: job?.error ?? null,
    inputs,
    mapping: row.mapping_preset ?? 'personnalisee',
    mappingName: row.mapping_name,
    hasErrorDetail: row.error_enc !== null,
    mappingText: row.mapping_text,
    since: row.since ? new Date(row.since).toISOString() : null,
    until: row.until ? new Date(row.until).toISOString() : null,
    summary: row.summary,
    report: row.report_evidence_id ? { evidenceId: row.report_evidence_id, name: row.report_name as string, sha256: row.report_sha256 as string } : null,
    createdByName: row.created_by_name,
    createdAt: new Date(row.created_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

export async function evidenceNames(db: Services['db'], orgId: string, incidentId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('evidence').select(['id', 'name']).where('organisation_id', '=', orgId).where('incident_id', '=', incidentId).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function openFindings(services: Services, orgId: string, scanId: string, sealed: string): SealedFindings {
  return JSON.parse(services.keys.decrypt(sealed, findingsAad(orgId, scanId))) as SealedFindings;
}

// ---- Findings → response plan --------------------------------------------------------------------

const parisDay = (iso: string) => DateTime.fromISO(iso).setZone('Europe/Paris').toFormat('dd/MM/yyyy');
const parisTime = (iso: string) => DateTime.fromISO(iso).setZone('Europe/Paris').toFormat("dd/MM/yyyy 'à' HH'h'mm");
const SEVERITY_FR = { critical: 'critique', high: 'élevée', medium: 'moyenne', low: 'faible' } as const;

/** The tasks a flagged account calls for: who does them and how soon depends on the severity. */
export function tasksFor(account: AccountResult, now: Date) {
  const first = account.findings.map((f) => f.first).sort()[0]!;
  const last = account.findings.map((f) => f.last).sort().at(-1)!;
  const hours = account.severity === 'critical' ? 1 : account.severity === 'high' ? 24 : 72;
  const due = new Date(now.getTime() + hours * 3_600_000).toISOString();
  const why = account.findings.map((f) => `- ${f.title} : ${f.explanation}`).join('\n');
  const exports = account.findings.flatMap((f) => f.events).filter((e) => e.action === 'export');
  const exportLines = [...new Map(exports.map((e) => [e['@timestamp'] + e.module, e])).values()]
    .map((e) => `- ${parisTime(e['@timestamp'])} : ${e.records} enregistrement(s), module ${e.module}, depuis ${e.ip ?? 'adresse inconnue'}`).join('\n');
  return [
    { kind: 'disable', title: `Désactiver le compte ${account.account}`, ownerRole: 'prestataire' as const, dueAt: due,
      description: `Compte signalé par l’analyse des journaux (gravité ${SEVERITY_FR[account.severity]}, score ${account.score}). Désactiver le compte et fermer ses sessions ouvertes avant toute autre action.\n${why}` },
    { kind: 'reset', title: `Réinitialiser le mot de passe de ${account.account}`, ownerRole: 'prestataire' as const, dueAt: due,
      description: `Réinitialiser le mot de passe (et le second facteur s’il existe) avec l’agent, par un canal sûr ; vérifier qu’aucun autre compte ne partage ce mot de passe.` },
    { kind: 'exports', title: `Vérifier les exports de ${account.account} du ${parisDay(first)} au ${parisDay(last)}`, ownerRole: 'dpo' as const, dueAt: due,
      description: `Établir quelles données personnelles ont pu être consultées ou exportées entre le ${parisTime(first)} et le ${parisTime(last)} : elles déterminent la notification à la CNIL et l’information des personnes.${exportLines ? `\nExports relevés :\n${exportLines}` : ''}` },
  ];
}

export function journalTextFor(account: AccountResult, scan: { createdAt: string; report: { name: string; sha256: string } | null }): string {
  const lines = [
    `Analyse des journaux du ${parisTime(scan.createdAt)} : compte ${account.account} signalé (gravité ${SEVERITY_FR[account.severity]}, score ${account.score}).`,
    account.summary,
    ...account.findings.map((f) => `- ${f.title} (${parisTime(f.first)}) : ${f.explanation}`),
  ];
  if (scan.report) lines.push(`Rapport versé au dossier : ${scan.report.name} (SHA-256 ${scan.report.sha256}).`);
  return lines.join('\n');
}
