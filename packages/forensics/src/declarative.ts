// Rule kinds written without code, in the spirit of Sigma's aggregation and correlation rules:
// `aggregate` (count, sum or distinct values over tumbling or sliding windows), `match` (a plain
// selection of events), `correlation` (event_count, value_count, temporal_ordered over other
// rules) and `first_seen` (a value an account never used before, Elastic's "new terms"). Column
// names come from AGGREGATE_FIELDS and FIRST_SEEN_FIELDS and the SQL shapes from closed lists;
// every value written in a rule reaches DuckDB as a bound parameter.
import { DateTime } from 'luxon';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import {
  AGGREGATE_FIELDS, FIRST_SEEN_FIELDS, OPERATORS, RuleError, num, timeframeMs,
  type AggregateField, type AggregateRule, type Comparison, type CorrelationRule, type DeclarativeRule, type FIRST_SEEN_VARIABLES, type FirstSeenRule, type MatchRule, type Operator, type Rule,
} from './rules.ts';
import { DAY, HOUR, n, round, rows, s, type Context, type Hit } from './detect.ts';

type Params = Record<string, DuckDBValue>;
type Row = Record<string, unknown>;
type Bounds = [Operator, number][];

const OP_SQL: Record<Operator, string> = { gt: '>', gte: '>=', eq: '=', lt: '<', lte: '<=' };
const OP_TEXT: Record<Operator, string> = { gt: '>', gte: '≥', eq: '=', lt: '<', lte: '≤' };
/** Every event column a selection carries, so that any later grouping or count can read it. */
const EVENT_COLUMNS = Object.values(AGGREGATE_FIELDS);

/** The bounds of a condition, each adjustable like any other threshold (`--set rule.gte=10`). */
function bounds(rule: Rule, c: Comparison): Bounds {
  return OPERATORS.filter((op) => c[op] !== undefined).map((op) => [op, num(rule, op, c[op] as number)]);
}

function conditionSql(measure: string, b: Bounds, params: Params, prefix: string): string {
  return b.map(([op, v]) => {
    params[`${prefix}${op}`] = v;
    return `${measure} ${OP_SQL[op]} $${prefix}${op}`;
  }).join(' AND ');
}

/** `> 50`, `≥ 5 et < 20`: the condition as the explanation shows it. */
function conditionText(b: Bounds): string {
  return b.map(([op, v]) => `${OP_TEXT[op]} ${v}`).join(' et ');
}

function conditionVars(b: Bounds): { threshold: number; condition: string } {
  return { threshold: (b[0] as [Operator, number])[1], condition: conditionText(b) };
}

/** The selection as a WHERE clause over the combination table `k`, values bound. */
function selectWhere(select: Partial<Record<AggregateField, string[]>>, params: Params, prefix: string, table = ''): string[] {
  return (Object.entries(select) as [AggregateField, string[]][]).map(([f, values], i) => {
    params[`${prefix}${i}`] = listValue(values);
    return `list_contains($${prefix}${i}::VARCHAR[], ${table}${AGGREGATE_FIELDS[f]})`;
  });
}

/** Paris wall-clock bounds of a window; the offset is added when the clocks going back would make them read alike. */
export function windowText(from: number, to: number): { window_start: string; window_end: string } {
  const fmt = (ms: number, zone: boolean) => DateTime.fromMillis(ms, { zone: 'Europe/Paris' }).toFormat(zone ? 'dd/MM/yyyy HH:mm ZZ' : 'dd/MM/yyyy HH:mm');
  const offset = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Paris' }).offset;
  const ambiguous = fmt(from, false) === fmt(to, false) && offset(from) !== offset(to);
  return { window_start: fmt(from, ambiguous), window_end: fmt(to, ambiguous) };
}

/** Extra grouped fields, under their column names ({ip}, {module}…) in explanations. */
function groupVars(r: Row, groupCols: string[]): Record<string, string> {
  return Object.fromEntries(groupCols.map((c) => [c, s(r[c]) || '?']));
}

const groupColumns = (groupBy: AggregateField[]) => groupBy.filter((f) => f !== 'user.name').map((f) => AGGREGATE_FIELDS[f]);
const orderBy = (groupCols: string[]) => `ORDER BY u, ft${groupCols.map((c) => `, ${c} NULLS FIRST`).join('')}, lt`;

