// French synthetic records with ground truth by construction, for tests and the benchmark.
const LAST = ['Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefèvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Müller', 'Lefebvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Marchand', 'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière', 'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Martínez', 'Gérard', 'Roche', 'Renard', 'Schmitt', 'Roy', 'Leroux', 'Colin', 'Vidal', 'Caron', 'Picard', 'Roger', 'Fabre', 'Aubert', 'Lemoine', 'Renaud', 'Dumas', 'Lacroix', 'Olivier', 'Philippe', 'Bourgeois', 'Pierre', 'Benoît', 'Rey', 'Leclerc', 'Payet', 'Rolland', 'Leclercq', 'Guillaume', 'Lecomte', 'de La Fontaine', 'Le Gall', "d'Almeida", 'Ben Ali', 'Nguyen', 'Diallo', 'Traoré', 'Kowalski', 'Da Silva', 'Van Damme', 'Le Goff', 'Hoarau', 'Grondin', 'Saint-Martin', 'Coulibaly', 'Haddad', 'Mendy'];
const FIRST_F = ['Marie', 'Nathalie', 'Isabelle', 'Sylvie', 'Catherine', 'Françoise', 'Anne', 'Christine', 'Monique', 'Valérie', 'Sandrine', 'Céline', 'Julie', 'Léa', 'Chloé', 'Manon', 'Emma', 'Inès', 'Camille', 'Sophie', 'Marie-Claire', 'Anne-Sophie', 'Marie-Hélène', 'Aïcha', 'Fatou', 'Zoé', 'Maëlle',
  'Martine', 'Nicole', 'Jacqueline', 'Michèle', 'Brigitte', 'Chantal', 'Dominique', 'Josiane', 'Danielle', 'Patricia', 'Véronique', 'Laurence', 'Corinne', 'Stéphanie', 'Aurélie', 'Émilie', 'Élodie', 'Audrey', 'Laura', 'Sarah', 'Pauline', 'Marine', 'Lucie', 'Clara', 'Jade', 'Louise', 'Alice', 'Lina', 'Rose', 'Anna', 'Ambre', 'Juliette', 'Mila', 'Lola', 'Agathe', 'Margaux', 'Océane', 'Élise', 'Charlotte', 'Mathilde', 'Hélène', 'Jeanne', 'Suzanne', 'Yvette', 'Odette', 'Ginette', 'Simone', 'Denise', 'Paulette', 'Colette', 'Geneviève', 'Annie', 'Évelyne', 'Karine', 'Virginie', 'Delphine', 'Caroline', 'Mélanie', 'Amandine', 'Jessica', 'Nadia', 'Samia', 'Yasmina', 'Khadija', 'Mariam', 'Awa', 'Linh', 'Ngoc', 'Marie-Thérèse', 'Anne-Marie', 'Marie-France', 'Marie-Laure'];
const FIRST_M = ['Jean', 'Pierre', 'Michel', 'André', 'Philippe', 'Alain', 'Nicolas', 'Christophe', 'Patrick', 'Laurent', 'Frédéric', 'Stéphane', 'David', 'Julien', 'Thomas', 'Lucas', 'Hugo', 'Théo', 'Mohamed', 'Karim', 'Jean-Pierre', 'Jean-Luc', 'Jean-Marc', 'Pierre-Yves', 'François', 'Jérôme', 'Loïc', 'Noël',
  'Bernard', 'Jacques', 'Daniel', 'Claude', 'Gérard', 'René', 'Roger', 'Marcel', 'Robert', 'Henri', 'Louis', 'Paul', 'Georges', 'Maurice', 'Serge', 'Didier', 'Éric', 'Pascal', 'Thierry', 'Olivier', 'Bruno', 'Dominique', 'Gilles', 'Franck', 'Sébastien', 'Cédric', 'Vincent', 'Guillaume', 'Romain', 'Antoine', 'Maxime', 'Alexandre', 'Kévin', 'Anthony', 'Jordan', 'Florian', 'Quentin', 'Mathis', 'Nathan', 'Enzo', 'Gabriel', 'Raphaël', 'Arthur', 'Jules', 'Adam', 'Léo', 'Noah', 'Ethan', 'Sacha', 'Yanis', 'Rayan', 'Mehdi', 'Youssef', 'Bilal', 'Moussa', 'Mamadou', 'Ibrahim', 'Samir', 'Rachid', 'Ahmed', 'Tuan', 'Minh', 'Jean-Claude', 'Jean-François', 'Jean-Michel', 'Jean-Paul', 'Jean-Baptiste', 'Marc-Antoine', 'Paul-Henri'];
