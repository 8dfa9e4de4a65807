// Runbooks are data: one French YAML file per incident type under ../runbooks/ (plus shared blocks
// whose names start with _), validated here and turned into tasks dated from the moment the
// organisation became aware of the incident.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { DataFileError, parseYamlData, readDataFile, type DataIssue, type DataResult } from './data-file.ts';

export const INCIDENT_TYPES = [
  'rancongiciel', 'exfiltration', 'compromission_compte', 'prestataire', 'hameconnage', 'deni_de_service', 'perte_vol_materiel', 'autre',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const OWNER_ROLES = ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'agent', 'prestataire', 'lecteur'] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];
export const PHASES = ['first_hour', 'first_day', 'first_week'] as const;
export type Phase = (typeof PHASES)[number];
/** `personal_data`: only when personal data is involved; `no_personal_data`: only when it is not (yet) thought to be. */
export const TASK_CONDITIONS = ['personal_data', 'no_personal_data'] as const;
export type TaskCondition = (typeof TASK_CONDITIONS)[number];

const HOUR = 3_600_000;
/** Latest due time a task may have in each phase, relative to awareness. */
export const PHASE_BOUNDS_MS: Record<Phase, [number, number]> = {
  first_hour: [0, HOUR],
  first_day: [HOUR, 24 * HOUR],
  first_week: [24 * HOUR, 7 * 24 * HOUR],
};

// Days, hours and minutes only: months and years have no fixed length, and a deadline counted from
// awareness must be exact (P3D is 72 hours even across a change of clocks, like the CNIL deadline).
// eslint-disable-next-line security/detect-unsafe-regex -- anchored, no nested repetition of the same class
const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

export function durationMs(iso: string): number | null {
  const m = DURATION.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return null;
  const [, d = '0', h = '0', min = '0'] = m;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000;
}

const taskSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9_]{3,60}$/, 'clé attendue en minuscules, chiffres et _ (3 à 60 caractères).'),
  title: z.string().trim().min(3).max(200),
  description: z.string().trim().min(10).max(2000),
  phase: z.enum(PHASES),
  ownerRole: z.enum(OWNER_ROLES),
  dueAfter: z.string().refine((d) => durationMs(d) !== null && durationMs(d)! > 0, 'durée ISO 8601 positive attendue, en jours, heures ou minutes (ex. PT30M, PT4H, P3D).'),
  when: z.enum(TASK_CONDITIONS).optional(),
});

const runbookFileSchema = z.strictObject({
  type: z.enum(INCIDENT_TYPES).optional(),
  title: z.string().trim().min(3).max(200),
  summary: z.string().trim().min(3).max(1000),
  include: z.array(z.string().regex(/^_[a-z0-9_]+$/, 'bloc inclus attendu sous la forme _nom.')).max(20).default([]),
  tasks: z.array(taskSchema).max(200).default([]),
});

export type RunbookTask = z.infer<typeof taskSchema>;
export type RunbookFile = z.infer<typeof runbookFileSchema>;
export interface Runbook extends RunbookFile {
  file: string;
  /** The tasks of the included blocks then the file's own; a type's own task replaces a shared one with the same key. */
  allTasks: RunbookTask[];
}

export interface TaskDraft {
  key: string;
  title: string;
  description: string;
  phase: Phase;
  ownerRole: OwnerRole;
  dueAt: Date;
}

export const runbooksDir = fileURLToPath(new URL('../runbooks/', import.meta.url));

/** One runbook file: schema, unique task keys, due times inside their phase, type matching the file name. */
export function parseRunbook(text: string, file: string): DataResult<RunbookFile> {
  const result = parseYamlData(text, file, runbookFileSchema);
  if (!result.ok) return result;
  const runbook = result.value;
  const lineOf = result.lineOf!;
  const issues: DataIssue[] = [];
  const base = file.replace(/\.ya?ml$/, '');
  if (!base.startsWith('_') && runbook.type !== base) {
    issues.push({
      code: 'type_mismatch', file, line: lineOf(['type']), field: 'type',
      message: `le type « ${runbook.type ?? '(absent)'} » doit être celui du nom de fichier (« ${base} »).`,
      messageEn: `type "${runbook.type ?? '(missing)'}" must match the file name ("${base}").`,
    });
  }
  if (base.startsWith('_') && runbook.type) {
    issues.push({ code: 'type_mismatch', file, line: lineOf(['type']), field: 'type', message: 'un bloc partagé (fichier commençant par _) n’a pas de type.', messageEn: 'a shared block (file starting with _) has no type.' });
  }
  const seen = new Set<string>();
  runbook.tasks.forEach((task, i) => {
    if (seen.has(task.key)) {
      issues.push({ code: 'duplicate_key', file, line: lineOf(['tasks', i, 'key']), field: `tasks.${i}.key`, message: `la clé de tâche « ${task.key} » apparaît deux fois.`, messageEn: `task key "${task.key}" appears twice.` });
    }
    seen.add(task.key);
    const ms = durationMs(task.dueAfter)!;
    const [min, max] = PHASE_BOUNDS_MS[task.phase];
    if (ms <= min || ms > max) {
      issues.push({
        code: 'phase_mismatch', file, line: lineOf(['tasks', i, 'dueAfter']), field: `tasks.${i}.dueAfter`,
        message: `l’échéance ${task.dueAfter} ne tombe pas dans la phase ${task.phase} (entre ${min / HOUR} h exclues et ${max / HOUR} h).`,
        messageEn: `due time ${task.dueAfter} is outside phase ${task.phase} (${min / HOUR} h exclusive to ${max / HOUR} h).`,
      });
    }
  });
  return issues.length ? { ok: false, issues } : { ok: true, value: runbook };
}

