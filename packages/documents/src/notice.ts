// The public information notice, drafted from the incident in plain French, to be edited before
// it is published or sent.
import type { CnilDossier } from './cnil.ts';
import { frNumber, parisDate } from './format.ts';
import { PdfWriter } from './pdf.ts';
import type { IncidentInfo, OrganisationInfo } from './types.ts';

export interface Notice {
  title: string;
  body: string;
}

const WHAT: Record<string, string> = {
  rancongiciel: 'a été victime d’une attaque informatique par rançongiciel, qui a rendu une partie de ses systèmes inaccessibles',
  exfiltration: 'a constaté un accès non autorisé à l’un de ses logiciels et l’extraction de données qu’il contient',
  compromission_compte: 'a constaté qu’un compte utilisateur de ses services a été utilisé par une personne non autorisée',
  prestataire: 'a été informée d’une attaque informatique visant l’un de ses prestataires, qui traite des données pour son compte',
  hameconnage: 'a constaté l’envoi de messages frauduleux se faisant passer pour ses services',
  deni_de_service: 'subit une attaque qui rend certains de ses services en ligne indisponibles',
  perte_vol_materiel: 'a constaté la perte ou le vol d’un matériel informatique contenant des données',
  autre: 'a constaté un incident de sécurité informatique',
};

function risks(incident: IncidentInfo): string[] {
  const categories = incident.personalData.categories.map((c) => c.toLowerCase()).join(' ');
  const out = ['Tentatives d’escroquerie par SMS, courriel ou téléphone, y compris par des personnes se faisant passer pour la collectivité, la police ou une administration.'];
  if (/identit|naissance|pi[eè]ce/.test(categories)) out.push('Usurpation d’identité.');
  if (/absence|otv|vacances/.test(categories)) out.push('Cambriolage des domiciles dont les périodes d’absence ont été exposées.');
  if (/fait|infraction|main courante|plainte/.test(categories)) out.push('Pressions ou représailles lorsque l’identité d’une personne ayant signalé des faits a été exposée.');
  if (/v[ée]hicule|immatriculation/.test(categories)) out.push('Utilisation frauduleuse des informations de véhicule.');
  return out;
}

export function draftPublicNotice(input: { organisation: OrganisationInfo; incident: IncidentInfo; dossier?: CnilDossier }): Notice {
  const { organisation: o, incident: i, dossier: d } = input;
  const persons = d?.persons?.approxCount ?? i.personalData.approxPersons;
  const categories = d?.dataCategories?.length ? d.dataCategories : i.personalData.categories;
  const measures = d?.measuresTaken?.trim();
  const dpo = o.dpo.email ? `${o.dpo.name ? `${o.dpo.name}, ` : ''}délégué(e) à la protection des données, à l’adresse ${o.dpo.email}` : 'notre délégué(e) à la protection des données';
  const parts: string[] = [];
  parts.push(`Le ${parisDate(i.awareAt)}, ${o.name} ${WHAT[i.type] ?? WHAT.autre}.`);
  if (i.affectedServices?.length) parts.push(`Services concernés : ${i.affectedServices.join(' ; ')}.`);
  parts.push('Quelles sont les données concernées ?');
  parts.push(
    i.personalData.involved
      ? `Les investigations montrent que des données personnelles sont concernées${persons != null ? `, pour environ ${frNumber(persons)} personnes` : ''} : ${categories.join(', ') || 'catégories en cours d’évaluation'}.` +
          (i.personalData.minors ? ' Des mineurs figurent parmi les personnes concernées ; leurs représentants légaux seront informés.' : '')
      : 'À ce stade, rien n’indique que des données personnelles aient été consultées ou extraites.',
  );
  if (i.personalData.involved) {
    parts.push('Quels sont les risques pour les personnes concernées ?');
    parts.push(risks(i).map((r) => `- ${r}`).join('\n'));
  }
  parts.push('Quelles mesures avons-nous prises ?');
  parts.push(
    measures ||
      '- Les accès concernés ont été sécurisés et les systèmes touchés isolés.\n- Une plainte a été déposée.\n- L’incident a été signalé aux autorités compétentes' +
        (i.personalData.involved ? ', dont la Commission nationale de l’informatique et des libertés (CNIL)' : '') + '.',
  );
  parts.push('Nos recommandations');
  parts.push(
    '- Soyez vigilants face aux appels, SMS et courriels inattendus : nos services ne vous demanderont jamais de mot de passe ni de coordonnées bancaires.\n' +
      '- En cas de doute ou de tentative d’escroquerie, signalez-la sur www.cybermalveillance.gouv.fr, qui vous conseillera.\n' +
      '- En cas de pressions ou de menaces, contactez la police ou la gendarmerie.',
  );
  parts.push('Contact');
  parts.push(`Pour toute question, vous pouvez écrire à ${dpo}. Nous regrettons sincèrement cet incident et vous tiendrons informés de son évolution.`);
  return { title: `Note d'information relative à un incident de sécurité informatique — ${o.name}`, body: parts.join('\n\n') };
}

export async function renderNoticePdf(input: { organisation: OrganisationInfo; notice: Notice; generatedAt: Date }): Promise<Buffer> {
  const pdf = new PdfWriter(input.notice.title, input.generatedAt, "Note d'information");
  pdf.heading(input.notice.title, `${input.organisation.name} — ${parisDate(input.generatedAt)}`);
  for (const block of input.notice.body.split(/\n{2,}/)) {
    const isHeading = block.length < 80 && !block.includes('\n') && /\?$|^Nos recommandations$|^Contact$|^Quelles mesures/.test(block);
    pdf.paragraph(block, { bold: isHeading, size: isHeading ? 11 : 10 });
  }
  return pdf.finish(`${input.organisation.name} — note d'information`);
}
