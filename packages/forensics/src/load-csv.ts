// Mapped CSV files (vendor exports) read by DuckDB's read_csv instead of row by row in Node.
//
// Node still streams the file once, because DuckDB reads UTF-8 only: it decodes it exactly as
// @rempart/ingest does (gzip, BOM, Windows-1252 or UTF-8), checks the header against the mapping,
// and writes a temporary UTF-8 copy where each line starts with its line number in the source. That
// number is what keeps the rejected lines located like the Node reader's: DuckDB reads in parallel
// and has no line numbers of its own. DuckDB then parses the cells, the time (the mapping's format
// translated into a regular expression by the same token table as ingest's parser) and groups the
// rows by distinct combination of the other columns. Everything that decides a value is done by
// @rempart/ingest itself, once per distinct thing rather than once per row: the mapper normalises
// each combination (value maps, trimming, numbers) and locates each rejected row, and the zone clock
// gives the UTC offset of each local hour (the hours next to a daylight-saving change time by time).
//
// Whenever this reading could differ from the Node reader's (a record over several lines, a quote
// DuckDB reads otherwise, a date format the token table does not cover…) the caller reads the file
// with the Node reader and records why: never a silent difference.
import { isAscii, isUtf8 } from 'node:buffer';
import { createWriteStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import {
  BATCH_ROWS, byteChunks, CsvSplitter, columnCountIssue, createMapper, detectFormat, formatTokens, headerDelimiter, uniqueHeader, zoneClock,
  type DateSlot, type IngestIssue, type Mapper, type Mapping,
} from '@rempart/ingest';
import { CANONICAL_FIELDS, appendEventValues, withProgress, type LoadOptions, type RejectedLine } from './load.ts';

export type CsvLoad =
  | { ok: true; lines: number; accepted: number; rejected: number; warnings: number; byReason: Record<string, number>; located: RejectedLine[] }
  | { ok: false; reason: string };

/**
 * What JavaScript's `trim()` removes (WhiteSpace and LineTerminator of ECMAScript), for DuckDB's
 * `trim(text, characters)`: blank values and trimmed times are then the same on both sides.
 */
export const JS_WHITESPACE = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** RE2: a value starting or ending with such whitespace; the others (nearly all) skip the trim. */
const EDGE_WHITESPACE = (() => {
  const set = [...JS_WHITESPACE].map((c) => `\\x{${c.charCodeAt(0).toString(16)}}`).join('');
  return `^[${set}]|[${set}]$`;
})();

/** JavaScript's `trim()` in SQL; `trim(x, characters)` costs more than the rest of the read, hence the test. */
function trimSql(value: string): string {
  return `(CASE WHEN regexp_matches(${value}, '${EDGE_WHITESPACE}') THEN trim(${value}, $ws) ELSE ${value} END)`;
}

/** Longest record the Node reader accepts (ingest's default), for the header and the refused lines. */
const MAX_RECORD_CHARS = 32 * 1024 * 1024;

interface TimePlan {
  columns: string[];
  /** RE2 pattern made of the token table's groups and hex-escaped literal characters only. */
  pattern: string;
  slots: DateSlot[];
  zone: string;
}

function toFormats(format: string | string[] | undefined): string[] | undefined {
  return format === undefined ? undefined : Array.isArray(format) ? format : [format];
}

/** The time field as the mapper reads it (same defaults), or why SQL cannot read it the same way. */
function timePlan(mapping: Mapping): Omit<TimePlan, 'columns'> | string {
  if (mapping.values['@timestamp'] !== undefined) return 'correspondance de valeurs sur la date';
  const spec = mapping.timestamp ?? mapping.fields['@timestamp'];
  const own = spec !== undefined && typeof spec === 'object' ? spec : undefined;
  const formats = toFormats(own?.format) ?? toFormats(mapping.dates?.format) ?? ['iso'];
  if (formats.length !== 1) return 'plusieurs formats de date';
  const format = formats[0] as string;
  const tokens = formatTokens(format);
  if (!tokens) return `format de date « ${format} » non traduit en SQL`;
  let pattern = '^';
  const slots: DateSlot[] = [];
  for (const part of tokens.parts) {
    if ('literal' in part) {
      const code = part.literal.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff) return `format de date « ${format} » non traduit en SQL`;
      pattern += `\\x{${code.toString(16)}}`;
    } else {
      pattern += part.pattern;
      slots.push(part.slot);
    }
  }
  pattern += '$';
  if (slots.length === 0) return `format de date « ${format} » sans date`;
  // The pattern is spliced into the SQL text (DuckDB wants it constant): only these characters.
  if (!/^[\^$()\\dx{}0-9a-f,]+$/.test(pattern)) return `format de date « ${format} » non traduit en SQL`;
  return { pattern, slots, zone: own?.timezone ?? mapping.dates?.timezone ?? 'Europe/Paris' };
}