/**
 * Builds one query out of common table expressions: each referenced rule becomes one expression
 * (named q0, q1… by a counter, never after the rule), shared when several steps name it.
 */
class Query {
  readonly ctes: string[] = [];
  readonly params: Params = {};
  private readonly built = new Map<string, string>();
  private seq = 0;
  constructor(private readonly byId: Map<string, Rule>) {}

  next(): string {
    return `q${this.seq++}`;
  }

  add(name: string, body: string): string {
    this.ctes.push(`${name} AS (${body})`);
    return name;
  }

  sql(select: string): string {
    return `WITH ${this.ctes.join(',\n')}\n${select}`;
  }

  /** Events matching a selection: t, st (= t), every event column and records. */
  selection(select: Partial<Record<AggregateField, string[]>>): string {
    const name = this.next();
    const where = selectWhere(select, this.params, `${name}_s`, 'k.');
    return this.add(name, `SELECT e.t, e.t AS st, ${EVENT_COLUMNS.map((c) => `k.${c}`).join(', ')}, k.records FROM evt e JOIN k ON k.kid = e.kid${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`);
  }

  /**
   * The occurrences of a referenced rule as rows (t, st, u, the fields it keeps…, records): t is
   * the moment it holds, st the start of what it saw (the first event of its window or chain).
   */
  occurrences(id: string, from: CorrelationRule): string {
    const known = this.built.get(id);
    if (known) return known;
    const rule = this.byId.get(id);
    let name: string;
    if (rule?.detector === 'match') name = this.selection(rule.select);
    else if (rule?.detector === 'correlation') {
      const moments = this.moments(rule);
      name = this.add(this.next(), `SELECT t, st, u${groupColumns(rule.group_by).map((c) => `, ${c}`).join('')}, NULL::BIGINT AS records FROM ${moments}`);
    } else throw new RuleError(`${from.id}.yml`, `règle invalide, champ rules : ${id} n’est ni une sélection (match) ni une corrélation connue.`, `invalid rule, field rules: ${id} is not a known match rule or correlation.`);
    this.built.set(id, name);
    return name;
  }

  /**
   * Sliding windows: at each event, the events of its group in the last `span` milliseconds (the
   * event itself included); keeps the moments where the measure meets the condition, as rows
   * (u, group…, t, m = measure, c = events, rec = records, wf = first event of the window, st = the
   * earliest start among the window's occurrences).
   */
  sliding(source: string, groupCols: string[], measure: string, b: Bounds, span: number): string {
    const name = this.next();
    this.params[`${name}_span`] = span - 1;
    const part = ['u', ...groupCols].join(', ');
    const w = this.add(`${name}_w`, `SELECT ${part}, t, ${measure} OVER w AS m, count(*) OVER w AS c, sum(records) OVER w AS rec, min(t) OVER w AS wf, min(st) OVER w AS st FROM ${source}
      WINDOW w AS (PARTITION BY ${part} ORDER BY t RANGE BETWEEN $${name}_span PRECEDING AND CURRENT ROW)`);
    // Events at the same instant share one window: one row for them.
    return this.add(name, `SELECT DISTINCT ${part}, t, m, c, rec, wf, st FROM ${w} WHERE ${conditionSql('m', b, this.params, `${name}_c`)}`);
  }

  /**
   * Overlapping windows that meet the condition form one episode; each episode reports its densest
   * window (the highest measure, the earliest on a tie).
   */
  densest(moments: string, groupCols: string[]): string {
    const part = ['u', ...groupCols].join(', ');
    const name = this.add(this.next(), `SELECT *, sum(CASE WHEN pt IS NULL OR wf > pt THEN 1 ELSE 0 END) OVER (PARTITION BY ${part} ORDER BY t) AS ep
      FROM (SELECT *, lag(t) OVER (PARTITION BY ${part} ORDER BY t) AS pt FROM ${moments})`);
    return this.sql(`SELECT ${part}, b.m::DOUBLE AS m, b.c::DOUBLE AS c, b.rec::DOUBLE AS rec, b.wf::DOUBLE AS ft, (-b.nt)::DOUBLE AS lt FROM (
        SELECT ${part}, max({'m': m, 'nt': -t, 'wf': wf, 'c': c, 'rec': rec}) AS b FROM ${name} GROUP BY ${part}, ep)
      ${orderBy(groupCols)}`);
  }

