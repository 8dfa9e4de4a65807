// Events into DuckDB. Canonical NDJSON (no mapping) is read by DuckDB itself, several times faster
// than parsing in Node; a mapped CSV by DuckDB's read_csv (load-csv.ts); anything else, or a file
// those readers could read differently, goes through @rempart/ingest and the appender. Either way every line is counted as accepted, rejected (with reason) or outside the
// period, and the first rejected lines are located.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { Timer } from './timings.ts';
import { createMapper, detectFormat, readBatches, type CanonicalRecord, type IngestIssue, type Mapping, type Mapper } from '@rempart/ingest';
import { loadCsvWithDuckDB } from './load-csv.ts';

export const CANONICAL_FIELDS = ['@timestamp', 'user.name', 'source.ip', 'source.geo.country_iso_code', 'user_agent.original', 'event.action', 'event.outcome', 'app.module', 'records'] as const;

export interface RejectedLine {
  file: string;
  line: number | null;
  code: string;
  field?: string;
  message: string;
}

export interface LoadStats {
  /** `fallback`: why a mapped CSV was read by the Node reader rather than by DuckDB. */
  files: { file: string; lines: number; accepted: number; rejected: number; path: 'duckdb' | 'node'; fallback?: string }[];
  linesRead: number;
  accepted: number;
  rejected: number;
  outsidePeriod: number;
  rejectedByReason: Record<string, number>;
  firstRejected: RejectedLine[];
  warnings: number;
}

export interface LoadOptions {
  mapping: Mapping | null;
  since?: number;
  until?: number;
  signal?: AbortSignal;
  onFileProgress?: (file: string, fileIndex: number, fraction: number, linesSoFar: number) => void;
  /** Force the Node reader even for canonical NDJSON and mapped CSV (tests compare both paths). */
  forceNode?: boolean;
  /** Folder for the UTF-8 copy of a mapped CSV (default: the system temporary folder). */
  workDir?: string;
  timer?: Timer;
  /**
   * Node-side work to run once while DuckDB reads (its own threads leave the event loop idle):
   * called right after the first DuckDB read starts, or at the end when no file is read by DuckDB.
   */
  whileReading?: () => void;
}

const MAX_LOCATED = 20;

export function newMapper(mapping: Mapping | null): Mapper {
  return createMapper(mapping, {
    required: ['@timestamp', 'user.name'],
    dates: { '@timestamp': 'datetime' },
    numbers: ['records'],
    known: [...CANONICAL_FIELDS],
  });
}

/**
 * Events are stored as a small dictionary of distinct value combinations (`k`: account, address,
 * country, client, action, outcome, module, records — a few tens of thousands even for a year) and
 * one narrow row per event (`evt`: combination id and time). The JSON reader fills the dictionary
 * in the same pass that reads the file, grouping on the raw values and collecting the times in a
 * list: storing 20 million strings costs more than parsing them, twelve bytes per event do not.
 * `ev` puts the two back together for the rules.
 */
async function createEventTables(con: DuckDBConnection): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE g (f INTEGER, clean BOOLEAN, u VARCHAR, ip VARCHAR, country VARCHAR, ua VARCHAR, action VARCHAR, outcome VARCHAR, module VARCHAR, rec VARCHAR, ts BIGINT[])`);
}

/** Rows appended by the Node reader (already normalised), grouped into `g` once the file is read. */
async function createRawTable(con: DuckDBConnection): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE raw (f INTEGER, t BIGINT, u VARCHAR, ip VARCHAR, country VARCHAR, ua VARCHAR, action VARCHAR, outcome VARCHAR, module VARCHAR, records BIGINT)`);
}

/** Nested (`{"user":{"name":…}}`) or dotted (`{"user.name":…}`) keys, judged on the first JSON line. */
async function peekShape(path: string, gzip: boolean): Promise<'nested' | 'dotted' | null> {
  const file = createReadStream(path, { highWaterMark: 1 << 16 });
  const stream: AsyncIterable<Buffer> = gzip ? file.pipe(createGunzip()) : file;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += chunk.toString('utf8');
      if (text.includes('\n') || text.length > 1 << 20) break;
    }
  } catch {
    return null;
  } finally {
    file.destroy();
  }
  for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const first = JSON.parse(line) as Record<string, unknown>;
      if ('user.name' in first) return 'dotted';
      if (first.user !== null && typeof first.user === 'object') return 'nested';
      return null;
    } catch {
      return null;
    }
  }
  return null;
}

