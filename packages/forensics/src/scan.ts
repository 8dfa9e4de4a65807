// The engine's entry point: files in, scored accounts out. Pure apart from a temporary DuckDB file
// (removed at the end) that keeps memory bounded whatever the number of events.
import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Mapping } from '@rempart/ingest';
import { loadEvents, type LoadStats, type RejectedLine } from './load.ts';
import { prepareContext, runDetectors, type Hit } from './detect.ts';
import { generates, loadRules, SEVERITIES, type Rule, type Severity } from './rules.ts';
import { phaseTimer } from './timings.ts';
import { isoMillis, parisIso, parisText } from './paris.ts';

export { parisIso };

export interface EvidenceEvent {
  '@timestamp': string;
  action: string;
  outcome: string;
  ip: string | null;
  country: string | null;
  module: string;
  records: number;
  user_agent: string | null;
}

export interface Finding {
  rule: string;
  severity: Severity;
  first: string;
  last: string;
  events: EvidenceEvent[];
  explanation: string;
  title: string;
  baseline: Record<string, string | number>;
  event_count: number;
  advice: string;
}

export interface AccountResult {
  account: string;
  score: number;
  severity: Severity;
  summary: string;
  findings: Finding[];
}

export interface ScanSummary {
  files: LoadStats['files'];
  lines_read: number;
  accepted: number;
  rejected: number;
  rejected_by_reason: Record<string, number>;
  first_rejected: RejectedLine[];
  outside_period: number;
  warnings: number;
  time_span: { first: string | null; last: string | null };
  period: { since: string | null; until: string | null };
  accounts: number;
  flagged: Record<Severity, number>;
  rules: string[];
}

export interface ScanResult {
  summary: ScanSummary;
  accounts: AccountResult[];
  /** Daily events per flagged account (Paris days), for the timelines. */
  series: Record<string, { day: string; events: number }[]>;
}

export type ScanPhase = 'read' | 'detect' | 'explain';
export interface ScanProgress {
  phase: ScanPhase;
  file?: string;
  fileIndex?: number;
  files: number;
  /** 0..1 within the phase. */
  fraction: number;
  linesRead: number;
  rule?: string;
}

export interface ScanOptions {
  mapping?: Mapping | null;
  /** UTC epoch ms, inclusive. */
  since?: number;
  /** UTC epoch ms, exclusive. */
  until?: number;
  rules?: Rule[];
  onProgress?: (progress: ScanProgress) => void;
  signal?: AbortSignal;
  /** DuckDB threads (default 2) and memory limit (default 1GB). */
  threads?: number;
  memoryLimit?: string;
  /** Read canonical NDJSON and mapped CSV through the Node reader too (slower; for comparison). */
  forceNodeReader?: boolean;
  /** Maximum evidence events kept per finding (default 20). */
  maxEvidence?: number;
  /** Folder for the temporary DuckDB database (default: the system temporary folder). */
  workDir?: string;
}

const WEIGHT: Record<Severity, number> = { low: 5, medium: 15, high: 35, critical: 60 };
const LABEL_FR: Record<Severity, string> = { low: 'faible', medium: 'moyenne', high: 'élevée', critical: 'critique' };

function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => {
    const v = vars[key];
    if (v === undefined) return whole;
    return typeof v === 'number' ? v.toLocaleString('fr-FR').replace(/\u202f/g, ' ') : v;
  });
}

function severityOf(score: number, maxRule: Severity): Severity {
  const byScore: Severity = score >= 80 ? 'critical' : score >= 35 ? 'high' : score >= 15 ? 'medium' : 'low';
  return SEVERITIES.indexOf(byScore) >= SEVERITIES.indexOf(maxRule) ? byScore : maxRule;
}