  /** The moments a correlation holds, as rows (u, group…, t) plus its own columns. */
  moments(rule: CorrelationRule): string {
    const groupCols = groupColumns(rule.group_by);
    const span = timeframeMs(rule.timespan);
    const sources = rule.rules.map((id) => this.occurrences(id, rule));
    if (rule.type === 'temporal_ordered') return this.ordered(sources, groupCols, span);
    const field = rule.condition?.field ? AGGREGATE_FIELDS[rule.condition.field] : null;
    const cols = [...new Set(['u', ...groupCols, ...(field ? [field] : [])])].join(', ');
    const union = this.add(this.next(), [...new Set(sources)].map((src) => `SELECT t, st, ${cols}, records FROM ${src}`).join(' UNION ALL '));
    return this.sliding(union, groupCols, field ? `count(DISTINCT ${field})` : 'count(*)', bounds(rule, rule.condition ?? {}), span);
  }

  /**
   * Each step after the previous one, all within `span`: for each occurrence of the last step,
   * the latest occurrence of each earlier step before it (the latest possible start, hence the
   * shortest chain), kept when the steps' moments fit in the span. Rows (u, group…, t, ft = the
   * first step's moment, st = the start of what the first step saw).
   */
  ordered(sources: string[], groupCols: string[], span: number): string {
    const part = ['u', ...groupCols];
    const same = (a: string, b: string) => part.map((c) => `coalesce(${a}.${c}, '') = coalesce(${b}.${c}, '')`).join(' AND ');
    let chain = this.add(this.next(), `SELECT DISTINCT ${part.join(', ')}, t, t AS ft, st FROM ${sources[0]}`);
    for (const step of sources.slice(1)) {
      chain = this.add(this.next(), `SELECT DISTINCT ${part.map((c) => `x.${c}`).join(', ')}, x.t, p.ft, p.st FROM ${step} x ASOF JOIN ${chain} p ON ${same('x', 'p')} AND x.t >= p.t`);
    }
    const name = this.next();
    this.params[`${name}_span`] = span;
    return this.add(name, `SELECT * FROM ${chain} WHERE t - ft < $${name}_span`);
  }
}

/**
 * The kind as it was first shipped: tumbling windows aligned on UTC epoch over the combination
 * table, so that the selection applies to a few thousand combinations before any event is touched.
 */
async function tumbling(ctx: Context, rule: AggregateRule, b: Bounds, measure: string, groupCols: string[], win: number): Promise<Row[]> {
  const params: Params = { win };
  const where = selectWhere(rule.select, params, 's');
  const distinct = rule.condition.distinct;
  const cols = [...new Set(['u', ...groupCols, ...(distinct ? [AGGREGATE_FIELDS[distinct]] : [])])];
  return rows(ctx.con, `
    WITH sk AS (SELECT kid, ${cols.join(', ')}, records FROM k ${where.length ? `WHERE ${where.join(' AND ')}` : ''}),
    g AS (SELECT ${['u', ...groupCols].map((c) => `sk.${c}`).join(', ')}, e.t // $win AS w, ${measure} AS m, count(*) AS c, sum(sk.records) AS rec,
                 min(e.t) AS ft, max(e.t) AS lt
          FROM evt e JOIN sk ON sk.kid = e.kid GROUP BY ALL HAVING ${conditionSql(measure, b, params, 'c_')})
    SELECT u, ${groupCols.map((c) => `${c}, `).join('')}(w * $win)::DOUBLE AS ws, m::DOUBLE AS m, c::DOUBLE AS c, rec::DOUBLE AS rec, ft::DOUBLE AS ft, lt::DOUBLE AS lt
    FROM g ORDER BY u, ws${groupCols.map((c) => `, ${c} NULLS FIRST`).join('')}`, params);
}

