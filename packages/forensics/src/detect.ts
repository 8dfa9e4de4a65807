// Built-in detectors. Heavy aggregation runs in DuckDB over the `ev` table (one row per event);
// the small per-account results are judged in Node. Every query takes its thresholds as bound
// parameters; the SQL text itself is constant.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { checkReferences, generates, isDeclarative, num, str, type DetectorName, type Rule } from './rules.ts';
import { runDeclarative } from './declarative.ts';
import type { Timer } from './timings.ts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export interface Hit {
  rule: Rule;
  account: string;
  first: number;
  last: number;
  vars: Record<string, string | number>;
  baseline: Record<string, string | number>;
  evidence: { from: number; to: number; byRecords?: boolean };
}

type Row = Record<string, unknown>;

export async function rows(con: DuckDBConnection, sql: string, params: Record<string, DuckDBValue> = {}): Promise<Row[]> {
  return (await con.runAndReadAll(sql, params)).getRowObjectsJS() as Row[];
}

export const n = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v ?? 0));
export const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const days = (ms: number): number => Math.floor(ms / DAY);

export interface Context {
  con: DuckDBConnection;
  firstSeen: Map<string, number>; // account → first event
}

export async function prepareContext(con: DuckDBConnection, timer?: Timer): Promise<Context> {
  // One pass over the events at the (account, UTC hour) grain (the address and action tests are
  // properties of the value combination, computed once per combination): the hour-of-day
  // profiles, the view/search volumes, the daily series and the candidates for concurrent sessions
  // all come from it instead of each rule re-grouping every event. Only what every hour of every
  // account needs is grouped: the export sums and the first and last view times matter for a few
  // hours only, which their rules read from the events.
  await con.run(`CREATE OR REPLACE TEMP TABLE kx AS SELECT kid, u,
      CASE WHEN ip IS NOT NULL AND outcome <> 'failure' THEN dense_rank() OVER (ORDER BY ip) END AS okip,
      action IN ('view', 'search') AS vs FROM k`);
  // Paris day and hour of each UTC hour bucket: offsets change on whole hours in Europe/Paris.
  await con.run(`CREATE OR REPLACE TABLE hours AS SELECT hb, CAST(timezone('Europe/Paris', to_timestamp(hb * 3600)) AS DATE) AS lday,
      hour(timezone('Europe/Paris', to_timestamp(hb * 3600)))::INTEGER AS lhour FROM (SELECT DISTINCT t // 3600000 AS hb FROM evt)`);
  // Grouped on the account name itself, which costs no more than an integer key here and spares a
  // join back to the names; dated in the same statement, so that one table is written, not two.
  await con.run(`CREATE OR REPLACE TABLE uh AS SELECT g.*, h.lday, h.lhour FROM (
      SELECT x.u, e.t // 3600000 AS hb, count(*) AS c, min(e.t) AS ft, max(e.t) AS lt, count(*) FILTER (WHERE x.vs) AS vc,
        coalesce(min(x.okip) <> max(x.okip), false) AS multi_ip
      FROM evt e JOIN kx x ON x.kid = e.kid GROUP BY x.u, hb) g JOIN hours h ON h.hb = g.hb`);
  timer?.mark('context: uh');
  // Per account and Paris hour: the basis of the hour-of-day profiles (leave-one-day-out). Not
  // regrouped: (account, day, hour) repeats only in the hour the clocks go back, and every use of
  // this view sums over it.
  await con.run('CREATE OR REPLACE VIEW day_hour AS SELECT u, lday, lhour, c, ft, lt FROM uh');
  // The per-day and per-hour-of-day totals several rules and the daily series read, grouped once.
  await con.run('CREATE OR REPLACE TABLE uday AS SELECT u, lday, sum(c) AS c, min(ft) AS ft, max(lt) AS lt, sum(vc) AS vc FROM uh GROUP BY u, lday');
  await con.run('CREATE OR REPLACE TABLE uhour AS SELECT u, lhour, sum(c) AS c FROM uh GROUP BY u, lhour');
  await con.run(`CREATE OR REPLACE TABLE acct AS SELECT u, min(ft) AS first_t, max(lt) AS last_t, sum(c) AS n, count(*) AS days FROM uday GROUP BY u`);
  timer?.mark('context: day and hour totals');
  // First use and count of each address (with its country), module and client per account,
  // successes only, in one pass: the "never seen before" rules read this small table. `fip`: the
  // first use with its address (the earliest, then the smallest address), which first_seen reports.
  await con.run(`CREATE OR REPLACE TABLE firsts AS SELECT CASE WHEN GROUPING(ip) = 0 THEN 'ip' WHEN GROUPING(module) = 0 THEN 'module' ELSE 'ua' END AS kind,
      u, ip, country, module, ua, min(ft) AS ft, sum(n)::BIGINT AS n, min({'k': ft, 'v': ip}) AS fip
    FROM k WHERE outcome <> 'failure' GROUP BY GROUPING SETS ((u, ip, country), (u, module), (u, ua))`);
  timer?.mark('context: firsts');
  const firstSeen = new Map<string, number>();
  for (const r of await rows(con, 'SELECT u, first_t::DOUBLE AS f FROM acct')) firstSeen.set(s(r.u), n(r.f));
  timer?.mark('context');
  return { con, firstSeen };
}