// Surnames beyond the most common ones, built from French-sounding parts (Breton, Occitan, Alsatian,
// Picard forms, "Le"/"De" prefixes): in France about nine persons in ten carry a surname outside the
// top hundred, and one extract of a million rows holds hundreds of thousands of distinct surnames.
const SN_HEAD = ['', '', '', '', '', '', 'Le ', 'Le ', 'De ', 'Du ', 'La ', 'Des', 'Ker', 'Mal', 'Bel', 'Beau', 'Mont', 'Roche', 'Ville', 'Saint-'];
const SN_ONSET = ['B', 'C', 'D', 'F', 'G', 'L', 'M', 'N', 'P', 'R', 'S', 'T', 'V', 'Ch', 'Br', 'Gr', 'Tr', 'Pl', 'Bl', 'Cl', 'Fr', 'J', 'H', 'Qu', 'Gu'];
const SN_VOWEL = ['a', 'e', 'i', 'o', 'ou', 'au', 'ai', 'é', 'eu', 'an', 'on', 'in'];
const SN_MID = ['r', 'l', 'n', 'm', 'ss', 'ch', 'v', 'g', 'd', 't', 'rr', 'll', 'nn', 'b', 'c', 'p'];
const SN_END = ['', 'e', 'et', 'ot', 'in', 'ier', 'eau', 'ard', 'and', 'ais', 'on', 'oux', 'at', 'as', 'y', 'ec', 'ac', 'ic', 'ez', 'ès', 'elle', 'ette', 'ant', 'ent', 'ier', 'aud', 'oy', 'inger', 'mann', 'ot'];
function tailSurname(k: number): string {
  const parts = [SN_HEAD, SN_ONSET, SN_VOWEL, SN_MID, SN_VOWEL, SN_END];
  let name = '';
  for (const p of parts) { name += p[k % p.length]; k = Math.floor(k / p.length); }
  const head = name.match(/^(Le |De |Du |La |Saint-)?(.*)$/)!;
  return (head[1] ?? '') + head[2]!.charAt(0).toUpperCase() + head[2]!.slice(1);
}
const TAIL_SURNAMES = SN_HEAD.length * SN_ONSET.length * SN_VOWEL.length * SN_MID.length * SN_VOWEL.length * SN_END.length;
const STREETS = ['rue de la République', 'avenue du Général de Gaulle', 'boulevard Jean Jaurès', 'place de la Mairie', 'chemin des Vignes', 'rue Victor Hugo', 'allée des Tilleuls', 'impasse du Moulin', 'rue Saint-Martin', 'avenue Foch'];
const ABBR: [RegExp, string][] = [[/^rue /, 'r '], [/^avenue /, 'av '], [/^boulevard /, 'bd '], [/^place /, 'pl '], [/^chemin /, 'che '], [/^allée /, 'all '], [/Général/, 'Gal'], [/Saint-/, 'St-']];
const CITIES: [string, string][] = [['94340', 'Joinville-le-Pont'], ['94100', 'Saint-Maur-des-Fossés'], ['94130', 'Nogent-sur-Marne'], ['75012', 'Paris'], ['94000', 'Créteil']];
const MODULES = ['main_courante', 'otv', 'fourriere', 'objets_trouves'];
const ROLES = ['Requérant', 'Mis en cause', 'Témoin', 'Victime', 'Propriétaire'];