const SLOT_DEFAULT: Record<'y' | 'M' | 'd' | 'h' | 'mi' | 's' | 'ms', string> = { y: '1970', M: '1', d: '1', h: '0', mi: '0', s: '0', ms: '0' };

/**
 * Local wall time in milliseconds (as if UTC) from the regular expression's groups, NULL where
 * ingest's parser rejects the text: same checks (validParts) and the same reading of years 0–99
 * as JavaScript's Date.UTC (1900–1999).
 */
function wallSql(plan: TimePlan): { text: string; extract: string; wall: string } {
  const trimmed = plan.columns.map((_, i) => trimSql(`t${i}`));
  // As the mapper joins several columns: each trimmed, all present, separated by one space.
  const text = plan.columns.length === 1
    ? `NULLIF(${trimmed[0]}, '')`
    : `CASE WHEN ${trimmed.map((t) => `coalesce(${t}, '') = ''`).join(' OR ')} THEN NULL ELSE ${trimmed.join(` || ' ' || `)} END`;
  const extract = `regexp_extract(txt, '${plan.pattern}', [${plan.slots.map((_, k) => `'g${k}'`).join(', ')}])`;
  const value: Record<string, string> = { ...SLOT_DEFAULT };
  plan.slots.forEach((slot, k) => {
    const n = `TRY_CAST(m.g${k} AS INTEGER)`;
    if (slot === 'yy') value.y = `CASE WHEN ${n} < 60 THEN 2000 + ${n} ELSE 1900 + ${n} END`;
    else value[slot] = n;
  });
  const y = `(CASE WHEN ${value.y} BETWEEN 0 AND 99 THEN ${value.y} + 1900 ELSE ${value.y} END)`;
  const wall = `CASE WHEN m.g0 <> '' AND ${value.M} BETWEEN 1 AND 12 AND ${value.d} >= 1 AND ${value.h} <= 23 AND ${value.mi} <= 59 AND ${value.s} <= 59 THEN
      CASE WHEN ${value.d} <= day(last_day(make_date(${y}, ${value.M}, 1))) THEN date_diff('day', DATE '1970-01-01', make_date(${y}, ${value.M}, ${value.d})) * 86400000
        + ${value.h} * 3600000 + ${value.mi} * 60000 + ${value.s} * 1000 + ${value.ms} END END`;
  return { text, extract, wall };
}

interface Prepared {
  header: string[];
  delimiter: string;
  /** Physical lines of the source, counted as the Node reader counts them. */
  lines: number;
  /** Data lines written to the UTF-8 copy (blank lines are left out, as the Node reader skips them). */
  written: number;
  /** Lines completed after each chunk of the source, and the blank lines: the Node reader's batches. */
  chunkEnds: number[];
  blanks: number[];
}

/** Windows-1252 / Latin-1 bytes 0x80–0x9F as UTF-8, from iconv-lite itself (the Node reader's decoder). */
const c1Tables = new Map<string, Buffer[]>();
function c1Table(encoding: 'windows-1252' | 'latin1'): Buffer[] {
  let table = c1Tables.get(encoding);
  if (!table) {
    table = Array.from({ length: 256 }, (_, b) => Buffer.from(iconv.decode(Buffer.from([b]), encoding), 'utf8'));
    c1Tables.set(encoding, table);
  }
  return table;
}

/** Complete lines of the source as UTF-8 bytes, decoded exactly as iconv-lite / StringDecoder decode them. */
function toUtf8(bytes: Buffer, encoding: 'utf-8' | 'windows-1252' | 'latin1'): Buffer | null {
  if (isAscii(bytes)) return bytes;
  if (encoding === 'utf-8') return isUtf8(bytes) ? bytes : null;
  const latin1 = bytes.toString('latin1');
  // Above 0x9F both encodings are Latin-1; below, Windows-1252 has its own characters.
  if (!/[\x80-\x9f]/.test(latin1)) return Buffer.from(latin1, 'utf8');
  const table = c1Table(encoding);
  const out = Buffer.allocUnsafe(bytes.length * 3);
  let o = 0;
  for (const b of bytes) {
    if (b < 0x80) out[o++] = b;
    else for (const u of table[b] as Buffer) out[o++] = u;
  }
  return out.subarray(0, o);
}