/** Every runbook of a folder, includes resolved, each incident type covered. */
export function parseRunbookDir(dir: string): DataResult<Map<string, Runbook>> {
  const issues: DataIssue[] = [];
  const files = new Map<string, RunbookFile & { file: string }>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (error) {
    return { ok: false, issues: [{ code: 'file_unreadable', file: dir, message: `dossier illisible (${(error as Error).message}).`, messageEn: `cannot read folder (${(error as Error).message}).` }] };
  }
  for (const name of names) {
    const text = readDataFile(path.join(dir, name));
    const parsed = text.ok ? parseRunbook(text.value, name) : text;
    if (parsed.ok) files.set(name.replace(/\.ya?ml$/, ''), { ...parsed.value, file: name });
    else issues.push(...parsed.issues);
  }
  const resolved = new Map<string, Runbook>();
  const resolve = (name: string, chain: string[]): RunbookTask[] | null => {
    const runbook = files.get(name)!;
    const tasks = new Map<string, RunbookTask>();
    for (const include of runbook.include) {
      if (chain.includes(include)) {
        issues.push({ code: 'include_cycle', file: runbook.file, field: 'include', message: `inclusion circulaire : ${[...chain, include].join(' → ')}.`, messageEn: `circular include: ${[...chain, include].join(' → ')}.` });
        return null;
      }
      if (!files.has(include)) {
        issues.push({ code: 'unknown_include', file: runbook.file, field: 'include', message: `bloc inclus inconnu « ${include} ».`, messageEn: `unknown included block "${include}".` });
        return null;
      }
      const included = resolve(include, [...chain, include]);
      if (!included) return null;
      for (const task of included) tasks.set(task.key, task);
    }
    for (const task of runbook.tasks) tasks.set(task.key, task);
    return [...tasks.values()];
  };
  for (const [name, runbook] of files) {
    if (name.startsWith('_')) continue;
    const allTasks = resolve(name, [name]);
    if (allTasks) resolved.set(name, { ...runbook, allTasks });
  }
  for (const type of INCIDENT_TYPES) {
    if (!files.has(type)) issues.push({ code: 'unknown_type', file: `${type}.yml`, message: `aucun runbook pour le type d’incident « ${type} ».`, messageEn: `no runbook for incident type "${type}".` });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: resolved };
}

/** For a CLI or a health check: every problem in a runbook folder, empty when all is well. */
export function checkRunbooks(dir: string = runbooksDir): DataIssue[] {
  const result = parseRunbookDir(dir);
  return result.ok ? [] : result.issues;
}

const cache = new Map<string, Map<string, Runbook>>();

function all(dir: string): Map<string, Runbook> {
  const hit = cache.get(dir);
  if (hit) return hit;
  const result = parseRunbookDir(dir);
  if (!result.ok) throw new DataFileError(result.issues);
  cache.set(dir, result.value);
  return result.value;
}

export interface RunbookOptions {
  /** Another folder of runbooks (an organisation's own); the shipped ones by default. */
  dir?: string;
}

export function listRunbooks(options: RunbookOptions = {}): Runbook[] {
  return INCIDENT_TYPES.map((t) => loadRunbook(t, options));
}

export function isIncidentType(value: string): value is IncidentType {
  return (INCIDENT_TYPES as readonly string[]).includes(value);
}

export function loadRunbook(type: string, options: RunbookOptions = {}): Runbook {
  const runbook = isIncidentType(type) ? all(options.dir ?? runbooksDir).get(type) : undefined;
  if (!runbook) {
    throw new DataFileError([{ code: 'unknown_type', file: `${type}.yml`, message: `aucun runbook pour le type d’incident « ${type} ».`, messageEn: `no runbook for incident type "${type}".` }]);
  }
  return runbook;
}

/** The tasks of an incident, due at exact offsets from awareness, by due time then key. */
export function expandRunbook(type: string, options: RunbookOptions & { awareAt: Date; personalDataInvolved: boolean }): TaskDraft[] {
  const aware = options.awareAt.getTime();
  if (Number.isNaN(aware)) throw new RangeError('awareAt is not a valid date');
  return loadRunbook(type, options).allTasks
    .filter((t) => (t.when === 'personal_data' ? options.personalDataInvolved : t.when === 'no_personal_data' ? !options.personalDataInvolved : true))
    .map((t) => ({
      key: t.key,
      title: t.title,
      description: t.description.trim(),
      phase: t.phase,
      ownerRole: t.ownerRole,
      dueAt: new Date(aware + durationMs(t.dueAfter)!),
    }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
