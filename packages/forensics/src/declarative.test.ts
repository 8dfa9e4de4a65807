import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, scanFiles, withOverrides, type ScanResult } from './index.ts';
import { HOSTILE, ruleFolders, ruleTexts } from './rule-fixtures.ts';

const texts = ruleTexts({ fr: 'Signe', en: 'Sign' }, { fr: '{count} pour {account} du {window_start} au {window_end}', en: '{count} for {account}' });
const failures = { id: 'fails', detector: 'match', generate: false, select: { 'event.action': 'login', 'event.outcome': 'failure' } };
const successes = { id: 'oks', detector: 'match', generate: false, select: { 'event.action': 'login', 'event.outcome': 'success' } };
const folders = ruleFolders('forensics-declarative-', { severity: 'high', ...texts });
const { dir, rules, refused } = folders;
const logs = join(dir, 'day.ndjson');
afterAll(() => folders.dispose());
const correlation = (spec: Record<string, unknown>) => ({ id: 'bad', detector: 'correlation', type: 'event_count', rules: ['fails'], timespan: '1h', condition: { gte: 5 }, ...spec });

beforeAll(() => {
  const lines: string[] = [];
  const at = (h: number, m: number, s = 0) => Date.UTC(2024, 2, 5, h, m, s);
  const ev = (t: number, u: string, action: string, outcome = 'success', ip = '10.0.0.1', module = '', records = 0) =>
    lines.push(JSON.stringify({ '@timestamp': new Date(t).toISOString(), user: { name: u }, source: { ip }, event: { action, outcome }, app: { module }, records }));
  const guess = (u: string, h: number, m: number, ip = '203.0.113.9') => { for (let k = 0; k < 6; k++) ev(at(h, m + k), u, 'login', 'failure', ip); };
  // h.straddle: twice 60 OTV views within 50 minutes, across 11:00 UTC (35 before, 25 after) and 16:00 UTC (24, 36).
  for (let k = 0; k < 60; k++) ev(at(10, 31) + k * 50_000, 'h.straddle', 'view', 'success', '10.0.0.1', 'otv', 1);
  for (let k = 0; k < 60; k++) ev(at(15, 40) + k * 50_000, 'h.straddle', 'view', 'success', '10.0.0.1', 'otv', 1);
  // i.guess: six failures from one address, a success, an export: the password was guessed.
  guess('i.guess', 8, 0);
  ev(at(8, 10), 'i.guess', 'login', 'success', '203.0.113.9');
  ev(at(8, 30), 'i.guess', 'export', 'success', '203.0.113.9', 'main_courante', 900);
  // j.typo: one failure; k.slow: failures 20 minutes apart (never five within an hour).
  ev(at(8, 0), 'j.typo', 'login', 'failure');
  ev(at(8, 1), 'j.typo', 'login');
  ev(at(8, 20), 'j.typo', 'export', 'success', '10.0.0.1', 'main_courante', 50);
  for (let k = 0; k < 6; k++) ev(at(5, 0) + k * 20 * 60_000, 'k.slow', 'login', 'failure');
  ev(at(6, 45), 'k.slow', 'login');
  ev(at(7, 0), 'k.slow', 'export', 'success', '10.0.0.1', 'main_courante', 50);
  // l.noexport: guessed, no export; m.late: the export comes too late; n.reverse: the wrong order.
  guess('l.noexport', 9, 0);
  ev(at(9, 10), 'l.noexport', 'login');
  guess('m.late', 12, 0);
  ev(at(12, 10), 'm.late', 'login');
  ev(at(14, 30), 'm.late', 'export', 'success', '10.0.0.1', 'main_courante', 50);
  ev(at(13, 0), 'n.reverse', 'export', 'success', '10.0.0.1', 'main_courante', 50);
  ev(at(13, 10), 'n.reverse', 'login');
  guess('n.reverse', 13, 20);
  // o.hopper: four failures from four addresses; p.single: four failures from one.
  for (let k = 0; k < 4; k++) ev(at(16, k), 'o.hopper', 'login', 'failure', `198.51.100.${k + 1}`);
  for (let k = 0; k < 4; k++) ev(at(16, k), 'p.single', 'login', 'failure', '198.51.100.9');
  ev(at(17, 0), 'q.odd', HOSTILE);
  writeFileSync(logs, `${lines.join('\n')}\n`);
});

