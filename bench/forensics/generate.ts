// Deterministic synthetic year of application logs for 300 municipal agents, with injected
// compromises (ground truth) and benign patterns that must not look critical ("baits").
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { IANAZone } from 'luxon';

export interface GeneratedTruth {
  events: number;
  compromised: string[];
  baits: Record<string, string[]>;
  year: number;
}

export interface GenerateOptions {
  events: number;
  out: string;
  seed?: number;
  year?: number;
}

function rngFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LAST = ['martin', 'bernard', 'dubois', 'thomas', 'robert', 'richard', 'petit', 'durand', 'leroy', 'moreau', 'simon', 'laurent', 'lefebvre', 'michel', 'garcia', 'david', 'bertrand', 'roux', 'vincent', 'fournier'];
const FIRST = ['a', 'c', 'j', 'm', 'n', 'p', 's', 'l', 'e', 'f', 'h', 'r', 'v', 'd', 'g'];
const MODULES = ['main_courante', 'proces_verbaux', 'registre_accueil', 'registre_csu', 'stationnement_genant', 'fourriere'];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0',
];

type Role = 'service' | 'admin' | 'supervisor' | 'night' | 'newcomer' | 'leave' | 'day';
interface Agent {
  name: string;
  role: Role;
  office: number;
  host: number;
  browser: string;
  modules: string[];
  start: number; // first working day (day of year)
  leave: [number, number] | null;
  exporter: boolean;
}

interface Ev {
  t: number; // UTC ms
  user: string;
  ip: string;
  country: string;
  ua: string;
  action: string;
  outcome: 'success' | 'failure';
  module: string;
  records: number;
}

const zone = IANAZone.create('Europe/Paris');
function utcOf(year: number, dayOfYear: number, localMinutes: number): number {
  const wall = Date.UTC(year, 0, 1 + dayOfYear) + localMinutes * 60_000;
  return wall - zone.offset(wall - 2 * 3_600_000) * 60_000;
}

function officeIp(agent: Agent, day: number, moveDay: number): string {
  const moved = agent.office === 2 && day >= moveDay;
  return moved ? `10.20.2.${10 + agent.host}` : `10.10.${agent.office}.${10 + agent.host}`;
}

export function buildAgents(seed: number): Agent[] {
  const rng = rngFrom(seed ^ 0x5eed);
  const agents: Agent[] = [];
  for (let i = 0; i < 300; i++) {
    const role: Role = i === 0 ? 'service' : i <= 2 ? 'admin' : i <= 7 ? 'supervisor' : i <= 37 ? 'night' : i <= 47 ? 'newcomer' : i <= 57 ? 'leave' : 'day';
    const name = i === 0 ? 'svc.export-stats' : `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? i : ''}`;
    const count = 2 + Math.floor(rng() * 3);
    const modules = [...MODULES].sort(() => rng() - 0.5).slice(0, count);
    if (i % 60 === 5) modules.push('otv');
    if (role === 'admin') modules.push('administration');
    const leaveStart = 150 + Math.floor(rng() * 120);
    agents.push({
      name, role, office: i % 4, host: Math.floor(i / 4), browser: BROWSERS[i % BROWSERS.length] as string, modules,
      start: role === 'newcomer' ? 120 + Math.floor(rng() * 200) : 0,
      leave: role === 'leave' ? [leaveStart, leaveStart + 28 + Math.floor(rng() * 14)] : null,
      exporter: rng() < 0.3 || role === 'supervisor',
    });
  }
  return agents;
}