/**
 * The login events and the (address, UTC hour) pairs that failed for at least `$spray_min`
 * accounts, with more failures than twice the successes. An address and hour with fewer failed
 * logins than that cannot have so many failing accounts: the distinct count runs on the few others.
 */
const SPRAYED_ADDRESSES = `logins AS (SELECT u, t, ip, country, outcome FROM ev WHERE action = 'login'),
      busy AS (SELECT ip, t // 3600000 AS hb FROM logins WHERE ip IS NOT NULL AND outcome = 'failure' GROUP BY ALL HAVING count(*) >= $spray_min),
      spray AS (SELECT l.ip, l.t // 3600000 AS hb, count(DISTINCT l.u) FILTER (WHERE l.outcome = 'failure') AS accts
                FROM logins l SEMI JOIN busy b ON b.ip = l.ip AND b.hb = l.t // 3600000 GROUP BY ALL
                HAVING count(DISTINCT l.u) FILTER (WHERE l.outcome = 'failure') >= $spray_min
                   AND count(*) FILTER (WHERE l.outcome = 'failure') > 2 * count(*) FILTER (WHERE l.outcome = 'success'))`;

const detectors: Record<DetectorName, (ctx: Context, rule: Rule) => Promise<Hit[]>> = {
  async spraying(ctx, rule) {
    const window = num(rule, 'window_minutes', 60) * 60_000;
    const found = await rows(ctx.con, `
      WITH ${SPRAYED_ADDRESSES},
      fl AS (SELECT u, t, ip FROM logins WHERE outcome = 'failure'),
      succ AS (SELECT u, t, ip, country FROM logins WHERE outcome = 'success'),
      recent AS (SELECT s.u, s.t, count(*) AS fails, count(DISTINCT f.ip) AS ips, min(f.t) AS first_fail
                 FROM succ s JOIN fl f ON f.u = s.u AND f.t BETWEEN s.t - $win AND s.t GROUP BY s.u, s.t),
      sprayed AS (SELECT s.u, s.t, max(sp.accts) AS accts FROM succ s JOIN spray sp ON sp.ip = s.ip AND s.t // 3600000 BETWEEN sp.hb AND sp.hb + 24 GROUP BY s.u, s.t)
      SELECT s.u, s.t::DOUBLE AS t, s.ip, s.country, coalesce(r.fails, 0)::DOUBLE AS fails, coalesce(r.ips, 0)::DOUBLE AS ips,
             coalesce(r.first_fail, s.t)::DOUBLE AS first_fail, coalesce(sd.accts, 0)::DOUBLE AS sprayed
      FROM succ s LEFT JOIN recent r ON r.u = s.u AND r.t = s.t LEFT JOIN sprayed sd ON sd.u = s.u AND sd.t = s.t
      WHERE (coalesce(r.fails, 0) >= $min_failures AND coalesce(r.ips, 0) >= $min_ips) OR sd.accts IS NOT NULL
      ORDER BY s.u, s.t, s.ip`, {
      spray_min: num(rule, 'spray_min_accounts', 5), win: window, min_failures: num(rule, 'min_failures', 5), min_ips: num(rule, 'min_ips', 3),
    });
    return firstPerDay(found).map((r) => ({
      rule, account: s(r.u), first: n(r.first_fail), last: n(r.t),
      vars: { fails: n(r.fails), ips: n(r.ips), window: window / 60_000, ip: s(r.ip), country: s(r.country) || '?', sprayed: n(r.sprayed) },
      baseline: {},
      evidence: { from: n(r.first_fail), to: n(r.t) + 30 * 60_000 },
    }));
  },

  async spray_target(ctx, rule) {
    const found = await rows(ctx.con, `
      WITH ${SPRAYED_ADDRESSES}
      SELECT l.u, count(*)::DOUBLE AS fails, count(DISTINCT l.ip)::DOUBLE AS ips, max(sp.accts)::DOUBLE AS sprayed, min(l.t)::DOUBLE AS first, max(l.t)::DOUBLE AS last,
             count(*) FILTER (WHERE l.outcome = 'success')::DOUBLE AS successes
      FROM logins l JOIN spray sp ON sp.ip = l.ip AND l.t // 3600000 BETWEEN sp.hb AND sp.hb + 24
      GROUP BY l.u ORDER BY l.u`, { spray_min: num(rule, 'spray_min_accounts', 5) });
    return found.filter((r) => n(r.successes) === 0).map((r) => ({
      rule, account: s(r.u), first: n(r.first), last: n(r.last),
      vars: { fails: n(r.fails), ips: n(r.ips), sprayed: n(r.sprayed) }, baseline: {},
      evidence: { from: n(r.first), to: n(r.last) },
    }));
  },

  async script_client(ctx, rule) {
    const minHistory = num(rule, 'min_history_days', 14) * DAY;
    // The pattern runs once per distinct (account, client), not once per event.
    const found = await rows(ctx.con, `
      WITH pairs AS (SELECT u, ua, ft, n FROM firsts WHERE kind = 'ua' AND ua IS NOT NULL),
      marked AS (SELECT *, regexp_matches(ua, $pattern) AS script FROM pairs)
      SELECT u, min(ft) FILTER (WHERE script)::DOUBLE AS fs, (min({'k': ft, 'v': ua}) FILTER (WHERE script)).v AS sua,
             (max({'k': n, 'v': ua}) FILTER (WHERE NOT script)).v AS usual
      FROM marked GROUP BY u ORDER BY u`, { pattern: str(rule, 'pattern', '(?i)(curl|wget|python)') });
    const hits: Hit[] = [];
    for (const r of found) {
      if (r.fs === null) continue;
      const u = s(r.u);
      const history = n(r.fs) - (ctx.firstSeen.get(u) ?? n(r.fs));
      if (history < minHistory) continue;
      hits.push({
        rule, account: u, first: n(r.fs), last: n(r.fs),
        vars: { ua: s(r.sua).slice(0, 80), history: days(history), usual: s(r.usual).slice(0, 80) || '?' },
        baseline: { usual_client: s(r.usual) },
        evidence: { from: n(r.fs), to: n(r.fs) + HOUR },
      });
    }
    return hits;
  },

  async impossible_travel(ctx, rule) {
    const maxMs = num(rule, 'max_hours', 3) * HOUR;
    // Events collapse into (account, hour, country) stretches first: the window then runs over
    // thousands of stretches per account instead of every event.
    const found = await rows(ctx.con, `
      WITH g AS (SELECT u, hb, country, min(t) AS ft, max(t) AS lt, min({'k': t, 'v': ip}).v AS fip, max({'k': t, 'v': ip}).v AS lip
                 FROM ev WHERE country IS NOT NULL AND outcome <> 'failure'
                   -- An account seen from one country only cannot travel: most accounts drop out here.
                   AND u IN (SELECT u FROM firsts WHERE kind = 'ip' AND country IS NOT NULL GROUP BY u HAVING min(country) <> max(country))
                 GROUP BY u, hb, country)
      SELECT u, ft::DOUBLE AS t, country, fip AS ip, plt::DOUBLE AS pt, pc, plip AS pip FROM (
        SELECT u, ft, country, fip, lag(lt) OVER w AS plt, lag(country) OVER w AS pc, lag(lip) OVER w AS plip
        FROM g WINDOW w AS (PARTITION BY u ORDER BY ft, country))
      WHERE pc IS NOT NULL AND country <> pc AND ft - plt < $max ORDER BY u, ft, country, ip`, { max: maxMs });
    return firstPerDay(found).map((r) => ({
      rule, account: s(r.u), first: n(r.pt), last: n(r.t),
      vars: { from: s(r.pc), to: s(r.country), from_ip: s(r.pip), to_ip: s(r.ip), minutes: Math.max(0, Math.round((n(r.t) - n(r.pt)) / 60_000)), max_hours: maxMs / HOUR },
      baseline: {},
      evidence: { from: n(r.pt) - 10 * 60_000, to: n(r.t) + 30 * 60_000 },
    }));
  },

  async concurrent_sessions(ctx, rule) {
    const window = num(rule, 'window_minutes', 10) * 60_000;
    // Within one time slot, activity from network A that starts before and ends after activity
    // from network B means A → B → A: two places at once.
    // Slots that divide the hour lie within one hour: only hours with two addresses can hold one,
    // and those are few, so the events of the other hours are skipped before grouping.
    const hourAligned = HOUR % window === 0;
    const found = await rows(ctx.con, `
      WITH g AS (SELECT e.u, e.t // $win AS slot, e.ip, min(e.t) AS ft, max(e.t) AS lt
                 FROM ev e SEMI JOIN (SELECT u, hb FROM uh WHERE multi_ip OR NOT $aligned) m ON m.u = e.u AND m.hb = e.hb
                 WHERE e.ip IS NOT NULL AND e.outcome <> 'failure' GROUP BY ALL),
      multi AS (SELECT u, slot FROM g GROUP BY u, slot HAVING count(*) > 1),
      gn AS (SELECT g.u, g.slot, net(g.ip) AS net, min(g.ft) AS ft, max(g.lt) AS lt FROM g JOIN multi m ON m.u = g.u AND m.slot = g.slot GROUP BY ALL)
      SELECT a.u, b.lt::DOUBLE AS t, a.net, b.net AS n1, a.ft::DOUBLE AS t2
      FROM gn a JOIN gn b ON a.u = b.u AND a.slot = b.slot AND a.net <> b.net AND a.ft < b.ft AND a.lt > b.lt
      ORDER BY a.u, t2, a.net, n1`, { win: window, aligned: hourAligned });
    const perDay = new Map<string, { r: Row; switches: number }>();
    for (const r of found) {
      const key = `${s(r.u)}|${days(n(r.t))}`;
      const entry = perDay.get(key);
      if (entry) entry.switches++;
      else perDay.set(key, { r, switches: 1 });
    }
    return [...perDay.values()].filter((e) => e.switches >= num(rule, 'min_switches', 1)).map(({ r, switches }) => ({
      rule, account: s(r.u), first: n(r.t2), last: n(r.t),
      vars: { net_a: s(r.net), net_b: s(r.n1), window: window / 60_000, switches }, baseline: {},
      evidence: { from: n(r.t2), to: n(r.t) },
    }));
  },

  async off_hours(ctx, rule) {
    const found = await rows(ctx.con, `
      WITH h AS (SELECT u, lhour, c FROM uhour),
      -- Each hour counts for itself and its two neighbours: three shifted copies, then one aggregation.
      shifts AS (SELECT * FROM (VALUES (-1), (0), (1)) v(k)),
      smooth AS (SELECT u, (lhour + k + 24) % 24 AS lhour, sum(c) AS c3 FROM h, shifts GROUP BY ALL),
      -- Only hours that are rare over the whole year can be rare once the day itself is left out.
      cand AS (SELECT sm.u, sm.lhour, sm.c3, a.n, a.days FROM smooth sm JOIN acct a ON a.u = sm.u WHERE sm.c3 < 0.05 * a.n AND a.days - 1 >= $min_days),
      -- Per day, the events at a rare hour and around it; the rest of the year stays untouched, and
      -- is left out before the shifted copies are made.
      near AS (SELECT DISTINCT c.u, (c.lhour - shifts.k + 24) % 24 AS lhour FROM cand c, shifts),
      dh AS (SELECT d.* FROM day_hour d SEMI JOIN near ON near.u = d.u AND near.lhour = d.lhour),
      dsm AS (SELECT d.u, d.lday, c.lhour, sum(d.c) AS d3, sum(d.c) FILTER (WHERE shifts.k = 0) AS xc,
                     min(d.ft) FILTER (WHERE shifts.k = 0) AS xft, max(d.lt) FILTER (WHERE shifts.k = 0) AS xlt
              FROM dh d CROSS JOIN shifts JOIN cand c ON c.u = d.u AND c.lhour = (d.lhour + shifts.k + 24) % 24
              GROUP BY ALL HAVING count(*) FILTER (WHERE shifts.k = 0) > 0),
      dt AS (SELECT d.u, d.lday, d.c AS dc FROM uday d SEMI JOIN dsm ON dsm.u = d.u AND dsm.lday = d.lday)
      SELECT d.u, d.lday::VARCHAR AS day, sum(d.xc)::DOUBLE AS events, min(d.xft)::DOUBLE AS ft, max(d.xlt)::DOUBLE AS lt, min(d.lhour)::DOUBLE AS h0, max(d.lhour)::DOUBLE AS h1,
             max((c.c3 - d.d3) / (c.n - dt.dc))::DOUBLE AS share, any_value(c.days - 1)::DOUBLE AS days
      FROM dsm d JOIN cand c ON c.u = d.u AND c.lhour = d.lhour JOIN dt ON dt.u = d.u AND dt.lday = d.lday
      WHERE c.n > dt.dc AND (c.c3 - d.d3) / (c.n - dt.dc) < $max_share
      GROUP BY d.u, d.lday HAVING sum(d.xc) >= $min_events ORDER BY d.u, day`, {
      max_share: num(rule, 'max_share', 0.005), min_days: num(rule, 'min_active_days', 20), min_events: num(rule, 'min_events', 5),
    });
    return found.map((r) => ({
      rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
      vars: { events: n(r.events), from: `${n(r.h0)} h`, to: `${n(r.h1) + 1} h`, share: round(n(r.share) * 100, 2), history: n(r.days) },
      baseline: { usual_share_percent: round(n(r.share) * 100, 2), active_days: n(r.days) },
      evidence: { from: n(r.ft), to: n(r.lt) },
    }));
  },

  async export_volume(ctx, rule) {
    const found = await rows(ctx.con, `
      WITH d AS (SELECT e.u, h.lday, sum(e.records) AS rec, min(e.t) AS ft, max(e.t) AS lt FROM ev e JOIN hours h ON h.hb = e.hb WHERE e.action = 'export' GROUP BY e.u, h.lday),
      w AS (SELECT *, max(rec) OVER (PARTITION BY u ORDER BY lday ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev FROM d),
      peers AS (SELECT quantile_cont(rec, 0.99) AS p99 FROM d)
      SELECT w.u, w.lday::VARCHAR AS day, w.rec::DOUBLE AS rec, coalesce(w.prev, 0)::DOUBLE AS prev, w.ft::DOUBLE AS ft, w.lt::DOUBLE AS lt,
             ((w.ft - a.first_t) / 86400000)::DOUBLE AS hist, peers.p99::DOUBLE AS p99
      FROM w JOIN acct a ON a.u = w.u CROSS JOIN peers
      WHERE w.ft - a.first_t >= $min_hist * 86400000 AND w.rec >= $min_records AND w.rec >= $ratio * coalesce(w.prev, 0)
      ORDER BY w.u, day`, { min_hist: num(rule, 'min_history_days', 14), min_records: num(rule, 'min_records', 500), ratio: num(rule, 'ratio', 5) });
    return found.map((r) => ({
      rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
      vars: { records: n(r.rec), day: s(r.day), previous: n(r.prev), history: Math.floor(n(r.hist)), peers: Math.round(n(r.p99)) },
      baseline: { previous_daily_max: n(r.prev), peers_p99: Math.round(n(r.p99)) },
      evidence: { from: n(r.ft), to: n(r.lt), byRecords: true },
    }));
  },

  async access_volume(ctx, rule) {
    const found = await rows(ctx.con, `
      WITH hc AS (SELECT u, hb, lday, lhour, vc AS c FROM uh WHERE vc > 0),
      -- Days with a view, counted on the per-day table: a distinct count over every hour costs more.
      vdays AS (SELECT u, count(*) AS days FROM uday WHERE vc > 0 GROUP BY u),
      base AS (SELECT q.u, q.p99, d.days FROM (SELECT u, quantile_cont(c, 0.99) AS p99 FROM hc GROUP BY u) q JOIN vdays d ON d.u = q.u),
      hit AS (SELECT hc.*, b.p99 FROM hc JOIN base b ON b.u = hc.u WHERE hc.c >= $min_events AND hc.c >= $ratio * b.p99 AND b.days >= $min_days),
      -- First and last view of the few hours kept, from their own events: the combinations of the
      -- accounts concerned are chosen first, so that only their events are grouped.
      vk AS (SELECT kid, u FROM k WHERE action IN ('view', 'search') AND u IN (SELECT u FROM hit)),
      span AS (SELECT vk.u, e.t // 3600000 AS hb, min(e.t) AS ft, max(e.t) AS lt FROM evt e JOIN vk ON vk.kid = e.kid GROUP BY ALL)
      SELECT hit.u, hit.lday::VARCHAR AS day, hit.lhour::DOUBLE AS hour, hit.c::DOUBLE AS c, sp.ft::DOUBLE AS ft, sp.lt::DOUBLE AS lt, hit.p99::DOUBLE AS p99
      FROM hit JOIN span sp ON sp.u = hit.u AND sp.hb = hit.hb ORDER BY hit.u, day, hour`, {
      min_events: num(rule, 'min_events', 40), ratio: num(rule, 'ratio', 4), min_days: num(rule, 'min_active_days', 10),
    });
    return found.map((r) => ({
      rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
      vars: { events: n(r.c), day: s(r.day), hour: n(r.hour), baseline: Math.round(n(r.p99)) },
      baseline: { hourly_p99: Math.round(n(r.p99)) },
      evidence: { from: n(r.ft), to: n(r.lt) },
    }));
  },

  async admin_out_of_pattern(ctx, rule) {
    const found = await rows(ctx.con, `
      WITH h AS (SELECT u, lhour, c FROM uhour),
      smooth AS (SELECT u, (lhour + k + 24) % 24 AS lhour, sum(c) AS c3 FROM h, (VALUES (-1), (0), (1)) v(k) GROUP BY ALL),
      netfirst AS (SELECT u, net(ip) AS net, min(ft) AS nf FROM (SELECT u, ip, min(ft) AS ft FROM firsts WHERE kind = 'ip' GROUP BY u, ip) GROUP BY ALL),
      adm AS (SELECT e.u, h.lday, h.lhour, e.ip, net(e.ip) AS net, e.c, e.ft, e.lt FROM (SELECT u, hb, ip, count(*) AS c, min(t) AS ft, max(t) AS lt FROM ev WHERE action = 'admin' GROUP BY ALL) e JOIN hours h ON h.hb = e.hb),
      dayc AS (SELECT d.u, d.lday, d.lhour, sum(d.c) AS c FROM day_hour d SEMI JOIN adm ON adm.u = d.u AND adm.lday = d.lday AND adm.lhour = d.lhour GROUP BY ALL),
      -- A network that several colleagues use within the week is the organisation's (an office move).
      peers AS (SELECT a.u, a.ft, a.net, count(DISTINCT n2.u) AS p FROM adm a JOIN netfirst n2 ON n2.net = a.net AND n2.u <> a.u AND n2.nf <= a.ft + 604800000 GROUP BY ALL)
      SELECT a.u, a.lday::VARCHAR AS day, a.lhour::DOUBLE AS hour, a.ip, a.c::DOUBLE AS c, a.ft::DOUBLE AS ft, a.lt::DOUBLE AS lt,
             ((s.c3 - coalesce(dc.c, 0)) / greatest(ac.n - coalesce(dc.c, 0), 1))::DOUBLE AS share,
             (nf.nf >= a.ft - 86400000 AND nf.nf > ac.first_t + 86400000 AND coalesce(pe.p, 0) + 1 < $shared) AS new_net
      FROM adm a JOIN smooth s ON s.u = a.u AND s.lhour = a.lhour JOIN acct ac ON ac.u = a.u
      LEFT JOIN dayc dc ON dc.u = a.u AND dc.lday = a.lday AND dc.lhour = a.lhour
      LEFT JOIN netfirst nf ON nf.u = a.u AND nf.net IS NOT DISTINCT FROM a.net
      LEFT JOIN peers pe ON pe.u = a.u AND pe.ft = a.ft AND pe.net IS NOT DISTINCT FROM a.net
      ORDER BY a.u, a.ft, a.ip`, { shared: num(rule, 'shared_accounts', 3) });
    const hits: Hit[] = [];
    for (const r of found) {
      const odd = n(r.share) < num(rule, 'max_share', 0.01);
      const newNet = r.new_net === true;
      if (!odd && !newNet) continue;
      const reasons = [odd ? `heure inhabituelle (${round(n(r.share) * 100, 2)} % de l’activité habituelle)` : '', newNet ? 'adresse jamais utilisée avant ce jour' : ''].filter(Boolean).join(' ; ');
      hits.push({
        rule, account: s(r.u), first: n(r.ft), last: n(r.lt),
        vars: { events: n(r.c), day: s(r.day), hour: n(r.hour), ip: s(r.ip) || '?', reasons },
        baseline: { usual_share_percent: round(n(r.share) * 100, 2) },
        evidence: { from: n(r.ft) - 10 * 60_000, to: n(r.lt) + 10 * 60_000 },
      });
    }
    return hits;
  },

  async new_account_same_ip(ctx, rule) {
    const found = await rows(ctx.con, `
      WITH fa AS (SELECT u, min(ft) AS ft, min({'k': ft, 'v': ip}).v AS ip FROM k GROUP BY u),
      ad AS (SELECT u AS admin, t, ip FROM ev WHERE action = 'admin' AND ip IS NOT NULL)
      SELECT fa.u, fa.ft::DOUBLE AS ft, fa.ip, ad.admin, max(ad.t)::DOUBLE AS at
      FROM fa JOIN ad ON ad.ip = fa.ip AND ad.admin <> fa.u AND fa.ft BETWEEN ad.t AND ad.t + $max
      GROUP BY ALL ORDER BY fa.u, ad.admin`, { max: num(rule, 'max_hours', 24) * HOUR });
    const hits: Hit[] = [];
    for (const r of found) {
      const vars = { created: s(r.u), admin: s(r.admin), ip: s(r.ip), minutes: Math.round((n(r.ft) - n(r.at)) / 60_000) };
      const evidence = { from: n(r.at) - 10 * 60_000, to: n(r.ft) + HOUR };
      hits.push({ rule, account: s(r.u), first: n(r.at), last: n(r.ft), vars, baseline: {}, evidence });
      hits.push({ rule, account: s(r.admin), first: n(r.at), last: n(r.ft), vars, baseline: {}, evidence: { from: n(r.at) - 10 * 60_000, to: n(r.at) + 10 * 60_000 } });
    }
    return hits;
  },
};

