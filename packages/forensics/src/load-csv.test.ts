// The DuckDB reader of mapped CSV files against its oracle, the Node reader (@rempart/ingest row by
// row): same events stored, same counts, same rejected lines with the same reasons and messages.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMapping, loadMappingOrThrow, type Mapping } from '@rempart/ingest';
import { loadEvents, type LoadOptions, type LoadStats } from './load.ts';
import { JS_WHITESPACE } from './load-csv.ts';
import { findingsCsv, findingsJson, scanFiles, VENDOR_MAPPING_FILE, type ScanResult } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'forensics-csv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const vendor = loadMappingOrThrow(VENDOR_MAPPING_FILE);
const HEADER = 'Date;Heure;Utilisateur;Adresse IP;Pays;Action;Résultat;Module;Nb enregistrements;Navigateur';
const UA = '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0"';

function write(name: string, lines: string[], options: { encoding?: 'windows-1252' | 'utf-8'; eol?: string; bom?: boolean; gzip?: boolean } = {}): string {
  const text = `${lines.join(options.eol ?? '\r\n')}${options.eol ?? '\r\n'}`;
  let bytes = options.encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'windows-1252');
  if (options.bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  if (options.gzip) bytes = gzipSync(bytes);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

interface Loaded { stats: LoadStats; events: string[] }

/** Load with one reader and dump every stored event, normalised values included, in a fixed order. */
async function load(paths: string[], mapping: Mapping, options: Partial<LoadOptions> = {}): Promise<Loaded> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await instance.connect();
  try {
    const stats = await loadEvents(con, paths, { mapping, workDir: dir, ...options });
    const rows = (await con.runAndReadAll('SELECT f, t::VARCHAR AS t, u, ip, country, ua, action, outcome, module, records::VARCHAR AS records FROM ev ORDER BY ALL')).getRowObjectsJS();
    return { stats, events: rows.map((r) => JSON.stringify(r)) };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** Both readers on the same files: the DuckDB one must be taken and agree with the Node one. */
async function compare(paths: string[], mapping: Mapping, options: Partial<LoadOptions> = {}): Promise<Loaded> {
  const viaDuckDB = await load(paths, mapping, options);
  const viaNode = await load(paths, mapping, { ...options, forceNode: true });
  expect(viaDuckDB.stats.files.map((f) => [f.path, f.fallback])).toEqual(paths.map(() => ['duckdb', undefined]));
  const strip = (s: LoadStats) => ({ ...s, files: s.files.map(({ path: _p, fallback: _f, ...rest }) => rest) });
  expect(strip(viaDuckDB.stats)).toEqual(strip(viaNode.stats));
  expect(viaDuckDB.events).toEqual(viaNode.events);
  return viaDuckDB;
}

const row = (date: string, time: string, user: string, extra: Partial<{ ip: string; country: string; action: string; outcome: string; module: string; records: string; ua: string }> = {}) =>
  [date, time, user, extra.ip ?? '10.0.0.1', extra.country ?? 'FR', extra.action ?? 'Consultation', extra.outcome ?? 'OK', extra.module ?? 'main_courante', extra.records ?? '1', extra.ua ?? UA].join(';');

describe('mapped CSV read by DuckDB', () => {
  it('the whitespace DuckDB trims is exactly what JavaScript trims', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      expect([c, JS_WHITESPACE.includes(ch)]).toEqual([c, ch.trim() === '']);
    }
  });

  it('a Windows-1252 vendor export with bad lines: same events, counts, reasons and line numbers as the Node reader', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 300; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      lines.push(row(`${day}/0${1 + (i % 9)}/2024`, `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07`, ['dupont', 'Éléonore', ' martin ', 'Zoé'][i % 4] as string, {
        action: ['Connexion', 'Echec connexion', 'Déconnexion', 'Création', 'Export', 'consultation ', 'Inconnue'][i % 7], outcome: i % 5 ? 'OK' : 'KO',
        records: ['1', '1 200', '12,6', 'beaucoup', ''][i % 5], country: i % 11 ? 'fr' : '', ip: i % 13 ? `10.0.${i % 3}.${i % 7}` : '',
      }));
    }
    lines[5] = row('31/02/2024', '10:00:00', 'dupont'); // impossible date
    lines[9] = row('12/03/2024', '25:00:00', 'dupont'); // impossible hour
    lines[14] = row('12/03/2024', '10:00:00', '   '); // blank account
    lines[20] = row('', '10:00:00', 'dupont'); // no date
    lines[33] = 'a;b;c'; // too few cells
    lines[40] = `${row('12/03/2024', '10:00:00', 'dupont')};de trop`; // too many cells
    lines[50] = ''; // blank line: skipped
    lines[51] = '   '; // whitespace only: skipped
    lines[60] = row('2024-03-12', '10:00:00', 'dupont'); // other format
    lines[61] = row(' 12/03/2024 ', '\t10:00:00', 'dupont'); // spaces around: trimmed
    lines[62] = row('12/03/2024', '10:00:00', '"du;pont"'); // quoted delimiter in a value
    const path = write('vendeur.csv', lines);
    const r = await compare([path], vendor);
    expect(r.stats.files[0]).toMatchObject({ lines: 302, rejected: 7 });
    expect(r.stats.rejectedByReason).toEqual({ column_count: 2, invalid_date: 3, missing_field: 2 });
    expect(r.stats.firstRejected.map((x) => [x.line, x.code])).toEqual([[6, 'invalid_date'], [10, 'invalid_date'], [15, 'missing_field'], [21, 'missing_field'], [34, 'column_count'], [41, 'column_count'], [61, 'invalid_date']]);
    expect(r.stats.warnings).toBeGreaterThan(0);
  });

  it('UTF-8 with a BOM and LF line ends, and the same file gzipped', async () => {
    const mapping = loadMappingOrThrow({ text: 'format: csv\nencoding: auto\ntimestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss", timezone: Europe/Paris }\nfields: { user.name: Utilisateur, event.action: Action, event.outcome: Résultat, source.ip: Adresse IP }\nvalues: { event.action: { Consultation: view } }\n' });
    const lines = [HEADER, ...Array.from({ length: 50 }, (_, i) => row(`0${1 + (i % 9)}/05/2024`, `1${i % 10}:00:00`, i % 2 ? 'Hélène' : 'agent.ß'))];
    await compare([write('bom.csv', lines, { encoding: 'utf-8', eol: '\n', bom: true })], mapping);
    const gz = await compare([write('bom.csv.gz', lines, { encoding: 'utf-8', eol: '\n', bom: true, gzip: true })], mapping);
    expect(gz.events.some((e) => e.includes('Hélène'))).toBe(true);
  });

  it('the daylight-saving changes of March and October 2024 give the same instants as @rempart/ingest', async () => {
    const times = ['00:59:59', '01:00:00', '01:59:59', '02:00:00', '02:30:00', '02:59:59', '03:00:00', '03:30:00', '04:00:00'];
    const lines = [HEADER, ...['30/03/2024', '31/03/2024', '01/04/2024', '26/10/2024', '27/10/2024', '28/10/2024'].flatMap((d) => times.map((t) => row(d, t, 'veilleur')))];
    const r = await compare([write('dst.csv', lines)], vendor);
    const utc = r.events.map((e) => new Date(Number((JSON.parse(e) as { t: string }).t)).toISOString());
    // 31 March 02:30 does not exist: moved forward (01:30 UTC); 27 October 02:30 happens twice: the first (00:30 UTC).
    expect(utc).toContain('2024-03-31T01:30:00.000Z');
    expect(utc).toContain('2024-10-27T00:30:00.000Z');
    expect(utc).not.toContain('2024-10-27T01:30:00.000Z');
  });

  it('other mappings: one time column, two-digit years and milliseconds, UTC, loose column names, a tab delimiter', async () => {
    const mapping = loadMappingOrThrow({ text: 'format: csv\nencoding: utf-8\ntimestamp: { field: horodatage, format: "d/M/yy H:mm:ss.SSS", timezone: UTC }\nfields: { user.name: agent, event.action: ACTION, records: nombre }\nvalues: { event.action: { lecture: view } }\n' });
    const lines = ['Horodatage\tAgent\tAction\tNombre', ...Array.from({ length: 40 }, (_, i) => `${1 + (i % 28)}/${1 + (i % 12)}/${i % 2 ? '24' : '61'} ${i % 24}:05:0${i % 10}.${String(i * 7).padStart(3, '0')}\t${i % 3 ? 'Agent' : ' agent '}\t${i % 4 ? 'Lecture' : 'lecture'}\t${i}`), '31/2/24 10:00:00.000\tx\tlecture\t1', '1/1/24 10:00:00\tx\tlecture\t1'];
    const r = await compare([write('tab.tsv', lines, { encoding: 'utf-8', eol: '\n' })], mapping);
    expect(r.stats.rejectedByReason).toEqual({ invalid_date: 2 });
  });

  it('--since and --until count the events outside the period alike', async () => {
    const lines = [HEADER, ...Array.from({ length: 120 }, (_, i) => row(`${String(1 + (i % 28)).padStart(2, '0')}/0${1 + (i % 6)}/2024`, '12:00:00', `u${i % 5}`))];
    const r = await compare([write('periode.csv', lines)], vendor, { since: Date.UTC(2024, 1, 1), until: Date.UTC(2024, 4, 1) });
    expect(r.stats.outsidePeriod).toBeGreaterThan(0);
  });

  it('several files: rejected lines are located across them in order', async () => {
    const a = write('a.csv', [HEADER, row('01/01/2024', '10:00:00', 'a'), 'x;y', row('01/01/2024', 'midi', 'a')]);
    const b = write('b.csv', [HEADER, row('02/01/2024', '10:00:00', ''), row('02/01/2024', '11:00:00', 'b')], { gzip: false });
    const r = await compare([a, b], vendor);
    expect(r.stats.firstRejected.map((x) => [x.file, x.line])).toEqual([['a.csv', 3], ['a.csv', 4], ['b.csv', 2]]);
  });

  it('Windows-1252 characters of 0x80–0x9F (’ œ €), a last line without newline, and Latin-1', async () => {
    const lines = [HEADER, row('01/01/2024', '10:00:00', 'l’agent œuvre'), row('01/01/2024', '11:00:00', 'coût 5 €', { module: 'état-civil' })];
    const path = join(dir, 'sans-fin.csv');
    writeFileSync(path, Buffer.concat([iconv.encode(`${lines.join('\r\n')}\r\n${row('02/01/2024', '12:00:00', 'dernier', { ua: 'curl/8.0' })}`, 'windows-1252'), Buffer.from([0x81])]));
    const r = await compare([path], vendor);
    expect(r.events.some((e) => e.includes('l’agent œuvre'))).toBe(true);
    expect(r.stats.files[0]?.lines).toBe(4);
    const latin1 = loadMappingOrThrow({ text: 'format: csv\nencoding: latin1\ntimestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss" }\nfields: { user.name: Utilisateur }\n' });
    await compare([path], latin1);
  });

  it('bytes that are not UTF-8, or a lone carriage return, send the file to the Node reader', async () => {
    const utf8 = loadMappingOrThrow({ text: 'format: csv\nencoding: utf-8\ntimestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss" }\nfields: { user.name: Utilisateur }\n' });
    const bad = join(dir, 'pas-utf8.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from(`${HEADER}\n${row('01/01/2024', '10:00:00', 'a')}\n`), Buffer.from([0xe9, 0x0a])]));
    const viaDuckDB = await load([bad], utf8);
    expect(viaDuckDB.stats.files[0]).toMatchObject({ path: 'node', fallback: 'UTF-8 invalide' });
    expect(viaDuckDB.events).toEqual((await load([bad], utf8, { forceNode: true })).events);
    const cr = write('cr.csv', [HEADER, `${row('01/01/2024', '10:00:00', 'a')}\rsuite`]);
    expect((await load([cr], vendor)).stats.files[0]).toMatchObject({ path: 'node', fallback: 'retour chariot isolé dans une ligne' });
  });

  it('a record over several lines is read by the Node reader, and says why', async () => {
    const path = write('multiligne.csv', [HEADER, row('01/01/2024', '10:00:00', 'a'), row('01/01/2024', '10:00:00', 'b', { ua: '"deux\r\nlignes; ici"' }), row('01/01/2024', '11:00:00', 'c')]);
    const viaDuckDB = await load([path], vendor);
    const viaNode = await load([path], vendor, { forceNode: true });
    expect(viaDuckDB.stats.files[0]).toMatchObject({ path: 'node', fallback: 'enregistrement sur plusieurs lignes (guillemets)' });
    expect(viaDuckDB.events).toEqual(viaNode.events);
  });

  it('more mixed rejected lines than are located: the same ones as the Node reader, batch by batch', async () => {
    const small = [HEADER, ...Array.from({ length: 60 }, (_, i) => (i % 2 ? 'x;y' : row('01/01/2024', 'midi', 'a')))];
    const one = await compare([write('mixte.csv', small)], vendor);
    expect(one.stats.firstRejected.every((x) => x.code === 'column_count')).toBe(true);
    // Over 1 MiB: the Node reader's first batch ends after its first chunk; the later column-count
    // lines are located before the row problems between them.
    const big = [HEADER, ...Array.from({ length: 30_000 }, (_, i) => {
      if (i >= 100 && i < 111) return row('01/01/2024', 'midi', 'a');
      if (i >= 20_000 && i < 20_080) return i % 2 ? 'x;y' : row('01/01/2024', '10:00:00', '');
      return row('01/01/2024', '10:00:00', `u${i % 50}`);
    })];
    const many = await compare([write('mixte-gros.csv', big)], vendor);
    expect(many.stats.firstRejected.map((x) => x.code)).toEqual([...Array(11).fill('invalid_date'), ...Array(9).fill('column_count')]);
  });

  it('a wrong mapping stops at once with ingest\'s message; no temporary file is left, cancelled or not', async () => {
    const work = mkdtempSync(join(dir, 'work-'));
    const path = write('court.csv', ['Date;Heure;Utilisateur', '01/02/2024;10:00:00;a']);
    const loaded = loadMapping({ text: 'timestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss" }\nfields:\n  user.name: Utilisateur\n  event.action: Action\n' });
    if (!loaded.ok) throw new Error('mapping');
    await expect(scanFiles([path], { mapping: loaded.mapping, workDir: work })).rejects.toMatchObject({ code: 'missing_column', message: expect.stringContaining('colonne « Action » absente de l’en-tête') });
    await scanFiles([write('ok.csv', [HEADER, row('01/01/2024', '10:00:00', 'a')])], { mapping: vendor, workDir: work });
    const cancelled = new AbortController();
    const big = write('gros.csv', [HEADER, ...Array.from({ length: 20_000 }, (_, i) => row('01/01/2024', '10:00:00', `u${i}`))]);
    const scan = scanFiles([big], { mapping: vendor, workDir: work, signal: cancelled.signal, onProgress: (p) => { if (p.phase === 'read') cancelled.abort(); } });
    await expect(scan).rejects.toThrow();
    expect(readdirSync(work)).toEqual([]);
  });
});

