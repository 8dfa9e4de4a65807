import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { DateTime } from 'luxon';
import { loadMapping } from '@rempart/ingest';
import { generate, type GeneratedTruth } from '../../../bench/forensics/generate.ts';
import { findingsCsv, findingsJson, generates, loadRules, reportHtml, RuleError, scanFiles, VENDOR_MAPPING_FILE, withOverrides, type ScanResult } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'forensics-test-'));
const logs = join(dir, 'year.ndjson');
let truth: GeneratedTruth;
let result: ScanResult;

beforeAll(async () => {
  truth = await generate({ events: 1, out: logs, seed: 42 }); // smallest year: ~330,000 events
  result = await scanFiles([logs]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const severityOf = (r: ScanResult, account: string) => r.accounts.find((a) => a.account === account)?.severity ?? 'none';

describe('a year of logs with injected compromises', () => {
  it('puts every compromised account at the top, high or critical', () => {
    const top = result.accounts.slice(0, truth.compromised.length).map((a) => a.account).sort();
    expect(top).toEqual([...truth.compromised].sort());
    for (const account of truth.compromised) expect(['high', 'critical']).toContain(severityOf(result, account));
  });

  it('raises none of the benign patterns as high or critical', () => {
    for (const [pattern, accounts] of Object.entries(truth.baits)) {
      for (const account of accounts) {
        if (truth.compromised.includes(account)) continue;
        expect({ pattern, account, severity: severityOf(result, account) }).not.toMatchObject({ severity: expect.stringMatching(/high|critical/) });
      }
    }
  });

  it('explains each finding with events, a baseline and a French sentence', () => {
    const sprayed = result.accounts.find((a) => a.account === truth.compromised[0]);
    const spraying = sprayed?.findings.find((f) => f.rule === 'spraying');
    expect(spraying?.explanation).toMatch(/échecs de connexion depuis \d+ adresses IP/);
    expect(spraying?.events.some((e) => e.outcome === 'failure')).toBe(true);
    expect(spraying?.events.some((e) => e.outcome === 'success' && e.action === 'login')).toBe(true);
    const insider = result.accounts.find((a) => a.account === 'f.garcia');
    const exportFinding = insider?.findings.find((f) => f.rule === 'export_volume');
    expect(exportFinding?.baseline).toHaveProperty('previous_daily_max');
    expect(exportFinding?.events[0]?.records).toBe(20_000);
    expect(insider?.summary).toMatch(/^Gravité (élevée|critique) : .*export inhabituellement volumineux/);
    expect(result.summary).toMatchObject({ lines_read: truth.events, accepted: truth.events, rejected: 0, accounts: 301 });
  });

  it('writes the same bytes twice', async () => {
    const again = await scanFiles([logs]);
    expect(findingsJson(again)).toBe(findingsJson(result));
    expect(findingsCsv(again)).toBe(findingsCsv(result));
    expect(reportHtml(again)).toBe(reportHtml(result));
  });

  it('the Node reader and the DuckDB reader load the same events (same findings, byte for byte)', async () => {
    const viaNode = await scanFiles([logs], { forceNodeReader: true });
    expect(viaNode.summary.files[0]?.path).toBe('node');
    expect(result.summary.files[0]?.path).toBe('duckdb');
    const strip = (r: ScanResult) => findingsJson({ ...r, summary: { ...r.summary, files: [] } });
    expect(strip(viaNode)).toBe(strip(result));
  }, 60_000);

  it('report.html is self-contained, in French, with a chart per flagged account', () => {
    const html = reportHtml(result);
    expect(html).toContain('<html lang="fr">');
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(html.match(/<svg /g)?.length).toBe(result.accounts.length);
    expect(html).toContain('Désactiver le compte');
    const json = JSON.parse(findingsJson(result));
    expect(Object.keys(json)).toEqual(['summary', 'accounts']);
    expect(Object.keys(json.accounts[0])).toEqual(['account', 'score', 'severity', 'summary', 'findings']);
    for (const key of ['rule', 'severity', 'first', 'last', 'events', 'explanation']) expect(json.accounts[0].findings[0]).toHaveProperty(key);
    const scores = json.accounts.map((a: { score: number }) => a.score);
    expect([...scores].sort((a: number, b: number) => b - a)).toEqual(scores);
  });

  it('thresholds and rules are adjustable: without the export rule the insider is no longer flagged', async () => {
    const rules = withOverrides(loadRules(), { export_volume: { enabled: false } });
    const without = await scanFiles([logs], { rules, since: Date.UTC(2024, 10, 1), until: Date.UTC(2025, 1, 1) });
    expect(severityOf(without, 'f.garcia')).toBe('none');
    expect(without.summary.outside_period).toBeGreaterThan(0);
    expect(without.summary.accepted + without.summary.outside_period).toBe(truth.events);
  });
});

describe('other layouts through a mapping', () => {
  it('a French vendor CSV in Windows-1252 gives the same flagged accounts as the canonical NDJSON', async () => {
    const csvPath = join(dir, 'export-editeur.csv');
    const out = createWriteStream(csvPath);
    out.write(iconv.encode('Date;Heure;Utilisateur;Adresse IP;Pays;Action;Résultat;Module;Nb enregistrements;Navigateur\r\n', 'windows-1252'));
    const labels: Record<string, string> = { login: 'Connexion', logout: 'Déconnexion', view: 'Consultation', search: 'Recherche', create: 'Création', update: 'Modification', export: 'Export', admin: 'Administration', print: 'Impression' };
    const lines = createInterface({ input: createReadStream(logs), crlfDelay: Infinity });
    let batch: string[] = [];
    for await (const line of lines) {
      const e = JSON.parse(line);
      const local = DateTime.fromISO(e['@timestamp'], { zone: 'Europe/Paris' });
      const action = e.event.action === 'login' && e.event.outcome === 'failure' ? 'Echec connexion' : labels[e.event.action];
      batch.push([local.toFormat('dd/MM/yyyy'), local.toFormat('HH:mm:ss'), e.user.name, e.source.ip, e.source.geo.country_iso_code, action, e.event.outcome === 'success' ? 'OK' : 'KO', e.app.module, e.records, `"${e.user_agent.original}"`].join(';'));
      if (batch.length >= 5000) {
        if (!out.write(iconv.encode(`${batch.join('\r\n')}\r\n`, 'windows-1252'))) await once(out, 'drain');
        batch = [];
      }
    }
    out.end(iconv.encode(`${batch.join('\r\n')}\r\n`, 'windows-1252'));
    await once(out, 'finish');
    const mappingPath = VENDOR_MAPPING_FILE;
    const loaded = loadMapping(mappingPath);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const mapped = await scanFiles([csvPath], { mapping: loaded.mapping });
    expect(mapped.summary).toMatchObject({ accepted: truth.events, rejected: 0 });
    const flagged = (r: ScanResult) => r.accounts.filter((a) => a.severity === 'high' || a.severity === 'critical').map((a) => a.account).sort();
    // The CSV loses milliseconds only; DST overlap hours may shift a few events by one hour.
    expect(flagged(mapped)).toEqual(flagged(result));
  }, 120_000);

  it('NDJSON with its own key names, gzip, through a mapping', async () => {
    const { gzipSync } = await import('node:zlib');
    const path = join(dir, 'autre.jsonl.gz');
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ horodatage: `2024-03-31 0${i % 4}:${String(i).padStart(2, '0')}:00`, agent: { login: i % 2 ? 'Dupont' : 'martin' }, ip: '10.1.1.1', op: i % 5 ? 'Consultation' : 'Export', nb: String(i) }));
    writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
    const loaded = loadMapping({ text: `format: ndjson
timestamp: { field: horodatage, format: "yyyy-MM-dd HH:mm:ss", timezone: Europe/Paris }
fields:
  user.name: agent.login
  source.ip: ip
  event.action: op
  records: nb
values:
  event.action: { Consultation: view, Export: export }
` });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const r = await scanFiles([path], { mapping: loaded.mapping });
    expect(r.summary).toMatchObject({ lines_read: 30, accepted: 30, rejected: 0, accounts: 2 });
    // 02:xx on 31 March 2024 does not exist in Paris: read as 03:xx CEST, i.e. 01:xx UTC.
    expect(r.summary.time_span.first).toBe('2024-03-31T00:00:00+01:00');
  });

  it('a wrong mapping stops at once, naming the missing column', async () => {
    const csvPath = join(dir, 'short.csv');
    writeFileSync(csvPath, 'Date;Heure;Utilisateur\n01/02/2024;10:00:00;a\n');
    const loaded = loadMapping({ text: 'timestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss" }\nfields:\n  user.name: Utilisateur\n  event.action: Action\n' });
    if (!loaded.ok) throw new Error('mapping');
    await expect(scanFiles([csvPath], { mapping: loaded.mapping })).rejects.toMatchObject({ code: 'missing_column', issues: [{ value: 'Action', field: 'event.action', file: 'short.csv' }] });
  });
});

