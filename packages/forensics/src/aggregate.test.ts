import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, scanFiles, withOverrides, type ScanResult } from './index.ts';
import { HOSTILE, ruleFolders, ruleTexts } from './rule-fixtures.ts';

const texts = ruleTexts({ fr: 'Rafale', en: 'Burst' }, { fr: '{count} par {account} ({ip}) du {window_start} au {window_end}', en: '{count} by {account}' });
const folders = ruleFolders('forensics-aggregate-', { detector: 'aggregate', severity: 'high', ...texts });
const { dir, rules } = folders;
const logs = join(dir, 'day.ndjson');
afterAll(() => folders.dispose());
const refused = (spec: Record<string, unknown>): string => folders.refused({ id: 'bad', select: {}, timeframe: '1h', condition: { count: 'events', gt: 1 }, ...spec });

beforeAll(() => {
  const lines: string[] = [];
  const at = (h: number, m: number, s = 0) => new Date(Date.UTC(2024, 2, 5, h, m, s)).toISOString();
  const ev = (t: string, u: string, action: string, module: string, ip = '10.0.0.1', records = 1) =>
    lines.push(JSON.stringify({ '@timestamp': t, user: { name: u }, source: { ip }, event: { action, outcome: 'success' }, app: { module }, records }));
  // a.burst: 250 OTV views in one hour, half from each of two addresses.
  for (let i = 0; i < 250; i++) ev(at(9, Math.floor(i / 5), (i % 5) * 10), 'a.burst', i % 2 ? 'view' : 'search', 'otv', i % 2 ? '10.0.0.1' : '10.0.0.2');
  // b.spread: the same 250 views spread over five hours (50 an hour).
  for (let i = 0; i < 250; i++) ev(at(8 + Math.floor(i / 50), i % 50), 'b.spread', 'view', 'otv');
  // c.other: 300 views in one hour, another module; d.export: 300 OTV exports in one hour.
  for (let i = 0; i < 300; i++) ev(at(10, i % 60, Math.floor(i / 60)), 'c.other', 'view', 'etat_civil');
  for (let i = 0; i < 300; i++) ev(at(10, i % 60, Math.floor(i / 60)), 'd.export', 'export', 'otv', '10.0.0.1', 10);
  // e.hopper: one view from each of six addresses within the hour.
  for (let i = 0; i < 6; i++) ev(at(11, i * 5), 'e.hopper', 'view', 'otv', `192.0.2.${i + 1}`);
  // g.dst: the hour the clocks go back (Paris 02:00 summer time → 02:00 winter time).
  for (let i = 0; i < 3; i++) lines.push(JSON.stringify({ '@timestamp': `2024-10-27T00:${10 + i}:00Z`, user: { name: 'g.dst' }, event: { action: 'view', outcome: 'success' }, app: { module: 'dst_test' }, records: 1 }));
  // f.odd: one event whose action is SQL-looking text.
  ev(at(12, 0), 'f.odd', HOSTILE, 'otv');
  writeFileSync(logs, `${lines.join('\n')}\n`);
});

const flagged = (r: ScanResult, rule: string) =>
  r.accounts.flatMap((a) => a.findings.filter((f) => f.rule === rule).map((f) => ({ account: a.account, explanation: f.explanation, events: f.event_count })));
const otvViews = { 'event.action': ['view', 'search'], 'app.module': ['otv'] };

