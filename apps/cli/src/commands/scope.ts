// `rempart scope RECORDS… --mapping M.yml --out DIR` — who was exposed, what it means, the letters.
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { createDateParser, formatIssue, IngestError, loadMapping } from '@rempart/ingest';
import { loadRiskMatrix, RiskMatrixError, scopeRecords, writeOutputs, type RiskMatrix } from '@rempart/scoping';

export interface ScopeCliOptions {
  mapping?: string; since?: string; until?: string; modules?: string; out?: string;
  date?: string; organisation?: string; dpo?: string; risks?: string;
}
export interface ScopeIo { stdout: (t: string) => void; stderr: (t: string) => void }

const nf = (n: number) => n.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');
const parseDay = (text: string): string | null => {
  const r = createDateParser({ kind: 'date', formats: ['yyyy-MM-dd', 'dd/MM/yyyy'] })(text);
  return r.ok ? String(r.value) : null;
};
const parisToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());

export async function runScope(files: string[], options: ScopeCliOptions, io: ScopeIo, signal?: AbortSignal): Promise<number> {
  for (const f of files) if (!existsSync(f) || !statSync(f).isFile()) { io.stderr(`Erreur : fichier introuvable : ${f}\n`); return 2; }
  if (!options.mapping) { io.stderr('Erreur : --mapping est obligatoire (fichier YAML de correspondance des colonnes).\n'); return 2; }
  const loaded = loadMapping(options.mapping);
  if (!loaded.ok) { io.stderr(`Erreur : fichier de correspondance invalide.\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`); return 2; }
  const since = options.since === undefined ? undefined : parseDay(options.since);
  const until = options.until === undefined ? undefined : parseDay(options.until);
  const date = options.date === undefined ? parisToday() : parseDay(options.date);
  if (since === null || until === null || date === null) { io.stderr('Erreur : date illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA) dans --since, --until ou --date.\n'); return 2; }
  const modules = options.modules?.split(',').map((m) => m.trim()).filter(Boolean);
  let risks: RiskMatrix | undefined;
  if (options.risks !== undefined) {
    if (!existsSync(options.risks)) { io.stderr(`Erreur : matrice des risques introuvable : ${options.risks}\n`); return 2; }
    try { risks = loadRiskMatrix({ path: options.risks }); } catch (e) {
      if (e instanceof RiskMatrixError) { io.stderr(`Erreur : ${e.message}\n`); return 2; }
      throw e;
    }
  }
  let last = 0;
  try {
    const result = await scopeRecords({ files, mapping: loaded.mapping }, {
      since, until, modules, notificationDate: date, signal, risks,
      onProgress: (p) => {
        const t = Date.now();
        if (t - last < 1000) return;
        last = t;
        io.stderr(p.stage === 'lecture' ? `Lecture : ${nf(p.done)} lignes\n` : `${p.stage === 'comparaison' ? 'Comparaison des paires' : 'Regroupement'} : ${nf(p.done)}${p.total ? ` / ${nf(p.total)}` : ''}\n`);
      },
    });
    for (const issue of result.rejected.slice(0, 20)) io.stderr(`Ligne rejetée : ${formatIssue(issue)}\n`);
    if (result.rejected.length > 20) io.stderr(`… et ${nf(result.rejected.length - 20)} autres lignes rejetées (voir summary.json).\n`);
    const out = options.out ?? 'rempart-scope';
    await writeOutputs(result, out, { organisation: options.organisation ?? 'La collectivité', dpoContact: options.dpo ?? 'le délégué à la protection des données de la collectivité' });
    const s = result.summary as { persons: number; persons_range: [number, number]; records: number; review_pairs: number; minors: number };
    io.stdout(`${nf(s.persons)} personnes distinctes (entre ${nf(s.persons_range[0])} et ${nf(s.persons_range[1])}) dans ${nf(s.records)} lignes du périmètre ; ${nf(s.minors)} mineurs ; ${nf(s.review_pairs)} rapprochements à vérifier ; ${nf(result.rejected.length)} lignes rejetées.\nRésultats dans ${out}/ (report.html, persons.csv, letters.pdf…).\n`);
    return 0;
  } catch (e) {
    if (e instanceof IngestError) { io.stderr(`Erreur : ${e.issues.map((i) => formatIssue(i)).join('\n')}\n`); return 2; }
    if (signal?.aborted) { io.stderr('Interrompu.\n'); return 130; }
    throw e;
  }
}

export function registerScopeCommands(program: Command): void {
  program
    .command('scope')
    .description('Périmètre d’une fuite : personnes exposées, risques, courriers de notification')
    .argument('<fichiers...>', 'extraits CSV ou NDJSON (éventuellement .gz)')
    .option('--mapping <fichier>', 'correspondance des colonnes (YAML)')
    .option('--since <date>', 'début du périmètre sur la date du dossier (inclus)')
    .option('--until <date>', 'fin du périmètre (inclus)')
    .option('--modules <liste>', 'modules du périmètre, séparés par des virgules (ex. main_courante,otv)')
    .option('--date <date>', 'date de notification (mineurs, absences en cours) ; par défaut aujourd’hui')
    .option('--organisation <nom>', 'nom de la collectivité dans les courriers')
    .option('--dpo <contact>', 'contact du délégué à la protection des données')
    .option('--risks <fichier>', 'matrice des risques (YAML) ; par défaut celle livrée avec Rempart')
    .option('--out <dossier>', 'dossier des résultats', 'rempart-scope')
    .action(async (files: string[], options: ScopeCliOptions) => {
      const ctrl = new AbortController();
      const onSigint = () => ctrl.abort(new Error('interrompu'));
      process.once('SIGINT', onSigint);
      try {
        process.exitCode = await runScope(files, options, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }, ctrl.signal);
      } finally { process.removeListener('SIGINT', onSigint); }
    });
}
