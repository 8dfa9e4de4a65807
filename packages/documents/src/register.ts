// The breach register (art. 33(5) GDPR): every breach, notified or not, as CSV for a spreadsheet
// and as PDF for the file.
import { spreadsheetCell } from '@rempart/ingest/spreadsheet';
import { frNumber, parisDateTime } from './format.ts';
import { PdfWriter } from './pdf.ts';
import { INCIDENT_TYPE_LABELS, type OrganisationInfo, type RegisterEntry } from './types.ts';

const COLUMNS: [string, (e: RegisterEntry) => string][] = [
  ['Référence', (e) => e.reference],
  ['Intitulé', (e) => e.title],
  ['Type', (e) => INCIDENT_TYPE_LABELS[e.type] ?? e.type],
  ['Début', (e) => parisDateTime(e.startedAt)],
  ['Prise de connaissance', (e) => parisDateTime(e.awareAt)],
  ['Fin', (e) => parisDateTime(e.endedAt)],
  ['Données personnelles', (e) => (e.personalData.involved ? e.personalData.categories.join(', ') || 'oui' : 'non')],
  ['Personnes (approx.)', (e) => frNumber(e.personalData.approxPersons)],
  ['Faits', (e) => e.facts],
  ['Effets', (e) => e.effects],
  ['Mesures prises', (e) => e.remedialActions],
  ['Notifiée à la CNIL', (e) => (e.notified ? 'oui' : 'non')],
  ['Date de notification', (e) => parisDateTime(e.notifiedAt)],
  ['Motif de non-notification', (e) => e.reasonNotNotified ?? ''],
];

export const REGISTER_COLUMNS = COLUMNS.map(([h]) => h);

/** `;`-separated UTF-8 with BOM and CRLF, as French spreadsheet software expects. */
export function registerCsv(entries: RegisterEntry[]): string {
  const lines = [COLUMNS.map(([h]) => spreadsheetCell(h)).join(';'), ...entries.map((e) => COLUMNS.map(([, get]) => spreadsheetCell(get(e))).join(';'))];
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export async function renderRegisterPdf(input: { organisation: OrganisationInfo; entries: RegisterEntry[]; generatedAt: Date }): Promise<Buffer> {
  const pdf = new PdfWriter(`Registre des violations — ${input.organisation.name}`, input.generatedAt, 'Registre des violations de données (art. 33(5) RGPD)');
  pdf.heading('Registre des violations de données', `${input.organisation.name} — état au ${parisDateTime(input.generatedAt)} — ${input.entries.length} violation(s)`);
  if (input.entries.length === 0) pdf.paragraph('Aucune violation inscrite.');
  for (const e of input.entries) {
    pdf.section(`${e.reference} — ${e.title}`);
    pdf.field('Type', INCIDENT_TYPE_LABELS[e.type] ?? e.type);
    pdf.field('Chronologie', `Début : ${parisDateTime(e.startedAt) || 'inconnu'} — prise de connaissance : ${parisDateTime(e.awareAt)} — fin : ${parisDateTime(e.endedAt) || 'en cours ou inconnue'}`);
    pdf.field('Données et personnes', e.personalData.involved ? `${e.personalData.categories.join(', ')}${e.personalData.approxPersons != null ? ` — environ ${frNumber(e.personalData.approxPersons)} personnes` : ''}` : 'Pas de données personnelles');
    pdf.field('Faits', e.facts);
    pdf.field('Effets et conséquences', e.effects);
    pdf.field('Mesures prises pour y remédier', e.remedialActions);
    pdf.field('Notification à la CNIL', e.notified ? `Oui${e.notifiedAt ? `, le ${parisDateTime(e.notifiedAt)}` : ''}` : 'Non');
    if (!e.notified) pdf.field('Motif de non-notification', e.reasonNotNotified);
  }
  return pdf.finish(`Rempart — ${input.organisation.name} — registre des violations`);
}