/** `Critique — déplacement impossible, export inhabituel… (12/08/2024 à 03h40) : désactiver le compte…` */
function accountSummary(severity: Severity, findings: Finding[]): string {
  const byWeight = [...findings].sort((a, b) => WEIGHT[b.severity] - WEIGHT[a.severity] || a.first.localeCompare(b.first));
  const titles = [...new Set(byWeight.map((f) => f.title.charAt(0).toLowerCase() + f.title.slice(1)))];
  const first = findings.map((f) => f.first).sort()[0] as string;
  const when = parisText(isoMillis(first));
  const action = severity === 'critical' ? 'désactiver le compte, réinitialiser le mot de passe et vérifier les exports'
    : severity === 'high' ? 'contacter l’agent aujourd’hui et vérifier les exports'
    : severity === 'medium' ? 'vérifier avec l’agent' : 'à surveiller';
  const shown = titles.slice(0, 3).join(', ') + (titles.length > 3 ? ` et ${titles.length - 3} autre(s) signe(s)` : '');
  return `Gravité ${LABEL_FR[severity]} : ${shown}, à partir du ${when} ; ${action}.`;
}

/** `1GB`, `512MB`, `2 GiB`…; anything else counts as zero (the on-disk database is then used). */
function parseBytes(text: string): number {
  const m = /^(\d+)([kmgt])i?b$/i.exec(text.replace(/\s/g, ''));
  if (!m) return 0;
  return Number(m[1]) * 1024 ** ('kmgt'.indexOf((m[2] as string).toLowerCase()) + 1);
}

/**
 * Rough size of the events tables: twelve bytes per event plus the list that collects them while
 * reading, i.e. about a tenth of the bytes of canonical NDJSON and a sixth of a CSV; gzip about a
 * tenth of the text.
 */
function estimatedTableBytes(files: string[], mapping: Mapping | null): number {
  let total = 0;
  for (const file of files) {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      continue;
    }
    const gz = file.toLowerCase().endsWith('.gz') ? 10 : 1;
    const perByte = mapping === null && /\.(nd)?jsonl?(\.gz)?$/i.test(file) ? 0.1 : 0.17;
    total += size * gz * perByte;
  }
  return total;
}