async function aggregate(ctx: Context, rule: AggregateRule, byId: Map<string, Rule>): Promise<Hit[]> {
  const win = timeframeMs(rule.timeframe);
  const b = bounds(rule, rule.condition);
  const groupCols = groupColumns(rule.group_by);
  const { sum, distinct } = rule.condition;
  const measure = sum ? 'sum(records)' : distinct ? `count(DISTINCT ${AGGREGATE_FIELDS[distinct]})` : 'count(*)';
  const sliding = rule.window === 'sliding';
  let found: Row[];
  if (sliding) {
    const q = new Query(byId);
    found = await rows(ctx.con, q.densest(q.sliding(q.selection(rule.select), groupCols, measure, b, win), groupCols), q.params);
  } else found = await tumbling(ctx, rule, b, measure, groupCols, win);
  const plainGt = b.length === 1 && b[0]?.[0] === 'gt';
  return found.map((r) => ({
    rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
    vars: {
      account: s(r.u), count: n(r.m), events: n(r.c), records: n(r.rec), ...conditionVars(b),
      // Tumbling: the window itself; sliding: the first and last events of the densest window.
      ...(sliding ? windowText(n(r.ft), n(r.lt)) : windowText(n(r.ws), n(r.ws) + win)), timeframe: rule.timeframe, ...groupVars(r, groupCols),
    },
    baseline: { threshold: conditionVars(b).threshold, timeframe: rule.timeframe, ...(plainGt ? {} : { condition: conditionText(b) }), ...(sliding ? { window: 'sliding' } : {}) },
    evidence: { from: n(r.ft), to: n(r.lt), byRecords: sum !== undefined },
  }));
}

/** A selection that generates: one finding per account and Paris day with matching events. */
async function match(ctx: Context, rule: MatchRule, byId: Map<string, Rule>): Promise<Hit[]> {
  const q = new Query(byId);
  const src = q.selection(rule.select);
  const found = await rows(ctx.con, q.sql(`SELECT x.u, h.lday::VARCHAR AS day, count(*)::DOUBLE AS c, sum(x.records)::DOUBLE AS rec, min(x.t)::DOUBLE AS ft, max(x.t)::DOUBLE AS lt
    FROM ${src} x JOIN hours h ON h.hb = x.t // 3600000 GROUP BY x.u, h.lday ORDER BY x.u, day`), q.params);
  return found.map((r) => ({
    rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
    vars: { account: s(r.u), count: n(r.c), events: n(r.c), records: n(r.rec), day: DateTime.fromISO(s(r.day)).toFormat('dd/MM/yyyy'), ...windowText(n(r.ft), n(r.lt)) },
    baseline: {},
    evidence: { from: n(r.ft), to: n(r.lt) },
  }));
}

async function correlation(ctx: Context, rule: CorrelationRule, byId: Map<string, Rule>): Promise<Hit[]> {
  const q = new Query(byId);
  const groupCols = groupColumns(rule.group_by);
  const moments = q.moments(rule);
  const common = { timespan: rule.timespan, timeframe: rule.timespan, steps: rule.rules.join(' → ') };
  if (rule.type === 'temporal_ordered') {
    // A chain is one episode with the chains that overlap it; the first to complete reports it.
    const part = ['u', ...groupCols].join(', ');
    const eps = q.add(q.next(), `SELECT *, sum(CASE WHEN pt IS NULL OR ft > pt THEN 1 ELSE 0 END) OVER (PARTITION BY ${part} ORDER BY t, ft) AS ep
      FROM (SELECT *, lag(t) OVER (PARTITION BY ${part} ORDER BY t, ft) AS pt FROM ${moments})`);
    const found = await rows(ctx.con, q.sql(`SELECT ${part}, b.st::DOUBLE AS ft, b.t::DOUBLE AS lt FROM (
        SELECT ${part}, min({'t': t, 'ft': ft, 'st': st}) AS b FROM ${eps} GROUP BY ${part}, ep) ${orderBy(groupCols)}`), q.params);
    return found.map((r) => ({
      rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
      vars: { account: s(r.u), minutes: Math.round((n(r.lt) - n(r.ft)) / 60_000), ...windowText(n(r.ft), n(r.lt)), ...common, ...groupVars(r, groupCols) },
      baseline: { timespan: rule.timespan },
      evidence: { from: n(r.ft), to: n(r.lt) },
    }));
  }
  const b = bounds(rule, rule.condition ?? {});
  const found = await rows(ctx.con, q.densest(moments, groupCols), q.params);
  return found.map((r) => ({
    rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
    vars: { account: s(r.u), count: n(r.m), events: n(r.c), ...conditionVars(b), ...windowText(n(r.ft), n(r.lt)), ...common, ...groupVars(r, groupCols) },
    baseline: { ...conditionVars(b), timespan: rule.timespan },
    evidence: { from: n(r.ft), to: n(r.lt) },
  }));
}

