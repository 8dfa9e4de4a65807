// `rempart scope RECORDS… --mapping M.yml --out DIR` — who was exposed, what it means, the letters;
// `rempart scope notify DIR` — the email or SMS campaign from that folder.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { createDateParser, formatIssue, IngestError, loadMapping } from '@rempart/ingest';
import {
  CampaignError, EMAIL_SUBJECT, loadRiskMatrix, NOTIFICATIONS_FILE, openSmppChannel, openSmtpChannel, parseSmppUrl, parseSmtpUrl, planSms, RiskMatrixError, runCampaign, scopeRecords, writeOutputs,
  type DeliveryChannel, type NotificationLine, type Outgoing, type RiskMatrix,
} from '@rempart/scoping';

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

// ---------------------------------------------------------------------------------------------
// `rempart scope notify DIR` — the campaign from a `scope` output folder: dry run unless --send.

export interface NotifyCliOptions {
  channel?: string; smtp?: string; from?: string; smpp?: string; sender?: string;
  send?: boolean; perMinute?: string; retryUncertain?: boolean; includeMinors?: boolean;
}

const RECEIPT_WAIT_MS = 30_000;
const CHANNEL_FR = { email: { one: 'courriel', many: 'courriels', title: 'Courriels' }, sms: { one: 'SMS', many: 'SMS', title: 'SMS' } } as const;

