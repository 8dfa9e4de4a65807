import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { generate, type GeneratedTruth } from '../../../../bench/forensics/generate.ts';
import { registerForensicsCommands, runForensicsRulesCheck } from './forensics.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-forensics-'));
const logs = join(dir, 'journal.ndjson');
let truth: GeneratedTruth;
beforeAll(async () => {
  truth = await generate({ events: 1, out: logs, seed: 7 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function rempart(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  registerForensicsCommands(program);
  process.exitCode = undefined;
  await program.parseAsync(['node', 'rempart', ...args]);
  vi.restoreAllMocks();
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { code, stderr };
}

describe('rempart forensics scan', () => {
  it('scans a generated year, prints progress and a summary, writes the three files', async () => {
    const out = join(dir, 'out');
    const { code, stderr } = await rempart('forensics', 'scan', logs, '--out', out);
    expect(code).toBe(0);
    expect(stderr).toMatch(/Lecture journal\.ndjson \(1\/1\) : 100 %/);
    expect(stderr).toMatch(/événements\/s/);
    expect(stderr).toContain(`Lignes lues : ${truth.events.toLocaleString('fr-FR').replace(/\u202f/g, ' ')} ; retenues`);
    expect(stderr).toMatch(/rejetées : 0/);
    const json = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    const top = json.accounts.slice(0, truth.compromised.length).map((a: { account: string }) => a.account).sort();
    expect(top).toEqual([...truth.compromised].sort());
    expect(readFileSync(join(out, 'findings.csv'), 'utf8')).toMatch(/^\uFEFFcompte;score_compte;gravite_compte;regle/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(truth.compromised[0]);
    for (const account of truth.compromised.slice(0, 3)) expect(stderr).toContain(account);
  }, 120_000);

  it('same files twice, same bytes; --since/--until restrict the period', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const gz = join(dir, 'journal.ndjson.gz');
    writeFileSync(gz, gzipSync(readFileSync(logs)));
    await rempart('forensics', 'scan', gz, '--out', a, '--since', '2024-09-01', '--until', '30/09/2024');
    await rempart('forensics', 'scan', gz, '--out', b, '--since', '2024-09-01', '--until', '30/09/2024');
    for (const f of ['findings.json', 'findings.csv', 'report.html']) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
    const json = JSON.parse(readFileSync(join(a, 'findings.json'), 'utf8'));
    expect(json.summary.time_span.first >= '2024-09-01T00:00').toBe(true);
    expect(json.summary.time_span.last < '2024-10-01T00:00').toBe(true);
    expect(json.summary.outside_period).toBeGreaterThan(0);
  }, 120_000);

  it('reports bad lines with reasons and line numbers and carries on', async () => {
    const csv = join(dir, 'export.csv');
    writeFileSync(csv, [
      'Date;Heure;Utilisateur;Action',
      '01/02/2024;10:00:00;dupont;Connexion',
      '31/02/2024;10:00:00;dupont;Connexion',
      '01/02/2024;10:05:00;;Consultation',
      '01/02/2024;10:06:00;dupont',
      '01/02/2024;10:07:00;dupont;Consultation',
    ].join('\r\n'));
    const mapping = join(dir, 'm.yml');
    writeFileSync(mapping, 'timestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss" }\nfields:\n  user.name: Utilisateur\n  event.action: Action\nvalues:\n  event.action: { Connexion: login, Consultation: view }\n');
    const { code, stderr } = await rempart('forensics', 'scan', csv, '--mapping', mapping, '--out', join(dir, 'bad'));
    expect(code).toBe(0);
    expect(stderr).toContain('retenues : 2 ; rejetées : 3');
    expect(stderr).toMatch(/column_count 1/);
    expect(stderr).toMatch(/invalid_date 1/);
    expect(stderr).toMatch(/missing_field 1/);
    expect(stderr).toContain('export.csv:3, export.csv:4, export.csv:5');
  });

  /** A one-line vendor CSV and its mapping (extra mapped fields as YAML lines). */
  const oneLineExport = (name: string, extraFields = ''): { csv: string; mapping: string } => {
    const csv = join(dir, `${name}.csv`);
    writeFileSync(csv, 'Date;Heure;Utilisateur\n01/02/2024;10:00:00;dupont\n');
    const mapping = join(dir, `${name}.yml`);
    writeFileSync(mapping, `timestamp: { fields: [Date, Heure], format: "dd/MM/yyyy HH:mm:ss" }\nfields:\n  user.name: Utilisateur\n${extraFields}`);
    return { csv, mapping };
  };

  it('a wrong mapping stops at once, naming the column; a bad flag or file is refused', async () => {
    const { csv, mapping } = oneLineExport('export2', '  source.ip: Adresse IP\n');
    const out = join(dir, 'none');
    const wrong = await rempart('forensics', 'scan', csv, '--mapping', mapping, '--out', out);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('colonne « Adresse IP » absente');
    expect(existsSync(out)).toBe(false);
    const badYaml = join(dir, 'bad.yml');
    writeFileSync(badYaml, 'format: excel\n');
    expect((await rempart('forensics', 'scan', csv, '--mapping', badYaml)).stderr).toMatch(/bad\.yml, ligne 1, champ format/);
    expect((await rempart('forensics', 'scan', join(dir, 'absent.ndjson'))).stderr).toContain('fichier introuvable');
    expect((await rempart('forensics', 'scan', csv, '--since', 'hier')).code).toBe(2);
    expect((await rempart('forensics', 'scan', csv, '--set', 'export_volume.ratoi=3')).stderr).toContain('pas de paramètre ratoi');
    // The bounds of a declarative rule's condition are its adjustable thresholds, and only those it has.
    expect((await rempart('forensics', 'scan', csv, '--set', 'failed_logins_burst.lte=3')).stderr).toContain('pas de paramètre lte (paramètres : gte)');
  });

  it('--set that empties a range or is not a number is refused, naming the flags; moving both bounds is accepted', async () => {
    const { csv, mapping } = oneLineExport('export3');
    const folder = join(dir, 'regles-plage');
    mkdirSync(folder);
    writeFileSync(join(folder, 'plage.yml'), 'id: plage\ndetector: aggregate\nseverity: low\ntimeframe: 1d\ncondition: { count: events, gte: 6, lt: 250 }\ntitle: { fr: T, en: T }\nwhy: { fr: P, en: W }\nexplanation: { fr: E, en: E }\nadvice: { fr: A, en: A }\n');
    const scan = (...set: string[]) => rempart('forensics', 'scan', csv, '--mapping', mapping, '--rules', folder, '--out', join(dir, 'plage-out'), ...set.flatMap((s) => ['--set', s]));
    expect(await scan('plage.gte=300')).toEqual({ code: 2, stderr: 'Erreur : --set plage.gte=300 : intervalle vide : la borne basse doit être inférieure à la borne haute (gte 300, lt 250).\n' });
    expect((await scan('plage.lt=6')).stderr).toContain('--set plage.lt=6 : intervalle vide');
    expect((await scan('plage.gte=beaucoup')).stderr).toBe('Erreur : --set plage.gte=beaucoup : gte : seuil numérique positif attendu.\n');
    expect((await rempart('forensics', 'scan', csv, '--mapping', mapping, '--set', 'export_volume.ratio=dix')).stderr).toBe('Erreur : --set export_volume.ratio=dix : valeur numérique attendue (actuellement 5).\n');
    expect((await scan('plage.gte=300', 'plage.lt=400')).code).toBe(0);
    // A first_seen rule's thresholds are checked the same way.
    expect((await rempart('forensics', 'scan', csv, '--mapping', mapping, '--set', 'new_country.max_org_share=2')).stderr).toBe('Erreur : --set new_country.max_org_share=2 : max_org_share : part attendue entre 0 et 1.\n');
    expect((await rempart('forensics', 'scan', csv, '--mapping', mapping, '--set', 'new_module.min_history_days=trente')).stderr).toContain('min_history_days : nombre positif attendu');
  });

  it('--set adjusts a threshold or turns a rule off', async () => {
    type Json = { accounts: { account: string; score: number; findings: { rule: string }[] }[] };
    const read = (name: string): Json => JSON.parse(readFileSync(join(dir, name, 'findings.json'), 'utf8')) as Json;
    const exportRules = (j: Json) => j.accounts.flatMap((a) => a.findings.filter((f) => f.rule === 'export_volume').map(() => a.account));
    await rempart('forensics', 'scan', logs, '--out', join(dir, 's0'));
    const insider = truth.compromised[4] as string; // the generator's insider: one huge export
    expect(exportRules(read('s0'))).toContain(insider);
    await rempart('forensics', 'scan', logs, '--out', join(dir, 's1'), '--set', 'export_volume.enabled=false');
    expect(exportRules(read('s1'))).toEqual([]);
    await rempart('forensics', 'scan', logs, '--out', join(dir, 's2'), '--set', 'export_volume.min_records=30000', '--set', 'bulk_views_otv.gt=100000');
    expect(exportRules(read('s2'))).toEqual([insider]); // 35,000 records that day, no other account near
  });
});

describe('rempart forensics rules check', () => {
  const check = (folder?: string) => {
    let stdout = '';
    let stderr = '';
    const code = runForensicsRulesCheck(folder, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  };

  it('accepts the shipped pack and names the file, line and field of a mistake', () => {
    const shipped = check();
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toMatch(/^Règles valides \(jeu par défaut\) : \d+ règle\(s\) : \d+ produisant des constats, 4 brique\(s\) de corrélation\.\n$/);
    const folder = join(dir, 'regles');
    mkdirSync(folder);
    const texts = 'title: { fr: T, en: T }\nwhy: { fr: P, en: W }\nexplanation: { fr: E, en: E }\nadvice: { fr: A, en: A }\n';
    writeFileSync(join(folder, 'echecs.yml'), `id: echecs\ndetector: match\ngenerate: false\nseverity: low\nselect: { event.action: login, event.outcome: failure }\n${texts}`);
    writeFileSync(join(folder, 'serie.yml'), `id: serie\ndetector: correlation\ntype: event_count\nseverity: high\nrules:\n  - echecs\n  - inconnue\ntimespan: 1h\ncondition: { gte: 5 }\n${texts}`);
    expect(check(folder)).toEqual({ code: 2, stdout: '', stderr: 'serie.yml, ligne 7 : règle invalide, champ rules.1 : règle inconnue inconnue.\n1 erreur(s) dans 1 fichier(s).\n' });
    writeFileSync(join(folder, 'serie.yml'), `id: serie\ndetector: correlation\ntype: event_count\nseverity: high\nrules: [echecs]\ntimespan: 1h\ncondition:\n  gte: 5\n  lt: 2\n${texts}`);
    expect(check(folder).stderr).toBe('serie.yml, ligne 8 : règle invalide, champ condition : intervalle vide : la borne basse doit être inférieure à la borne haute.\n1 erreur(s) dans 1 fichier(s).\n');
    writeFileSync(join(folder, 'serie.yml'), `id: serie\ndetector: correlation\ntype: event_count\nseverity: high\nrules: [echecs]\ntimespan: 1h\ncondition:\n  gte: 5\n${texts}`);
    expect(check(folder)).toMatchObject({ code: 0, stdout: 'Règles valides (' + folder + ') : 2 règle(s) : 1 produisant des constats, 1 brique(s) de corrélation.\n' });
    expect(check(join(dir, 'absent')).code).toBe(2);
  });

  it('reports every mistake of every file, by file and line, not only the first', () => {
    const folder = join(dir, 'regles-fautes');
    mkdirSync(folder);
    const texts = 'title: { fr: T, en: T }\nwhy: { fr: P, en: W }\nexplanation: { fr: E, en: E }\nadvice: { fr: A, en: A }\n';
    writeFileSync(join(folder, 'a-rafale.yml'), `id: rafale\ndetector: aggregate\nseverity: grave\nwindow: sliding\ntimeframe: 2w\ncondition: { count: events, gte: 5, lt: 20 }\n${texts}`);
    writeFileSync(join(folder, 'b-nouveau.yml'), `id: nouveau\ndetector: first_seen\nseverity: low\nfields: [app.module]\nonly_values: { source.ip: 10.0.0.1 }\nmin_history_days: 30\nshared_days: 7\ncouleur: bleu\n${texts}`);
    writeFileSync(join(folder, 'c-chaine.yml'), `id: chaine\ndetector: correlation\ntype: temporal_ordered\nseverity: high\nrules: [rafale, absente, pays]\ntimespan: 1h\n${texts}`);
    writeFileSync(join(folder, 'e-pays.yml'), `id: pays\ndetector: first_seen\nseverity: high\nfields: [source.geo.country_iso_code]\nmin_history_days: 14\n${texts}`);
    writeFileSync(join(folder, 'd-casse.yml'), 'id: casse\nselect: { event.action: [login\n');
    const { code, stdout, stderr } = check(folder);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    // `rafale` is wrong in its own file: a rule naming it is not told it is unknown; `absente` is, and `pays` is not a selection.
    expect(stderr.split('\n')).toEqual([
      'a-rafale.yml, ligne 3 : règle invalide, champ severity : gravité inconnue (permises : low, medium, high, critical).',
      'a-rafale.yml, ligne 5 : règle invalide, champ timeframe : durée invalide : un nombre suivi de m, h ou d (15m, 1h, 1d), 31 jours au plus.',
      'a-rafale.yml, ligne 6 : règle invalide, champ condition : lt sans objet sur une fenêtre glissante : le compte y passe par chaque valeur en montant, la condition serait remplie avant que la rafale la dépasse (garder gt ou gte, ou prendre window: tumbling).',
      'b-nouveau.yml, ligne 5 : règle invalide, champ only_values.source.ip : champ absent de fields (app.module).',
      'b-nouveau.yml, ligne 7 : règle invalide, champ shared_days : sans objet sans shared_accounts.',
      'b-nouveau.yml, ligne 8 : règle invalide, champ couleur : clé inconnue (couleur).',
      'c-chaine.yml, ligne 5 : règle invalide, champ rules.1 : règle inconnue absente.',
      'c-chaine.yml, ligne 5 : règle invalide, champ rules.2 : pays n’est ni une sélection (match) ni une corrélation.',
      expect.stringMatching(/^d-casse\.yml, ligne 3 : YAML invalide \(/),
      expect.stringMatching(/^d-casse\.yml, ligne 3 : YAML invalide \(/),
      '10 erreur(s) dans 4 fichier(s).',
      '',
    ]);
  });
});