const flagged = (r: ScanResult, rule: string) =>
  r.accounts.flatMap((a) => a.findings.filter((f) => f.rule === rule).map((f) => ({ account: a.account, explanation: f.explanation, first: f.first, last: f.last })));
const accounts = (r: ScanResult, rule: string) => [...new Set(flagged(r, rule).map((h) => h.account))].sort();

describe('sliding windows (window: sliding)', () => {
  it('catches a burst across an hour boundary that tumbling windows miss, once per episode, at its densest', async () => {
    const burst = { detector: 'aggregate', select: { 'app.module': 'otv' }, timeframe: '1h', condition: { count: 'events', gt: 50 } };
    const r = await scanFiles([logs], { rules: rules({ id: 'tumbling', ...burst }, { id: 'sliding', ...burst, window: 'sliding' }) });
    expect(flagged(r, 'tumbling')).toEqual([]);
    expect(flagged(r, 'sliding')).toEqual([
      { account: 'h.straddle', explanation: '60 pour h.straddle du 05/03/2024 11:31 au 05/03/2024 12:20', first: '2024-03-05T11:31:00+01:00', last: '2024-03-05T12:20:10+01:00' },
      { account: 'h.straddle', explanation: '60 pour h.straddle du 05/03/2024 16:40 au 05/03/2024 17:29', first: '2024-03-05T16:40:00+01:00', last: '2024-03-05T17:29:10+01:00' },
    ]);
    // The window is the last hour, the event itself included: 60 events in 49 min 10 s meet `gte: 60`, not `gt: 60`.
    const edge = await scanFiles([logs], { rules: rules({ id: 'at', ...burst, window: 'sliding', condition: { count: 'events', gte: 60 } }, { id: 'over', ...burst, window: 'sliding', condition: { count: 'events', gt: 60 } }) });
    expect(flagged(edge, 'at')).toHaveLength(2);
    expect(flagged(edge, 'over')).toEqual([]);
    // Sums and distinct values slide the same way (one record per view, one address).
    const other = await scanFiles([logs], { rules: rules(
      { id: 'records', ...burst, window: 'sliding', condition: { sum: 'records', gte: 60 } },
      { id: 'addresses', ...burst, window: 'sliding', condition: { distinct: 'source.ip', gt: 1 } },
    ) });
    expect(flagged(other, 'records').map((h) => h.first)).toEqual(['2024-03-05T11:31:00+01:00', '2024-03-05T16:40:00+01:00']);
    expect(flagged(other, 'addresses')).toEqual([]);
  });
});

describe('upper bounds on sliding counts', () => {
  it('are refused on a sliding window or a count correlation, naming the file, line and key; a tumbling range is accepted', () => {
    const burst = { id: 'bad', detector: 'aggregate', timeframe: '1h', window: 'sliding' };
    expect(refused({ ...burst, condition: { count: 'events', gte: 5, lt: 20 } })).toMatch(/^bad\.yml, ligne \d+ : règle invalide, champ condition : lt sans objet sur une fenêtre glissante : .*\(garder gt ou gte, ou prendre window: tumbling\)/);
    expect(refused({ ...burst, condition: { count: 'events', eq: 5 } })).toMatch(/^bad\.yml, ligne \d+ : .*champ condition : eq sans objet sur une fenêtre glissante/);
    expect(refused(failures, correlation({ condition: { gte: 2, lte: 5 } }))).toMatch(/^bad\.yml, ligne \d+ : .*champ condition : lte sans objet sur une fenêtre glissante/);
    expect(rules({ ...burst, window: 'tumbling', condition: { count: 'events', gte: 5, lt: 20 } }).map((r) => r.id)).toEqual(['bad']);
  });
});