/** The pack `scope` wrote, checked line by line: a hand-edited file must not send garbage. */
function readNotifications(file: string): NotificationLine[] {
  const out: NotificationLine[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (const [i, text] of lines.entries()) {
    if (!text.trim()) continue;
    const where = `${basename(file)}, ligne ${i + 1}`;
    let v: Partial<NotificationLine>;
    try { v = JSON.parse(text) as Partial<NotificationLine>; } catch { throw new CampaignError(`${where} : JSON invalide ; régénérez le dossier avec « rempart scope ».`); }
    if (typeof v.person_id !== 'string' || !v.person_id) throw new CampaignError(`${where} : champ person_id manquant.`);
    if (v.email && typeof v.email_text !== 'string') throw new CampaignError(`${where} : courriel sans texte (email_text).`);
    if (v.mobile && typeof v.sms_text !== 'string') throw new CampaignError(`${where} : mobile sans texte (sms_text).`);
    out.push(v as NotificationLine);
  }
  return out;
}

export async function runNotify(dir: string, options: NotifyCliOptions, io: ScopeIo, signal?: AbortSignal, env: Record<string, string | undefined> = process.env): Promise<number> {
  const fail = (message: string) => { io.stderr(`Erreur : ${message}\n`); return 2; };
  // Every CampaignError (server address, pack file, connection, record file) is told the same way.
  try {
    return await notify(dir, options, io, signal, env, fail);
  } catch (e) {
    if (e instanceof CampaignError) return fail(e.message);
    throw e;
  }
}

async function notify(dir: string, options: NotifyCliOptions, io: ScopeIo, signal: AbortSignal | undefined, env: Record<string, string | undefined>, fail: (message: string) => number): Promise<number> {
  const channel = options.channel ?? 'email';
  if (channel !== 'email' && channel !== 'sms') return fail(`canal « ${channel} » inconnu (--channel email ou --channel sms).`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return fail(`dossier introuvable : ${dir} (le dossier --out de « rempart scope »).`);
  const packFile = join(dir, NOTIFICATIONS_FILE);
  if (!existsSync(packFile)) return fail(`${packFile} introuvable : lancez d’abord « rempart scope EXTRAIT --mapping M.yml --out ${dir} ».`);
  const perMinute = options.perMinute === undefined ? 60 : Number(options.perMinute);
  if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > 100_000) return fail(`--per-minute « ${options.perMinute} » : nombre entier de messages par minute attendu (1 à 100000).`);
  const dryRun = options.send !== true;
  const words = CHANNEL_FR[channel];
  let open: () => Promise<DeliveryChannel>;
  if (channel === 'email') {
    const url = options.smtp ?? env.SMTP_URL;
    const from = options.from ?? env.SMTP_FROM;
    const target = url ? parseSmtpUrl(url) : null;
    if (!dryRun && !target) return fail('serveur d’envoi manquant : --smtp smtp://hôte:port (ou la variable SMTP_URL).');
    if (!dryRun && !from) return fail('expéditeur manquant : --from "Mairie <dpo@commune.fr>" (ou la variable SMTP_FROM).');
    if (from && !/@[^@\s>]+\.[^@\s>]+>?\s*$/.test(from)) return fail(`expéditeur « ${from} » invalide : une adresse de courriel est attendue.`);
    open = () => openSmtpChannel(target!, from!);
  } else {
    const url = options.smpp ?? env.SMPP_URL;
    const target = url ? parseSmppUrl(url) : null;
    if (!dryRun && !target) return fail('serveur SMS manquant : --smpp smpp://identifiant:motdepasse@hôte:port (ou la variable SMPP_URL), fourni par l’opérateur SMS.');
    if (!dryRun && !options.sender) return fail('émetteur manquant : --sender MAIRIE (11 caractères au plus, déclaré auprès de l’opérateur).');
    // Receipts are asked for and awaited a little at the end; later ones are not recorded.
    open = () => openSmppChannel(target!, options.sender!, { receipts: true, receiptWaitMs: RECEIPT_WAIT_MS });
  }
  const pack = readNotifications(packFile);
  // The address or number found in a minor's records may be the child's own: by default minors get
  // only the letter addressed to their legal representatives.
  const reachable = pack.filter((p) => (channel === 'email' ? p.email : p.mobile));
  const minorsHeld = options.includeMinors ? 0 : reachable.filter((p) => p.minor).length;
  const messages: Outgoing[] = reachable.filter((p) => options.includeMinors || !p.minor).map((p) => (channel === 'email'
    ? { personId: p.person_id, to: p.email!, subject: p.subject ?? EMAIL_SUBJECT, text: p.email_text! }
    : { personId: p.person_id, to: p.mobile!, text: p.sms_text! }));
  const recordPath = join(dir, `sent-${channel}.csv`);
  const simulationPath = join(dir, `dry-run-${channel}.csv`);
  const deliver = dryRun ? null : await open();
  if (channel === 'sms') {
    const plans = messages.map((m) => planSms(m.text));
    const ucs2 = plans.filter((p) => p.encoding === 'ucs2').length;
    io.stderr(`${nf(messages.length)} SMS, ${nf(plans.reduce((n, p) => n + p.parts.length, 0))} parties (160 caractères pour un SMS seul, 153 par partie au-delà)${ucs2 ? `, dont ${nf(ucs2)} en UCS-2 (70 caractères par partie)` : ''}.\n`);
  }
  io.stderr(dryRun
    ? `Simulation : aucun ${words.one} ne sera envoyé (ajoutez --send pour envoyer). Détail dans ${simulationPath}.\n`
    : `Envoi de ${nf(messages.length)} ${words.many}, ${nf(perMinute)} par minute au plus ; registre : ${recordPath}.\n`);
  let last = 0;
  const report = await runCampaign(messages, deliver, {
    dryRun, recordPath, simulationPath, perMinute, retryUncertain: options.retryUncertain === true, signal,
    onProgress: (p) => {
      const t = Date.now();
      if (t - last < 1000 && p.done < p.total) return;
      last = t;
      io.stderr(`${words.title} : ${nf(p.done)} / ${nf(p.total)} (${nf(dryRun ? p.simulated : p.sent)} ${dryRun ? 'simulés' : 'envoyés'}, ${nf(p.skipped)} déjà envoyés, ${nf(p.failed)} échecs)\n`);
    },
  });
  const parts = [dryRun ? `${nf(report.simulated)} à envoyer (simulation)` : `${nf(report.sent)} envoyés`, `${nf(report.skipped)} déjà envoyés`];
  if (report.failed) parts.push(`${nf(report.failed)} échecs`);
  if (report.delivered || report.undelivered) parts.push(`accusés de réception : ${nf(report.delivered)} remis, ${nf(report.undelivered)} non remis`);
  if (report.uncertain) parts.push(`${nf(report.uncertain)} interrompus sans confirmation (non renvoyés : vérifiez-les puis ajoutez --retry-uncertain)`);
  if (minorsHeld) parts.push(`${nf(minorsHeld)} mineurs non contactés (courrier à leurs représentants légaux ; --include-minors pour les inclure)`);
  io.stdout(`${words.title} : ${parts.join(', ')} ; ${nf(pack.length - reachable.length)} personnes sans ${channel === 'email' ? 'courriel' : 'mobile'}.\n`);
  if (report.interrupted) { io.stderr(`Interrompu : relancez la même commande pour reprendre ; rien ne sera envoyé deux fois (registre ${recordPath}).\n`); return 130; }
  if (report.stoppedOnFailures) { io.stderr(`Arrêt après plusieurs échecs consécutifs : vérifiez le serveur, puis relancez la même commande (les échecs seront retentés). Détail dans ${recordPath}.\n`); return 1; }
  if (report.failed) { io.stderr(`${nf(report.failed)} envois en échec (détail dans ${recordPath}) : relancez la même commande pour les retenter.\n`); return 1; }
  return 0;
}

export function registerScopeCommands(program: Command): void {
  const scope = program
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
    .action((files: string[], options: ScopeCliOptions) => withSigint((signal) => runScope(files, options, stdio, signal)));
  scope
    .command('notify')
    .description('Campagne de notification (courriels ou SMS) depuis le dossier de « rempart scope » ; simulation sauf --send')
    .argument('<dossier>', 'dossier --out de « rempart scope » (contient notifications.ndjson)')
    .option('--channel <canal>', 'email ou sms', 'email')
    .option('--smtp <url>', 'serveur SMTP : smtp://hôte:port ou smtps://identifiant:motdepasse@hôte:port (sinon SMTP_URL)')
    .option('--from <adresse>', 'expéditeur des courriels (sinon SMTP_FROM)')
    .option('--smpp <url>', 'serveur SMS : smpp://identifiant:motdepasse@hôte:port (sinon SMPP_URL)')
    .option('--sender <nom>', 'émetteur des SMS (ex. MAIRIE, 11 caractères au plus)')
    .option('--send', 'envoyer réellement (sans cette option : simulation, rien n’est envoyé)')
    .option('--per-minute <n>', 'messages (ou parties de SMS) par minute au plus', '60')
    .option('--retry-uncertain', 'renvoyer les messages dont l’envoi a été coupé sans confirmation')
    .option('--include-minors', 'écrire aussi aux mineurs (par défaut : seulement le courrier à leurs représentants légaux)')
    .action((dir: string, options: NotifyCliOptions) => withSigint((signal) => runNotify(dir, options, stdio, signal)));
}

const stdio: ScopeIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

// The first Ctrl-C stops between two messages (or rows) and lets the record be written; a second one kills.
async function withSigint(run: (signal: AbortSignal) => Promise<number>): Promise<void> {
  const ctrl = new AbortController();
  const onSigint = () => ctrl.abort(new Error('interrompu'));
  process.once('SIGINT', onSigint);
  try {
    process.exitCode = await run(ctrl.signal);
  } finally { process.removeListener('SIGINT', onSigint); }
}