/** Writes NDJSON (nested ECS keys) sorted by time and returns the ground truth. */
export async function generate(options: GenerateOptions): Promise<GeneratedTruth> {
  const seed = options.seed ?? 42;
  const year = options.year ?? 2024;
  const agents = buildAgents(seed);
  const moveDay = 200;
  const days = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 86_400_000;
  const byIndex = (i: number) => agents[i] as Agent;
  // Victims are plain day agents; the admin is agent 1.
  const victims = { spray: byIndex(70), scripted: byIndex(91), travel: byIndex(133), night: byIndex(177), insider: byIndex(219) };
  const admin = byIndex(1);
  const ghost = 'tmp.support';
  const compromised = [victims.spray.name, victims.scripted.name, victims.travel.name, victims.night.name, victims.insider.name, admin.name, ghost];
  const baits: Record<string, string[]> = {
    service: [byIndex(0).name],
    night_shift: agents.filter((a) => a.role === 'night').map((a) => a.name),
    newcomer: agents.filter((a) => a.role === 'newcomer').map((a) => a.name),
    back_from_leave: agents.filter((a) => a.role === 'leave').map((a) => a.name),
    office_move: agents.filter((a) => a.office === 2 && a.role !== 'service' && !compromised.includes(a.name)).map((a) => a.name),
    supervisor_stats: agents.filter((a) => a.role === 'supervisor').map((a) => a.name),
  };

  // Sessions per agent-day, drawn from their own stream so that the count does not depend on size.
  const worksOn = (a: Agent, day: number, rng: () => number): number => {
    if (a.role === 'service') return 0;
    if (day < a.start) return 0;
    if (a.leave && day >= a.leave[0] && day < a.leave[1]) return 0;
    const weekday = new Date(Date.UTC(year, 0, 1 + day)).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    if (a.role === 'night') return rng() < (weekend ? 0.4 : 0.7) ? 1 : 0;
    if (weekend) return rng() < 0.05 ? 1 : 0;
    if (rng() < 0.08) return 0; // day off
    return rng() < 0.4 ? 2 : 1;
  };
  let sessions = 0;
  {
    const rng = rngFrom(seed ^ 0xda7);
    for (let d = 0; d < days; d++) for (const a of agents) sessions += worksOn(a, d, rng);
  }
  const fixed = days * 96;
  const perSession = Math.max(1, (options.events - fixed) / sessions - 2);

  const out = createWriteStream(options.out);
  let written = 0;
  const schedule = rngFrom(seed ^ 0xda7);
  const rng = rngFrom(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rng() * list.length)] as T;
  const push = (list: Ev[], e: Ev) => list.push(e);
  const plain = (a: Agent, t: number, ip: string, action: string, module: string, records: number, outcome: 'success' | 'failure' = 'success'): Ev => ({ t, user: a.name, ip, country: 'FR', ua: a.browser, action, outcome, module, records });

  const spawnSession = (list: Ev[], a: Agent, t0: number, ip: string, mean: number) => {
    if (rng() < 0.05) push(list, plain(a, t0 - 40_000, ip, 'login', '', 0, 'failure'));
    push(list, plain(a, t0, ip, 'login', '', 0));
    const n = Math.max(0, Math.round(mean * (0.5 + rng())));
    let t = t0;
    const step = Math.max(1000, Math.floor((4 * 3_600_000) / Math.max(1, n)));
    for (let k = 0; k < n; k++) {
      t += Math.floor(step * (0.2 + rng() * 1.6));
      const r = rng();
      const module = pick(a.modules.filter((m) => m !== 'administration').length > 0 ? a.modules.filter((m) => m !== 'administration') : MODULES);
      if (r < 0.6) push(list, plain(a, t, ip, 'view', module, 1));
      else if (r < 0.8) push(list, plain(a, t, ip, 'search', module, Math.floor(rng() * 20)));
      else if (r < 0.9) push(list, plain(a, t, ip, 'create', module, 1));
      else if (r < 0.97) push(list, plain(a, t, ip, 'update', module, 1));
      else if (r < 0.985 || !a.exporter) push(list, plain(a, t, ip, 'print', module, 1));
      else push(list, plain(a, t, ip, 'export', module, 10 + Math.floor(rng() * 190)));
    }
    push(list, plain(a, t + 60_000, ip, 'logout', '', 0));
  };

  const attackBurst = (list: Ev[], user: string, t0: number, ip: string, country: string, ua: string, module: string, views: number, exportRecords: number) => {
    push(list, { t: t0, user, ip, country, ua, action: 'login', outcome: 'success', module: '', records: 0 });
    for (let k = 1; k <= views; k++) push(list, { t: t0 + k * 3000, user, ip, country, ua, action: k % 4 === 0 ? 'search' : 'view', outcome: 'success', module, records: k % 4 === 0 ? 20 : 1 });
    if (exportRecords > 0) push(list, { t: t0 + (views + 2) * 3000, user, ip, country, ua, action: 'export', outcome: 'success', module, records: exportRecords });
  };

  for (let d = 0; d < days; d++) {
    const list: Ev[] = [];
    const weekday = new Date(Date.UTC(year, 0, 1 + d)).getUTCDay();
    // Service account: an export every 15 minutes, day and night, from its server.
    const svc = byIndex(0);
    for (let q = 0; q < 96; q++) list.push({ t: utcOf(year, d, q * 15) + 5000, user: svc.name, ip: '10.0.0.5', country: 'FR', ua: 'rempart-stats/1.2 (python-requests/2.31)', action: 'export', outcome: 'success', module: 'main_courante', records: 40 + Math.floor(rng() * 30) });
    for (const a of agents) {
      const n = worksOn(a, d, schedule);
      for (let s = 0; s < n; s++) {
        const startMin = a.role === 'night' ? 20 * 60 + Math.floor(rng() * 120) + s * 240 : 7 * 60 + 30 + Math.floor(rng() * 90) + s * 300;
        spawnSession(list, a, utcOf(year, d, startMin), officeIp(a, d, moveDay), perSession);
      }
      // Supervisors: statistics export on the first Monday of each month.
      if (a.role === 'supervisor' && weekday === 1 && new Date(Date.UTC(year, 0, 1 + d)).getUTCDate() <= 7) {
        list.push(plain(a, utcOf(year, d, 9 * 60 + 5), officeIp(a, d, moveDay), 'export', 'main_courante', 1800 + Math.floor(rng() * 400)));
      }
    }
    // Injected compromises.
    if (d === 230) {
      const base = utcOf(year, d, 3 * 60 + 10);
      const sprayIps = Array.from({ length: 15 }, (_, i) => `185.220.${100 + i}.${7 + i}`);
      for (let k = 0; k < 40; k++) {
        const target = byIndex(60 + (k % 25));
        list.push({ t: base + k * 25_000, user: target.name, ip: sprayIps[k % 15] as string, country: k % 3 === 0 ? 'RU' : 'NL', ua: 'python-requests/2.31', action: 'login', outcome: 'failure', module: '', records: 0 });
      }
      for (let k = 0; k < 6; k++) list.push({ t: base + 1_000_000 + k * 20_000, user: victims.spray.name, ip: sprayIps[k] as string, country: 'NL', ua: 'python-requests/2.31', action: 'login', outcome: 'failure', module: '', records: 0 });
      attackBurst(list, victims.spray.name, base + 1_200_000, sprayIps[3] as string, 'NL', 'python-requests/2.31', 'otv', 60, 5000);
    }
    if (d === 250) attackBurst(list, victims.scripted.name, utcOf(year, d, 14 * 60 + 12), '194.5.83.21', 'NL', 'curl/8.5.0', 'main_courante', 200, 3000);
    if (d === 275) {
      const t = utcOf(year, d, 10 * 60 + 40);
      list.push(plain(victims.travel, t - 1_800_000, officeIp(victims.travel, d, moveDay), 'login', '', 0));
      list.push(plain(victims.travel, t - 1_700_000, officeIp(victims.travel, d, moveDay), 'view', victims.travel.modules[0] as string, 1));
      attackBurst(list, victims.travel.name, t, '3.91.12.44', 'US', victims.travel.browser, victims.travel.modules[0] as string, 40, 1500);
    }
    if (d === 300) attackBurst(list, victims.night.name, utcOf(year, d, 2 * 60 + 30), '90.12.77.140', 'FR', victims.night.browser, 'otv', 80, 800);
    if (d === 320) {
      const t = utcOf(year, d, 23 * 60 + 50);
      list.push({ t, user: admin.name, ip: '45.84.137.9', country: 'FR', ua: admin.browser, action: 'login', outcome: 'success', module: '', records: 0 });
      list.push({ t: t + 60_000, user: admin.name, ip: '45.84.137.9', country: 'FR', ua: admin.browser, action: 'admin', outcome: 'success', module: 'administration', records: 1 });
      list.push({ t: t + 90_000, user: admin.name, ip: '45.84.137.9', country: 'FR', ua: admin.browser, action: 'admin', outcome: 'success', module: 'administration', records: 1 });
      attackBurst(list, ghost, t + 300_000, '45.84.137.9', 'FR', admin.browser, 'main_courante', 30, 2000);
    }
    if (d === 340) {
      const t = utcOf(year, d, 15 * 60);
      const ip = officeIp(victims.insider, d, moveDay);
      list.push(plain(victims.insider, t, ip, 'login', '', 0));
      list.push(plain(victims.insider, t + 60_000, ip, 'export', 'main_courante', 20_000));
      list.push(plain(victims.insider, t + 120_000, ip, 'export', 'main_courante', 15_000));
    }
    // Admins do routine administration during office hours, from their usual workstation.
    if (weekday >= 1 && weekday <= 5) for (const a of [byIndex(1), byIndex(2)]) if (rng() < 0.3) list.push(plain(a, utcOf(year, d, 10 * 60 + Math.floor(rng() * 300)), officeIp(a, d, moveDay), 'admin', 'administration', 1));

    list.sort((x, y) => x.t - y.t || (x.user < y.user ? -1 : x.user > y.user ? 1 : 0));
    const parts: string[] = [];
    for (const e of list) {
      parts.push(`{"@timestamp":"${new Date(e.t).toISOString()}","user":{"name":"${e.user}"},"source":{"ip":"${e.ip}","geo":{"country_iso_code":"${e.country}"}},"user_agent":{"original":"${e.ua}"},"event":{"action":"${e.action}","outcome":"${e.outcome}"},"app":{"module":"${e.module}"},"records":${e.records}}\n`);
    }
    written += list.length;
    if (!out.write(parts.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { events: written, compromised, baits, year };
}
