// The public information notice, drafted from the incident in plain French, to be edited before it
// is published or sent. It follows the shape real notices take (what happened, which data, the
// risks, what was done, what to do, whom to contact) and never asserts a fact Rempart does not know:
// such sentences carry « [à confirmer] » until someone edits them.
import type { CnilDossier } from './cnil.ts';
import { frNumber, parisDate, parisLongDate } from './format.ts';
import { PdfWriter } from './pdf.ts';
import type { IncidentInfo, OrganisationInfo } from './types.ts';

export interface Notice {
  title: string;
  body: string;
}

/** What the organisation has already done, when the caller knows it; unknown facts stay to confirm. */
export interface NoticeFacts {
  cnilNotifiedAt?: Date | string | null;
  complaintFiled?: boolean;
  csirtInformed?: boolean;
}

export const NOTICE_HEADINGS = [
  'Que s’est-il passé ?', 'Quelles sont les données concernées ?', 'Quels sont les risques pour les personnes concernées ?',
  'Quelles mesures avons-nous prises ?', 'Nos recommandations', 'Contact', 'Comment joindre nos services ?',
] as const;
const TO_CONFIRM = ' [à confirmer]';

const WHAT: Record<string, string> = {
  rancongiciel: 'a été victime d’une attaque informatique par rançongiciel, qui a rendu une partie de ses systèmes et de ses fichiers inaccessibles',
  exfiltration: 'a constaté un accès non autorisé à l’un de ses logiciels et l’extraction de données qu’il contient',
  compromission_compte: 'a constaté qu’un compte utilisateur de ses services a été utilisé par une personne non autorisée',
  prestataire: 'a appris qu’un de ses prestataires, qui traite des données pour son compte, a subi une attaque informatique',
  hameconnage: 'a constaté l’envoi de messages frauduleux se faisant passer pour ses services',
  deni_de_service: 'subit une attaque qui rend certains de ses services en ligne indisponibles',
  perte_vol_materiel: 'a constaté la perte ou le vol d’un matériel contenant des données',
  autre: 'a constaté un incident de sécurité informatique',
};

const ARTICLE: Record<string, string> = {
  commune: 'la commune', epci: 'la communauté', departement: 'le département', region: 'la région', syndicat: 'le syndicat', ccas: 'le CCAS',
};

