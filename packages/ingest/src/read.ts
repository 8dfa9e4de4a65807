// Streaming readers for CSV and NDJSON (optionally gzip), in constant memory: bytes are decompressed,
// decoded and split as they arrive, and rows come out in batches so that tens of millions of lines
// do not pay one promise each.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import { IngestError, clip, type IngestIssue } from './errors.ts';
import { CsvSplitter, type CsvProblem, type CsvRecord } from './csv.ts';

export type Encoding = 'auto' | 'utf-8' | 'windows-1252' | 'latin1';

export interface ReadOptions {
  /** Detected from the name (.csv/.tsv/.txt, .ndjson/.jsonl/.json, with or without .gz), then content. */
  format?: 'csv' | 'ndjson';
  /** CSV only; detected from the header line when absent (`;`, `,`, tab, `|`). */
  delimiter?: string;
  /** `auto` (default): UTF-8 when a BOM is present or the first 64 KiB are valid UTF-8, else Windows-1252. */
  encoding?: Encoding;
  /** Name used in messages (default: the file's base name). */
  name?: string;
  signal?: AbortSignal;
  /** Rows per batch (default 4096). */
  batchSize?: number;
  /** Longest accepted line in characters (default 32 Mi); longer lines are rejected and skipped. */
  maxLineLength?: number;
  /** Called with the CSV header before any row; throw an IngestError to stop at once. */
  onHeader?: (columns: string[], file: string) => void;
}

/** One source row: CSV cells by header name, or NDJSON values by dotted path (`user.name`). */
export interface RawRow {
  file: string;
  line: number;
  values: Record<string, unknown>;
}

export interface ReadBatch {
  file: string;
  rows: RawRow[];
  /** Lines that could not be read (bad JSON, wrong column count…), each located. */
  issues: IngestIssue[];
  /** Bytes read from disk so far in this file (compressed size for gzip): for progress. */
  bytesRead: number;
  /** Physical lines seen so far in this file. */
  linesRead: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Rows per batch by default; a batch also ends when a chunk brings as many located problems. */
export const BATCH_ROWS = 4096;

export async function detectFormat(path: string): Promise<{ gzip: boolean; format: 'csv' | 'ndjson' | null }> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const gzip = bytesRead >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    const name = path.toLowerCase().replace(/\.gz$/, '');
    if (/\.(ndjson|jsonl|json)$/.test(name)) return { gzip, format: 'ndjson' };
    if (/\.(csv|tsv|txt)$/.test(name)) return { gzip, format: 'csv' };
    if (gzip) return { gzip, format: null };
    const text = head.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (text === '') return { gzip, format: null };
    return { gzip, format: text.startsWith('{') ? 'ndjson' : 'csv' };
  } finally {
    await handle.close();
  }
}

