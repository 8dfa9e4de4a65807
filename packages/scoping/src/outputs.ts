// Files a DPO hands on: CSVs, summary.json, report.html and the notification pack. Same input,
// same bytes: every list is sorted and the PDF carries fixed dates.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type { Risk, ScopePerson, ScopeResult } from './engine.ts';
import { FIELD_LABELS, LEVELS } from './resolve.ts';
import { spreadsheetCell } from '@rempart/ingest/spreadsheet';

export interface PackOptions { organisation: string; dpoContact: string; incidentDate?: string }

export const EMAIL_SUBJECT = 'Fuite de données personnelles vous concernant';

const csv = (rows: unknown[][]) => rows.map((r) => r.map((v) => spreadsheetCell(v, ',')).join(',')).join('\n') + '\n';
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const RISK_FR: Record<Risk, string> = {
  phishing: 'hameçonnage', identity_theft: 'usurpation d’identité', burglary: 'cambriolage', retaliation: 'représailles', vehicle_fraud: 'fraude au véhicule', sensitive: 'données d’infraction',
};
const ADVICE: Record<Risk, string> = {
  phishing: 'Ne communiquez jamais de code, de mot de passe ni de coordonnées bancaires par téléphone, SMS ou courriel, même si l’interlocuteur se présente comme policier ou agent municipal. Raccrochez et rappelez la mairie au numéro officiel.',
  identity_theft: 'Surveillez vos relevés bancaires et votre courrier ; en cas de doute, signalez-le sur la plateforme officielle de lutte contre la fraude et déposez plainte.',
  burglary: 'Pendant vos absences, faites relever votre courrier et signalez tout repérage suspect à la police municipale.',
  retaliation: 'Si vous vous sentez menacé, contactez la police ou la gendarmerie (17) ; nous pouvons vous mettre en relation avec une association d’aide aux victimes.',
  vehicle_fraud: 'Si vous recevez un avis de contravention pour une infraction que vous n’avez pas commise, contestez-le en signalant cette fuite.',
  sensitive: 'Vous pouvez demander à la CNIL et à la commune quelles données vous concernant ont été exposées.',
};
const CAT_FR: Record<string, string> = { identity: 'identité', birth: 'date ou lieu de naissance', contact: 'téléphone ou courriel', address: 'adresse', vehicle: 'immatriculation', absence: 'dates d’absence', offence: 'infraction', facts: 'récit des faits', other: 'autres informations' };

export function letterText(p: ScopePerson, o: PackOptions): string[] {
  const who = p.minor ? `Aux représentants légaux de ${p.firstName} ${p.lastName}` : `${p.firstName} ${p.lastName}`;
  const paras = [
    who,
    `Madame, Monsieur,`,
    `${o.organisation} a été victime d’une attaque informatique${o.incidentDate ? ` le ${o.incidentDate}` : ''}. Des fichiers de la police municipale ont été copiés par les attaquants.`,
    `Les informations ${p.minor ? 'concernant votre enfant' : 'vous concernant'} qui figuraient dans ces fichiers sont : ${p.categories.map((c) => CAT_FR[c]).join(', ')}.`,
  ];
  for (const r of p.risks) paras.push(`Risque de ${RISK_FR[r.risk]} : ${r.reason} Ce que nous vous conseillons : ${ADVICE[r.risk]}`);
  if (!p.risks.length) paras.push('Nous n’avons pas identifié de risque particulier pour vous, mais nous vous devons cette information.');
  paras.push(`Pour toute question, ou pour exercer vos droits, contactez notre délégué à la protection des données : ${o.dpoContact}.`);
  return paras;
}

/** The email body: the letter's paragraphs as plain text. */
export function emailText(p: ScopePerson, o: PackOptions): string {
  return letterText(p, o).join('\n\n');
}

export function smsText(p: ScopePerson, o: PackOptions): string {
  const main = p.risks.some((r) => r.risk === 'phishing') ? ' Méfiez-vous des appels se présentant comme la police.' : '';
  return `${o.organisation} : vos données figuraient dans des fichiers volés lors d’une cyberattaque.${main} Un courrier suit. Contact : ${o.dpoContact}`;
}