function firstPerDay(found: Row[]): Row[] {
  const seen = new Set<string>();
  return found.filter((r) => {
    const key = `${s(r.u)}|${days(n(r.t))}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Runs the rules, each on one of `connections` (default: the context's own) as it comes free:
 * the rule queries are independent reads of the same tables, and most are too small for DuckDB to
 * spread over both cores by itself. Hits come back in rule order whatever the timing.
 */
export async function runDetectors(ctx: Context, rules: Rule[], onRule?: (rule: Rule, index: number) => void, signal?: AbortSignal, timer?: Timer, connections: DuckDBConnection[] = [ctx.con]): Promise<Hit[]> {
  // Correlations may name any rule of the set, enabled or not: a building block need not generate.
  checkReferences(rules);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const enabled = rules.filter((r) => r.enabled && generates(r));
  const results: Hit[][] = new Array(enabled.length);
  let next = 0;
  const worker = async (con: DuckDBConnection) => {
    while (next < enabled.length) {
      const index = next++;
      const rule = enabled[index] as Rule;
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      onRule?.(rule, index);
      results[index] = isDeclarative(rule) ? await runDeclarative({ ...ctx, con }, rule, byId) : await detectors[rule.detector]({ ...ctx, con }, rule);
      timer?.mark(`rule ${rule.id}`);
    }
  };
  await Promise.all(connections.map(worker));
  return results.flat();
}