describe('correlation rules (detector: correlation)', () => {
  it('the shipped guessed_password_export finds failures, then a success, then an export, and nothing else', async () => {
    const r = await scanFiles([logs]);
    expect(accounts(r, 'guessed_password_export')).toEqual(['i.guess']);
    expect(flagged(r, 'guessed_password_export')[0]).toEqual({
      account: 'i.guess', first: '2024-03-05T09:00:00+01:00', last: '2024-03-05T09:30:00+01:00',
      explanation: 'Série d’échecs de connexion, puis connexion réussie, puis export, en 30 min entre le 05/03/2024 09:00 et le 05/03/2024 09:30 (délai maximal : 2h).',
    });
    expect(r.accounts.find((a) => a.account === 'i.guess')?.severity).toBe('high');
    // Building blocks (generate: false) produce nothing of their own.
    for (const block of ['login_failure', 'login_success', 'export_event', 'failed_logins_burst']) expect(flagged(r, block)).toEqual([]);
    // The burst threshold of the chain is adjustable; a disabled building block still feeds it.
    const stricter = await scanFiles([logs], { rules: withOverrides(loadRules(), { failed_logins_burst: { gte: 7 } }) });
    expect(accounts(stricter, 'guessed_password_export')).toEqual([]);
    const blockOff = await scanFiles([logs], { rules: withOverrides(loadRules(), { login_failure: { enabled: false } }) });
    expect(accounts(blockOff, 'guessed_password_export')).toEqual(['i.guess']);
  });

  it('counts events and distinct values over sliding timespans, grouped as asked', async () => {
    const r = await scanFiles([logs], {
      rules: rules(failures,
        { id: 'many', detector: 'correlation', type: 'event_count', rules: ['fails'], timespan: '1h', condition: { gte: 5 } },
        { id: 'per_ip', detector: 'correlation', type: 'event_count', rules: ['fails'], group_by: ['user.name', 'source.ip'], timespan: '10m', condition: { gte: 4 } },
        { id: 'hopping', detector: 'correlation', type: 'value_count', rules: ['fails'], timespan: '10m', condition: { field: 'source.ip', gte: 4 } }),
    });
    expect(accounts(r, 'many')).toEqual(['i.guess', 'l.noexport', 'm.late', 'n.reverse']);
    expect(flagged(r, 'many').find((h) => h.account === 'i.guess')?.explanation).toBe('6 pour i.guess du 05/03/2024 09:00 au 05/03/2024 09:05');
    // Per address: o.hopper's four failures come from four addresses.
    expect(accounts(r, 'per_ip')).toEqual(['i.guess', 'l.noexport', 'm.late', 'n.reverse', 'p.single']);
    expect(flagged(r, 'per_ip').find((h) => h.account === 'p.single')?.explanation).toBe('4 pour p.single du 05/03/2024 17:00 au 05/03/2024 17:03');
    expect(accounts(r, 'hopping')).toEqual(['o.hopper']);
    const again = await scanFiles([logs], { rules: rules(failures, { id: 'hopping', detector: 'correlation', type: 'value_count', rules: ['fails'], timespan: '10m', condition: { field: 'source.ip', gte: 4 } }) });
    expect(flagged(again, 'hopping')).toEqual(flagged(r, 'hopping'));
  });

  it('chains rules in order within the timespan', async () => {
    const r = await scanFiles([logs], {
      rules: rules(failures, successes,
        { id: 'fail_then_ok', detector: 'correlation', type: 'temporal_ordered', rules: ['fails', 'oks'], timespan: '15m' },
        { id: 'ok_then_fail', detector: 'correlation', type: 'temporal_ordered', rules: ['oks', 'fails'], timespan: '15m' }),
    });
    // k.slow: last failure 06:40, success 06:45; n.reverse succeeded before failing; o and p never succeeded.
    expect(accounts(r, 'fail_then_ok')).toEqual(['i.guess', 'j.typo', 'k.slow', 'l.noexport', 'm.late']);
    expect(accounts(r, 'ok_then_fail')).toEqual(['n.reverse']);
    // A chain's completions are occurrences too: another correlation can count them.
    const chained = await scanFiles([logs], {
      rules: rules(failures, successes,
        { id: 'fail_then_ok', detector: 'correlation', type: 'temporal_ordered', generate: false, rules: ['fails', 'oks'], timespan: '15m' },
        { id: 'completed', detector: 'correlation', type: 'event_count', rules: ['fail_then_ok'], timespan: '1d', condition: { gte: 1 } }),
    });
    expect(accounts(chained, 'completed')).toEqual(accounts(r, 'fail_then_ok'));
    expect(flagged(chained, 'completed').find((h) => h.account === 'i.guess')?.explanation).toBe('1 pour i.guess du 05/03/2024 09:10 au 05/03/2024 09:10');
  });

  it('a match rule that generates reports each account and day; a hostile value is only a value', async () => {
    const r = await scanFiles([logs], { rules: rules({ id: 'odd', detector: 'match', select: { 'event.action': [HOSTILE] }, explanation: { fr: '{count} le {day}', en: '{count} on {day}' } }, { ...failures, id: 'after', generate: true }) });
    expect(flagged(r, 'odd').map((h) => [h.account, h.explanation])).toEqual([['q.odd', '1 le 05/03/2024']]);
    expect(accounts(r, 'after')).toEqual(['i.guess', 'j.typo', 'k.slow', 'l.noexport', 'm.late', 'n.reverse', 'o.hopper', 'p.single']);
  });

  it('refuses a wrong correlation with a French message naming the file and key', () => {
    expect(refused(failures, correlation({ type: 'temporal' }))).toMatch(/^bad\.yml, ligne \d+ : règle invalide, champ type : type inconnu \(permis : event_count, value_count, temporal_ordered\)/);
    expect(refused(failures, correlation({ rules: ['fails', 'nope'] }))).toMatch(/^bad\.yml, ligne \d+ : règle invalide, champ rules\.1 : règle inconnue nope/);
    expect(refused(failures, { id: 'agg', detector: 'aggregate', timeframe: '1h', condition: { count: 'events', gt: 1 } }, correlation({ rules: ['agg'] })))
      .toMatch(/^bad\.yml, ligne \d+ : .*champ rules\.0 : agg n’est ni une sélection \(match\) ni une corrélation/);
    expect(refused(failures, correlation({ id: 'aa', rules: ['bb'] }), correlation({ id: 'bb', rules: ['aa'] }))).toMatch(/^aa\.yml, ligne \d+ : .*champ rules : référence circulaire aa → bb → aa/);
    expect(refused(failures, correlation({ type: 'value_count' }))).toMatch(/^bad\.yml, ligne \d+ : .*champ condition\.field : value_count compte les valeurs distinctes/);
    expect(refused(failures, correlation({ condition: { field: 'source.ip', gte: 2 } }))).toMatch(/champ condition\.field : sans objet pour event_count/);
    expect(refused(failures, correlation({ condition: undefined }))).toMatch(/^bad\.yml, ligne \d+ : .*champ condition : seuil attendu pour event_count/);
    expect(refused(failures, correlation({ condition: { gte: 5, eq: 2 } }))).toMatch(/^bad\.yml, ligne \d+ : .*champ condition : eq ne se combine avec aucun autre seuil/);
    expect(refused(failures, correlation({ condition: { count: 'events', gte: 2 } }))).toMatch(/^bad\.yml, ligne \d+ : .*champ condition : clé inconnue count/);
    expect(refused(failures, successes, correlation({ type: 'temporal_ordered', rules: ['fails', 'oks'] }))).toMatch(/champ condition : sans objet pour temporal_ordered/);
    expect(refused(failures, correlation({ type: 'temporal_ordered', rules: ['fails'], condition: undefined }))).toMatch(/champ rules : temporal_ordered enchaîne au moins deux règles/);
    expect(refused(failures, correlation({ timespan: '2w' }))).toMatch(/champ timespan : durée invalide/);
    expect(refused(failures, correlation({ id: 'inner', generate: false }), correlation({ rules: ['inner'], group_by: ['user.name', 'source.ip'] })))
      .toMatch(/^bad\.yml, ligne \d+ : .*champ rules\.0 : la corrélation inner ne regroupe pas par source\.ip/);
    expect(refused({ id: 'bad', detector: 'match', select: {} })).toMatch(/^bad\.yml, ligne \d+ : .*champ select : au moins un champ à sélectionner/);
    expect(refused({ id: 'bad', detector: 'match', select: { 'file.path': 'x' } })).toMatch(/^bad\.yml, ligne \d+ : .*champ select\.file\.path : champ inconnu/);
  });
});

