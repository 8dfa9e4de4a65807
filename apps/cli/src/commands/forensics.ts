// `rempart forensics scan FILE…` — find compromised accounts in application logs, on a laptop.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createDateParser, formatIssue, IngestError, loadMapping, type Mapping } from '@rempart/ingest';
import { adjustableKeys, adjustmentProblem, checkRuleFolder, DEFAULT_RULES_DIR, generates, loadRules, RuleError, scanFiles, withOverrides, writeOutputs, type ScanProgress, type ScanResult } from '@rempart/forensics';

export interface ScanCliOptions {
  mapping?: string;
  since?: string;
  until?: string;
  out?: string;
  rules?: string;
  set?: string[];
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY?: boolean;
  now?: () => number;
}

const nf = (n: number) => n.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');

/** A day (`2024-03-01`, `01/03/2024`) or an instant; days are Paris days; `until` day is included. */
function parseBound(text: string, end: boolean): number | null {
  const day = createDateParser({ kind: 'date', formats: ['yyyy-MM-dd', 'dd/MM/yyyy'] })(text);
  if (day.ok) {
    const start = createDateParser({ kind: 'datetime', formats: ['yyyy-MM-dd'], timezone: 'Europe/Paris' })(String(day.value));
    if (!start.ok) return null;
    if (!end) return start.value as number;
    const next = new Date(Date.parse(`${day.value}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const nextStart = createDateParser({ kind: 'datetime', formats: ['yyyy-MM-dd'], timezone: 'Europe/Paris' })(next);
    return nextStart.ok ? (nextStart.value as number) : null;
  }
  const instant = createDateParser({ kind: 'datetime', formats: ['iso', 'dd/MM/yyyy HH:mm', 'dd/MM/yyyy HH:mm:ss'], timezone: 'Europe/Paris' })(text);
  return instant.ok ? (instant.value as number) : null;
}

export async function runForensicsScan(files: string[], options: ScanCliOptions, io: Io): Promise<number> {
  const now = io.now ?? (() => performance.now());
  for (const file of files) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      io.stderr(`Erreur : fichier introuvable : ${file}\n`);
      return 2;
    }
  }
  let mapping: Mapping | null = null;
  if (options.mapping) {
    const loaded = loadMapping(options.mapping);
    if (!loaded.ok) {
      io.stderr(`Erreur : fichier de correspondance invalide.\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`);
      return 2;
    }
    mapping = loaded.mapping;
  }
  const since = options.since === undefined ? undefined : parseBound(options.since, false);
  const until = options.until === undefined ? undefined : parseBound(options.until, true);
  if (since === null || until === null) {
    io.stderr(`Erreur : date illisible pour ${since === null ? '--since' : '--until'} (formats : 2024-03-01, 01/03/2024, 2024-03-01T08:00).\n`);
    return 2;
  }
  let rules;
  try {
    rules = loadRules(options.rules ? resolve(options.rules) : undefined);
  } catch (error) {
    if (error instanceof RuleError) {
      io.stderr(`Erreur : ${error.where} : ${error.messageFr}\n`);
      return 2;
    }
    throw error;
  }
  // `--set export_volume.ratio=10`, `--set off_hours.enabled=false`: thresholds without editing files.
  const overrides: Record<string, Record<string, number | string>> = {};
  const items: Record<string, string[]> = {};
  for (const item of options.set ?? []) {
    const match = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)=(.+)$/.exec(item);
    const rule = match ? rules.find((r) => r.id === match[1]) : undefined;
    if (!match || !rule) {
      io.stderr(`Erreur : --set ${item} : attendu règle.paramètre=valeur avec une règle existante (${rules.map((r) => r.id).join(', ')}).\n`);
      return 2;
    }
    const [, id, key, raw] = match as unknown as [string, string, string, string];
    if (key !== 'enabled' && !adjustableKeys(rule).includes(key)) {
      io.stderr(`Erreur : --set ${item} : la règle ${id} n’a pas de paramètre ${key} (paramètres : ${adjustableKeys(rule).join(', ')}).\n`);
      return 2;
    }
    const value = Number(raw);
    const numeric = Number.isFinite(value) && raw.trim() !== '';
    if (typeof rule.params[key] === 'number' && !numeric) {
      io.stderr(`Erreur : --set ${item} : valeur numérique attendue (actuellement ${rule.params[key]}).\n`);
      return 2;
    }
    (overrides[id] ??= {})[key] = numeric ? value : raw;
    (items[id] ??= []).push(item);
  }
  rules = withOverrides(rules, Object.fromEntries(Object.entries(overrides).map(([id, o]) => [id, 'enabled' in o ? { enabled: o.enabled !== 'false' && o.enabled !== 0 } : o])));
  // Checked once every --set of a rule is applied: `gte` and `lt` may move together.
  for (const rule of rules.filter((r) => items[r.id])) {
    const problem = adjustmentProblem(rule);
    if (problem) {
      io.stderr(`Erreur : ${(items[rule.id] ?? []).map((i) => `--set ${i}`).join(' ')} : ${problem}.\n`);
      return 2;
    }
  }
  const started = now();
  let lastPrint = 0;
  let lastFile = '';
  const onProgress = (p: ScanProgress) => {
    const t = now();
    const fileDone = p.phase === 'read' && p.file !== lastFile && lastFile !== '';
    if (t - lastPrint < 500 && p.fraction < 1 && !fileDone) return;
    lastPrint = t;
    lastFile = p.file ?? lastFile;
    const seconds = Math.max(0.001, (t - started) / 1000);
    const line = p.phase === 'read'
      ? `Lecture ${p.file ?? ''} (${(p.fileIndex ?? 0) + 1}/${p.files}) : ${Math.round(p.fraction * 100)} %${p.linesRead > 0 ? ` — ${nf(p.linesRead)} lignes, ${nf(Math.round(p.linesRead / seconds))} événements/s` : ''}`
      : p.phase === 'detect' ? `Détection : règle ${p.rule} (${Math.round(p.fraction * 100)} %)` : 'Explications et rapport…';
    io.stderr(io.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrompu'));
  process.once('SIGINT', onSigint);
  let result: ScanResult;
  try {
    result = await scanFiles(files.map((f) => resolve(f)), { mapping, since, until, rules, onProgress, signal: controller.signal });
  } catch (error) {
    if (io.isTTY) io.stderr('\n');
    if (error instanceof IngestError) {
      io.stderr(`Erreur : analyse arrêtée.\n${error.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`);
      return 2;
    }
    if (controller.signal.aborted) {
      io.stderr('Analyse interrompue ; aucun fichier de résultat n’a été écrit.\n');
      return 130;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (io.isTTY) io.stderr('\n');
  const seconds = Math.max(0.001, (now() - started) / 1000);
  const out = resolve(options.out ?? 'rempart-forensics');
  const paths = writeOutputs(result, out);
  const s = result.summary;
  const lines = [
    `Lignes lues : ${nf(s.lines_read)} ; retenues : ${nf(s.accepted)} ; rejetées : ${nf(s.rejected)}${s.outside_period > 0 ? ` ; hors période : ${nf(s.outside_period)}` : ''}.`,
  ];
  if (s.rejected > 0) {
    lines.push(`Motifs de rejet : ${Object.entries(s.rejected_by_reason).map(([k, v]) => `${k} ${nf(v)}`).join(', ')}.`);
    lines.push(`Premières lignes rejetées : ${s.first_rejected.slice(0, 5).map((r) => `${r.file}:${r.line ?? '?'}`).join(', ')}.`);
  }
  lines.push(`Période : ${s.time_span.first ?? '—'} → ${s.time_span.last ?? '—'} ; comptes : ${nf(s.accounts)}.`);
  lines.push(`Comptes signalés : ${s.flagged.critical} critique(s), ${s.flagged.high} élevé(s), ${s.flagged.medium} moyen(s), ${s.flagged.low} faible(s).`);
  for (const a of result.accounts.filter((x) => x.severity === 'critical' || x.severity === 'high').slice(0, 10)) lines.push(`  ${a.account} (${a.score}) — ${a.summary}`);
  lines.push(`Durée : ${seconds.toFixed(1)} s (${nf(Math.round(s.lines_read / seconds))} événements/s).`);
  lines.push(`Résultats : ${paths.json}, ${paths.csv}, ${paths.html}`);
  io.stderr(`${lines.join('\n')}\n`);
  return 0;
}

/** `rempart forensics rules check [DIR]`: the rules a scan would load, or every mistake with its file, line and field. */
export function runForensicsRulesCheck(dir: string | undefined, io: Io): number {
  const where = dir ? resolve(dir) : DEFAULT_RULES_DIR;
  if (!existsSync(where) || !statSync(where).isDirectory()) {
    io.stderr(`Erreur : dossier de règles introuvable : ${dir}\n`);
    return 2;
  }
  const { rules, errors } = checkRuleFolder(where);
  if (errors.length > 0) {
    const files = new Set(errors.map((e) => e.file)).size;
    io.stderr(`${errors.map((e) => `${e.where} : ${e.messageFr}\n`).join('')}${errors.length} erreur(s) dans ${files} fichier(s).\n`);
    return 2;
  }
  const blocks = rules.filter((r) => !generates(r)).length;
  io.stdout(`Règles valides (${dir ?? 'jeu par défaut'}) : ${rules.length} règle(s) : ${rules.length - blocks} produisant des constats, ${blocks} brique(s) de corrélation.\n`);
  return 0;
}

export function registerForensicsCommands(program: Command): void {
  const forensics = program.command('forensics').description('Analyse des journaux de connexion d’une application métier');
  forensics
    .command('scan')
    .description('Chercher les comptes compromis dans des journaux (NDJSON, CSV, gzip)')
    .argument('<fichiers...>', 'journaux à analyser')
    .option('--mapping <fichier>', 'correspondance des colonnes (YAML)')
    .option('--since <date>', 'début de la période (jour de Paris ou instant)')
    .option('--until <date>', 'fin de la période (jour inclus)')
    .option('--out <dossier>', 'dossier des résultats', 'rempart-forensics')
    .option('--rules <dossier>', 'dossier de règles YAML à la place du jeu par défaut')
    .option('--set <règle.paramètre=valeur...>', 'ajuster un seuil (ex. export_volume.ratio=10, off_hours.enabled=false)')
    .action(async (files: string[], options: ScanCliOptions) => {
      process.exitCode = await runForensicsScan(files, options, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        isTTY: process.stderr.isTTY === true,
      });
    });
  forensics
    .command('rules')
    .description('Règles de détection')
    .command('check')
    .description('Vérifie un dossier de règles (YAML) et nomme chaque erreur : fichier, ligne, champ')
    .argument('[dossier]', 'dossier de règles (par défaut : le jeu livré)')
    .action((dir: string | undefined) => {
      process.exitCode = runForensicsRulesCheck(dir, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    });
}