describe('bad lines', () => {
  it('are counted with their reason and first line numbers, and never stop the run', async () => {
    const path = join(dir, 'dirty.ndjson');
    const good = (i: number) => JSON.stringify({ '@timestamp': new Date(Date.UTC(2024, 0, 1, 8, i)).toISOString(), user: { name: `u${i % 3}` }, source: { ip: '10.0.0.1' }, event: { action: 'view', outcome: 'success' }, app: { module: 'main_courante' }, records: 1 });
    const lines = Array.from({ length: 50 }, (_, i) => good(i));
    lines[9] = '{"@timestamp": "2024-01-01T08:00:00Z", "user": {"name": ';
    lines[19] = JSON.stringify({ '@timestamp': 'hier', user: { name: 'x' } });
    lines[29] = JSON.stringify({ '@timestamp': '2024-01-01T08:00:00Z', source: { ip: '1.2.3.4' } });
    writeFileSync(path, `${lines.join('\n')}\n`);
    const r = await scanFiles([path]);
    expect(r.summary).toMatchObject({ lines_read: 50, accepted: 47, rejected: 3, rejected_by_reason: { invalid_json: 1, invalid_date: 1, missing_field: 1 } });
    expect(r.summary.first_rejected.map((x) => [x.line, x.code])).toEqual([[10, 'invalid_json'], [20, 'invalid_date'], [30, 'missing_field']]);
  });

  it('an empty file and an unreadable gzip are reported, not crashed on', async () => {
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    const r = await scanFiles([empty]);
    expect(r.summary).toMatchObject({ lines_read: 0, accepted: 0, accounts: 0 });
    expect(r.accounts).toEqual([]);
    const broken = join(dir, 'broken.ndjson.gz');
    writeFileSync(broken, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    await expect(scanFiles([broken])).rejects.toMatchObject({ code: 'file_unreadable' });
  });
});

describe('rules', () => {
  it('the default pack is valid and written in French and English', () => {
    const rules = loadRules();
    expect(rules.length).toBeGreaterThanOrEqual(12);
    for (const r of rules) {
      expect(r.title.fr).not.toBe(r.title.en);
      expect(r.explanation.fr).toMatch(/\{[a-z_]+\}/);
    }
  });

  it('a wrong rule file is refused with its name', () => {
    const rulesDir = join(dir, 'rules');
    mkdirSync(rulesDir, { recursive: true });
    writeFileSync(join(rulesDir, 'bad.yml'), 'id: bad\ndetector: telepathy\nseverity: high\n');
    expect(() => loadRules(rulesDir)).toThrow(RuleError);
    expect(() => loadRules(rulesDir)).toThrow(/bad\.yml/);
  });

  it('a scan can be cancelled and leaves no temporary database behind', async () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith(`rempart-forensics-${process.pid}-`));
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(scanFiles([join(dir, 'export-editeur.csv')], { signal: controller.signal, mapping: loadMapping({ text: 'format: csv\nfields: {}\n' }).ok ? null : null })).rejects.toThrow();
    const after = readdirSync(tmpdir()).filter((f) => f.startsWith(`rempart-forensics-${process.pid}-`));
    expect(after).toEqual(before);
    expect(existsSync(logs)).toBe(true);
    expect(readFileSync(logs).length).toBeGreaterThan(0);
  });
});