function record(stats: LoadStats, issue: IngestIssue | RejectedLine): void {
  stats.rejectedByReason[issue.code] = (stats.rejectedByReason[issue.code] ?? 0) + 1;
  if (stats.firstRejected.length < MAX_LOCATED) stats.firstRejected.push({ file: issue.file, line: issue.line ?? null, code: issue.code, field: issue.field, message: issue.message });
}

const NESTED_COLUMNS = `{'@timestamp': 'VARCHAR', 'user': 'STRUCT(name VARCHAR)', 'source': 'STRUCT(ip VARCHAR, geo STRUCT(country_iso_code VARCHAR))', 'user_agent': 'STRUCT(original VARCHAR)', 'event': 'STRUCT(action VARCHAR, outcome VARCHAR)', 'app': 'STRUCT(module VARCHAR)', 'records': 'VARCHAR'}`;
const DOTTED_COLUMNS = `{'@timestamp': 'VARCHAR', 'user.name': 'VARCHAR', 'source.ip': 'VARCHAR', 'source.geo.country_iso_code': 'VARCHAR', 'user_agent.original': 'VARCHAR', 'event.action': 'VARCHAR', 'event.outcome': 'VARCHAR', 'app.module': 'VARCHAR', 'records': 'VARCHAR'}`;

export async function withProgress<T>(con: DuckDBConnection, run: Promise<T>, onFraction: (f: number) => void, signal?: AbortSignal): Promise<T> {
  const timer = setInterval(() => {
    // An interrupt sent before DuckDB started the query is lost: send it again until it ends.
    if (signal?.aborted) con.interrupt();
    const p = con.progress;
    if (p && p.percentage >= 0) onFraction(Math.min(1, p.percentage / 100));
  }, 250);
  const abort = () => con.interrupt();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    return await run;
  } finally {
    clearInterval(timer);
    signal?.removeEventListener('abort', abort);
  }
}

async function loadWithDuckDB(con: DuckDBConnection, path: string, fileIndex: number, shape: 'nested' | 'dotted', options: LoadOptions): Promise<{ ok: boolean; inserted: number; invalid: { time: number; user: number } }> {
  const select = shape === 'nested'
    ? `"@timestamp" AS ts, "user".name AS u, "source".ip AS ip, "source".geo.country_iso_code AS country, "user_agent".original AS ua, "event".action AS action, "event".outcome AS outcome, "app".module AS module, records AS rec`
    : `"@timestamp" AS ts, "user.name" AS u, "source.ip" AS ip, "source.geo.country_iso_code" AS country, "user_agent.original" AS ua, "event.action" AS action, "event.outcome" AS outcome, "app.module" AS module, records AS rec`;
  // The column lists are constants of this file; only the path and the file number are parameters.
  // One pass: the raw values are grouped as they are (normalising them per distinct combination
  // later costs nothing) and only the time is converted per event. The list is the only aggregate:
  // counts, unreadable times and first times are read from it afterwards, per combination.
  const sql = `INSERT INTO g SELECT $f, true, u, ip, country, ua, action, outcome, module, rec, list(ms)
    FROM (SELECT epoch_ms(TRY_CAST(ts AS TIMESTAMPTZ)) AS ms, * EXCLUDE (ts) FROM (SELECT ${select} FROM read_ndjson($path, columns=${shape === 'nested' ? NESTED_COLUMNS : DOTTED_COLUMNS}, maximum_object_size=33554432)))
    GROUP BY u, ip, country, ua, action, outcome, module, rec`;
  try {
    const reading = withProgress(con, con.run(sql, { f: fileIndex, path }), (fraction) => options.onFileProgress?.(basename(path), fileIndex, fraction, 0), options.signal);
    options.whileReading?.();
    await reading;
    options.signal?.throwIfAborted();
    options.timer?.mark('load: read_ndjson');
  } catch (error) {
    if (options.signal?.aborted) throw error;
    // An unreadable line stops DuckDB's reader: the caller re-reads this file line by line.
    return { ok: false, inserted: 0, invalid: { time: 0, user: 0 } };
  }
  const counts = (await con.runAndReadAll(`SELECT coalesce(sum(len(ts)), 0)::DOUBLE n, coalesce(sum(len(ts) - list_count(ts)), 0)::DOUBLE bad_t,
      coalesce(sum(list_count(ts)) FILTER (WHERE ${NORMALISED.u} IS NULL), 0)::DOUBLE bad_u FROM g WHERE f = $f`, { f: fileIndex })).getRowObjectsJS()[0] as { n: number; bad_t: number; bad_u: number };
  return { ok: true, inserted: counts.n, invalid: { time: counts.bad_t, user: counts.bad_u } };
}

