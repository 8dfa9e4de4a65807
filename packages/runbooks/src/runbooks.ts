// Runbooks are data: one French YAML file per incident type under ../runbooks/, validated here and
// turned into tasks dated from the moment the organisation became aware of the incident.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Duration } from 'luxon';
import { parse } from 'yaml';
import { z } from 'zod';

export const INCIDENT_TYPES = [
  'rancongiciel', 'exfiltration', 'compromission_compte', 'prestataire', 'hameconnage', 'deni_de_service', 'perte_vol_materiel', 'autre',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

const ROLES = ['admin', 'rssi', 'dpo', 'dgs', 'elu', 'agent', 'prestataire', 'lecteur'] as const;
const PHASES = ['first_hour', 'first_day', 'first_week'] as const;

const isoDuration = z.string().refine((d) => Duration.fromISO(d).isValid, 'durée ISO 8601 attendue (ex. PT1H, P3D)');

const taskSchema = z.object({
  key: z.string().regex(/^[a-z0-9_]+$/, 'clé en minuscules, chiffres et _'),
  title: z.string().min(3),
  description: z.string().min(10),
  phase: z.enum(PHASES),
  ownerRole: z.enum(ROLES),
  dueAfter: isoDuration,
  when: z.enum(['personal_data']).optional(),
});

const runbookSchema = z.object({
  // Shared blocks (file names starting with _) have no type of their own.
  type: z.enum(INCIDENT_TYPES).optional(),
  title: z.string(),
  summary: z.string(),
  include: z.array(z.string()).default([]),
  tasks: z.array(taskSchema),
});

export type RunbookTask = z.infer<typeof taskSchema>;
export type Runbook = z.infer<typeof runbookSchema> & { file: string };

export interface TaskDraft {
  key: string;
  title: string;
  description: string;
  phase: (typeof PHASES)[number];
  ownerRole: (typeof ROLES)[number];
  dueAt: Date;
}

export const runbooksDir = fileURLToPath(new URL('../runbooks/', import.meta.url));

function readRunbookFile(file: string): Runbook {
  const full = path.join(runbooksDir, file);
  const parsed = runbookSchema.safeParse(parse(readFileSync(full, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Runbook invalide ${file} : ${issues}`);
  }
  return { ...parsed.data, file };
}

let cache: Map<string, Runbook> | null = null;

function all(): Map<string, Runbook> {
  if (cache) return cache;
  const map = new Map<string, Runbook>();
  for (const file of readdirSync(runbooksDir).filter((f) => f.endsWith('.yml')).sort()) {
    const runbook = readRunbookFile(file);
    map.set(file.replace(/\.yml$/, ''), runbook);
  }
  cache = map;
  return map;
}

export function listRunbooks(): Runbook[] {
  return INCIDENT_TYPES.map((t) => loadRunbook(t));
}

export function loadRunbook(type: string): Runbook {
  const runbook = all().get(type);
  if (!runbook || runbook.file.startsWith('_')) throw new Error(`Aucun runbook pour le type d'incident « ${type} »`);
  return runbook;
}

/** Common blocks (files starting with _) included by several runbooks, then the type's own tasks. */
function tasksOf(runbook: Runbook, seen = new Set<string>()): RunbookTask[] {
  const tasks: RunbookTask[] = [];
  for (const name of runbook.include) {
    if (seen.has(name)) continue;
    seen.add(name);
    const included = all().get(name);
    if (!included) throw new Error(`Runbook ${runbook.file} : bloc inclus inconnu « ${name} »`);
    tasks.push(...tasksOf(included, seen));
  }
  tasks.push(...runbook.tasks);
  return tasks;
}

export function expandRunbook(type: string, options: { awareAt: Date; personalDataInvolved: boolean }): TaskDraft[] {
  const byKey = new Map<string, RunbookTask>();
  // A type's own task replaces a common one with the same key.
  for (const task of tasksOf(loadRunbook(type))) byKey.set(task.key, task);
  return [...byKey.values()]
    .filter((t) => t.when !== 'personal_data' || options.personalDataInvolved)
    .map((t) => ({
      key: t.key,
      title: t.title,
      description: t.description.trim(),
      phase: t.phase,
      ownerRole: t.ownerRole,
      dueAt: new Date(options.awareAt.getTime() + Duration.fromISO(t.dueAfter).toMillis()),
    }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.key.localeCompare(b.key));
}
