// A small, deterministic activity log for tests and the demo path: a dozen agents working office
// hours for two months, and one account taken over (password guessing from abroad, a script, a
// large export from a module it never used). Canonical NDJSON or the French vendor CSV layout.
import iconv from 'iconv-lite';

export interface FixtureEvent {
  t: number;
  user: string;
  ip: string;
  country: string;
  ua: string;
  action: string;
  outcome: 'success' | 'failure';
  module: string;
  records: number;
}

export const FIXTURE_VICTIM = 'c.durand';
const AGENTS = ['a.martin', 'b.bernard', FIXTURE_VICTIM, 'd.dubois', 'e.thomas', 'f.robert', 'g.richard', 'h.petit', 'j.leroy', 'k.moreau', 'l.simon', 'm.laurent'];
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const MODULES = ['main_courante', 'proces_verbaux', 'registre_accueil'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events sorted by time; `days` working days from 2024-03-04 (Paris is UTC+1/+2: office hours are 07–16 UTC). */
export function fixtureEvents(options: { days?: number; seed?: number } = {}): FixtureEvent[] {
  const days = options.days ?? 60;
  const random = rng(options.seed ?? 7);
  const start = Date.UTC(2024, 2, 4);
  const events: FixtureEvent[] = [];
  for (let d = 0; d < days; d++) {
    const day = start + d * 86_400_000;
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    AGENTS.forEach((user, i) => {
      if (random() < 0.1) return;
      const ip = `10.1.0.${10 + i}`;
      const module = MODULES[i % MODULES.length]!;
      let t = day + (7 * 60 + Math.floor(random() * 90)) * 60_000;
      const base = { user, ip, country: 'FR', ua: BROWSER, module };
      events.push({ ...base, t, action: 'login', outcome: 'success', records: 0 });
      const actions = 6 + Math.floor(random() * 10);
      for (let k = 0; k < actions; k++) {
        t += (10 + Math.floor(random() * 40)) * 60_000;
        const action = random() < 0.6 ? 'view' : random() < 0.8 ? 'search' : 'update';
        events.push({ ...base, t, action, outcome: 'success', records: action === 'search' ? 5 + Math.floor(random() * 20) : 1 });
      }
      events.push({ ...base, t: t + 600_000, action: 'logout', outcome: 'success', records: 0 });
    });
  }
  // The takeover, on the last night, at 03:10 Paris: guessing from many addresses, then a script reads and exports.
  const night = start + (days - 1) * 86_400_000 + 2 * 3_600_000 + 10 * 60_000;
  for (let k = 0; k < 40; k++) {
    events.push({ t: night + k * 20_000, user: FIXTURE_VICTIM, ip: `185.220.101.${k % 20}`, country: 'RU', ua: 'python-requests/2.31', action: 'login', outcome: 'failure', module: 'main_courante', records: 0 });
  }
  const attacker = { user: FIXTURE_VICTIM, ip: '185.220.101.7', country: 'RU', ua: 'python-requests/2.31' };
  let t = night + 40 * 20_000 + 5_000;
  events.push({ ...attacker, t, action: 'login', outcome: 'success', module: 'main_courante', records: 0 });
  for (let k = 0; k < 60; k++) events.push({ ...attacker, t: (t += 3_000), action: 'view', outcome: 'success', module: 'otv', records: 1 });
  events.push({ ...attacker, t: t + 10_000, action: 'export', outcome: 'success', module: 'otv', records: 6400 });
  return events.sort((a, b) => a.t - b.t || a.user.localeCompare(b.user));
}

export function fixtureNdjson(events: FixtureEvent[]): string {
  return events.map((e) => JSON.stringify({
    '@timestamp': new Date(e.t).toISOString(), user: { name: e.user }, source: { ip: e.ip, geo: { country_iso_code: e.country } },
    user_agent: { original: e.ua }, event: { action: e.action, outcome: e.outcome }, app: { module: e.module }, records: e.records,
  })).join('\n') + '\n';
}

const FR_ACTION: Record<string, string> = { login: 'Connexion', logout: 'Déconnexion', view: 'Consultation', search: 'Recherche', update: 'Modification', export: 'Export' };

/** The vendor layout of issue 3 (packages/forensics/mappings/editeur-fr.yml): Windows-1252, `;`, Paris date and time in two columns. */
export function fixtureVendorCsv(events: FixtureEvent[]): Buffer {
  const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const lines = ['Date;Heure;Utilisateur;Adresse IP;Pays;Action;Résultat;Module;Nb enregistrements;Navigateur'];
  for (const e of events) {
    const [date, time] = paris.format(new Date(e.t)).split(' ');
    const action = e.action === 'login' && e.outcome === 'failure' ? 'Echec connexion' : FR_ACTION[e.action] ?? e.action;
    lines.push([date, time, e.user, e.ip, e.country, action, e.outcome === 'success' ? 'OK' : 'KO', e.module, String(e.records), `"${e.ua.replace(/"/g, '""')}"`].join(';'));
  }
  return iconv.encode(lines.join('\r\n') + '\r\n', 'windows-1252');
}