/**
 * How the DuckDB reader cleans raw values, applied once per distinct combination. Values already
 * clean (the usual case) are kept as they are; the Node reader's rows are already clean.
 */
const NORMALISED = {
  u: `CASE WHEN u = '' THEN NULL WHEN u LIKE ' %' OR u LIKE '% ' THEN NULLIF(trim(u), '') ELSE u END`,
  ip: `CASE WHEN ip = '' THEN NULL WHEN ip LIKE ' %' OR ip LIKE '% ' THEN NULLIF(trim(ip), '') ELSE ip END`,
  country: `NULLIF(upper(trim(country)), '')`,
  ua: `NULLIF(ua, '')`,
  action: `CASE WHEN action IN ('login', 'logout', 'view', 'search', 'create', 'update', 'delete', 'export', 'print', 'admin') THEN action ELSE coalesce(lower(trim(action)), '') END`,
  outcome: `CASE WHEN outcome IN ('success', 'failure') THEN outcome ELSE coalesce(lower(trim(outcome)), 'unknown') END`,
  module: `CASE WHEN module LIKE ' %' OR module LIKE '% ' THEN trim(module) ELSE coalesce(module, '') END`,
  records: `coalesce(TRY_CAST(rec AS BIGINT), 0)`,
} as const;

/** Append a mapped record's stored values: account, address, country, client, action, outcome, module, records. */
export function appendEventValues(appender: DuckDBAppender, r: CanonicalRecord): void {
  appender.appendVarchar(String(r['user.name']));
  for (const key of ['source.ip', 'source.geo.country_iso_code', 'user_agent.original'] as const) {
    const v = r[key];
    if (v === undefined) appender.appendNull();
    else appender.appendVarchar(key === 'source.geo.country_iso_code' ? String(v).toUpperCase() : String(v));
  }
  appender.appendVarchar(r['event.action'] === undefined ? '' : String(r['event.action']).toLowerCase());
  appender.appendVarchar(r['event.outcome'] === undefined ? 'unknown' : String(r['event.outcome']).toLowerCase());
  appender.appendVarchar(r['app.module'] === undefined ? '' : String(r['app.module']));
  const rec = r.records;
  appender.appendBigInt(BigInt(typeof rec === 'number' ? Math.round(rec) : 0));
}