export async function scanFiles(files: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const timer = phaseTimer();
  // The default rule pack is read (YAML, validation) while DuckDB reads the events: a rule file in
  // error stops the read at once and is what the caller sees.
  let rules = options.rules;
  let rulesError: unknown;
  const stopRead = new AbortController();
  const readSignal = options.signal ? AbortSignal.any([options.signal, stopRead.signal]) : stopRead.signal;
  const whileReading = rules ? undefined : () => {
    try {
      rules = loadRules();
    } catch (error) {
      rulesError = error;
      stopRead.abort(error);
    }
  };
  const dbPath = join(options.workDir ?? tmpdir(), `rempart-forensics-${process.pid}-${randomBytes(6).toString('hex')}.duckdb`);
  const memoryLimit = options.memoryLimit ?? '1GB';
  // Inputs whose events fit in the memory limit stay in memory: writing and compressing an on-disk
  // table costs more than the whole read, and is only worth it when memory would run out.
  const inMemory = estimatedTableBytes(files, options.mapping ?? null) <= 0.8 * parseBytes(memoryLimit);
  const instance = await DuckDBInstance.create(inMemory ? ':memory:' : dbPath, {
    threads: String(options.threads ?? 2),
    memory_limit: memoryLimit,
    preserve_insertion_order: 'false',
    temp_directory: `${dbPath}.tmp`,
  });
  const connections: DuckDBConnection[] = [];
  const connect = async (): Promise<DuckDBConnection> => {
    const c = await instance.connect();
    connections.push(c);
    // Offset-less timestamps in canonical files are Paris local time, as in @rempart/ingest: every
    // connection reading the events needs the same zone.
    await c.run("SET TimeZone = 'Europe/Paris'");
    return c;
  };
  const con = await connect();
  timer.mark('open');
  const progress = options.onProgress;
  try {
    let stats: LoadStats;
    try {
      stats = await loadEvents(con, files, {
        mapping: options.mapping ?? null, since: options.since, until: options.until, signal: readSignal, forceNode: options.forceNodeReader, timer, whileReading, workDir: options.workDir,
        onFileProgress: (file, fileIndex, fraction, linesRead) => progress?.({ phase: 'read', file, fileIndex, files: files.length, fraction: (fileIndex + fraction) / files.length, linesRead }),
      });
    } catch (error) {
      throw rulesError ?? error;
    }
    if (rulesError) throw rulesError;
    // Every rule goes to the detectors, which run the enabled ones that generate findings: a disabled
    // or non-generating rule may still be a building block of an enabled correlation.
    const allRules = rules ?? [];
    const enabledRules = allRules.filter((r) => r.enabled && generates(r));
    timer.mark('load');
    const ctx = await prepareContext(con, timer);
    const enabled = enabledRules.length;
    const second = await connect();
    const hits = await runDetectors(ctx, allRules, (rule, i) => progress?.({ phase: 'detect', files: files.length, fraction: i / enabled, linesRead: stats.linesRead, rule: rule.id }), options.signal, timer, [con, second]);
    progress?.({ phase: 'explain', files: files.length, fraction: 0, linesRead: stats.linesRead });
    // The flagged accounts are those with a hit: their daily series and the time span are read on
    // the second connection while the first gathers the evidence.
    const flaggedNames = [...new Set(hits.map((h) => h.account))];
    const [accounts, [series, span]] = await bothSettled(
      explain(con, hits, options.maxEvidence ?? 20),
      (async () => [
        await dailySeries(second, flaggedNames),
        (await second.runAndReadAll('SELECT min(first_t)::DOUBLE AS a, max(last_t)::DOUBLE AS b, count(*)::DOUBLE AS n FROM acct')).getRowObjectsJS()[0] as { a: number | null; b: number | null; n: number },
      ] as const)(),
    );
    timer.mark('evidence and series');
    const flagged = Object.fromEntries(SEVERITIES.map((s) => [s, accounts.filter((a) => a.severity === s).length])) as Record<Severity, number>;
    progress?.({ phase: 'explain', files: files.length, fraction: 1, linesRead: stats.linesRead });
    return {
      summary: {
        files: stats.files,
        lines_read: stats.linesRead,
        accepted: stats.accepted,
        rejected: stats.rejected,
        rejected_by_reason: Object.fromEntries(Object.entries(stats.rejectedByReason).sort(([a], [b]) => a.localeCompare(b))),
        first_rejected: stats.firstRejected,
        outside_period: stats.outsidePeriod,
        warnings: stats.warnings,
        time_span: { first: span.a === null ? null : parisIso(span.a), last: span.b === null ? null : parisIso(span.b) },
        period: { since: options.since === undefined ? null : parisIso(options.since), until: options.until === undefined ? null : parisIso(options.until) },
        accounts: span.n,
        flagged,
        rules: enabledRules.map((r) => r.id),
      },
      accounts,
      series,
    };
  } finally {
    for (const c of connections) c.closeSync();
    instance.closeSync();
    for (const suffix of ['', '.wal', '.tmp']) rmSync(`${dbPath}${suffix}`, { recursive: true, force: true });
  }
}

/** Both results, once both queries have ended: connections are only closed when idle. */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

