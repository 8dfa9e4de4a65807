// The three output files: findings.json, findings.csv (one row per finding) and a self-contained
// report.html with a timeline per flagged account. Same result in, same bytes out: no run date,
// no durations, fixed ordering.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { AccountResult, ScanResult } from './scan.ts';
import type { Severity } from './rules.ts';
import { spreadsheetCell } from '@rempart/ingest/spreadsheet';
import { parisDayOf, parisShown } from './paris.ts';

const LABEL: Record<Severity, string> = { low: 'Faible', medium: 'Moyenne', high: 'Élevée', critical: 'Critique' };

export function findingsJson(result: ScanResult): string {
  return `${JSON.stringify({ summary: result.summary, accounts: result.accounts }, null, 2)}\n`;
}

/** `;`-separated with a UTF-8 BOM, as French spreadsheets expect. */
export function findingsCsv(result: ScanResult): string {
  const header = ['compte', 'score_compte', 'gravite_compte', 'regle', 'gravite', 'debut', 'fin', 'evenements', 'explication', 'a_faire'];
  const lines = [header.join(';')];
  for (const a of result.accounts) {
    for (const f of a.findings) {
      lines.push([a.account, a.score, a.severity, f.rule, f.severity, f.first, f.last, f.event_count, f.explanation, f.advice].map((v) => spreadsheetCell(v)).join(';'));
    }
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function esc(text: string | number | null | undefined): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function dayIndex(day: string, origin: number): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - origin) / 86_400_000);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `18/08/2024 03:14:10`: how people read times in the report (Paris time). */
function shown(iso: string | null): string {
  if (!iso) return '—';
  return parisShown(iso);
}

const parisDay = parisDayOf;

/** Month ticks of the time axis: every chart of a report shares the same span, so they are computed once. */
const ticksBySpan = new Map<string, { i: number; label: string }[]>();
function monthTicks(first: string, origin: number, totalDays: number): { i: number; label: string }[] {
  const key = `${first}|${origin}|${totalDays}`;
  let ticks = ticksBySpan.get(key);
  if (!ticks) {
    ticks = [];
    for (let m = DateTime.fromISO(first).startOf('month'); m.toMillis() <= origin + totalDays * 86_400_000; m = m.plus({ months: 1 })) {
      const i = (m.toMillis() - origin) / 86_400_000;
      if (i < 0) continue;
      ticks.push({ i, label: m.setLocale('fr').toFormat('LLL yy') });
    }
    if (ticksBySpan.size > 16) ticksBySpan.clear();
    ticksBySpan.set(key, ticks);
  }
  return ticks;
}