/** Node reader + mapper; with `append` false it only locates and counts rejected lines. */
async function loadWithNode(con: DuckDBConnection, path: string, fileIndex: number, mapping: Mapping | null, append: boolean, stats: LoadStats, options: LoadOptions): Promise<{ lines: number; accepted: number; rejected: number }> {
  const mapper = newMapper(mapping);
  if (append) await createRawTable(con);
  const appender = append ? await con.createAppender('raw') : null;
  let accepted = 0;
  let rejected = 0;
  let lines = 0;
  let fileSize = 0;
  try {
    const { statSync } = await import('node:fs');
    fileSize = statSync(path).size;
  } catch {
    fileSize = 0;
  }
  try {
    for await (const batch of readBatches(path, {
      format: mapping?.format, delimiter: mapping?.delimiter, encoding: mapping?.encoding, signal: options.signal,
      onHeader: (columns, file) => mapper.checkHeader(columns, file),
    })) {
      for (const issue of batch.issues) {
        if (issue.code === 'empty_file') continue;
        rejected++;
        record(stats, issue);
      }
      for (const row of batch.rows) {
        const m = mapper.apply(row);
        if (!m.ok) {
          rejected++;
          for (const issue of m.issues.slice(0, 1)) record(stats, issue);
          continue;
        }
        if (m.warnings.length > 0) stats.warnings += m.warnings.length;
        accepted++;
        if (!appender) continue;
        appender.appendInteger(fileIndex);
        appender.appendBigInt(BigInt(m.record['@timestamp'] as number));
        appendEventValues(appender, m.record);
        appender.endRow();
      }
      lines = batch.linesRead;
      options.onFileProgress?.(basename(path), fileIndex, fileSize > 0 ? batch.bytesRead / fileSize : 0, lines);
    }
  } finally {
    if (appender) appender.closeSync();
  }
  if (append) {
    await con.run(`INSERT INTO g SELECT f, false, u, ip, country, ua, action, outcome, module, records::VARCHAR, list(t) FROM raw GROUP BY ALL`);
    await con.run('DROP TABLE raw');
  }
  return { lines, accepted, rejected };
}