describe('phase timings', () => {
  it('REMPART_FORENSICS_TIMINGS=1 prints each phase with its CPU time on stderr, and nothing without it', async () => {
    const path = join(dir, 'small.ndjson');
    const line = (i: number) => JSON.stringify({ '@timestamp': new Date(Date.UTC(2024, 0, 1, 8, i)).toISOString(), user: { name: `u${i % 3}` }, source: { ip: '10.0.0.1' }, event: { action: 'view', outcome: 'success' }, app: { module: 'main_courante' }, records: 1 });
    writeFileSync(path, `${Array.from({ length: 20 }, (_, i) => line(i)).join('\n')}\n`);
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    let quiet: string[];
    try {
      await scanFiles([path]);
      quiet = written.splice(0);
      process.env.REMPART_FORENSICS_TIMINGS = '1';
      await scanFiles([path]);
    } finally {
      delete process.env.REMPART_FORENSICS_TIMINGS;
      process.stderr.write = original;
    }
    expect(quiet.join('')).not.toContain('[forensics]');
    const lines = written.join('').split('\n').filter((l) => l.startsWith('[forensics]'));
    expect(lines.some((l) => /^\[forensics\] load: read_ndjson +\d+\.\d{3} s, cpu \d+\.\d{3} s \(total \d+\.\d{3} s\)$/.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes(' rule ')).length).toBe(loadRules().filter((r) => r.enabled && generates(r)).length);
    expect(lines.at(-1)).toContain('series');
  });
});