function utf8Valid(sample: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decompressed bytes of a file, a UTF-8 BOM removed, each with the encoding that decodes the file:
 * the one asked for, or with `auto` UTF-8 when there is a BOM or the first 64 KiB are valid UTF-8,
 * else Windows-1252. Readers that hand the text to another engine use it to see the same characters.
 */
export async function* byteChunks(path: string, gzip: boolean, encoding: Encoding, stats: { bytesRead: number }, signal?: AbortSignal): AsyncGenerator<{ encoding: Exclude<Encoding, 'auto'>; bytes: Buffer }> {
  const fileStream = createReadStream(path, { highWaterMark: 1 << 20 });
  const byteStream: AsyncIterable<Buffer> = gzip ? fileStream.pipe(createGunzip()) : fileStream;
  let chosen: Exclude<Encoding, 'auto'> | null = null;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Decide the encoding once, from the first 64 KiB.
  const start = (sample: Buffer): { encoding: Exclude<Encoding, 'auto'>; bytes: Buffer } => {
    let picked = encoding;
    let body = sample;
    if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) {
      body = sample.subarray(3);
      if (picked === 'auto') picked = 'utf-8';
    }
    const decided = picked === 'auto' ? (utf8Valid(body) ? 'utf-8' : 'windows-1252') : picked;
    chosen = decided;
    return { encoding: decided, bytes: body };
  };
  try {
    for await (const chunk of byteStream) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      stats.bytesRead = fileStream.bytesRead;
      if (chosen !== null) {
        yield { encoding: chosen, bytes: chunk };
        continue;
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < 65536) continue;
      const first = start(Buffer.concat(pending));
      pending = [];
      yield first;
    }
    stats.bytesRead = fileStream.bytesRead;
    if (chosen === null && pendingBytes > 0) yield start(Buffer.concat(pending));
  } catch (error) {
    if (signal?.aborted) throw error;
    if (error instanceof IngestError) throw error;
    throw new IngestError([{ code: 'file_unreadable', file: basename(path), message: `fichier illisible ou archive gzip corrompue (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, messageEn: `cannot read file or corrupt gzip (${(error as Error).message}).` }]);
  } finally {
    fileStream.destroy();
  }
}

/** Decompressed, decoded text chunks of a file (see byteChunks for the encoding). */
async function* textChunks(path: string, gzip: boolean, encoding: Encoding, stats: { bytesRead: number }, signal?: AbortSignal): AsyncGenerator<string> {
  let decode: ((chunk: Buffer) => string) | null = null;
  for await (const { encoding: chosen, bytes } of byteChunks(path, gzip, encoding, stats, signal)) {
    if (decode === null) {
      if (chosen === 'utf-8') {
        // StringDecoder yields one-byte strings for ASCII text, which JSON.parse reads twice as fast
        // as TextDecoder's output; split multi-byte characters are carried over the same way.
        const decoder = new StringDecoder('utf8');
        decode = (chunk) => decoder.write(chunk);
      } else {
        const decoder = iconv.getDecoder(chosen);
        decode = (chunk) => decoder.write(chunk);
      }
    }
    yield decode(bytes);
  }
}

/** Pick the delimiter that occurs most often outside quotes in the header line. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([[';', 0], [',', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [ch, count] of counts) if (count > bestCount) { best = ch; bestCount = count; }
  return best;
}

/** The delimiter of a CSV whose decoded text starts with `firstText`: detected on its first line. */
export function headerDelimiter(firstText: string): string {
  return detectDelimiter(firstText.slice(0, Math.max(0, firstText.indexOf('\n')) || firstText.length));
}

/** A record whose number of cells differs from the header's. */
export function columnCountIssue(file: string, line: number, cells: number, expected: number): IngestIssue {
  return { code: 'column_count', file, line, message: `${cells} colonnes au lieu de ${expected} (ligne tronquée ou séparateur dans une valeur non protégée par des guillemets).`, messageEn: `${cells} columns instead of ${expected} (truncated line or unquoted delimiter).` };
}

/** Read a CSV or NDJSON file (plain or gzip) as batches of located rows. */
export async function* readBatches(path: string, options: ReadOptions = {}): AsyncGenerator<ReadBatch> {
  const file = options.name ?? basename(path);
  let detected: Awaited<ReturnType<typeof detectFormat>>;
  try {
    detected = await detectFormat(path);
  } catch (error) {
    throw new IngestError([{ code: 'file_unreadable', file, message: `fichier illisible (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, messageEn: `cannot read file (${(error as Error).message}).` }]);
  }
  const format = options.format ?? detected.format;
  const stats = { bytesRead: 0 };
  const chunks = textChunks(path, detected.gzip, options.encoding ?? 'auto', stats, options.signal);
  if (format === null) {
    // Empty plain file, or a gzip without a telling name: peek at the text.
    const first = await chunks.next();
    if (first.done || first.value.trim() === '') {
      yield { file, rows: [], issues: [{ code: 'empty_file', file, message: 'fichier vide.', messageEn: 'empty file.' }], bytesRead: stats.bytesRead, linesRead: 0 };
      return;
    }
    const rest = prepend(first.value, chunks);
    const guessed = first.value.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'ndjson' : 'csv';
    yield* guessed === 'ndjson' ? ndjsonBatches(file, rest, stats, options) : csvBatches(file, rest, stats, options);
    return;
  }
  yield* format === 'ndjson' ? ndjsonBatches(file, chunks, stats, options) : csvBatches(file, chunks, stats, options);
}

/** Row by row, for callers that prefer simplicity to speed. */
export async function* readRows(path: string, options: ReadOptions = {}): AsyncGenerator<RawRow | { issue: IngestIssue }> {
  for await (const batch of readBatches(path, options)) {
    for (const issue of batch.issues) yield { issue };
    yield* batch.rows;
  }
}

async function* prepend(first: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

// Dotted names are built once per distinct (prefix, key) and reused: concatenating them per row
// costs more than parsing the JSON.
const dottedNames = new Map<string, Map<string, string>>();
function dotted(prefix: string, key: string): string {
  let byKey = dottedNames.get(prefix);
  if (byKey === undefined) {
    byKey = new Map();
    dottedNames.set(prefix, byKey);
  }
  let name = byKey.get(key);
  if (name === undefined) {
    name = `${prefix}${key}`;
    if (byKey.size < 10_000) byKey.set(key, name);
  }
  return name;
}

function flattenInto(value: Record<string, unknown>, prefix: string, out: Record<string, unknown>): void {
  for (const key in value) {
    const v = value[key];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenInto(v as Record<string, unknown>, dotted(prefix, `${key}.`), out);
    else out[prefix === '' ? key : dotted(prefix, key)] = v;
  }
}

/** Nested objects become dotted keys (`{"user":{"name":…}}` → `user.name`); flat objects are kept as is. */
export function flatten(value: Record<string, unknown>): Record<string, unknown> {
  for (const key in value) {
    const v = value[key];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      flattenInto(value, '', out);
      return out;
    }
  }
  return value;
}