/** What `rempart scope notify` sends: one JSON line per person reachable by email or SMS (mobile). */
export interface NotificationLine { person_id: string; minor: boolean; email: string | null; subject: string | null; email_text: string | null; mobile: string | null; sms_text: string | null }
export const NOTIFICATIONS_FILE = 'notifications.ndjson';

export function notificationsNdjson(persons: ScopePerson[], o: PackOptions): string {
  return persons.filter((p) => p.email || p.phone?.mobile).map((p) => {
    const line: NotificationLine = {
      person_id: p.id, minor: p.minor,
      email: p.email || null, subject: p.email ? EMAIL_SUBJECT : null, email_text: p.email ? emailText(p, o) : null,
      mobile: p.phone?.mobile ? p.phone.e164 : null, sms_text: p.phone?.mobile ? smsText(p, o) : null,
    };
    return `${JSON.stringify(line)}\n`;
  }).join('');
}

/**
 * The letters as one PDF written to `out` as persons come: pdfkit flushes each finished page, so an
 * async source (the platform's sealed segments) is never held whole in memory.
 */
export async function streamLettersPdf(persons: Iterable<ScopePerson> | AsyncIterable<ScopePerson>, out: Writable, o: PackOptions, date: string): Promise<number> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: 'Courriers de notification', Producer: 'Rempart', Creator: 'Rempart', CreationDate: new Date(`${date}T00:00:00Z`), ModDate: new Date(`${date}T00:00:00Z`) } });
  const finished = new Promise<void>((res, rej) => { out.on('finish', res); out.on('error', rej); });
  doc.pipe(out);
  let letters = 0;
  try {
    for await (const p of persons) {
      if (!p.postal) continue;
      if (letters) doc.addPage();
      letters++;
      doc.font('Helvetica').fontSize(10).text(`Réf. ${p.id}`, { align: 'right' });
      doc.moveDown().text(p.minor ? `Aux représentants légaux de ${p.firstName} ${p.lastName}` : `${p.firstName} ${p.lastName}`).text(p.postal.address).text(`${p.postal.postcode} ${p.postal.city}`).moveDown(2);
      doc.font('Helvetica-Bold').fontSize(12).text('Objet : fuite de données personnelles vous concernant').moveDown();
      doc.font('Helvetica').fontSize(11);
      for (const para of letterText(p, o).slice(1)) doc.text(para, { align: 'justify' }).moveDown(0.6);
    }
  } catch (e) {
    doc.unpipe(out);
    out.destroy(e as Error);
    throw e;
  }
  if (!letters) doc.text('Aucune personne joignable par courrier.');
  doc.end();
  await finished;
  return letters;
}

export async function writeLettersPdf(persons: Iterable<ScopePerson> | AsyncIterable<ScopePerson>, path: string, o: PackOptions, date: string): Promise<number> {
  return streamLettersPdf(persons, createWriteStream(path), o, date);
}

