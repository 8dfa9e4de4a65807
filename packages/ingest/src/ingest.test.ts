import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { createMapper, createDateParser, IngestError, loadMapping, readBatches, type IngestIssue, type Mapping, type RawRow } from './index.ts';

const BAD = new URL('../test/fixtures/bad/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, options: Parameters<typeof readBatches>[1] = {}): Promise<{ rows: RawRow[]; issues: IngestIssue[]; lines: number }> {
  const rows: RawRow[] = [];
  const issues: IngestIssue[] = [];
  let lines = 0;
  for await (const batch of readBatches(path, options)) {
    rows.push(...batch.rows);
    issues.push(...batch.issues);
    lines = batch.linesRead;
  }
  return { rows, issues, lines };
}

const VENDOR_MAPPING = `format: csv
delimiter: ";"
encoding: windows-1252
timestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss", timezone: Europe/Paris }
fields:
  user.name: Utilisateur
  event.action: Action
values:
  event.action: { Connexion: login, "Echec connexion": login, Création: create, Consultation: view, Recherche: search }
`;

function vendorMapper(mappingText = VENDOR_MAPPING) {
  const loaded = loadMapping({ text: mappingText, name: 'vendor.yml' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return createMapper(loaded.mapping, { required: ['@timestamp', 'user.name'], dates: { '@timestamp': 'datetime' }, numbers: ['records'] });
}

describe('mapping files', () => {
  it('accepts the vendor mapping of issue 3 and the records mapping of issue 4', () => {
    const vendor = loadMapping({ text: VENDOR_MAPPING });
    expect(vendor.ok).toBe(true);
    const scoping = loadMapping({ text: `format: csv
delimiter: ";"
encoding: utf-8
dates: { format: ["dd/MM/yyyy", "yyyy-MM-dd", "d/M/yy"], timezone: Europe/Paris }
fields:
  record.id: "ID ligne"
  person.last_name: "Nom"
  person.birth_date: "Date de naissance"
values:
  dossier.module: { "Main courante": main_courante }
` });
    expect(scoping.ok && scoping.mapping.dates?.format).toEqual(['dd/MM/yyyy', 'yyyy-MM-dd', 'd/M/yy']);
  });

  it('names the line and key of a wrong mapping, in French', () => {
    const result = loadMapping({ text: 'format: xls\nfields:\n  user.name: Utilisateur\ntimestamp: { field: Date, timezone: Europe/Pariss }\n', name: 'm.yml' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const format = result.issues.find((i) => i.field === 'format');
    expect(format).toMatchObject({ code: 'mapping_invalid', file: 'm.yml', line: 1 });
    expect(format?.message).toContain('csv, ndjson');
    expect(result.issues.find((i) => i.field === 'timestamp.timezone')).toMatchObject({ line: 4, message: expect.stringContaining('fuseau') });
  });

  it('refuses YAML syntax errors, duplicate keys, unknown keys and missing files without throwing', () => {
    expect(loadMapping({ text: 'fields: [a' })).toMatchObject({ ok: false, issues: [{ code: 'mapping_yaml' }] });
    expect(loadMapping({ text: 'format: csv\nformat: ndjson\n' })).toMatchObject({ ok: false, issues: [{ code: 'mapping_yaml', line: 2 }] });
    expect(loadMapping({ text: 'colonnes: {}\n' })).toMatchObject({ ok: false, issues: [{ code: 'mapping_invalid', message: expect.stringContaining('colonnes') }] });
    expect(loadMapping(join(dir, 'nope.yml'))).toMatchObject({ ok: false, issues: [{ code: 'mapping_unreadable', file: 'nope.yml' }] });
    expect(loadMapping({ text: '' })).toMatchObject({ ok: false });
  });
});

describe('nasty files', () => {
  it('empty file: no rows, one located issue', async () => {
    const { rows, issues } = await readAll(join(BAD, 'empty.csv'));
    expect(rows).toEqual([]);
    expect(issues).toMatchObject([{ code: 'empty_file', file: 'empty.csv' }]);
  });

  it('header only: the header is checked, no rows', async () => {
    const seen: string[][] = [];
    const { rows, issues } = await readAll(join(BAD, 'header-only.csv'), { onHeader: (c) => seen.push(c) });
    expect(seen).toEqual([['Date', 'Heure', 'Utilisateur', 'Action']]);
    expect(rows).toEqual([]);
    expect(issues).toEqual([]);
  });

  it('truncated last line is rejected with its line number, the others kept', async () => {
    const { rows, issues } = await readAll(join(BAD, 'truncated.csv'));
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(issues).toMatchObject([{ code: 'column_count', line: 3, file: 'truncated.csv' }]);
  });

  it('BOM and CRLF leave no trace in names or values', async () => {
    const { rows } = await readAll(join(BAD, 'bom-crlf.csv'));
    expect(rows).toEqual([{ file: 'bom-crlf.csv', line: 2, values: { Date: '01/02/2024', Heure: '10:00:00', Utilisateur: 'jdupont', Action: 'Connexion' } }]);
  });

  it('Windows-1252 is detected and decoded, and value maps match accented labels', async () => {
    const { rows } = await readAll(join(BAD, 'windows-1252.csv'));
    expect(rows[0]?.values).toMatchObject({ Utilisateur: 'hélène.bérard', Action: 'Création', 'Résultat': 'OK' });
    const mapped = vendorMapper().apply(rows[0] as RawRow);
    expect(mapped).toMatchObject({ ok: true, record: { 'user.name': 'hélène.bérard', 'event.action': 'create' } });
  });

  it('quotes, doubled quotes, `;` and newlines inside quoted fields; lines counted from the record start', async () => {
    const { rows, issues } = await readAll(join(BAD, 'quotes.csv'));
    expect(issues).toEqual([]);
    expect(rows[0]?.values).toMatchObject({ Utilisateur: 'dupont; jean', Commentaire: 'il a dit "non"; puis\nest parti' });
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it('DST: the missing hour moves forward, the doubled hour takes its first occurrence', async () => {
    const { rows } = await readAll(join(BAD, 'dst.csv'));
    const mapper = vendorMapper();
    const times = rows.map((r) => {
      const m = mapper.apply(r);
      return m.ok ? new Date(m.record['@timestamp'] as number).toISOString() : m.issues[0]?.code;
    });
    expect(times).toEqual([
      '2024-03-31T01:30:00.000Z', // 02:30 does not exist → 03:30 CEST
      '2024-10-27T00:30:00.000Z', // 02:30 happens twice → the first, CEST
      '2024-10-26T23:59:00.000Z',
      '2024-10-27T02:00:00.000Z',
    ]);
  });

  it('a missing mapped column stops at once and names the column and the field', async () => {
    const mapper = vendorMapper();
    const run = readAll(join(BAD, 'missing-column.csv'), { onHeader: (c, f) => mapper.checkHeader(c, f) });
    await expect(run).rejects.toBeInstanceOf(IngestError);
    await expect(run).rejects.toMatchObject({ code: 'missing_column', issues: [{ field: 'user.name', value: 'Utilisateur', file: 'missing-column.csv' }] });
    await expect(run).rejects.toThrow(/Utilisateur/);
  });

  it('NDJSON: nested and dotted keys, CRLF, blank lines, bad lines located, truncated last line', async () => {
    const { rows, issues, lines } = await readAll(join(BAD, 'mixed.ndjson'));
    expect(rows.map((r) => [r.line, r.values['user.name']])).toEqual([[1, 'a'], [5, 'b']]);
    expect(issues.map((i) => [i.code, i.line])).toEqual([['invalid_json', 3], ['not_an_object', 4], ['invalid_json', 6]]);
    expect(lines).toBe(6);
  });

  it('a 10 MB single line is read whole; a longer-than-limit line is rejected and the next one kept', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const csvPath = join(dir, 'big.csv');
    writeFileSync(csvPath, `a;b\n1;${big}\n2;ok\n`);
    const csv = await readAll(csvPath);
    expect(csv.rows.map((r) => String(r.values.b).length)).toEqual([big.length, 2]);
    const jsonPath = join(dir, 'big.ndjson');
    writeFileSync(jsonPath, `{"a":"${big}"}\n{"a":"small"}\n`);
    const limited = await readAll(jsonPath, { maxLineLength: 1024 * 1024 });
    expect(limited.rows.map((r) => [r.line, r.values.a])).toEqual([[2, 'small']]);
    expect(limited.issues).toMatchObject([{ code: 'line_too_long', line: 1 }]);
  });

  it('gzip is recognised by its magic bytes whatever the name', async () => {
    const path = join(dir, 'export.bin');
    writeFileSync(path, gzipSync(Buffer.from('{"user":{"name":"z"}}\n')));
    const { rows } = await readAll(path);
    expect(rows[0]?.values['user.name']).toBe('z');
    const csvGz = join(dir, 'export.csv.gz');
    writeFileSync(csvGz, gzipSync(iconv.encode('Nom,Ville\nBérard,Créteil\n', 'windows-1252')));
    expect((await readAll(csvGz)).rows[0]?.values).toEqual({ Nom: 'Bérard', Ville: 'Créteil' });
  });

  it('a corrupt gzip is an IngestError naming the file, not a crash', async () => {
    const path = join(dir, 'corrupt.ndjson.gz');
    writeFileSync(path, Buffer.concat([gzipSync(Buffer.from('{"a":1}\n'.repeat(1000))).subarray(0, 40)]));
    await expect(readAll(path)).rejects.toMatchObject({ code: 'file_unreadable', issues: [{ file: 'corrupt.ndjson.gz' }] });
  });

  it('rows that miss a required field or carry a bad date are rejected with file, line and field', async () => {
    const path = join(dir, 'rows.csv');
    writeFileSync(path, 'Date;Heure;Utilisateur;Action\n32/01/2024;10:00:00;a;Connexion\n01/02/2024;10:00:00;;Connexion\n');
    const mapper = vendorMapper();
    const { rows } = await readAll(path, { onHeader: (c, f) => mapper.checkHeader(c, f) });
    const results = rows.map((r) => mapper.apply(r));
    expect(results).toMatchObject([
      { ok: false, issues: [{ code: 'invalid_date', file: 'rows.csv', line: 2, field: '@timestamp' }] },
      { ok: false, issues: [{ code: 'missing_field', file: 'rows.csv', line: 3, field: 'user.name' }] },
    ]);
  });
});

describe('dates', () => {
  it('several formats in one file; ambiguous and impossible values are reported', () => {
    const parse = createDateParser({ kind: 'date', formats: ['dd/MM/yyyy', 'yyyy-MM-dd', 'd/M/yy'] });
    expect(parse('12/03/2024')).toEqual({ ok: true, value: '2024-03-12' });
    expect(parse('2024-03-12')).toEqual({ ok: true, value: '2024-03-12' });
    expect(parse('12/3/24')).toEqual({ ok: true, value: '2024-03-12' });
    expect(parse('30/02/2024')).toEqual({ ok: false, code: 'invalid_date' });
    const both = createDateParser({ kind: 'date', formats: ['dd/MM/yyyy', 'MM/dd/yyyy'] });
    expect(both('12/03/2024')).toEqual({ ok: false, code: 'ambiguous_date' });
    expect(both('25/03/2024')).toEqual({ ok: true, value: '2024-03-25' });
  });

  it('ISO with an offset keeps it; local ISO uses the zone', () => {
    const parse = createDateParser({ kind: 'datetime', timezone: 'Europe/Paris' });
    expect(parse('2024-07-01T12:00:00+02:00')).toEqual({ ok: true, value: Date.UTC(2024, 6, 1, 10) });
    expect(parse('2024-07-01T12:00:00Z')).toEqual({ ok: true, value: Date.UTC(2024, 6, 1, 12) });
    expect(parse('2024-01-01 12:00:00')).toEqual({ ok: true, value: Date.UTC(2024, 0, 1, 11) });
  });

  it('property: any Paris wall-clock time outside the changes reads back to itself', async () => {
    const { DateTime } = await import('luxon');
    const parse = createDateParser({ kind: 'datetime', formats: ['dd/MM/yyyy HH:mm:ss'], timezone: 'Europe/Paris' });
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }), (ms) => {
      const instant = Math.floor(ms / 1000) * 1000;
      const local = DateTime.fromMillis(instant, { zone: 'Europe/Paris' });
      const result = parse(local.toFormat('dd/MM/yyyy HH:mm:ss'));
      expect(result.ok).toBe(true);
      // In the doubled hour the first occurrence is chosen: equal, or one hour earlier.
      const diff = instant - (result.ok ? (result.value as number) : 0);
      expect(diff === 0 || diff === 3_600_000).toBe(true);
      if (diff !== 0) expect(local.offset).toBe(60);
    }), { numRuns: 3000 });
  });
});

describe('round trips (property)', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'é', ';', ',', '"', '\n', ' ', 'Z', '0', '€', '\r\n'), maxLength: 12 });

  it('CSV written with quoting reads back cell for cell, in any delimiter and encoding', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }),
      fc.constantFrom(';', ',', '\t', '|'), fc.constantFrom('utf-8', 'utf-8-bom', 'windows-1252'), fc.boolean(), fc.boolean(),
      async (records, delimiter, encoding, crlf, gzip) => {
        const eol = crlf ? '\r\n' : '\n';
        const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;
        // Rows made only of empty cells are blank lines, which readers skip: keep at least one letter.
        const rows = records.map((r) => [`k${r[0]}`, r[1] as string, r[2] as string]);
        const text = [['id', 'b', 'c'].join(delimiter), ...rows.map((r) => r.map(quote).join(delimiter))].join(eol) + eol;
        let bytes = encoding === 'windows-1252' ? iconv.encode(text, 'windows-1252') : Buffer.from((encoding === 'utf-8-bom' ? '\uFEFF' : '') + text);
        if (gzip) bytes = gzipSync(bytes);
        const path = join(dir, `rt-${n++}.csv`);
        writeFileSync(path, bytes);
        const { rows: read, issues } = await readAll(path, { delimiter, encoding: encoding === 'windows-1252' ? 'windows-1252' : 'auto' });
        expect(issues).toEqual([]);
        expect(read.map((r) => [r.values.id, r.values.b, r.values.c])).toEqual(rows);
      }), { numRuns: 60 });
  });

  it('NDJSON: nested and dotted writings of the same event read the same', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.record({ name: fc.string(), ip: fc.string(), records: fc.integer() }), { maxLength: 30 }), fc.boolean(), async (events, crlf) => {
      const lines = events.map((e, i) => (i % 2 === 0
        ? JSON.stringify({ user: { name: e.name }, source: { ip: e.ip }, records: e.records })
        : JSON.stringify({ 'user.name': e.name, 'source.ip': e.ip, records: e.records })));
      const path = join(dir, `rt-${n++}.ndjson`);
      writeFileSync(path, lines.join(crlf ? '\r\n' : '\n'));
      const { rows } = await readAll(path);
      expect(rows.map((r) => [r.values['user.name'], r.values['source.ip'], r.values.records])).toEqual(events.map((e) => [e.name, e.ip, e.records]));
    }), { numRuns: 60 });
  });

  it('the mapper never throws on arbitrary rows', () => {
    const mapper = vendorMapper();
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('Date', 'Heure', 'Utilisateur', 'Action', 'x'), fc.oneof(fc.string(), fc.integer(), fc.constant(null))), (values) => {
      const result = mapper.apply({ file: 'f.csv', line: 7, values });
      if (!result.ok) for (const issue of result.issues) expect(issue).toMatchObject({ file: 'f.csv', line: 7, field: expect.any(String) });
    }));
  });
});