describe('a year of a vendor export', () => {
  it('writes byte-identical findings.json and findings.csv through either reader', async () => {
    const { generate } = await import('../../../bench/forensics/generate.ts');
    const { createReadStream } = await import('node:fs');
    const { createInterface } = await import('node:readline');
    const { DateTime } = await import('luxon');
    const logs = join(dir, 'annee.ndjson');
    await generate({ events: 1, out: logs, seed: 7 });
    const labels: Record<string, string> = { login: 'Connexion', logout: 'Déconnexion', view: 'Consultation', search: 'Recherche', create: 'Création', update: 'Modification', export: 'Export', admin: 'Administration', print: 'Impression' };
    const lines = [HEADER];
    for await (const line of createInterface({ input: createReadStream(logs), crlfDelay: Infinity })) {
      const e = JSON.parse(line);
      const local = DateTime.fromISO(e['@timestamp'], { zone: 'Europe/Paris' });
      const action = e.event.action === 'login' && e.event.outcome === 'failure' ? 'Echec connexion' : labels[e.event.action];
      lines.push([local.toFormat('dd/MM/yyyy'), local.toFormat('HH:mm:ss'), e.user.name, e.source.ip, e.source.geo.country_iso_code, action, e.event.outcome === 'success' ? 'OK' : 'KO', e.app.module, e.records, `"${e.user_agent.original}"`].join(';'));
    }
    const path = write('annee.csv', lines);
    const viaDuckDB = await scanFiles([path], { mapping: vendor });
    const viaNode = await scanFiles([path], { mapping: vendor, forceNodeReader: true });
    expect(viaDuckDB.summary.files[0]?.path).toBe('duckdb');
    expect(viaNode.summary.files[0]?.path).toBe('node');
    const strip = (r: ScanResult): ScanResult => ({ ...r, summary: { ...r.summary, files: r.summary.files.map((f) => ({ ...f, path: 'node' as const })) } });
    expect(viaDuckDB.accounts.length).toBeGreaterThan(0);
    expect(findingsJson(strip(viaDuckDB))).toBe(findingsJson(strip(viaNode)));
    expect(findingsCsv(viaDuckDB)).toBe(findingsCsv(viaNode));
  }, 180_000);
});
