// The bad-input corpus: every file under test/fixtures/bad is something an operator's editor or a
// copy-paste can produce. Each one either loads correctly or comes back as a located French error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeDataBytes, MAX_DATA_FILE_BYTES, parseRunbook, type DataIssue } from './index.ts';
import { readDataFile } from './data-file.ts';

const bad = (name: string) => new URL(`../test/fixtures/bad/${name}`, import.meta.url);
const load = (name: string) => {
  const text = readDataFile(bad(name).pathname);
  if (!text.ok) throw new Error('unreadable');
  return parseRunbook(text.value, 'autre.yml');
};
const issues = (name: string): DataIssue[] => {
  const r = load(name);
  return r.ok ? [] : r.issues;
};

describe('runbook files as people really save them', () => {
  it.each(['bom.yml', 'crlf.yml', 'windows-1252.yml'])('reads %s with its accents, quotes and semicolons intact', (name) => {
    const result = load(name);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.summary).toBe('Résumé accentué ; avec « guillemets » et un point-virgule');
      expect(result.value.tasks[0]!.description).toBe('Appeler l\'élu ; noter l\'heure "exacte" dans la main courante.');
      expect(result.value.tasks[0]!.title).toBe("Prévenir l'élu d'astreinte");
    }
  });

  it('says an empty file or one with only comments is empty', () => {
    expect(issues('empty.yml')).toEqual([expect.objectContaining({ code: 'empty_file', line: 1 })]);
    expect(issues('comments-only.yml')).toEqual([expect.objectContaining({ code: 'empty_file' })]);
  });

  it('lists the missing fields of a header-only file', () => {
    const found = issues('header-only.yml');
    expect(found.map((i) => i.field)).toEqual(expect.arrayContaining(['summary']));
    for (const i of found) expect(i.message).toMatch(/[a-zé]/);
  });

  it('locates a truncated last line and a YAML syntax error', () => {
    expect(issues('truncated.yml')[0]).toMatchObject({ code: 'yaml_syntax', file: 'autre.yml' });
    expect(issues('truncated.yml')[0]!.line).toBeGreaterThanOrEqual(6);
    const syntax = issues('yaml-syntax.yml');
    expect(syntax).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'duplicate_key', line: 3 })]));
  });

  it('names each missing or invalid field with its line, in French and in English', () => {
    expect(issues('missing-fields.yml').map((i) => [i.field, i.message])).toEqual(expect.arrayContaining([
      ['tasks.0.ownerRole', 'champ obligatoire manquant.'], ['tasks.0.dueAfter', 'champ obligatoire manquant.'],
    ]));
    const invalid = issues('bad-values.yml');
    expect(invalid.map((i) => i.field).sort()).toEqual(['tasks.0.dueAfter', 'tasks.0.key', 'tasks.0.ownerRole', 'tasks.0.phase', 'tasks.0.when']);
    const role = invalid.find((i) => i.field === 'tasks.0.ownerRole')!;
    expect(role).toMatchObject({ line: 9, message: expect.stringContaining('dpo'), messageEn: expect.any(String) });
    expect(issues('typo-field.yml')).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining('dueafter') })]));
  });

  it('refuses a due time outside its phase or counted in months, and a repeated task key', () => {
    const phase = issues('phase-mismatch.yml');
    expect(phase.map((i) => [i.code, i.field, i.line])).toEqual(expect.arrayContaining([['invalid_field', 'tasks.1.dueAfter', 16]]));
    const onlyPhase = parseRunbook(readFileSync(bad('phase-mismatch.yml'), 'utf8').split('  - key: mois')[0]!, 'autre.yml');
    expect(onlyPhase.ok ? [] : onlyPhase.issues).toEqual([expect.objectContaining({ code: 'phase_mismatch', field: 'tasks.0.dueAfter', line: 10 })]);
    expect(issues('duplicate.yml')).toEqual([expect.objectContaining({ code: 'duplicate_key', line: 11 })]);
  });

  it('refuses a 10 MB single line without trying to parse it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rempart-big-'));
    try {
      const file = path.join(dir, 'autre.yml');
      writeFileSync(file, `title: "${'x'.repeat(10 * 1024 * 1024)}"`);
      const read = readDataFile(file);
      expect(read.ok ? null : read.issues[0]).toMatchObject({ code: 'file_too_large', file: 'autre.yml' });
      expect(parseRunbook('x'.repeat(MAX_DATA_FILE_BYTES + 1), 'autre.yml')).toMatchObject({ ok: false, issues: [{ code: 'file_too_large' }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => {
      const r = parseRunbook(text, 'autre.yml');
      if (!r.ok) for (const i of r.issues) expect(i.message.length).toBeGreaterThan(0);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      parseRunbook(decodeDataBytes(bytes), 'autre.yml');
    }), { numRuns: 200 });
  });
});