describe('aggregate rules (detector: aggregate)', () => {
  it('the shipped rule bulk_views_otv finds the planted burst and nothing else', async () => {
    const r = await scanFiles([logs]);
    const hits = flagged(r, 'bulk_views_otv');
    // b.spread reads 50 an hour: at the threshold, not above it.
    expect(hits.map((h) => h.account)).toEqual(['a.burst']);
    expect(hits[0]?.explanation).toBe('250 consultations ou recherches OTV par a.burst entre le 05/03/2024 10:00 et le 05/03/2024 11:00 (seuil : 50 par 1h).');
    expect(hits[0]?.events).toBe(250);
    expect(r.accounts.find((a) => a.account === 'a.burst')?.severity).toBe('high');
    // The threshold is adjustable like any other rule's.
    const lower = await scanFiles([logs], { rules: withOverrides(loadRules(), { bulk_views_otv: { gt: 40 } }) });
    expect(flagged(lower, 'bulk_views_otv').map((h) => h.account).sort()).toEqual(['a.burst', 'b.spread', 'b.spread', 'b.spread', 'b.spread', 'b.spread']);
  });

  it('respects select, group_by, timeframe and the three aggregations', async () => {
    const r = await scanFiles([logs], {
      rules: rules(
        { id: 'daily', select: otvViews, timeframe: '1d', condition: { count: 'events', gt: 200 } },
        { id: 'per_ip', select: otvViews, group_by: ['user.name', 'source.ip'], timeframe: '1h', condition: { count: 'events', gt: 100 } },
        { id: 'per_ip_high', select: otvViews, group_by: ['user.name', 'source.ip'], timeframe: '1h', condition: { count: 'events', gt: 200 } },
        { id: 'exported', select: { 'event.action': 'export' }, timeframe: '15m', condition: { sum: 'records', gt: 500 } },
        { id: 'hopping', select: otvViews, timeframe: '1h', condition: { distinct: 'source.ip', gt: 4 } },
      ),
    });
    expect(flagged(r, 'daily').map((h) => h.account)).toEqual(['a.burst', 'b.spread']);
    expect(flagged(r, 'per_ip').map((h) => h.explanation)).toEqual([
      '125 par a.burst (10.0.0.2) du 05/03/2024 10:00 au 05/03/2024 11:00',
      '125 par a.burst (10.0.0.1) du 05/03/2024 10:00 au 05/03/2024 11:00',
    ]);
    expect(flagged(r, 'per_ip_high')).toEqual([]);
    // 300 exports of 10 records over an hour: 750 records in each quarter.
    expect(flagged(r, 'exported').map((h) => h.explanation.split(' ')[0])).toEqual(['750', '750', '750', '750']);
    expect(flagged(r, 'hopping').map((h) => [h.account, h.explanation.split(' ')[0]])).toEqual([['e.hopper', '6']]);
    // Same input, same output.
    const again = await scanFiles([logs], { rules: rules(
      { id: 'per_ip', select: otvViews, group_by: ['user.name', 'source.ip'], timeframe: '1h', condition: { count: 'events', gt: 100 } },
    ) });
    expect(flagged(again, 'per_ip')).toEqual(flagged(r, 'per_ip'));
    // A window across the clocks going back reads with its offsets.
    const dst = await scanFiles([logs], { rules: rules({ id: 'dst', select: { 'app.module': 'dst_test' }, timeframe: '1h', condition: { count: 'events', gt: 0 } }) });
    expect(flagged(dst, 'dst').map((h) => h.explanation)).toEqual(['3 par g.dst ({ip}) du 27/10/2024 02:00 +02:00 au 27/10/2024 02:00 +01:00']);
    // Values are matched the way events are normalised: `VIEW` selects `view`.
    const upper = await scanFiles([logs], { rules: rules({ id: 'upper', select: { 'event.action': 'VIEW ', 'app.module': 'otv' }, timeframe: '1d', condition: { count: 'events', gt: 200 } }) });
    expect(flagged(upper, 'upper').map((h) => h.account)).toEqual(['b.spread']);
  });

  it('a hostile value is only a value', async () => {
    const r = await scanFiles([logs], {
      rules: rules(
        { id: 'odd', select: { 'event.action': [HOSTILE] }, timeframe: '1h', condition: { count: 'events', gt: 0 } },
        { id: 'after', select: otvViews, timeframe: '1d', condition: { count: 'events', gt: 200 } },
      ),
    });
    expect(flagged(r, 'odd').map((h) => h.account)).toEqual(['f.odd']);
    expect(flagged(r, 'after').map((h) => h.account)).toEqual(['a.burst', 'b.spread']);
  });

  it('refuses an unknown field, aggregation or timeframe with a French message naming the file and key', () => {
    expect(refused({ select: { 'user.password': ['x'] } })).toMatch(/^bad\.yml, ligne \d+ : règle invalide, champ select\.user\.password : champ inconnu \(champs permis : user\.name/);
    expect(refused({ group_by: ['user.name', 'file.path'] })).toMatch(/bad\.yml, ligne \d+ : .*champ group_by\.1 : champ inconnu/);
    expect(refused({ group_by: ['source.ip'] })).toMatch(/champ group_by : doit contenir user\.name/);
    expect(refused({ condition: { avg: 'records', gt: 1 } })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : agrégation inconnue avg/);
    expect(refused({ condition: { sum: 'events', gt: 1 } })).toMatch(/champ condition\.sum : seule valeur permise : records/);
    expect(refused({ condition: { distinct: 'records', gt: 1 } })).toMatch(/champ condition\.distinct : champ inconnu/);
    expect(refused({ condition: { count: 'events', sum: 'records', gt: 1 } })).toMatch(/champ condition : une et une seule agrégation/);
    expect(refused({ condition: { count: 'events' } })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : au moins un seuil parmi gt, gte, eq, lt, lte/);
    expect(refused({ condition: { count: 'events', gt: 'beaucoup' } })).toMatch(/champ condition\.gt : seuil numérique attendu/);
    for (const timeframe of ['1w', '90', '0h', '32d', '1h; DROP']) expect(refused({ timeframe })).toMatch(/bad\.yml, ligne \d+ : .*champ timeframe : durée invalide/);
    expect(refused({ detector: 'telepathy' })).toMatch(/champ detector : détecteur inconnu/);
    expect(refused({ window: 'hopping' })).toMatch(/bad\.yml, ligne \d+ : .*champ window : fenêtre inconnue \(permises : tumbling, sliding\)/);
  });

  it('refuses incoherent operators with a French message naming the file and key', () => {
    const cond = (c: Record<string, unknown>) => refused({ condition: { count: 'events', ...c } });
    expect(cond({ gte: -1 })).toMatch(/bad\.yml, ligne \d+ : .*champ condition\.gte : seuil positif attendu/);
    expect(cond({ lt: 'x' })).toMatch(/bad\.yml, ligne \d+ : .*champ condition\.lt : seuil numérique attendu/);
    expect(cond({ eq: 5, lt: 9 })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : eq ne se combine avec aucun autre seuil/);
    expect(cond({ gt: 5, gte: 6 })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : gt et gte s’excluent/);
    expect(cond({ lt: 5, lte: 6 })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : lt et lte s’excluent/);
    expect(cond({ gte: 10, lt: 10 })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : intervalle vide/);
    expect(cond({ gt: 10, lte: 3 })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : intervalle vide/);
    expect(cond({ between: [1, 2] })).toMatch(/bad\.yml, ligne \d+ : .*champ condition : agrégation inconnue between/);
  });

  it('applies gt, gte, eq, lt, lte and ranges, each adjustable', async () => {
    const daily = (id: string, c: Record<string, number>) => ({ id, select: otvViews, timeframe: '1d', condition: { count: 'events', ...c } });
    // Per day: a.burst 250, b.spread 250, e.hopper 6 OTV views or searches.
    const r = await scanFiles([logs], {
      rules: rules(daily('gt', { gt: 6 }), daily('gte', { gte: 6 }), daily('eq', { eq: 6 }), daily('lt', { lt: 250 }), daily('lte', { lte: 250 }), daily('range', { gte: 6, lt: 250 }), daily('closed', { gt: 6, lte: 250 })),
    });
    const who = (rule: string) => flagged(r, rule).map((h) => h.account).sort();
    expect(who('gt')).toEqual(['a.burst', 'b.spread']);
    expect(who('gte')).toEqual(['a.burst', 'b.spread', 'e.hopper']);
    expect(who('eq')).toEqual(['e.hopper']);
    expect(who('lt')).toEqual(['e.hopper']);
    expect(who('lte')).toEqual(['a.burst', 'b.spread', 'e.hopper']);
    expect(who('range')).toEqual(['e.hopper']);
    expect(who('closed')).toEqual(['a.burst', 'b.spread']);
    const moved = await scanFiles([logs], { rules: withOverrides(rules(daily('range', { gte: 6, lt: 250 })), { range: { gte: 7, lt: 251 } }) });
    expect(flagged(moved, 'range').map((h) => h.account).sort()).toEqual(['a.burst', 'b.spread']);
  });
});