describe('mapping without a file: canonical names', () => {
  it('reads canonical NDJSON as is, with numbers and ISO timestamps', () => {
    const mapper = createMapper(null as Mapping | null, { required: ['@timestamp', 'user.name'], dates: { '@timestamp': 'datetime' }, numbers: ['records'], known: ['source.ip'] });
    const result = mapper.apply({ file: 'a.ndjson', line: 1, values: { '@timestamp': '2024-01-01T00:00:00Z', 'user.name': 'a', records: '1 200', 'source.ip': '10.0.0.1' } });
    expect(result).toMatchObject({ ok: true, record: { '@timestamp': Date.UTC(2024, 0, 1), records: 1200, 'source.ip': '10.0.0.1' } });
  });
});

describe('scoping-style mappings', () => {
  it('date fields with per-field formats, several columns, value maps and unmapped columns kept as other', () => {
    const loaded = loadMapping({ text: `dates: { format: ["dd/MM/yyyy", "yyyy-MM-dd", "d/M/yy"] }
fields:
  person.last_name: Nom
  person.birth_date: "Date de naissance"
  dossier.date: { columns: [Jour, Mois, Année], format: "d M yyyy" }
  dossier.module: Module
values:
  dossier.module: { "Main courante": main_courante }
` });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const mapper = createMapper(loaded.mapping, { required: ['person.last_name'], dates: { 'person.birth_date': 'date', 'dossier.date': 'date' }, keepOther: true });
    mapper.checkHeader(['Nom', 'Date de naissance', 'Jour', 'Mois', 'Année', 'Module', 'Téléphone'], 'extrait.csv');
    const row = (values: Record<string, string>, line: number) => mapper.apply({ file: 'extrait.csv', line, values });
    expect(row({ Nom: ' Dupont ', 'Date de naissance': '12/3/54', Jour: '5', Mois: '7', 'Année': '2023', Module: 'main courante', 'Téléphone': '06 12 34 56 78' }, 2)).toEqual({
      ok: true, file: 'extrait.csv', line: 2, warnings: [],
      record: { 'person.last_name': 'Dupont', 'person.birth_date': '2054-03-12', 'dossier.date': '2023-07-05', 'dossier.module': 'main_courante' },
      other: { 'Téléphone': '06 12 34 56 78' },
    });
    // An optional date that cannot be read is dropped with a located warning; the row is kept.
    const bad = row({ Nom: 'Martin', 'Date de naissance': '31/02/1980', Jour: '', Mois: '', 'Année': '', Module: '' }, 3);
    expect(bad).toMatchObject({ ok: true, record: { 'person.last_name': 'Martin' }, warnings: [{ code: 'invalid_date', line: 3, field: 'person.birth_date', value: '31/02/1980' }] });
  });
});