export async function loadEvents(con: DuckDBConnection, paths: string[], loadOptions: LoadOptions): Promise<LoadStats> {
  const stats: LoadStats = { files: [], linesRead: 0, accepted: 0, rejected: 0, outsidePeriod: 0, rejectedByReason: {}, firstRejected: [], warnings: 0 };
  let pending = loadOptions.whileReading;
  const whileReading = () => {
    const run = pending;
    pending = undefined;
    run?.();
  };
  const options: LoadOptions = { ...loadOptions, whileReading };
  await createEventTables(con);
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i] as string;
    const file = basename(path);
    const detected = await detectFormat(path).catch(() => ({ gzip: false, format: null }));
    const format = options.mapping?.format ?? detected.format;
    const shape = !options.forceNode && options.mapping === null && format === 'ndjson' ? await peekShape(path, detected.gzip) : null;
    if (shape) {
      const loaded = await loadWithDuckDB(con, path, i, shape, options);
      if (!loaded.ok || loaded.invalid.time + loaded.invalid.user > 0) {
        // DuckDB met an unreadable line, or rows without a time or an account: this file goes
        // through the Node reader, which reads line by line and says which lines and why.
        await con.run('DELETE FROM g WHERE f = $f', { f: i });
        const reread = await loadWithNode(con, path, i, null, true, stats, options);
        stats.files.push({ file, lines: reread.lines, accepted: reread.accepted, rejected: reread.rejected, path: 'node' });
        stats.linesRead += reread.lines;
        stats.accepted += reread.accepted;
        stats.rejected += reread.rejected;
        options.onFileProgress?.(file, i, 1, stats.linesRead);
        continue;
      }
      // A clean file: every non-blank line is one event.
      stats.files.push({ file, lines: loaded.inserted, accepted: loaded.inserted, rejected: 0, path: 'duckdb' });
      stats.linesRead += loaded.inserted;
      stats.accepted += loaded.inserted;
    } else {
      let fallback: string | undefined;
      if (!options.forceNode && options.mapping !== null && format === 'csv') {
        const csv = await loadCsvWithDuckDB(con, path, i, options.mapping, newMapper(options.mapping), MAX_LOCATED - stats.firstRejected.length, options);
        if (csv.ok) {
          stats.files.push({ file, lines: csv.lines, accepted: csv.accepted, rejected: csv.rejected, path: 'duckdb' });
          stats.linesRead += csv.lines;
          stats.accepted += csv.accepted;
          stats.rejected += csv.rejected;
          stats.warnings += csv.warnings;
          for (const [code, n] of Object.entries(csv.byReason)) stats.rejectedByReason[code] = (stats.rejectedByReason[code] ?? 0) + n;
          stats.firstRejected.push(...csv.located);
          options.onFileProgress?.(file, i, 1, stats.linesRead);
          continue;
        }
        fallback = csv.reason;
      }
      const loaded = await loadWithNode(con, path, i, options.mapping, true, stats, options);
      stats.files.push({ file, lines: loaded.lines, accepted: loaded.accepted, rejected: loaded.rejected, path: 'node', ...(fallback === undefined ? {} : { fallback }) });
      stats.linesRead += loaded.lines;
      stats.accepted += loaded.accepted;
      stats.rejected += loaded.rejected;
    }
    options.onFileProgress?.(file, i, 1, stats.linesRead);
  }
  whileReading();
  const order = new Map(paths.map((p, i) => [basename(p), i]));
  stats.firstRejected.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || (a.line ?? 0) - (b.line ?? 0));
  options.timer?.mark('load: files');
  const n = (column: keyof typeof NORMALISED) => `CASE WHEN clean THEN ${NORMALISED[column]} ELSE ${column === 'records' ? 'rec::BIGINT' : column} END`;
  // `kid` numbers the combinations account by account: an internal key only, never part of any
  // output or order. The events are then written in that order, so the events of one account sit
  // together and the per-account-hour grouping finds its groups in cache: a fifth (1M events) to
  // a half (5M) less CPU there, for a sort of the combinations that costs less than that.
  await con.run(`CREATE OR REPLACE TABLE k AS SELECT (row_number() OVER (ORDER BY u, gid) - 1)::INTEGER AS kid, * FROM (
      SELECT rowid AS gid, f, ${n('u')} AS u, ${n('ip')} AS ip, ${n('country')} AS country, ${n('ua')} AS ua,
      ${n('action')} AS action, ${n('outcome')} AS outcome, ${n('module')} AS module, ${n('records')} AS records, len(ts) AS n, list_min(ts) AS ft FROM g)`);
  const preserved = (await con.runAndReadAll(`SELECT current_setting('preserve_insertion_order') AS v`)).getRowObjectsJS()[0]?.v === true;
  await con.run('SET preserve_insertion_order = true');
  try {
    await con.run('CREATE OR REPLACE TABLE evt AS SELECT kid, unnest(ts) AS t FROM (SELECT k.kid, g.ts FROM g JOIN k ON k.gid = g.rowid ORDER BY k.kid)');
  } finally {
    await con.run(`SET preserve_insertion_order = ${preserved ? 'true' : 'false'}`);
  }
  await con.run('ALTER TABLE k DROP COLUMN gid');
  await con.run('DROP TABLE g');
  options.timer?.mark('load: dictionary and events');
  if (options.since !== undefined || options.until !== undefined) {
    const since = options.since ?? -8.64e15;
    const until = options.until ?? 8.64e15;
    const outside = (await con.runAndReadAll(`SELECT count(*)::DOUBLE n FROM evt WHERE t < $since OR t >= $until`, { since, until })).getRowObjectsJS()[0] as { n: number };
    stats.outsidePeriod = outside.n;
    stats.accepted -= outside.n;
    await con.run('DELETE FROM evt WHERE t < $since OR t >= $until', { since, until });
    await con.run('CREATE OR REPLACE TABLE k AS SELECT k.* EXCLUDE (n, ft), x.n, x.ft FROM k JOIN (SELECT kid, count(*) AS n, min(t) AS ft FROM evt GROUP BY kid) x ON x.kid = k.kid');
    options.timer?.mark('load: period');
  }
  await con.run(`CREATE OR REPLACE VIEW ev AS SELECT k.f, e.t, e.t // 3600000 AS hb, k.u, k.ip, k.country, k.ua, k.action, k.outcome, k.module, k.records FROM evt e JOIN k ON k.kid = e.kid`);
  await con.run(`CREATE OR REPLACE MACRO net(ip) AS CASE
      WHEN regexp_matches(ip, '^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$') THEN regexp_extract(ip, '^([0-9]+\\.[0-9]+\\.[0-9]+)\\.', 1) || '.0/24'
      WHEN contains(ip, ':') THEN array_to_string(string_split(ip, ':')[1:3], ':') || '::/48'
      ELSE ip END`);
  return stats;
}