async function* ndjsonBatches(file: string, chunks: AsyncIterable<string>, stats: { bytesRead: number }, options: ReadOptions): AsyncGenerator<ReadBatch> {
  const batchSize = options.batchSize ?? BATCH_ROWS;
  const maxLine = options.maxLineLength ?? 32 * 1024 * 1024;
  let rows: RawRow[] = [];
  let issues: IngestIssue[] = [];
  let lineNo = 0;
  let carry = '';
  let skipping = false; // inside a line that is already too long
  let sawContent = false;
  const handle = (line: string): void => {
    lineNo++;
    if (line.length === 0 || line === '\r') return;
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    if (!sawContent) {
      sawContent = true;
      if (text.charCodeAt(0) === 0xfeff) return handleParsed(text.slice(1));
    }
    handleParsed(text);
  };
  const handleParsed = (text: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      if (text.trim() === '') return;
      issues.push({ code: 'invalid_json', file, line: lineNo, value: clip(text), message: `JSON invalide (${(error as Error).message.split('\n')[0]}).`, messageEn: `invalid JSON (${(error as Error).message.split('\n')[0]}).` });
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      issues.push({ code: 'not_an_object', file, line: lineNo, value: clip(text), message: 'la ligne n’est pas un objet JSON.', messageEn: 'line is not a JSON object.' });
      return;
    }
    rows.push({ file, line: lineNo, values: flatten(parsed as Record<string, unknown>) });
  };
  const tooLong = (): void => {
    issues.push({ code: 'line_too_long', file, line: lineNo + 1, message: `ligne trop longue (plus de ${maxLine} caractères), ignorée.`, messageEn: `line too long (over ${maxLine} characters), skipped.` });
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      if (skipping) {
        skipping = false;
        lineNo++;
      } else if (carry.length > 0) {
        const line = carry + chunk.slice(start, nl);
        carry = '';
        if (line.length > maxLine) { tooLong(); lineNo++; } else handle(line);
      } else handle(chunk.slice(start, nl));
      start = nl + 1;
    }
    if (!skipping && start < chunk.length) {
      carry += chunk.slice(start);
      if (carry.length > maxLine) { tooLong(); carry = ''; skipping = true; }
    }
    if (rows.length >= batchSize || issues.length >= batchSize) {
      yield { file, rows, issues, bytesRead: stats.bytesRead, linesRead: lineNo };
      rows = [];
      issues = [];
    }
  }
  if (skipping) lineNo++;
  else if (carry.length > 0) handle(carry); // last line without a newline
  if (!sawContent && lineNo <= 1 && issues.length === 0 && !skipping) issues.push({ code: 'empty_file', file, message: 'fichier vide.', messageEn: 'empty file.' });
  yield { file, rows, issues, bytesRead: stats.bytesRead, linesRead: lineNo };
}

async function* csvBatches(file: string, chunks: AsyncIterable<string>, stats: { bytesRead: number }, options: ReadOptions): AsyncGenerator<ReadBatch> {
  const batchSize = options.batchSize ?? BATCH_ROWS;
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.replace(/^\uFEFF/, '').trim() === '') {
    yield { file, rows: [], issues: [{ code: 'empty_file', file, message: 'fichier vide.', messageEn: 'empty file.' }], bytesRead: stats.bytesRead, linesRead: 0 };
    return;
  }
  const firstText = first.value.replace(/^\uFEFF/, '');
  const delimiter = options.delimiter ?? headerDelimiter(firstText);
  const splitter = new CsvSplitter(delimiter, options.maxLineLength ?? 32 * 1024 * 1024);
  let header: string[] | null = null;
  let rows: RawRow[] = [];
  let issues: IngestIssue[] = [];
  const onRecord = (record: CsvRecord): void => {
    const cells = record.cells;
    const line = record.line;
    if (header === null) {
      header = uniqueHeader(cells);
      options.onHeader?.(header, file);
      return;
    }
    if (cells.length !== header.length) {
      if (cells.length === 1 && cells[0]?.trim() === '') return;
      issues.push(columnCountIssue(file, line, cells.length, header.length));
      return;
    }
    const values: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) values[header[i] as string] = cells[i];
    rows.push({ file, line, values });
  };
  const onProblem = (problem: CsvProblem): void => {
    issues.push(problem.code === 'line_too_long'
      ? { code: 'line_too_long', file, line: problem.line, message: 'enregistrement trop long, ignoré.', messageEn: 'record too long, skipped.' }
      : { code: 'csv_syntax', file, line: problem.line, message: 'guillemet ouvert jamais fermé : enregistrement ignoré.', messageEn: 'quote never closed: record skipped.' });
  };
  let lines = 0;
  for await (const chunk of prepend(firstText, iterator)) {
    splitter.push(chunk, onRecord, onProblem);
    lines = splitter.linesSeen;
    if (rows.length >= batchSize || issues.length >= batchSize) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      yield { file, rows, issues, bytesRead: stats.bytesRead, linesRead: lines };
      rows = [];
      issues = [];
    }
  }
  splitter.end(onRecord, onProblem);
  yield { file, rows, issues, bytesRead: stats.bytesRead, linesRead: splitter.linesSeen };
}

/** Header cells as column names: blanks named by position, repeats numbered. */
export function uniqueHeader(record: string[]): string[] {
  const seen = new Map<string, number>();
  return record.map((raw, i) => {
    const name = raw.trim() === '' ? `colonne ${i + 1}` : raw.trim();
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}