export interface SyntheticRow { truth: number; values: Record<string, string> }
export const SYNTHETIC_COLUMNS = ['ID ligne', 'N° dossier', 'Module', 'Date dossier', 'Rôle', 'Nom', 'Prénom', 'Date de naissance', 'Téléphone', 'Courriel', 'Adresse', 'Code postal', 'Ville', 'Immatriculation', 'Absence du', 'Absence au', 'Infraction'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

interface Person { last: string; married?: string; first: string; birth: string; mobile?: string; landline?: string; email?: string; street: string; num: number; city: [string, string]; plate?: string; moved?: { street: string; num: number } }

/** `rows` records for about rows/2.5 persons; Zipf-like surnames, homonyms, households, married names, typos, format variants. */
export function generateSynthetic(rows: number, seed = 1): SyntheticRow[] {
  const r = rng(seed);
  const pick = <T,>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const zipf = <T,>(a: readonly T[], skew = 2.2) => a[Math.min(a.length - 1, Math.floor(a.length * r() ** skew))]!;
  // Surname: one person in ten from the most common hundred (Martin then about 0.4 % of persons, as
  // in France), the others from a long tail that is itself skewed (some rare names recur).
  const surname = () => (r() < 0.1 ? zipf(LAST, 1.5) : tailSurname(Math.floor(TAIL_SURNAMES * r() ** 1.3)));
  // First names: the most frequent about 4 % of a sex, as in French birth cohorts.
  const firstName = (female: boolean) => zipf(female ? FIRST_F : FIRST_M, 1.5);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
  const people: Person[] = [];
  const target = Math.max(1, Math.round(rows / 2.5));
  while (people.length < target) {
    const female = r() < 0.5;
    const y = 1935 + Math.floor(r() * 86);
    const birth = `${y}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
    const p: Person = {
      last: surname(), first: firstName(female), birth,
      mobile: r() < 0.7 ? `0${pick(['6', '7'])}${digits(8)}` : undefined, landline: r() < 0.3 ? `01${digits(8)}` : undefined,
      street: pick(STREETS), num: 1 + Math.floor(r() * 120), city: pick(CITIES), plate: r() < 0.3 ? `${String.fromCharCode(65 + Math.floor(r() * 26))}${String.fromCharCode(65 + Math.floor(r() * 26))}-${digits(3)}-${String.fromCharCode(65 + Math.floor(r() * 26))}${String.fromCharCode(65 + Math.floor(r() * 26))}` : undefined,
    };
    if (female && r() < 0.2) p.married = surname();
    p.email = r() < 0.5 ? `${p.first}.${p.last}${Math.floor(r() * 100)}@exemple.fr`.normalize('NFD').replace(/[\u0300-\u036f' ]/g, '').toLowerCase() : undefined;
    if (r() < 0.1) p.moved = { street: pick(STREETS), num: 1 + Math.floor(r() * 120) };
    people.push(p);
    // Households: same surname, address and landline, another first name and birth date.
    if (r() < 0.12 && people.length < target) {
      const kid = r() < 0.5;
      const by = kid ? 2008 + Math.floor(r() * 15) : y + Math.floor(r() * 6) - 3;
      people.push({ ...p, first: firstName(r() < 0.5), married: undefined, birth: `${by}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`, mobile: kid ? undefined : r() < 0.6 ? `06${digits(8)}` : undefined, email: undefined, plate: undefined, moved: undefined });
    }
  }
  const typo = (s: string) => { if (s.length < 4) return s; const i = 1 + Math.floor(r() * (s.length - 2)); const k = r(); return k < 0.33 ? s.slice(0, i) + s.slice(i + 1) : k < 0.66 ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s.slice(0, i) + 'e' + s.slice(i + 1); };
  const fmtDate = (iso: string) => { const [y, m, d] = iso.split('-'); const k = r(); return k < 0.7 ? `${d}/${m}/${y}` : k < 0.9 ? iso : `${Number(d)}/${Number(m)}/${y!.slice(2)}`; };
  const fmtPhone = (p: string) => { const k = r(); return k < 0.4 ? p : k < 0.7 ? p.replace(/(\d\d)(?=\d)/g, '$1 ') : k < 0.85 ? `+33 ${p.slice(1)}` : p.replace(/(\d\d)(?=\d)/g, '$1.'); };
  const out: SyntheticRow[] = [];
  let dossier = 0;
  while (out.length < rows) {
    const pid = Math.floor(r() ** 1.3 * people.length);
    const p = people[pid]!;
    const module = pick(MODULES);
    const day = new Date(Date.UTC(2019, 0, 1) + Math.floor(r() * 6 * 365) * 86_400_000).toISOString().slice(0, 10);
    dossier++;
    const v: Record<string, string> = { 'ID ligne': `L${out.length + 1}`, 'N° dossier': `D${dossier}`, Module: module, 'Date dossier': fmtDate(day), 'Rôle': module === 'otv' ? 'Requérant' : pick(ROLES) };
    let last = p.married && r() < 0.6 ? (r() < 0.3 ? `${p.married} ${p.last}` : p.married) : p.last;
    let first = p.first;
    if (r() < 0.08) last = typo(last);
    if (r() < 0.05) first = typo(first);
    if (first.includes('-') && r() < 0.3) first = r() < 0.5 ? first.replace('-', ' ') : first.split('-').map((x) => x[0]).join('-');
    if (r() < 0.3) last = last.toUpperCase();
    if (r() < 0.03) [last, first] = [first, last];
    v.Nom = last;
    v['Prénom'] = r() < 0.03 ? '' : first;
    if (module !== 'objets_trouves' || r() < 0.5) v['Date de naissance'] = r() < 0.03 ? fmtDate(p.birth.slice(0, 8) + String(Math.min(28, Number(p.birth.slice(8)) + 1)).padStart(2, '0')) : fmtDate(p.birth);
    const phone = p.mobile && r() < 0.8 ? p.mobile : p.landline;
    if (phone && r() < 0.8) v['Téléphone'] = fmtPhone(phone);
    if (p.email && r() < 0.6) v.Courriel = r() < 0.2 ? p.email.toUpperCase() : p.email;
    const addr = p.moved && r() < 0.5 ? p.moved : p;
    let street = addr.street;
    for (const [re, s] of ABBR) if (r() < 0.5) street = street.replace(re, s);
    if (r() < 0.9) { v.Adresse = `${addr.num} ${street}`; v['Code postal'] = p.city[0]; v.Ville = p.city[1]; }
    if (p.plate && module === 'fourriere') v.Immatriculation = r() < 0.5 ? p.plate : p.plate.replace(/-/g, ' ');
    if (module === 'otv') { const start = new Date(Date.parse(day) + 86_400_000 * 10).toISOString().slice(0, 10); v['Absence du'] = fmtDate(start); v['Absence au'] = fmtDate(new Date(Date.parse(start) + 86_400_000 * 14).toISOString().slice(0, 10)); }
    if (module === 'main_courante' && r() < 0.5) v.Infraction = pick(['Vol simple', 'Tapage nocturne', 'Dégradation', 'Différend familial']);
    out.push({ truth: pid, values: v });
  }
  return out;
}

export function syntheticCsv(rows: SyntheticRow[]): string {
  const cell = (s: string) => (/[";\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `${SYNTHETIC_COLUMNS.join(';')}\n${rows.map((row) => SYNTHETIC_COLUMNS.map((c) => cell(row.values[c] ?? '')).join(';')).join('\n')}\n`;
}

export const SYNTHETIC_MAPPING = `format: csv
delimiter: ";"
encoding: auto
dates: { format: ["dd/MM/yyyy", "yyyy-MM-dd", "d/M/yy"], timezone: Europe/Paris }
fields:
  record.id: "ID ligne"
  dossier.id: "N° dossier"
  dossier.module: "Module"
  dossier.date: "Date dossier"
  person.role: "Rôle"
  person.last_name: "Nom"
  person.first_name: "Prénom"
  person.birth_date: "Date de naissance"
  person.phone: "Téléphone"
  person.email: "Courriel"
  person.address: "Adresse"
  person.postcode: "Code postal"
  person.city: "Ville"
  vehicle.plate: "Immatriculation"
  absence.start: "Absence du"
  absence.end: "Absence au"
  offence.label: "Infraction"
`;