const LF = 10;
const CR = 13;

/**
 * Decode the file as ingest does and write `<line>;<line text>` lines of UTF-8. Returns a reason
 * instead when the copy could not be read by DuckDB as the Node reader reads the source.
 */
async function transcode(path: string, file: string, mapping: Mapping, mapper: Mapper, out: string, fileIndex: number, options: LoadOptions): Promise<Prepared | string> {
  const detected = await detectFormat(path).catch(() => null);
  if (detected === null) return 'fichier illisible';
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  const progress = { bytesRead: 0 };
  const stream = createWriteStream(out);
  const finished = once(stream, 'close');
  let header: string[] | null = null;
  let delimiter = '';
  let delim = 0;
  let lineNo = 0; // lines completed so far
  let written = 0;
  const chunkEnds: number[] = [];
  const blanks: number[] = [];
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  let encoding: 'utf-8' | 'windows-1252' | 'latin1' = 'utf-8';
  // Each line: its number, the delimiter, the line without its CR. Next CR and next delimiter are
  // searched once and reused until passed, so that a file without them is not rescanned per line.
  const writeLines = async (bytes: Buffer, from: number): Promise<string | null> => {
    let pos = from;
    let target = Buffer.allocUnsafe(bytes.length + 2 * (bytes.length - pos) + 64);
    let o = 0;
    let nextCr = -2;
    let nextDelim = -2;
    while (pos < bytes.length) {
      const nl = bytes.indexOf(LF, pos);
      lineNo++;
      const end = nl > pos && bytes[nl - 1] === CR ? nl - 1 : nl;
      if (nextCr !== -1 && nextCr < pos) nextCr = bytes.indexOf(CR, pos);
      if (nextCr !== -1 && nextCr < end) return 'retour chariot isolé dans une ligne';
      if (nextDelim !== -1 && nextDelim < pos) nextDelim = bytes.indexOf(delim, pos);
      if (nextDelim === -1 || nextDelim >= end) {
        // One cell: blank lines are skipped by the Node reader, others are column-count errors.
        const line = bytes.toString('utf8', pos, end);
        if (line.trim() === '') {
          blanks.push(lineNo);
          pos = nl + 1;
          continue;
        }
        if (line.includes('"')) return 'guillemet dans une ligne sans séparateur';
      }
      if (o + (end - pos) + 24 > target.length) {
        const bigger = Buffer.allocUnsafe(2 * target.length + (end - pos) + 24);
        target.copy(bigger, 0, 0, o);
        target = bigger;
      }
      o += target.write(String(lineNo), o, 'latin1');
      target[o++] = delim;
      o += bytes.copy(target, o, pos, end);
      target[o++] = LF;
      written++;
      pos = nl + 1;
    }
    if (o > 0 && !stream.write(target.subarray(0, o))) await once(stream, 'drain');
    return null;
  };
  try {
    for await (const chunk of byteChunks(path, detected.gzip, mapping.encoding ?? 'auto', progress, options.signal)) {
      encoding = chunk.encoding;
      let bytes = carry.length > 0 ? Buffer.concat([carry, chunk.bytes]) : chunk.bytes;
      const last = bytes.lastIndexOf(LF);
      if (last < 0) {
        carry = bytes;
        if (first && carry.length > MAX_RECORD_CHARS) return 'en-tête trop long';
        continue;
      }
      carry = bytes.subarray(last + 1);
      const converted = toUtf8(bytes.subarray(0, last + 1), encoding);
      if (converted === null) return 'UTF-8 invalide';
      bytes = converted;
      if (bytes.includes(0)) return 'caractère nul dans le fichier';
      let pos = 0;
      if (first) {
        first = false;
        if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) pos = 3;
        const firstText = bytes.toString('utf8', pos);
        if (firstText.trim() === '') return 'fichier vide';
        delimiter = mapping.delimiter ?? headerDelimiter(firstText);
        if (!/^[\t!#-/:-@[-`{-~]$/.test(delimiter)) return `séparateur « ${delimiter} » non pris en charge`;
        delim = delimiter.charCodeAt(0);
        const records: string[][] = [];
        new CsvSplitter(delimiter, MAX_RECORD_CHARS).push(`${firstText.slice(0, firstText.indexOf('\n'))}\n`, (r) => records.push(r.cells), () => undefined);
        if (records.length !== 1) return 'en-tête vide ou sur plusieurs lignes';
        header = uniqueHeader(records[0] as string[]);
        mapper.checkHeader(header, file);
        if (header.length < 2) return 'une seule colonne';
        lineNo = 1;
        pos = bytes.indexOf(LF, pos) + 1;
      }
      const problem = await writeLines(bytes, pos);
      if (problem !== null) return problem;
      chunkEnds.push(lineNo);
      options.onFileProgress?.(file, fileIndex, size > 0 ? 0.5 * Math.min(1, progress.bytesRead / size) : 0, lineNo);
    }
    if (first) return carry.length === 0 ? 'fichier vide' : 'en-tête sans fin de ligne';
    if (carry.length > 0) {
      // A last line without a newline: read as if it had one (a final CR is dropped, as the Node reader does).
      const converted = toUtf8(Buffer.concat([carry, Buffer.from([LF])]), encoding);
      if (converted === null) return 'UTF-8 invalide';
      if (converted.includes(0)) return 'caractère nul dans le fichier';
      const problem = await writeLines(converted, 0);
      if (problem !== null) return problem;
    } else lineNo++; // the Node reader counts the empty line after the last newline
    return header === null ? 'fichier vide' : { header, delimiter, lines: lineNo, written, chunkEnds, blanks };
  } finally {
    stream.end();
    await finished;
  }
}

/**
 * Which rejected lines the Node reader locates when there are more than it keeps: it reads batches
 * (a batch ends after the chunk that brings BATCH_ROWS rows or problems) and records, per batch, the
 * column-count lines first, then the rows' problems. Both located kinds are prefixes of their kind.
 */
function locatedLikeNode(prepared: Prepared, countLines: number[], countIssues: IngestIssue[], rowIssues: IngestIssue[], remaining: number): IngestIssue[] {
  const ends: number[] = [];
  let previous = 0;
  let b = 0;
  let c = 0;
  let rows = 0;
  let problems = 0;
  for (const end of prepared.chunkEnds) {
    if (end <= previous) continue;
    const before = { b, c };
    while (b < prepared.blanks.length && (prepared.blanks[b] as number) <= end) b++;
    while (c < countLines.length && (countLines[c] as number) <= end) c++;
    rows += end - previous - (b - before.b) - (c - before.c) - (previous < 1 ? 1 : 0);
    problems += c - before.c;
    previous = end;
    if (rows >= BATCH_ROWS || problems >= BATCH_ROWS) {
      ends.push(end);
      rows = 0;
      problems = 0;
    }
  }
  ends.push(Infinity);
  const kept: IngestIssue[] = [];
  let ci = 0;
  let ri = 0;
  for (const end of ends) {
    while (kept.length < remaining && ci < countIssues.length && (countIssues[ci]?.line ?? 0) <= end) kept.push(countIssues[ci++] as IngestIssue);
    while (kept.length < remaining && ri < rowIssues.length && (rowIssues[ri]?.line ?? 0) <= end) kept.push(rowIssues[ri++] as IngestIssue);
  }
  return kept.sort((x, y) => (x.line ?? 0) - (y.line ?? 0));
}

/** The mapper for everything but the time: applied once per distinct combination of those columns. */
function groupMapper(mapping: Mapping): Mapper {
  const fields = Object.fromEntries(Object.entries(mapping.fields).filter(([field]) => field !== '@timestamp'));
  return createMapper({ ...mapping, timestamp: undefined, fields }, {
    required: ['user.name'],
    numbers: ['records'],
    known: CANONICAL_FIELDS.filter((f) => f !== '@timestamp'),
  });
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

export async function loadCsvWithDuckDB(con: DuckDBConnection, path: string, fileIndex: number, mapping: Mapping, mapper: Mapper, remainingLocated: number, options: LoadOptions): Promise<CsvLoad> {
  const file = basename(path);
  const planned = timePlan(mapping);
  if (typeof planned === 'string') return { ok: false, reason: planned };
  const out = join(options.workDir ?? tmpdir(), `rempart-csv-${process.pid}-${randomBytes(6).toString('hex')}.csv`);
  const temp = ['csv_g', 'csv_n', 'csv_tz', 'csv_tzw', 'csv_rej', 'csv_rej_scan'];
  try {
    const prepared = await transcode(path, file, mapping, mapper, out, fileIndex, options);
    if (typeof prepared === 'string') return { ok: false, reason: prepared };
    options.timer?.mark('load: csv transcode');
    const { header } = prepared;
    const index = (column: string): number => header.indexOf(column);
    // Column names as found in the header by checkHeader (case and accents may differ from the mapping's).
    const timeColumns = mapper.sources().find((s) => s.field === '@timestamp')?.columns ?? [];
    if (timeColumns.length === 0 || timeColumns.some((c) => index(c) < 0)) return { ok: false, reason: 'colonne de date absente' };
    const plan: TimePlan = { ...planned, columns: timeColumns };
    const groups = groupMapper(mapping);
    groups.checkHeader(header, file);
    // Source columns of the other fields that exist in the file (identity fields may be absent).
    const groupColumns = [...new Set(groups.sources().flatMap((s) => s.columns).map(index).filter((i) => i >= 0))].sort((a, b) => a - b);
    const userColumns = (groups.sources().find((s) => s.field === 'user.name')?.columns ?? []).map(index);
    if (userColumns.length === 0 || userColumns.some((i) => i < 0)) return { ok: false, reason: 'colonne du compte absente' };
    const col = (i: number) => `c${i}`;
    const columnTypes = `{'l': 'BIGINT', ${header.map((_, i) => `'${col(i)}': 'VARCHAR'`).join(', ')}}`;
    const groupList = groupColumns.map(col).join(', ');
    const timeList = plan.columns.map((c, i) => `${col(index(c))} AS t${i}`).join(', ');
    const sql = wallSql(plan);
    const blankUser = userColumns.map((i) => `coalesce(${trimSql(col(i))}, '') = ''`).join(' OR ');
    const candidate = `{'l': l, 'w': w, ${plan.columns.map((_, i) => `'t${i}': t${i}`).join(', ')}}`;
    for (const t of temp) await con.run(`DROP TABLE IF EXISTS ${t}`);
    // Identifiers are c<number>/t<number>/g<number> built here; values (path, delimiter, the
    // whitespace set) are parameters; the date pattern is checked to hold only hex escapes and the
    // token table's groups.
    const read = `CREATE TEMP TABLE csv_g AS SELECT ${groupList}, list(w) AS ws, count(*)::BIGINT AS n, list(${candidate}) FILTER (WHERE w IS NULL OR ${blankUser}) AS cand
      FROM (SELECT *, ${sql.wall} AS w FROM (SELECT *, ${sql.extract} AS m FROM (SELECT *, ${sql.text} AS txt FROM (SELECT l, ${groupList}, ${timeList}
        FROM read_csv($path, auto_detect = false, header = false, delim = $delim, quote = '"', escape = '"', new_line = '\\n', columns = ${columnTypes},
          store_rejects = true, rejects_table = 'csv_rej', rejects_scan = 'csv_rej_scan')))))
      GROUP BY ${groupList}`;
    try {
      const reading = withProgress(con, con.run(read, { path: out, delim: prepared.delimiter, ws: JS_WHITESPACE }), (fraction) => options.onFileProgress?.(file, fileIndex, 0.5 + 0.4 * fraction, prepared.lines), options.signal);
      options.whileReading?.();
      await reading;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return { ok: false, reason: `lecture DuckDB impossible (${(error as Error).message.split('\n')[0]})` };
    }
    options.timer?.mark('load: read_csv');

    // Lines DuckDB refused: only a wrong number of cells is read alike by both readers.
    const rejectTypes = (await con.runAndReadAll(`SELECT DISTINCT error_type::VARCHAR AS t FROM csv_rej`)).getRowObjectsJS().map((r) => String(r.t));
    const other = rejectTypes.filter((t) => t !== 'MISSING COLUMNS' && t !== 'TOO MANY COLUMNS');
    if (other.length > 0) return { ok: false, reason: `ligne que DuckDB lit autrement (${other.join(', ')})` };
    const counted = (await con.runAndReadAll(`SELECT (SELECT coalesce(sum(n), 0) FROM csv_g)::DOUBLE AS rows, (SELECT count(DISTINCT line) FROM csv_rej)::DOUBLE AS bad`)).getRowObjectsJS()[0] as { rows: number; bad: number };
    if (counted.rows + counted.bad !== prepared.written) return { ok: false, reason: 'enregistrement sur plusieurs lignes (guillemets)' };

    // Each combination of the other columns, normalised by the mapper itself.
    const groupRows = (await con.runAndReadAll(`SELECT rowid::BIGINT AS gid, ${groupList}, n::DOUBLE AS n FROM csv_g`)).getRowObjectsJS() as Row[];
    const valuesOf = (row: Row, extra?: Row): Record<string, unknown> => {
      const values: Record<string, unknown> = {};
      for (const i of groupColumns) values[header[i] as string] = str(row[col(i)]);
      if (extra) plan.columns.forEach((c, i) => { values[c] = str(extra[`t${i}`]); });
      return values;
    };
    const groupState = new Map<number, { ok: boolean; n: number; warnings: number; rejected: number }>();
    await con.run(`CREATE TEMP TABLE csv_n (gid BIGINT, u VARCHAR, ip VARCHAR, country VARCHAR, ua VARCHAR, action VARCHAR, outcome VARCHAR, module VARCHAR, records BIGINT)`);
    const appender = await con.createAppender('csv_n');
    try {
      for (const row of groupRows) {
        const m = groups.apply({ file, line: 0, values: valuesOf(row) });
        const gid = num(row.gid);
        groupState.set(gid, { ok: m.ok, n: num(row.n), warnings: m.ok ? m.warnings.length : 0, rejected: 0 });
        if (!m.ok) continue;
        appender.appendBigInt(BigInt(gid));
        appendEventValues(appender, m.record);
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }

    options.timer?.mark('load: csv groups');
    // Rows without a readable time or without an account: the whole mapper says why, row by row.
    const candidates = (await con.runAndReadAll(`SELECT gid, ${groupList}, c.l AS l, c.w AS w, ${plan.columns.map((_, i) => `c.t${i} AS t${i}`).join(', ')} FROM (SELECT rowid::BIGINT AS gid, ${groupList}, unnest(cand) AS c FROM csv_g WHERE len(cand) > 0)`)).getRowObjectsJS() as Row[];
    candidates.sort((a, b) => num(a.l) - num(b.l));
    const byReason: Record<string, number> = {};
    const rowIssues: IngestIssue[] = [];
    let rowRejected = 0;
    for (const c of candidates) {
      const state = groupState.get(num(c.gid)) as { ok: boolean; n: number; warnings: number; rejected: number };
      const m = mapper.apply({ file, line: num(c.l), values: valuesOf(c, c) });
      if (m.ok) {
        if (c.w === null) return { ok: false, reason: 'date lue autrement par DuckDB' };
        continue;
      }
      if (state.ok && c.w !== null) return { ok: false, reason: 'ligne lue autrement par DuckDB' };
      state.rejected++;
      rowRejected++;
      const issue = m.issues[0] as IngestIssue;
      byReason[issue.code] = (byReason[issue.code] ?? 0) + 1;
      if (rowIssues.length < remainingLocated) rowIssues.push(issue);
    }
    let accepted = 0;
    let warnings = 0;
    for (const state of groupState.values()) {
      if (!state.ok && state.rejected !== state.n) return { ok: false, reason: 'compte vide lu autrement par DuckDB' };
      accepted += state.n - state.rejected;
      warnings += state.warnings * (state.n - state.rejected);
    }

    // Lines with a wrong number of cells, located and worded by ingest.
    const countIssues: IngestIssue[] = [];
    if (counted.bad > 0) {
      byReason.column_count = (byReason.column_count ?? 0) + counted.bad;
      const first = (await con.runAndReadAll(`SELECT any_value(csv_line) AS csv_line FROM csv_rej GROUP BY line ORDER BY line LIMIT $k`, { k: remainingLocated })).getRowObjectsJS();
      for (const r of first) {
        const cells: string[][] = [];
        new CsvSplitter(prepared.delimiter, MAX_RECORD_CHARS).push(`${String(r.csv_line)}\n`, (x) => cells.push(x.cells), () => undefined);
        const record = cells[0] ?? [''];
        countIssues.push(columnCountIssue(file, Number(record[0]), record.length - 1, header.length));
      }
    }
    let kept = [...countIssues, ...rowIssues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).slice(0, remainingLocated);
    if (remainingLocated > 0 && counted.bad > 0 && rowRejected > 0 && counted.bad + rowRejected > remainingLocated) {
      const lines = (await con.runAndReadAll(`SELECT DISTINCT TRY_CAST(regexp_extract(csv_line, '^[0-9]+') AS BIGINT)::DOUBLE AS l FROM csv_rej ORDER BY l`)).getRowObjectsJS().map((r) => num(r.l));
      kept = locatedLikeNode(prepared, lines, countIssues, rowIssues, remainingLocated);
    }
    const located = kept.map((issue) => ({ file: issue.file, line: issue.line ?? null, code: issue.code, field: issue.field, message: issue.message }));

    options.timer?.mark('load: csv rejects');
    // UTC offset of each local hour present; hours next to a change are converted time by time.
    const clock = zoneClock(plan.zone);
    const hours = (await con.runAndReadAll(`SELECT DISTINCT CAST(floor(w / 3600000) AS BIGINT)::DOUBLE AS hk FROM (SELECT unnest(ws) AS w FROM csv_g) WHERE w IS NOT NULL`)).getRowObjectsJS();
    await con.run('CREATE TEMP TABLE csv_tz (hk BIGINT, off BIGINT)');
    const tz = await con.createAppender('csv_tz');
    try {
      for (const h of hours) {
        const offset = clock.hourOffset(num(h.hk));
        tz.appendBigInt(BigInt(num(h.hk)));
        if (offset === null) tz.appendNull(); else tz.appendBigInt(BigInt(offset * 60_000));
        tz.endRow();
      }
    } finally {
      tz.closeSync();
    }
    const near = (await con.runAndReadAll(`SELECT DISTINCT w::DOUBLE AS w FROM (SELECT unnest(ws) AS w FROM csv_g) x JOIN csv_tz z ON z.hk = CAST(floor(x.w / 3600000) AS BIGINT) WHERE z.off IS NULL`)).getRowObjectsJS();
    await con.run('CREATE TEMP TABLE csv_tzw (w BIGINT, t BIGINT)');
    const tzw = await con.createAppender('csv_tzw');
    try {
      for (const r of near) {
        tzw.appendBigInt(BigInt(num(r.w)));
        tzw.appendBigInt(BigInt(clock.toUtc(num(r.w))));
        tzw.endRow();
      }
    } finally {
      tzw.closeSync();
    }
    options.timer?.mark('load: csv hours');
    // The events table holds one row per normalised combination, as the Node reader groups its
    // rows: combinations that normalise alike (' martin ' and 'martin') are grouped again; when
    // none do (the usual case), each combination's list is converted as it is.
    const distinct = (await con.runAndReadAll(`SELECT count(*) = count(DISTINCT (u, ip, country, ua, action, outcome, module, records)) AS one FROM csv_n`)).getRowObjectsJS()[0] as { one: boolean };
    const unnested = '(SELECT rowid::BIGINT AS gid, unnest(ws) AS w FROM csv_g) x';
    const toUtc = 'JOIN csv_tz z ON z.hk = CAST(floor(x.w / 3600000) AS BIGINT) LEFT JOIN csv_tzw zw ON zw.w = x.w';
    const utc = 'list(coalesce(x.w - z.off, zw.t))';
    await con.run(distinct.one
      ? `INSERT INTO g SELECT $f, false, n.u, n.ip, n.country, n.ua, n.action, n.outcome, n.module, n.records::VARCHAR, t.ts
          FROM (SELECT x.gid, ${utc} AS ts FROM ${unnested} ${toUtc} WHERE x.w IS NOT NULL GROUP BY x.gid) t JOIN csv_n n ON n.gid = t.gid`
      : `INSERT INTO g SELECT $f, false, n.u, n.ip, n.country, n.ua, n.action, n.outcome, n.module, n.records::VARCHAR, ${utc}
          FROM ${unnested} JOIN csv_n n ON n.gid = x.gid ${toUtc} WHERE x.w IS NOT NULL
          GROUP BY n.u, n.ip, n.country, n.ua, n.action, n.outcome, n.module, n.records`, { f: fileIndex });
    options.timer?.mark('load: csv events');
    return { ok: true, lines: prepared.lines, accepted, rejected: counted.bad + rowRejected, warnings, byReason, located };
  } finally {
    for (const t of temp) await con.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await rm(out, { force: true });
  }
}