export async function writeOutputs(result: ScopeResult, dir: string, o: PackOptions): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, text: string) => { writeFileSync(join(dir, name), text); files.push(name); };
  put('assignments.csv', csv([['record_id', 'person_id'], ...result.records.filter((r) => r.inPerimeter).map((r) => [r.recordId, result.personOf.get(r.index)])]));
  put('persons.csv', csv([['person_id', 'name', 'birth_date', 'records', 'modules', 'roles', 'categories', 'risks', 'channels', 'minor'],
    ...result.persons.map((p) => [p.id, `${p.lastName} ${p.firstName}`.trim(), p.birthDate, p.records.map((i) => result.records[i]!.recordId).join('|'), p.modules.join('|'), p.roles.join('|'), p.categories.join('|'), p.risks.map((r) => r.risk).join('|'),
      [p.phone?.mobile ? 'sms' : p.phone ? 'telephone' : '', p.email ? 'email' : '', p.postal ? 'courrier' : ''].filter(Boolean).join('|'), p.minor ? 'oui' : 'non'])]));
  put('summary.json', `${JSON.stringify(result.summary, null, 2)}\n`);
  const rid = (i: number) => result.records[i]!.recordId;
  put('review.csv', csv([['record_a', 'record_b', 'probability', 'refused', 'explanation'], ...result.review.map((p) => [rid(p.a), rid(p.b), p.probability.toFixed(4), p.refused ?? '', [...(p.attached ? [p.attached] : []), ...p.evidence.filter((e) => e.level !== LEVELS[e.field].at(-1)).map((e) => `${FIELD_LABELS[e.field]} ${e.level} (${e.weight >= 0 ? '+' : ''}${e.weight})`)].join('; ')])]));
  put('sms.csv', csv([['person_id', 'phone', 'message'], ...result.persons.filter((p) => p.phone?.mobile).map((p) => [p.id, p.phone!.e164, smsText(p, o)])]));
  put('emails.csv', csv([['person_id', 'email', 'subject', 'body'], ...result.persons.filter((p) => p.email).map((p) => [p.id, p.email, EMAIL_SUBJECT, emailText(p, o)])]));
  put(NOTIFICATIONS_FILE, notificationsNdjson(result.persons, o));
  await writeLettersPdf(result.persons, join(dir, 'letters.pdf'), o, String(result.summary.notification_date));
  files.push('letters.pdf');
  put('report.html', reportHtml(result, o));
  return files;
}

function bars(title: string, data: Record<string, number>, labels: Record<string, string> = {}): string {
  const max = Math.max(1, ...Object.values(data));
  const rows = Object.entries(data).map(([k, v]) => `<tr><th scope="row">${esc(labels[k] ?? k)}</th><td>${v.toLocaleString('fr-FR')}</td><td><div class="bar" style="width:${Math.round((v / max) * 100)}%"></div></td></tr>`).join('');
  return `<h2>${esc(title)}</h2><table><tbody>${rows}</tbody></table>`;
}

export function reportHtml(result: ScopeResult, o: PackOptions): string {
  const s = result.summary as Record<string, any>;
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Périmètre de la fuite — ${esc(o.organisation)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #ddd}.bar{background:#000091;height:.8rem}.big{font-size:2rem;font-weight:700}</style></head><body>
<h1>Périmètre de la fuite de données</h1>
<p class="big">${s.persons.toLocaleString('fr-FR')} personnes distinctes</p>
<p>Entre ${s.persons_range[0].toLocaleString('fr-FR')} et ${s.persons_range[1].toLocaleString('fr-FR')} selon le seuil retenu pour rapprocher deux lignes (seuil strict : plus de personnes ; seuil large : moins). ${s.records.toLocaleString('fr-FR')} lignes dans le périmètre, ${s.rejected_rows.toLocaleString('fr-FR')} lignes rejetées, ${s.review_pairs.toLocaleString('fr-FR')} rapprochements incertains à vérifier (review.csv).</p>
<h2>Comment lire ce rapport</h2><p>Une même personne apparaît dans plusieurs dossiers, parfois écrite différemment. Les lignes ont été regroupées en comparant nom, prénom, date de naissance, téléphone, courriel et adresse ; deux dates de naissance incompatibles ou deux prénoms incompatibles empêchent toujours un regroupement. Les chiffres par catégorie, rôle et risque comptent des personnes.</p>
${bars('Personnes par module', s.by_module)}${bars('Personnes par catégorie de données', s.by_category, { identity: 'identité', birth: 'naissance', contact: 'coordonnées', address: 'adresse', vehicle: 'véhicule', absence: 'absences', offence: 'infraction', facts: 'récit des faits', other: 'autres' })}
${bars('Personnes par rôle', s.by_role)}${bars('Personnes par risque', s.by_risk, RISK_FR)}
${bars('Joignables par canal', { SMS: s.reachable.sms, 'téléphone': s.reachable.phone, courriel: s.reachable.email, courrier: s.reachable.postal, 'injoignables': s.reachable.none })}
<p>Mineurs à la date de notification (${esc(s.notification_date)}) : ${s.minors} — leurs représentants légaux sont destinataires des courriers.</p>
</body></html>
`;
}