function chart(account: AccountResult, series: { day: string; events: number }[], span: { first: string; last: string }, id: number): string {
  const width = 760;
  const height = 150;
  const left = 44;
  const bottom = 22;
  const first = parisDay(span.first);
  const origin = Date.parse(`${first}T00:00:00Z`);
  const totalDays = Math.max(1, dayIndex(parisDay(span.last), origin) + 1);
  const max = Math.max(1, ...series.map((p) => p.events));
  const base = median(series.map((p) => p.events));
  const plotW = width - left - 8;
  const plotH = height - bottom - 8;
  const x = (i: number) => left + (i / totalDays) * plotW;
  const y = (v: number) => 8 + plotH - (v / max) * plotH;
  const barW = Math.max(1, plotW / totalDays - 0.5);
  const bars = series.map((p) => {
    const i = dayIndex(p.day, origin);
    return `<rect x="${x(i).toFixed(1)}" y="${y(p.events).toFixed(1)}" width="${barW.toFixed(2)}" height="${(8 + plotH - y(p.events)).toFixed(1)}" class="bar"/>`;
  }).join('');
  const findingDays = [...new Set(account.findings.map((f) => parisDay(f.first)))].sort();
  const marks = findingDays.map((d) => {
    const i = dayIndex(d, origin);
    return `<line x1="${x(i + 0.5).toFixed(1)}" x2="${x(i + 0.5).toFixed(1)}" y1="8" y2="${8 + plotH}" class="mark"/><path d="M${x(i + 0.5).toFixed(1)} 2 l4 6 h-8 z" class="mark-head"/>`;
  }).join('');
  const months = monthTicks(first, origin, totalDays).map(({ i, label }) => `<text x="${x(i).toFixed(1)}" y="${height - 6}" class="axis">${esc(label)}</text>`);
  const desc = `Activité quotidienne de ${account.account} du ${first} au ${parisDay(span.last)} : au plus ${max} événements par jour, médiane ${base} ; signes relevés les ${findingDays.join(', ')}.`;
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="t${id} d${id}" class="chart">
<title id="t${id}">Chronologie de l’activité de ${esc(account.account)}</title><desc id="d${id}">${esc(desc)}</desc>
<text x="4" y="14" class="axis">${max}</text><text x="4" y="${8 + plotH}" class="axis">0</text>
${bars}<line x1="${left}" x2="${width - 8}" y1="${y(base).toFixed(1)}" y2="${y(base).toFixed(1)}" class="baseline"/>
${marks}${months.join('')}</svg>
<p class="legend"><span class="k bar-k"></span> événements par jour · <span class="k base-k"></span> habitude du compte (médiane ${esc(base)} par jour actif) · <span class="k mark-k">▼</span> jour d’un signe relevé</p>`;
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-top:2px solid #ccc;padding-top:1rem}h3{font-size:1.05rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eee}.sev{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;font-weight:700;border:2px solid}
.sev-critical{background:#fde8e8;border-color:#a4161a;color:#7a0d10}.sev-high{background:#fff1e0;border-color:#b35c00;color:#7a3e00}
.sev-medium{background:#fffbe0;border-color:#8a7300;color:#5c4d00}.sev-low{background:#eef3f8;border-color:#4a6785;color:#2d4156}
.chart{width:100%;height:auto;background:#fafafa;border:1px solid #ddd}.bar{fill:#4a6785}.baseline{stroke:#1b1b1b;stroke-dasharray:5 3;stroke-width:1.5}
.mark{stroke:#a4161a;stroke-width:1.5}.mark-head{fill:#a4161a}.axis{font-size:10px;fill:#333}.legend{font-size:.85rem}
.k{display:inline-block;width:1rem;height:.7rem;vertical-align:middle}.bar-k{background:#4a6785}.base-k{border-top:2px dashed #1b1b1b;height:0}.mark-k{color:#a4161a;width:auto}
.todo li{margin:.2rem 0}@media print{h2{page-break-before:always}}`;

export function reportHtml(result: ScanResult): string {
  const s = result.summary;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Rempart — analyse des journaux de connexion</title><style>${CSS}</style></head><body>`);
  parts.push('<h1>Analyse des journaux de connexion</h1>');
  parts.push(`<p>Période analysée : du ${esc(shown(s.time_span.first))} au ${esc(shown(s.time_span.last))} (heure de Paris). ${s.accounts} comptes, ${s.accepted.toLocaleString('fr-FR')} événements retenus sur ${s.lines_read.toLocaleString('fr-FR')} lignes lues ; ${s.rejected.toLocaleString('fr-FR')} lignes rejetées${s.outside_period > 0 ? `, ${s.outside_period.toLocaleString('fr-FR')} hors période` : ''}.</p>`);
  parts.push(`<table><caption>Comptes signalés par gravité</caption><tr>${(['critical', 'high', 'medium', 'low'] as Severity[]).map((k) => `<th scope="col">${LABEL[k]}</th>`).join('')}</tr><tr>${(['critical', 'high', 'medium', 'low'] as Severity[]).map((k) => `<td>${s.flagged[k]}</td>`).join('')}</tr></table>`);
  parts.push('<p>Comment lire ce rapport : chaque compte signalé réunit des signes (connexion depuis un pays ou un réseau jamais vus, outil automatique, export inhabituel…) jugés par rapport à <em>ses propres habitudes</em> et à celles de ses collègues. Le score additionne les signes ; la gravité dit quoi faire et quand. Un signe n’est pas une preuve : vérifiez avec l’agent avant de conclure, mais agissez d’abord pour les comptes critiques.</p>');
  if (result.accounts.length === 0) parts.push('<p>Aucun compte ne présente de signe de compromission selon les règles appliquées.</p>');
  else {
    parts.push('<table><caption>Comptes signalés, du plus au moins préoccupant</caption><tr><th scope="col">Compte</th><th scope="col">Gravité</th><th scope="col">Score</th><th scope="col">Résumé</th></tr>');
    result.accounts.forEach((a, i) => parts.push(`<tr><td><a href="#c${i}">${esc(a.account)}</a></td><td><span class="sev sev-${a.severity}">${LABEL[a.severity]}</span></td><td>${a.score}</td><td>${esc(a.summary)}</td></tr>`));
    parts.push('</table>');
  }
  if (s.rejected > 0) {
    parts.push(`<h2>Lignes rejetées</h2><p>${Object.entries(s.rejected_by_reason).map(([k, v]) => `${esc(k)} : ${v}`).join(' ; ')}</p><ul>`);
    for (const r of s.first_rejected) parts.push(`<li>${esc(r.file)}, ligne ${esc(r.line ?? '?')}${r.field ? `, champ ${esc(r.field)}` : ''} : ${esc(r.message)}</li>`);
    parts.push('</ul>');
  }
  result.accounts.forEach((a, i) => {
    parts.push(`<h2 id="c${i}">${esc(a.account)} <span class="sev sev-${a.severity}">${LABEL[a.severity]}</span> <small>score ${a.score}</small></h2><p><strong>${esc(a.summary)}</strong></p>`);
    const series = result.series[a.account] ?? [];
    if (s.time_span.first && s.time_span.last) parts.push(chart(a, series, { first: s.time_span.first, last: s.time_span.last }, i));
    parts.push('<h3>Que faire</h3><ul class="todo">');
    const todo = new Set<string>();
    if (a.severity === 'critical' || a.severity === 'high') {
      todo.add('Désactiver le compte ou fermer ses sessions, puis réinitialiser son mot de passe.');
      todo.add('Vérifier les exports et impressions faits depuis le premier signe, et où les fichiers sont allés.');
    }
    for (const f of a.findings) todo.add(f.advice);
    todo.add('Consigner la décision dans la main courante de l’incident.');
    for (const t of todo) parts.push(`<li>${esc(t)}</li>`);
    parts.push('</ul>');
    for (const f of a.findings) {
      parts.push(`<h3>${esc(f.title)} <span class="sev sev-${f.severity}">${LABEL[f.severity]}</span></h3><p>${esc(f.explanation)}</p><p><small>Du ${esc(shown(f.first))} au ${esc(shown(f.last))} — ${f.event_count} événement(s) dans la fenêtre${f.events.length < f.event_count ? `, ${f.events.length} montrés` : ''}. Règle <code>${esc(f.rule)}</code>.</small></p>`);
      if (f.events.length > 0) {
        parts.push('<table><tr><th scope="col">Heure (Paris)</th><th scope="col">Action</th><th scope="col">Résultat</th><th scope="col">Module</th><th scope="col">Fiches</th><th scope="col">IP</th><th scope="col">Pays</th><th scope="col">Client</th></tr>');
        for (const e of f.events) parts.push(`<tr><td>${esc(shown(e['@timestamp']))}</td><td>${esc(e.action)}</td><td>${esc(e.outcome)}</td><td>${esc(e.module)}</td><td>${e.records}</td><td>${esc(e.ip)}</td><td>${esc(e.country)}</td><td>${esc((e.user_agent ?? '').slice(0, 60))}</td></tr>`);
        parts.push('</table>');
      }
    }
  });
  parts.push(`<h2>Règles appliquées</h2><p>${s.rules.map(esc).join(', ')}.</p><p><small>Rapport produit par Rempart. Les dates sont en heure de Paris. Un signe n’est pas une preuve : chaque compte signalé se vérifie avec l’agent et son encadrement.</small></p></body></html>\n`);
  return parts.join('\n');
}

export function writeOutputs(result: ScanResult, dir: string): { json: string; csv: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, 'findings.json'), csv: join(dir, 'findings.csv'), html: join(dir, 'report.html') };
  writeFileSync(paths.json, findingsJson(result));
  writeFileSync(paths.csv, findingsCsv(result));
  writeFileSync(paths.html, reportHtml(result));
  return paths;
}