/** "Commune de Val-de-Brême" → "la commune de Val-de-Brême"; a name without a leading noun gets its kind's article. */
export function organisationSubject(o: OrganisationInfo): string {
  const name = o.name.trim();
  const m = /^(Commune|Ville|Mairie|Communauté|Métropole|Département|Région|Syndicat|Centre|Conseil)\b(.*)$/u.exec(name);
  if (m) {
    const noun = m[1]!;
    const feminine = /^(Commune|Ville|Mairie|Communauté|Métropole|Région)$/.test(noun);
    return `${feminine ? 'la' : 'le'} ${noun.toLowerCase()}${m[2]}`;
  }
  if (/^(La|Le|Les|L’|L')\s?/u.test(name)) return name.charAt(0).toLowerCase() + name.slice(1);
  const article = o.kind ? ARTICLE[o.kind] : undefined;
  return article && o.kind === 'commune' ? `${article} de ${name}` : name;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Risk {
  risk: string;
  advice?: string;
}

function risksOf(categories: string[], sensitive: boolean): Risk[] {
  const text = categories.map((c) => c.toLowerCase()).join(' ');
  const out: Risk[] = [{
    risk: 'Tentatives d’escroquerie par SMS, courriel ou téléphone, y compris par des personnes se faisant passer pour nos services, la police ou une administration.',
    advice: 'Méfiez-vous des appels, SMS et courriels inattendus, même s’ils citent des informations exactes vous concernant : nos services ne vous demanderont jamais de mot de passe ni de coordonnées bancaires.',
  }];
  if (/identit|naissance|pi[eè]ce|passeport|nir|s[ée]curit[ée] sociale/.test(text)) {
    out.push({ risk: 'Usurpation d’identité.', advice: 'Surveillez les courriers et relevés inhabituels (crédit, abonnement, amende) et signalez toute usurpation à la police ou à la gendarmerie.' });
  }
  if (/bancaire|iban|rib|paiement/.test(text)) out.push({ risk: 'Tentatives de fraude bancaire.', advice: 'Surveillez vos comptes et prévenez votre banque en cas d’opération que vous ne reconnaissez pas.' });
  if (/absence|otv|vacances|tranquillit/.test(text)) {
    out.push({ risk: 'Cambriolage des domiciles dont les périodes d’absence ont été exposées.', advice: 'Si vos dates d’absence figuraient dans les données, signalez toute présence suspecte à la police.' });
  }
  if (/fait|infraction|main courante|plainte|t[ée]moin|signalement|proc[èe]s-verbal/.test(text)) {
    out.push({ risk: 'Pressions, harcèlement ou représailles lorsque l’identité d’une personne ayant signalé des faits a été exposée.', advice: 'En cas de pressions ou de menaces, contactez sans attendre la police ou la gendarmerie.' });
  }
  if (/v[ée]hicule|immatriculation/.test(text)) out.push({ risk: 'Utilisation frauduleuse des informations de véhicule.' });
  if (/mot de passe|identifiant/.test(text)) out.push({ risk: 'Connexion à vos comptes par un tiers.', advice: 'Changez le mot de passe concerné et tout mot de passe identique utilisé ailleurs.' });
  if (sensitive || /sant[ée]|m[ée]dical|handicap|social/.test(text)) out.push({ risk: 'Atteinte à la vie privée par la divulgation d’informations sensibles (santé, situation sociale).' });
  return out;
}

/**
 * `audience: 'public'` (default) drafts the notice for the website and the press; `'persons'` drafts
 * the letter to each person whose data is concerned (art. 34 GDPR), which speaks to them directly.
 */
export function draftPublicNotice(input: { organisation: OrganisationInfo; incident: IncidentInfo; dossier?: CnilDossier; facts?: NoticeFacts; audience?: 'public' | 'persons' }): Notice {
  const { organisation: o, incident: i, dossier: d, facts = {} } = input;
  const toPersons = input.audience === 'persons' && i.personalData.involved;
  const subject = organisationSubject(o);
  const pd = i.personalData;
  const persons = d?.persons?.approxCount ?? pd.approxPersons ?? undefined;
  const categories = d?.dataCategories?.length ? d.dataCategories : pd.categories;
  const personCategories = d?.persons?.categories ?? [];
  const parts: string[] = [];

  if (toPersons) {
    parts.push('Madame, Monsieur,');
    parts.push(`Nous vous écrivons parce que des données personnelles vous concernant font partie de celles touchées par l’incident décrit ci-dessous. Nous tenons à vous en informer directement, à vous dire quels risques cela peut présenter pour vous et ce que vous pouvez faire.`);
  }
  parts.push(NOTICE_HEADINGS[0]);
  parts.push(`Le ${parisLongDate(i.awareAt)}, ${subject} ${WHAT[i.type] ?? WHAT.autre}.`);
  if (i.affectedServices?.length) parts.push(`Services concernés : ${i.affectedServices.join(' ; ')}.`);
  if (i.type === 'prestataire' && i.provider) parts.push(`Le prestataire concerné est ${i.provider}.`);

  parts.push(NOTICE_HEADINGS[1]);
  if (pd.involved) {
    const who = personCategories.length ? ` (${personCategories.join(', ')})` : '';
    const count = persons != null ? `d’environ ${frNumber(persons)} personnes${who}` : `de personnes${who} dont le nombre est en cours d’évaluation`;
    parts.push(`Les investigations montrent que les données personnelles ${count} sont concernées.`);
    parts.push(categories.length ? categories.map((c) => `- ${c}`).join('\n') : '- Catégories de données en cours d’évaluation');
    if (pd.minors || d?.persons?.minors) parts.push('Des mineurs figurent parmi les personnes concernées ; leurs représentants légaux seront informés.');
  } else {
    parts.push('À ce stade, rien n’indique que des données personnelles aient été consultées ou extraites. Nous vous informerons si les investigations en cours montrent le contraire.');
  }

  const risks = pd.involved ? risksOf(categories, !!pd.sensitive || !!d?.sensitiveData?.length) : [];
  if (pd.involved) {
    parts.push(NOTICE_HEADINGS[2]);
    parts.push(risks.map((r) => `- ${r.risk}`).join('\n'));
  }

  parts.push(NOTICE_HEADINGS[3]);
  const measures = d?.measuresTaken?.trim();
  const done: string[] = [];
  if (measures) done.push(...measures.split(/\n+|\s*;\s*/).map((m) => m.replace(/^[-•*]\s*/, '').trim()).filter(Boolean));
  else done.push(`Dès la découverte de l’incident, les accès concernés ont été sécurisés et les systèmes touchés isolés${TO_CONFIRM}.`);
  if (pd.involved) {
    done.push(facts.cnilNotifiedAt
      ? `La violation a été notifiée le ${parisDate(facts.cnilNotifiedAt)} à la Commission nationale de l’informatique et des libertés (CNIL).`
      : `La violation a été notifiée à la Commission nationale de l’informatique et des libertés (CNIL)${TO_CONFIRM}.`);
  }
  done.push(facts.complaintFiled ? 'Une plainte a été déposée.' : `Une plainte a été déposée${TO_CONFIRM}.`);
  done.push(facts.csirtInformed ? 'Nous sommes accompagnés par les services de l’État spécialisés en cybersécurité.' : `Nous sommes accompagnés par les services de l’État spécialisés en cybersécurité${TO_CONFIRM}.`);
  parts.push(done.map((m) => `- ${capitalise(m.replace(/\.?$/, '.'))}`).join('\n'));

  parts.push(NOTICE_HEADINGS[4]);
  const advice = [...new Set(risks.map((r) => r.advice).filter((a): a is string => !!a))];
  if (!pd.involved) advice.push('Méfiez-vous des messages inattendus qui évoqueraient cet incident : nos services ne vous demanderont jamais de mot de passe ni de coordonnées bancaires.');
  advice.push('En cas de doute ou de tentative d’escroquerie, rendez-vous sur www.cybermalveillance.gouv.fr, le service public d’assistance aux victimes, pour être conseillé et effectuer un signalement.');
  parts.push(advice.map((a) => `- ${a}`).join('\n'));

  if (i.type === 'rancongiciel' || i.type === 'deni_de_service' || i.affectedServices?.length) {
    // After Aulnoye-Aymeries and Seine-et-Marne: residents first need to know how to reach the services.
    parts.push('Comment joindre nos services ?');
    parts.push(
      (i.affectedServices?.length ? `Les services suivants peuvent être perturbés : ${i.affectedServices.join(', ')}. ` : '') +
        'L’accueil du public est maintenu [à confirmer]. Pendant l’incident, joignez-nous aux numéros suivants : [à compléter : numéros de téléphone et horaires]. Un point de situation sera publié régulièrement.',
    );
  }
  parts.push(NOTICE_HEADINGS[5]);
  const dpoName = o.dpo.name ? `${o.dpo.name}, ` : '';
  const dpo = o.dpo.email
    ? `Pour toute question, et pour exercer vos droits sur vos données, vous pouvez écrire à ${dpoName}notre délégué(e) à la protection des données, à l’adresse ${o.dpo.email}${o.dpo.phone ? ` ou appeler le ${o.dpo.phone}` : ''}.`
    : `Pour toute question, et pour exercer vos droits sur vos données, vous pouvez contacter ${dpoName}notre délégué(e) à la protection des données${o.dpo.phone ? ` au ${o.dpo.phone}` : ''}${o.address ? `, ${o.address}` : ''}.`;
  parts.push(dpo);
  parts.push(`${capitalise(subject)} regrette sincèrement cet incident et vous tiendra informés de son évolution.`);

  if (toPersons) parts.push('Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées.');
  return {
    title: toPersons
      ? `Information relative à une violation de vos données personnelles — ${o.name}`
      : `Note d'information relative à un incident de sécurité informatique — ${o.name}`,
    body: parts.join('\n\n'),
  };
}

export async function renderNoticePdf(input: { organisation: OrganisationInfo; notice: Notice; generatedAt: Date }): Promise<Buffer> {
  const pdf = new PdfWriter(input.notice.title, input.generatedAt, "Note d'information");
  pdf.heading(input.notice.title, `${input.organisation.name} — le ${parisLongDate(input.generatedAt)}`);
  const headings = new Set<string>(NOTICE_HEADINGS);
  for (const block of input.notice.body.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const line = block.trim();
    // The notice is edited freely: a short single line ending with "?" or one of our headings reads as a heading.
    const isHeading = headings.has(line) || (line.length < 90 && !line.includes('\n') && /\?$/.test(line));
    if (isHeading) pdf.paragraph(line, { bold: true, size: 11.5 });
    else pdf.richText(line);
  }
  return pdf.finish(`${input.organisation.name} — note d'information — ${parisDate(input.generatedAt)}`);
}