async function explain(con: DuckDBConnection, hits: Hit[], maxEvidence: number): Promise<AccountResult[]> {
  // Stable order so that evidence ids, and therefore outputs, never depend on detector timing.
  hits.sort((a, b) => a.account.localeCompare(b.account) || a.first - b.first || a.rule.id.localeCompare(b.rule.id) || a.last - b.last);
  await con.run('CREATE OR REPLACE TABLE win (fid INTEGER, u VARCHAR, f BIGINT, t BIGINT, byrec BOOLEAN)');
  const appender = await con.createAppender('win');
  hits.forEach((h, i) => {
    appender.appendInteger(i);
    appender.appendVarchar(h.account);
    appender.appendBigInt(BigInt(Math.floor(h.evidence.from)));
    appender.appendBigInt(BigInt(Math.ceil(h.evidence.to)));
    appender.appendBoolean(h.evidence.byRecords === true);
    appender.endRow();
  });
  appender.closeSync();
  const evidence = (await con.runAndReadAll(`
    SELECT fid, t::DOUBLE AS t, ip, country, ua, action, outcome, module, records::DOUBLE AS records, cnt::DOUBLE AS cnt FROM (
      SELECT w.fid, e.t, e.ip, e.country, e.ua, e.action, e.outcome, e.module, e.records,
             count(*) OVER (PARTITION BY w.fid) AS cnt,
             row_number() OVER (PARTITION BY w.fid ORDER BY CASE WHEN w.byrec THEN -e.records ELSE 0 END, e.t, e.action, e.ip, e.module, e.records, e.ua) AS rn
      FROM win w JOIN ev e ON e.u = w.u AND e.t BETWEEN w.f AND w.t)
    WHERE rn <= $max ORDER BY fid, t, action, ip, module, records, ua`, { max: maxEvidence })).getRowObjectsJS();
  const byFinding = new Map<number, { events: EvidenceEvent[]; count: number }>();
  for (const r of evidence) {
    const fid = Number(r.fid);
    const entry = byFinding.get(fid) ?? { events: [], count: Number(r.cnt) };
    entry.events.push({
      '@timestamp': parisIso(Number(r.t)), action: String(r.action), outcome: String(r.outcome), ip: (r.ip as string | null) ?? null,
      country: (r.country as string | null) ?? null, module: String(r.module), records: Number(r.records), user_agent: (r.ua as string | null) ?? null,
    });
    byFinding.set(fid, entry);
  }
  const perAccount = new Map<string, Finding[]>();
  hits.forEach((h, i) => {
    const ev = byFinding.get(i);
    const finding: Finding = {
      rule: h.rule.id, severity: h.rule.severity, first: parisIso(h.first), last: parisIso(h.last), events: ev?.events ?? [],
      explanation: fill(h.rule.explanation.fr, h.vars), title: h.rule.title.fr, baseline: h.baseline, event_count: ev?.count ?? 0,
      advice: fill(h.rule.advice.fr, h.vars),
    };
    const list = perAccount.get(h.account) ?? [];
    list.push(finding);
    perAccount.set(h.account, list);
  });
  const accounts: AccountResult[] = [];
  for (const [account, findings] of perAccount) {
    // Each rule counts fully once; repeats add a quarter, at most twice, so that one noisy rule
    // cannot outweigh two independent signs.
    const perRule = new Map<string, { severity: Severity; count: number }>();
    for (const f of findings) {
      const e = perRule.get(f.rule) ?? { severity: f.severity, count: 0 };
      e.count++;
      perRule.set(f.rule, e);
    }
    let score = 0;
    let maxRule: Severity = 'low';
    for (const { severity, count } of perRule.values()) {
      score += WEIGHT[severity] * (1 + 0.25 * Math.min(2, count - 1));
      if (SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(maxRule)) maxRule = severity;
    }
    score = Math.round(score * 100) / 100;
    const severity = severityOf(score, maxRule);
    findings.sort((a, b) => a.first.localeCompare(b.first) || a.rule.localeCompare(b.rule));
    accounts.push({ account, score, severity, summary: accountSummary(severity, findings), findings });
  }
  accounts.sort((a, b) => b.score - a.score || a.account.localeCompare(b.account));
  return accounts;
}

async function dailySeries(con: DuckDBConnection, accounts: string[]): Promise<ScanResult['series']> {
  const series: ScanResult['series'] = {};
  if (accounts.length === 0) return series;
  const found = (await con.runAndReadAll(`SELECT u, lday::VARCHAR AS day, c::DOUBLE AS n FROM uday WHERE u IN (SELECT unnest($flagged::VARCHAR[])) ORDER BY u, day`, { flagged: listValue(accounts) })).getRowObjectsJS();
  for (const r of found) (series[String(r.u)] ??= []).push({ day: String(r.day), events: Number(r.n) });
  return series;
}