/**
 * The context's `firsts` table already holds the first use (with its address) and count of each
 * (address, country) and module of each account, failures left out: a rule over exactly those events whose
 * stored columns lie within one of these sets reads its few rows (the same minimums, the same sums)
 * instead of grouping the combinations again, which cost the shipped rules twice as much or more.
 */
const FIRSTS_SETS = { ip: ['ip', 'country'], module: ['module'] } as const;
function firstsKind(rule: FirstSeenRule, raw: string[]): keyof typeof FIRSTS_SETS | null {
  const excluded = Object.entries(rule.exclude);
  const successes = Object.keys(rule.select).length === 0 && excluded.length === 1 && excluded[0]?.[0] === 'event.outcome' && excluded[0][1]?.join() === 'failure';
  if (!successes) return null;
  const kinds = Object.keys(FIRSTS_SETS) as (keyof typeof FIRSTS_SETS)[];
  return kinds.find((kind) => raw.every((c) => (FIRSTS_SETS[kind] as readonly string[]).includes(c))) ?? null;
}

/**
 * The first use of each value (or tuple) per account, from the combination table (or the context's
 * first uses): first times and counts are already there, so the events themselves are never read.
 * The walk in time order then knows, at each new value, the values used before it.
 */
async function firstSeen(ctx: Context, rule: FirstSeenRule): Promise<Hit[]> {
  const params: Params = {};
  const fields = rule.fields.map((f) => FIRST_SEEN_FIELDS[f]);
  const cols = fields.map((f) => f.column);
  const raw = [...new Set(fields.map((f) => f.raw))];
  // An event that lacks a field (no address, no module) never reads as a value.
  const present = raw.map((c) => `${c} IS NOT NULL AND ${c} <> ''`);
  const kind = firstsKind(rule, raw);
  let source = `firsts WHERE kind = '${kind}' AND ${present.join(' AND ')}`;
  if (!kind) {
    const excluded = selectWhere(rule.exclude, params, 'x');
    const where = [...selectWhere(rule.select, params, 's'), ...present, ...(excluded.length ? [`NOT coalesce(${excluded.join(' AND ')}, false)`] : [])];
    source = `k WHERE ${where.join(' AND ')}`;
  }
  // `fip`: the address of the first use, the earliest (then smallest) among the value's
  // combinations. A derived field (the network) is computed after a first grouping on the stored
  // column, once per distinct address rather than per combination; stored fields need only one.
  // The context's rows need no grouping at all when the fields are exactly their set (the module).
  const derived = fields.some((f) => f.sql !== f.raw);
  const firstUseSql = kind ? 'fip' : "{'k': ft, 'v': ip}";
  const order = `ORDER BY ${rule.scope === 'organisation' ? 'ft, u' : 'u, ft'}, ${cols.join(', ')}`;
  const grouped = derived ? `(SELECT u, ${raw.join(', ')}, min(ft) AS ft, min(${firstUseSql}) AS fip, sum(n) AS n FROM ${source} GROUP BY ALL)` : source;
  const found = await rows(ctx.con, kind && !derived && raw.length === FIRSTS_SETS[kind].length
    ? `SELECT u, ${cols.join(', ')}, ft::DOUBLE AS ft, fip.v AS fip, n::DOUBLE AS n FROM ${source} ${order}`
    : `SELECT u, ${fields.map((f) => `${f.sql} AS ${f.column}`).join(', ')}, min(ft)::DOUBLE AS ft, min(${derived ? 'fip' : firstUseSql}).v AS fip, sum(n)::DOUBLE AS n
       FROM ${grouped} GROUP BY ALL ${order}`, params);
  const minHistory = num(rule, 'min_history_days', rule.min_history_days) * DAY;
  const minKnown = num(rule, 'min_known_values', rule.min_known_values);
  const maxShare = rule.max_org_share === undefined ? Infinity : num(rule, 'max_org_share', rule.max_org_share);
  const shared = rule.shared_accounts === undefined ? Infinity : num(rule, 'shared_accounts', rule.shared_accounts);
  const sharedDays = num(rule, 'shared_days', rule.shared_days ?? 7) * DAY;
  const valueOf = (r: Row) => cols.map((c) => s(r[c])).join(' / ');
  const reported = (r: Row) => rule.fields.every((f, i) => {
    const v = s(r[cols[i] as string]);
    return (rule.only_values?.[f]?.includes(v) ?? true) && !(rule.ignore_values?.[f]?.includes(v) ?? false);
  });
  // The accounts that took up each value, and when (colleagues arriving together are an office
  // move), and the value's events: its share of the organisation's (summed here, where the rows
  // already are, rather than by a window over them).
  const takers = new Map<string, { u: string; ft: number }[]>();
  const events = new Map<string, number>();
  let total = 0;
  const values = found.map(valueOf);
  found.forEach((r, i) => {
    const value = values[i]!;
    const list = takers.get(value) ?? [];
    list.push({ u: s(r.u), ft: n(r.ft) });
    takers.set(value, list);
    events.set(value, (events.get(value) ?? 0) + n(r.n));
    total += n(r.n);
  });
  // Per group (the account, or the whole organisation): the values in order of first use, and when
  // and at which rank each came. In the organisation, a value is new only at its first instant
  // (every account using it then is reported); its history starts at the organisation's first event.
  const org = rule.scope === 'organisation';
  let orgStart = Infinity;
  if (org) for (const t of ctx.firstSeen.values()) orgStart = Math.min(orgStart, t);
  const usual = new Map<string, string[]>();
  const firstUse = new Map<string, { ft: number; rank: number }>();
  const hits: Hit[] = [];
  for (const [i, r] of found.entries()) {
    const u = s(r.u);
    const ft = n(r.ft);
    const value = values[i]!;
    const group = org ? '' : u;
    const known = usual.get(group) ?? [];
    usual.set(group, known);
    const key = `${group}\u0000${value}`;
    let use = firstUse.get(key);
    if (!use) {
      use = { ft, rank: known.length };
      firstUse.set(key, use);
      known.push(value);
    } else if (use.ft < ft) continue;
    const history = ft - (org ? orgStart : (ctx.firstSeen.get(u) ?? ft));
    const share = (events.get(value) ?? 0) / total;
    if (use.rank < minKnown || history < minHistory || share >= maxShare || !reported(r)) continue;
    const others = (takers.get(value) ?? []).filter((p) => p.u !== u);
    const peers = others.filter((p) => Math.abs(p.ft - ft) <= sharedDays).length;
    if (peers + 1 >= shared || others.filter((p) => p.ft < ft - sharedDays).length >= shared) continue;
    // The organisation's list can be long: its first 20 values, then how many in all.
    const before = known.slice(0, use.rank);
    const shown = org && before.length > 20 ? `${before.slice(0, 20).join(', ')}… (${before.length})` : before.join(', ');
    const measures: Record<(typeof FIRST_SEEN_VARIABLES)[number], string | number> = {
      usual: shown, known: before.length, history: Math.floor(history / DAY), org_share: round(share * 100, 2), peers,
    };
    hits.push({
      rule, account: u, first: ft, last: ft,
      vars: { account: u, ip: s(r.fip), ...Object.fromEntries(cols.map((c) => [c, s(r[c])])), ...measures, usual: measures.usual || '—' },
      baseline: Object.fromEntries(Object.entries(rule.baseline).map(([name, variable]) => [name, measures[variable]])),
      evidence: { from: ft, to: ft + HOUR },
    });
  }
  return hits;
}

/** Runs a declarative rule; `byId` holds every loaded rule (enabled or not) for correlations to reference. */
export function runDeclarative(ctx: Context, rule: DeclarativeRule, byId: Map<string, Rule>): Promise<Hit[]> {
  if (rule.detector === 'aggregate') return aggregate(ctx, rule, byId);
  if (rule.detector === 'match') return match(ctx, rule, byId);
  if (rule.detector === 'first_seen') return firstSeen(ctx, rule);
  return correlation(ctx, rule, byId);
}