describe('first use of a value (detector: first_seen)', () => {
  const seen = join(dir, 'first-seen.ndjson');
  const DAY_MS = 86_400_000;
  beforeAll(() => {
    const lines: string[] = [];
    const ev = (day: number, u: string, module: string, ip: string | null = '10.0.0.5', country: string | null = 'FR', outcome = 'success') =>
      lines.push(JSON.stringify({ '@timestamp': new Date(Date.UTC(2024, 0, 1, 9) + day * DAY_MS).toISOString(), user: { name: u }, source: { ip, geo: { country_iso_code: country } }, event: { action: 'view', outcome }, app: { module } }));
    for (let d = 0; d < 60; d++) {
      // a.regular: two modules from one office for two months, then OTV from abroad.
      ev(d, 'a.regular', d % 2 ? 'etat_civil' : 'police');
      // d1…d3: three colleagues of another office; e.failed: a regular whose password is tried from abroad.
      for (const u of ['d1.office', 'd2.office', 'd3.office', 'e.failed']) ev(d, u, 'police', '10.0.1.20');
      // f.nowhere: two months with no address at all (a batch account), then one.
      ev(d, 'f.nowhere', 'police', null, null);
      if (d < 6) ev(d, 'c.back', 'police', '10.0.0.6');
      if (d >= 50) ev(d, 'b.newcomer', 'police');
      if (d < 45) ev(d, 'g.odd', 'police');
    }
    ev(60, 'a.regular', 'otv', '203.0.113.7', 'NL');
    // b.newcomer (ten days of history) does the same.
    ev(60, 'b.newcomer', 'otv', '203.0.113.8', 'NL');
    // c.back: back from two months' leave, as before.
    ev(60, 'c.back', 'police', '10.0.0.7');
    // The office moves: the three colleagues arrive together on a new network.
    for (const [i, u] of ['d1.office', 'd2.office', 'd3.office'].entries()) ev(60, u, 'police', `192.0.2.${10 + i}`);
    ev(60, 'e.failed', 'police', '198.51.100.9', 'RU', 'failure');
    ev(60, 'f.nowhere', 'police', '10.0.2.1', 'FR');
    ev(45, 'g.odd', HOSTILE);
    writeFileSync(seen, `${lines.join('\n')}\n`);
  });
  const successes = { exclude: { 'event.outcome': 'failure' } };
  const modules = { id: 'modules', detector: 'first_seen', fields: ['app.module'], ...successes, min_history_days: 30, baseline: { usual_modules: 'usual' },
    explanation: { fr: '{module} pour {account} après {history} jours (habituels : {usual})', en: '{module}' } };
  const networks = { id: 'networks', detector: 'first_seen', fields: ['source.network'], ...successes, min_history_days: 14, min_known_values: 1, shared_accounts: 3, shared_days: 7,
    baseline: { known_networks: 'known', history_days: 'history' }, explanation: { fr: '{net} ({ip}) pour {account}, {peers} collègue(s)', en: '{net}' } };
  const countries = { id: 'countries', detector: 'first_seen', fields: ['source.geo.country_iso_code'], ...successes, min_history_days: 14, min_known_values: 1, max_org_share: 0.01,
    explanation: { fr: '{country} ({ip}) pour {account} : {org_share} % (habituels : {usual})', en: '{country}' } };
  const found = (r: ScanResult, rule: string) =>
    r.accounts.flatMap((a) => a.findings.filter((f) => f.rule === rule).map((f) => ({ account: a.account, explanation: f.explanation, first: f.first, baseline: f.baseline })));

  it('flags a value new for an account with history; not a newcomer, an agent back from leave, an office moving, a failed attempt', async () => {
    const r = await scanFiles([seen], { rules: rules(modules, networks, countries) });
    expect(found(r, 'modules')).toEqual([
      { account: 'a.regular', explanation: 'otv pour a.regular après 60 jours (habituels : police, etat_civil)', first: '2024-03-01T10:00:00+01:00', baseline: { usual_modules: 'police, etat_civil' } },
      { account: 'g.odd', explanation: `${HOSTILE} pour g.odd après 45 jours (habituels : police)`, first: '2024-02-15T10:00:00+01:00', baseline: { usual_modules: 'police' } },
    ]);
    // b.newcomer, on the same network that day, is one colleague: not three.
    expect(found(r, 'networks')).toEqual([
      { account: 'a.regular', explanation: '203.0.113.0/24 (203.0.113.7) pour a.regular, 1 collègue(s)', first: '2024-03-01T10:00:00+01:00', baseline: { known_networks: 1, history_days: 60 } },
    ]);
    // NL: two events (a.regular's, b.newcomer's) of the organisation's 369 successes with a country.
    expect(found(r, 'countries')).toEqual([
      { account: 'a.regular', explanation: 'NL (203.0.113.7) pour a.regular : 0,54 % (habituels : FR)', first: '2024-03-01T10:00:00+01:00', baseline: { usual_values: 'FR', history_days: 60 } },
    ]);
  });

  it('each threshold is adjustable: history, known values, organisation share, colleagues', async () => {
    const loaded = rules(modules, networks, countries);
    const r = await scanFiles([seen], { rules: withOverrides(loaded, {
      modules: { min_history_days: 50 }, networks: { min_known_values: 0, shared_accounts: 4 }, countries: { max_org_share: 0.003 },
    }) });
    // Only g.odd's new module came after less than 50 days.
    expect(found(r, 'modules').map((h) => h.account)).toEqual(['a.regular']);
    // Without a known network first, f.nowhere's first address counts; four colleagues make an office, three no longer do.
    expect(found(r, 'networks').map((h) => h.explanation)).toEqual([
      '203.0.113.0/24 (203.0.113.7) pour a.regular, 1 collègue(s)',
      '192.0.2.0/24 (192.0.2.10) pour d1.office, 2 collègue(s)',
      '192.0.2.0/24 (192.0.2.11) pour d2.office, 2 collègue(s)',
      '192.0.2.0/24 (192.0.2.12) pour d3.office, 2 collègue(s)',
      '10.0.2.0/24 (10.0.2.1) pour f.nowhere, 0 collègue(s)',
    ]);
    expect(found(r, 'countries')).toEqual([]);
  });

  it('selects the events, restricts or ignores values (bound, never written into SQL), and takes tuples', async () => {
    const r = await scanFiles([seen], { rules: rules(
      { ...modules, id: 'only', only_values: { 'app.module': [HOSTILE] } },
      { ...modules, id: 'ignored', ignore_values: { 'app.module': ['otv', HOSTILE] } },
      { ...countries, id: 'failed_too', exclude: {}, max_org_share: undefined },
      { ...modules, id: 'pairs', fields: ['app.module', 'source.network'], select: { 'app.module': ['police', 'otv'] }, explanation: { fr: '{module} {net} {usual}', en: '-' } },
    ) });
    expect(found(r, 'only').map((h) => h.account)).toEqual(['g.odd']);
    expect(found(r, 'ignored')).toEqual([]);
    // With failures counted, the sign-in tried from Russia is a new country too.
    expect(found(r, 'failed_too').map((h) => h.explanation)).toEqual(['NL (203.0.113.7) pour a.regular : 0,54 % (habituels : FR)', 'RU (198.51.100.9) pour e.failed : 0,27 % (habituels : FR)']);
    // A (module, network) pair: c.back's 10.0.0.7 is in its known network; the office's new network is a new pair.
    expect(found(r, 'pairs').map((h) => h.explanation)).toEqual(['otv 203.0.113.0/24 police / 10.0.0.0/24', 'police 192.0.2.0/24 police / 10.0.1.0/24', 'police 192.0.2.0/24 police / 10.0.1.0/24', 'police 192.0.2.0/24 police / 10.0.1.0/24', 'police 10.0.2.0/24 —']);
  });

  it('over successes only, reads the context\'s first uses; any other selection, the combinations: same findings', async () => {
    // `failure` or a value no event has: the same events, but only the first reads the context's table.
    const all = { fr: '{module}{net}{country} {ip} {account} {history} {usual} {known} {org_share} {peers}', en: '-' };
    const [m, n, c] = [{ ...modules, explanation: all }, { ...networks, explanation: all }, { ...countries, explanation: all }];
    const twin = (spec: Record<string, unknown>) => ({ ...spec, id: `${String(spec.id)}_twin`, exclude: { 'event.outcome': ['failure', 'jamais'] } });
    const r = await scanFiles([seen], { rules: withOverrides(rules(m, n, c, twin(m), twin(n), twin(c)), {
      modules: { min_history_days: 0 }, modules_twin: { min_history_days: 0 }, networks: { min_known_values: 0 }, networks_twin: { min_known_values: 0 },
    }) });
    for (const id of ['modules', 'networks', 'countries']) {
      expect(found(r, `${id}_twin`)).toEqual(found(r, id));
      expect(found(r, id).length).toBeGreaterThan(0);
    }
  });

  it('scope: organisation — a value new for the whole organisation, after the organisation\'s history; each account using it at that first instant', async () => {
    const r = await scanFiles([seen], { rules: rules(
      { ...countries, id: 'org_countries', scope: 'organisation' },
      { ...modules, id: 'org_networks', scope: 'organisation', fields: ['source.network'], min_history_days: 14, explanation: { fr: '{net} pour {account} après {history} jours ({known} réseaux connus)', en: '-' } },
    ) });
    // b.newcomer has ten days of history, the organisation sixty; nobody used NL before them.
    expect(found(r, 'org_countries').map((h) => h.explanation).sort()).toEqual(['NL (203.0.113.7) pour a.regular : 0,54 % (habituels : FR)', 'NL (203.0.113.8) pour b.newcomer : 0,54 % (habituels : FR)']);
    // The two first networks came on the first day (no history yet); c.back's return and b.newcomer's office are known ones.
    expect(found(r, 'org_networks').map((h) => h.explanation).sort()).toEqual([
      '10.0.2.0/24 pour f.nowhere après 60 jours (4 réseaux connus)',
      '192.0.2.0/24 pour d1.office après 60 jours (3 réseaux connus)',
      '192.0.2.0/24 pour d2.office après 60 jours (3 réseaux connus)',
      '192.0.2.0/24 pour d3.office après 60 jours (3 réseaux connus)',
      '203.0.113.0/24 pour a.regular après 60 jours (2 réseaux connus)',
      '203.0.113.0/24 pour b.newcomer après 60 jours (2 réseaux connus)',
    ]);
    expect(refused({ ...modules, id: 'bad', scope: 'world' })).toMatch(/^bad\.yml, ligne \d+ : .*champ scope : portée inconnue \(permises : account, organisation\)/);
  });

  it('refuses a wrong first_seen rule with a French message naming the file, line and key', () => {
    const bad = (spec: Record<string, unknown>) => refused({ ...modules, id: 'bad', ...spec });
    expect(bad({ fields: ['user.name'] })).toMatch(/^bad\.yml, ligne \d+ : règle invalide, champ fields\.0 : champ inconnu \(champs permis : source\.ip, source\.network/);
    expect(bad({ fields: [] })).toMatch(/champ fields : au moins un champ/);
    expect(bad({ min_history_days: undefined })).toMatch(/^bad\.yml, ligne \d+ : .*champ min_history_days : nombre de jours attendu/);
    expect(bad({ only_values: { 'source.ip': '10.0.0.1' } })).toMatch(/^bad\.yml, ligne \d+ : .*champ only_values\.source\.ip : champ absent de fields \(app\.module\)/);
    expect(bad({ shared_days: 7 })).toMatch(/champ shared_days : sans objet sans shared_accounts/);
    expect(bad({ max_org_share: 5 })).toMatch(/champ max_org_share : part attendue entre 0 et 1/);
    expect(bad({ baseline: { modules: 'count' } })).toMatch(/champ baseline\.modules : variable inconnue \(permises : usual, known, history, org_share, peers\)/);
    expect(bad({ exclude: { 'file.path': 'x' } })).toMatch(/champ exclude\.file\.path : champ inconnu/);
  });
});
