import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { IngestError, loadMapping, type Mapping } from '@rempart/ingest';
import {
  addressKey, firstNameKey, generateSynthetic, normText, phoneKey, plateKey, resolvePersons, type PersonInput, scopeRecords, surnameKey, syntheticCsv, SYNTHETIC_MAPPING, writeOutputs,
} from './index.ts';
import { evaluate } from '../../../bench/scoping/metrics.ts';

const dir = mkdtempSync(join(tmpdir(), 'rempart-scoping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mapping = (): Mapping => { const m = loadMapping({ text: SYNTHETIC_MAPPING, name: 'm.yml' }); if (!m.ok) throw new Error('mapping'); return m.mapping; };
const HEADER = 'ID ligne;N° dossier;Module;Date dossier;Rôle;Nom;Prénom;Date de naissance;Téléphone;Courriel;Adresse;Code postal;Ville;Immatriculation;Absence du;Absence au;Infraction';
const pack = { organisation: 'La commune de Joinville-le-Pont', dpoContact: 'dpo@joinville.example' };

describe('normalisers', () => {
  it('reads French, overseas, mobile and landline numbers', () => {
    expect(phoneKey('06 12 34 56 78')).toEqual({ e164: '+33612345678', mobile: true });
    expect(phoneKey('+33 6 12 34 56 78')).toEqual({ e164: '+33612345678', mobile: true });
    expect(phoneKey('01.48.83.00.00')?.mobile).toBe(false);
    expect(phoneKey('0690 12 34 56')).toEqual({ e164: '+590690123456', mobile: true });
    expect(phoneKey('12')).toBeNull();
    expect(phoneKey('pas de téléphone')).toBeNull();
  });

  it('brings name variants to one key', () => {
    expect(firstNameKey('Jean-Pierre').key).toBe(firstNameKey('jean pierre').key);
    expect(firstNameKey('J-P')).toMatchObject({ isInitials: true, initials: 'JP' });
    expect(firstNameKey('Hélène').key).toBe('HELENE');
    expect(surnameKey('de La Fontaine')).toBe(surnameKey('LAFONTAINE'));
    expect(surnameKey("d'Almeida")).toBe('ALMEIDA');
    expect(addressKey('12 bd du Gal Leclerc')).toBe(addressKey('12, Boulevard du Général Leclerc'));
    expect(plateKey('ab-123 cd')).toBe('AB123CD');
  });

  it('never throws and is idempotent on any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      expect(normText(normText(s))).toBe(normText(s));
      phoneKey(s);
      firstNameKey(s);
    }), { numRuns: 300 });
  });
});

describe('person resolution', () => {
  it('merges a typo, keeps homonyms, household members and contradictions apart', () => {
    const base = { phone: '+33612345678', address: '3 RUE DES LILAS', postcode: '94340' };
    const people = [
      { last_name: 'Lefèvre', first_name: 'Marie-Hélène', birth_date: '1970-04-02', ...base },
      { last_name: 'LEFEVRE', first_name: 'Marie Helene', birth_date: '1970-04-02', ...base },
      { last_name: 'Lefevbre', first_name: 'Marie-Hélène', birth_date: '1970-04-02', phone: '+33612345678' },
      // household: same surname, address and landline, another first name and birth date
      { last_name: 'Lefèvre', first_name: 'Paul', birth_date: '2010-09-01', ...base },
      // homonym with another birth date
      { last_name: 'Lefèvre', first_name: 'Marie-Hélène', birth_date: '1985-11-30' },
      // a bridge without a birth date must not chain the two Marie-Hélène together
      { last_name: 'Lefèvre', first_name: 'Marie-Hélène' },
    ];
    const filler = generateSynthetic(600, 3).map((r) => ({ last_name: r.values.Nom, first_name: r.values['Prénom'], birth_date: undefined }));
    const res = resolvePersons([...people, ...filler]);
    const c = res.clusterOf;
    expect(c[1]).toBe(c[0]);
    expect(c[2]).toBe(c[0]);
    expect(c[3]).not.toBe(c[0]);
    expect(c[4]).not.toBe(c[0]);
    expect(c[5] === c[0] && c[5] === c[4]).toBe(false);
    const why = res.explain(0, 1);
    expect(why.evidence.find((e) => e.field === 'birth_date')).toMatchObject({ level: 'identique' });
    expect(why.evidence.find((e) => e.field === 'birth_date')!.weight).toBeGreaterThan(0);
  });

  // Filler records of a synthetic extract (about 2.5 records per person) with a sex given per person
  // (reliable) or drawn per record (unreliable), so that the model has matches to learn from.
  const pad = (x: number) => String(x).padStart(2, '0');
  const withSex = (reliable: boolean) => generateSynthetic(1500, 7).map((r, i) => ({
    last_name: r.values.Nom, first_name: r.values['Prénom'], postcode: r.values['Code postal'],
    birth_date: `${1940 + (r.truth % 60)}-${pad(1 + (r.truth % 12))}-${pad(1 + (r.truth % 28))}`,
    gender: (reliable ? r.truth : Math.imul(i + 1, 0x9e3779b1) >>> 7) % 2 ? 'F' : 'M',
  }));
  // The same filler without sex: a neutral background for the cases below.
  const unsexed = () => withSex(true).map((p) => ({ ...p, gender: undefined }));

  it('does not split a person over a birth date keyed with two slips or known only by its year', () => {
    const base = { last_name: 'Bernardin', first_name: 'Ophélie', phone: '+33611223344', address: '12 RUE DES ECOLES', postcode: '94340' };
    const other = { last_name: 'Le Dantec', first_name: 'Gwenaël', address: '7 CHEMIN DES VIGNES', postcode: '94130' };
    const people = [
      { ...base, birth_date: '1974-03-18' },
      { ...base, birth_date: '1947-03-18' }, // year digits swapped
      { ...other, birth_date: '1968-09-23' },
      { ...other, birth_date: '1968-01-01' }, // only the year was known
      // a homonym elsewhere, born 16 years later: another person
      { last_name: 'Bernardin', first_name: 'Ophélie', birth_date: '1990-07-02', postcode: '75012' },
    ];
    const res = resolvePersons([...people, ...withSex(true).map((p) => ({ ...p, gender: undefined, birth_date: undefined }))]);
    const c = res.clusterOf;
    expect(c[1]).toBe(c[0]);
    expect(c[3]).toBe(c[2]);
    expect(c[4]).not.toBe(c[0]);
    expect(res.explain(2, 3).evidence.find((e) => e.field === 'birth_date')).toMatchObject({ level: 'même année' });
  });

  it('refuses to merge two sexes when the extract writes sex reliably, not otherwise', () => {
    const twins = [
      { last_name: 'Keraudren', first_name: 'Dominique', birth_date: '1961-05-09', phone: '+33140506070', address: '4 PLACE DE LA MAIRIE', postcode: '94340', gender: 'M' },
      { last_name: 'Keraudren', first_name: 'Dominique', birth_date: '1961-05-09', phone: '+33140506070', address: '4 PLACE DE LA MAIRIE', postcode: '94340', gender: 'F' },
    ];
    const reliable = resolvePersons([...twins, ...withSex(true)]);
    expect(reliable.clusterOf[1]).not.toBe(reliable.clusterOf[0]);
    const why = reliable.explain(0, 1).evidence.find((e) => e.field === 'gender')!;
    expect(why.level).toBe('différent');
    expect(why.weight).toBeLessThan(-2);
    expect(reliable.review.find((p) => p.a === 0 && p.b === 1)?.refused).toBe('sexes différents (M / F)');
    const noisy = resolvePersons([...twins, ...withSex(false)]);
    expect(noisy.clusterOf[1]).toBe(noisy.clusterOf[0]);
  });

  it('refuses two far-apart first names only when the extract writes first names reliably', () => {
    const people = [
      { last_name: 'Marchetti', first_name: 'Giuseppe', birth_date: '1948-02-11', phone: '+33143218765', address: '9 RUE DU PORT', postcode: '94340' },
      { last_name: 'Marchetti', first_name: 'Joseph', birth_date: '1948-02-11', phone: '+33143218765', address: '9 RUE DU PORT', postcode: '94340' },
    ];
    // In the noisy filler one record in three carries another first name of the same person.
    const filler = (noisy: boolean) => withSex(true).map((p, i) => ({ ...p, gender: undefined, first_name: noisy && i % 3 === 0 ? ['Alix', 'Yves', 'Odon', 'Ugo'][i % 4] : p.first_name }));
    const reliable = resolvePersons([...people, ...filler(false)]);
    expect(reliable.clusterOf[1]).not.toBe(reliable.clusterOf[0]);
    expect(reliable.review.find((p) => p.a === 0 && p.b === 1)?.refused).toMatch(/^prénoms incompatibles/);
    const noisy = resolvePersons([...people, ...filler(true)]);
    expect(noisy.clusterOf[1]).toBe(noisy.clusterOf[0]);
  });

  it('weighs birth place and occupation, and explains them in French', () => {
    const rows = generateSynthetic(1500, 9).map((r) => ({ last_name: r.values.Nom, first_name: r.values['Prénom'], birth_place: `LIEU ${r.truth % 50}`, occupation: `METIER ${r.truth % 20}` }));
    rows.push(
      { last_name: 'Quémener', first_name: 'Yann', birth_place: 'BREST', occupation: 'MARIN' },
      { last_name: 'Quémener', first_name: 'Yann', birth_place: 'BREST', occupation: 'MARIN' },
      { last_name: 'Quémener', first_name: 'Yann', birth_place: 'QUIMPER', occupation: 'BOULANGER' },
    );
    const res = resolvePersons(rows);
    const n = rows.length;
    const same = res.explain(n - 3, n - 2);
    const other = res.explain(n - 3, n - 1);
    expect(same.evidence.find((e) => e.field === 'birth_place')).toMatchObject({ level: 'identique' });
    expect(other.evidence.find((e) => e.field === 'birth_place')).toMatchObject({ level: 'différent' });
    expect(other.evidence.find((e) => e.field === 'occupation')).toMatchObject({ level: 'différente' });
    expect(same.weight).toBeGreaterThan(other.weight + 4);
  });

  it('reads the words other names add to a record as a weak extra comparison', () => {
    const rows: PersonInput[] = generateSynthetic(1500, 13).map((r) => ({ last_name: r.values.Nom, first_name: r.values['Prénom'], other_names: r.truth % 3 ? undefined : `${r.values['Prénom']} Alias${r.truth} ${r.values.Nom}` }));
    rows.push(
      { last_name: 'Boleyn', first_name: 'George', other_names: 'George Boleyn, vicomte Rochford' },
      { last_name: 'Rochford', first_name: 'George' },
      { last_name: 'Rochford', first_name: 'Georges', other_names: 'M. Georges Rochford' },
    );
    const res = resolvePersons(rows);
    const n = rows.length;
    // "ROCHFORD" (and "VICOMTE") are what the first record's other names add: the second carries one.
    expect(res.explain(n - 3, n - 2).evidence.find((e) => e.field === 'other_names')).toMatchObject({ level: 'un en commun' });
    // A title and the record's own names add nothing: no other names to compare.
    expect(res.explain(n - 2, n - 1).evidence.find((e) => e.field === 'other_names')).toMatchObject({ level: 'absents', weight: 0 });
  });

  it('compares a record without a surname with the records whose surname is its only name, born the same year', () => {
    const f = unsexed();
    const rows: PersonInput[] = [
      { last_name: 'Kerbrat', first_name: 'Yvon', birth_date: '1962-03-14', postcode: '29200' },
      { last_name: 'Kerbrat', first_name: 'Yvon', birth_date: '1962-03-14', phone: '+33298001122' },
      // the surname alone, typed in the first-name field, and the birth year as 1 January
      { first_name: 'Kerbrat', birth_date: '1962-01-01', gender: 'M' },
    ];
    const res = resolvePersons([...rows, ...f]);
    expect(res.clusterOf[2]).toBe(res.clusterOf[0]);
    expect(res.explain(0, 2).evidence.find((e) => e.field === 'last_name')).toMatchObject({ level: 'proche' });
  });

  it('lets a record without a surname join one person, never link two, and lists the refusal', () => {
    const rows: PersonInput[] = [
      { last_name: 'Lebreton', first_name: 'Aldric', birth_date: '1955-06-01', birth_place: 'BREST', postcode: '29200' },
      { last_name: 'Lebreton', first_name: 'Aldric', birth_date: '1955-06-01', birth_place: 'BREST', postcode: '29200' },
      { last_name: 'Cosquer', first_name: 'Aldric', birth_date: '1955-06-01', birth_place: 'LYON', postcode: '69003' },
      { last_name: 'Cosquer', first_name: 'Aldric', birth_date: '1955-06-01', birth_place: 'LYON', postcode: '69003' },
      { first_name: 'Aldric', birth_date: '1955-06-01' },
    ];
    const res = resolvePersons([...rows, ...unsexed()]);
    const c = res.clusterOf;
    expect(res.explain(0, 4).probability).toBeGreaterThan(0.9);
    expect(res.explain(2, 4).probability).toBeGreaterThan(0.9);
    expect(c[1]).toBe(c[0]);
    expect(c[3]).toBe(c[2]);
    expect(c[2]).not.toBe(c[0]);
    expect([c[0], c[2]]).toContain(c[4]);
    expect(res.review.find((p) => p.b === 4 && c[p.a] !== c[4])?.refused).toBe('fiche sans nom de famille qui relierait deux personnes');
  });

  it('attaches a lone record to the one person it clearly matches, for review, and not when two persons match', () => {
    const tanguy = { last_name: 'Tanguy', first_name: 'Maëlle', birth_date: '1988-10-05', postcode: '29000', phone: '+33611002200' };
    const lone = { first_name: 'Maëlle', postcode: '29000' };
    const f = unsexed();
    const res = resolvePersons([tanguy, tanguy, lone, ...f]);
    // below the threshold: a pair alone would not merge
    expect(res.explain(0, 2).probability).toBeLessThan(0.5);
    expect(res.clusterOf[2]).toBe(res.clusterOf[0]);
    expect(res.review.find((p) => p.b === 2)).toMatchObject({ attached: expect.stringMatching(/^fiche isolée rattachée/) });
    const rival = { last_name: 'Le Goff', first_name: 'Maëlle', birth_date: '1990-02-17', postcode: '29000', phone: '+33611002299' };
    const two = resolvePersons([tanguy, tanguy, lone, rival, rival, ...f]);
    expect(two.clusterOf[2]).not.toBe(two.clusterOf[0]);
    expect(two.clusterOf[2]).not.toBe(two.clusterOf[3]);
  });

  it('merges a name mistyped in its first letter, still keeps a household apart and refuses a chain through a homonym', () => {
    const f = unsexed();
    const home = { address: '3 RUE DE SIAM', postcode: '29200', phone: '+33298001122' };
    const yvonnick = { last_name: 'Kerhervé', first_name: 'Yvonnick', birth_date: '1962-03-14', ...home };
    const rows: PersonInput[] = [
      yvonnick, yvonnick,
      // no birth date, no address: only a key on the other name's last letters brings them together
      { last_name: 'Gerhervé', first_name: 'Yvonnick' },
      { last_name: 'Kerhervé', first_name: 'Ivonnick' },
      // household: same surname, address and landline; first names that differ in their first letter
      { last_name: 'Kerhervé', first_name: 'Maëlle', birth_date: '1964-07-02', ...home },
      { last_name: 'Kerhervé', first_name: 'Gaëlle', birth_date: '1991-01-20', ...home },
    ];
    const res = resolvePersons([...rows, ...f]);
    const c = res.clusterOf;
    expect(c[1]).toBe(c[0]);
    expect(c[2]).toBe(c[0]);
    expect(c[3]).toBe(c[0]);
    expect(c[4]).not.toBe(c[0]);
    expect(c[5]).not.toBe(c[4]);
    expect(c[5]).not.toBe(c[0]);
    // the mistyped record would link Yvonnick with his son of the same name: one of the two links is refused
    const son = { last_name: 'Kerhervé', first_name: 'Yvonnick', birth_date: '1990-05-05', postcode: '29200' };
    const chain = resolvePersons([yvonnick, yvonnick, { last_name: 'Gerhervé', first_name: 'Yvonnick' }, son, son, ...f]);
    expect(chain.explain(2, 0).probability).toBeGreaterThan(0.5);
    expect(chain.explain(2, 3).probability).toBeGreaterThan(0.5);
    expect(chain.clusterOf[3]).not.toBe(chain.clusterOf[0]);
    expect(chain.review.some((p) => p.refused?.startsWith('dates de naissance contradictoires'))).toBe(true);
  });

  it('attaches a lone record through the union of a person\'s records when no one record is enough, and not on one weak agreement', () => {
    const f = unsexed();
    const t = { last_name: 'Tanguy', first_name: 'Marie', birth_date: '1988-10-05' };
    const person = [{ ...t, postcode: '29000' }, { ...t, occupation: 'INFIRMIERE' }, { ...t, birth_place: 'QUIMPER' }];
    const res = resolvePersons([...person, { postcode: '29000', occupation: 'INFIRMIERE', birth_place: 'QUIMPER' }, ...f]);
    // each record alone is below the floor of the second pass (0.2)
    for (const i of [0, 1, 2]) expect(res.explain(i, 3).probability).toBeLessThan(0.2);
    expect(res.clusterOf[3]).toBe(res.clusterOf[0]);
    expect(res.review.find((p) => p.b === 3)?.attached).toBe("fiche isolée rattachée à la seule personne qui lui correspond nettement, d'après l'ensemble de ses fiches");
    const weak = resolvePersons([...person, { postcode: '29000', occupation: 'INFIRMIERE' }, ...f]);
    expect(weak.clusterOf[3]).not.toBe(weak.clusterOf[0]);
  });

  it('gives a rare shared surname more weight than a common one', () => {
    const rows = generateSynthetic(2000, 5).map((r) => ({ last_name: r.values.Nom, first_name: r.values['Prénom'] }));
    rows.push({ last_name: 'Zylberstein', first_name: 'Anna' }, { last_name: 'Zylberstein', first_name: 'Anna' }, { last_name: 'Martin', first_name: 'Anna' }, { last_name: 'Martin', first_name: 'Anna' });
    const res = resolvePersons(rows);
    const n = rows.length;
    const rare = res.explain(n - 4, n - 3).evidence.find((e) => e.field === 'last_name')!.weight;
    const common = res.explain(n - 2, n - 1).evidence.find((e) => e.field === 'last_name')!.weight;
    expect(rare).toBeGreaterThan(common);
  });

  it('reads a shared part of a compound surname as close, but not a shared Mac, Ben or Saint alone', () => {
    const pairs = [
      ['Dupont Martin', 'Martin', 'proche'], ['Martin', 'Dupont-Martin', 'proche'], ['Dupont Martin', 'Leroy Martin', 'proche'],
      ['Leroy Dupont', 'Leroy Dupont Moreau', 'proche'], ['De la Fontaine', 'Fontaine', 'proche'],
      ['Mac Leod', 'Mac Bride', 'différent'], ['Ben Ali', 'Ben Youssef', 'différent'], ['Ab', 'Ab Cd', 'différent'],
    ];
    const res = resolvePersons(pairs.flatMap(([a, b]) => [{ last_name: a, first_name: 'Jean' }, { last_name: b, first_name: 'Jean' }]));
    pairs.forEach(([a, b, level], k) => {
      expect([a, b, res.explain(2 * k, 2 * k + 1).evidence.find((e) => e.field === 'last_name')!.level]).toEqual([a, b, level]);
    });
  });

  it('counts the blocks compared within the window only and the postcode blocks left out', () => {
    // Names that share no blocking key: each name's first and last three letters are its own.
    const L = 'BCDFGHJKLMNPRSTVZ';
    const person = (i: number): PersonInput => ({ last_name: `${L[i % 17]}a${L[Math.floor(i / 17)]}ou${L[(i + 5) % 17]}i${L[Math.floor(i / 17) + 3]}`, first_name: `${L[(i + 9) % 17]}e${L[Math.floor(i / 17) + 6]}y${L[i % 17]}o` });
    // 13 records born the same day (one block wider than the window of 10), 15 in one postcode.
    const rows = [...Array.from({ length: 13 }, (_, i) => ({ ...person(i), birth_date: '1980-03-14' })), ...Array.from({ length: 15 }, (_, i) => ({ ...person(13 + i), postcode: '75011' }))];
    expect(resolvePersons(rows).parameters).toMatchObject({ blocksWindowed: 1, blocksSkipped: 1 });
    // A window of 20 holds both blocks: every pair in them is compared.
    const wide = resolvePersons(rows, { window: 20 });
    expect(wide.parameters).toMatchObject({ blocksWindowed: 0, blocksSkipped: 0 });
    expect(wide.parameters.pairsCompared).toBeGreaterThan(resolvePersons(rows).parameters.pairsCompared);
  });

  // Whether a record joins a person of two identical records, among the usual filler.
  const joinsPerson = (person: PersonInput, other: PersonInput, filler: PersonInput[] = unsexed()) => {
    const res = resolvePersons([person, person, other, ...filler]);
    return res.clusterOf[2] === res.clusterOf[0];
  };

  it('brings together two records that share only their birth place, a slip in each name and in the date', () => {
    const yvon = { last_name: 'Kerbrat', first_name: 'Yvon', birth_date: '1962-03-14', birth_place: 'PLOUGASTEL' };
    // no name key (first letters and last letters of the surname, first name, birth date all differ): only the birth place alone
    expect(joinsPerson(yvon, { last_name: 'Gerbrat', first_name: 'Yvonnick', birth_date: '1962-03-15', birth_place: 'PLOUGASTEL' })).toBe(true);
  });

  it('brings a record without a birth date to its surname\'s other records, whatever its first name\'s initial', () => {
    const hannah = { last_name: 'Houlditch', first_name: 'Hannah', birth_date: '1809-09-11', birth_place: 'COWES', occupation: 'POET', gender: 'F' };
    expect(joinsPerson(hannah, { last_name: 'Houlditch', first_name: 'Ann', occupation: 'POET', gender: 'F' })).toBe(true);
  });

  // One record in five carries its postcode with a slip in the last digit.
  const slippedPostcodes = () => withSex(true).map((p, i) => ({ ...p, gender: undefined, postcode: i % 5 || !p.postcode ? p.postcode : `${p.postcode.slice(0, 4)}${(Number(p.postcode.slice(4)) + 1) % 10}` }));

  it('reads two postcodes one keystroke apart as close, weighed by what the extract shows', () => {
    const f = slippedPostcodes();
    const w = { last_name: 'Gardiner', first_name: 'William', birth_date: '1848-01-07', postcode: 'EN118AQ' };
    const res = resolvePersons([w, w, { last_name: 'Gardner', first_name: 'William', postcode: 'EN118AG' }, { last_name: 'Gardner', first_name: 'William', postcode: 'SW1A2EP' }, ...f]);
    const close = res.explain(0, 2);
    const far = res.explain(0, 3);
    expect(close.evidence.find((e) => e.field === 'address')).toMatchObject({ level: 'code postal proche' });
    expect(far.evidence.find((e) => e.field === 'address')).toMatchObject({ level: 'différente' });
    expect(close.weight).toBeGreaterThan(far.weight + 4);
    expect(res.clusterOf[2]).toBe(res.clusterOf[0]);
  });

  it('brings a record without a surname to the person whose postcode is its own with a slip', () => {
    const luff = { last_name: 'Luff', first_name: 'Alfred', birth_date: '1846-04-05', postcode: 'W45RP', occupation: 'UMPIRE' };
    // no name, birth date or postcode in common with the person's records: only the postcodes sorted side by side
    expect(joinsPerson(luff, { first_name: 'Alfred', postcode: 'W4TRP', occupation: 'UMPIRE' }, slippedPostcodes())).toBe(true);
  });

  it('brings together two records that share only their occupation, with a slip in each name and in the date', () => {
    const john = { last_name: 'Hoppner', first_name: 'John', birth_date: '1758-04-04', occupation: 'GRAVEUR' };
    expect(joinsPerson(john, { last_name: 'Oppner', first_name: 'Johnny', birth_date: '1758-04-14', occupation: 'GRAVEUR' })).toBe(true);
  });

  it('reads a birth date one slip away as a slip even between two surnames, and weighs it from random pairs', () => {
    const f = unsexed();
    const res = resolvePersons([{ last_name: 'Dupont', first_name: 'Marie', birth_date: '1980-05-12' }, { last_name: 'Lemoine', first_name: 'Marie', birth_date: '1980-05-13' }, ...f]);
    const slip = res.explain(0, 1).evidence.find((e) => e.field === 'birth_date')!;
    expect(slip.level).toBe('une faute de frappe');
    // u of a slip is read on every random pair: in this extract (one birth date per person, spread
    // over sixty years) two persons one digit apart are common, so a slip weighs less than the same date
    const same = res.explain(0, 0).evidence.find((e) => e.field === 'birth_date')!;
    expect(slip.weight).toBeLessThan(same.weight);
    expect(res.clusterOf[1]).not.toBe(res.clusterOf[0]);
  });

  it('reads two dates known only by their year (1 January) one digit apart as different years, not as a slip', () => {
    const f = unsexed();
    const rows: PersonInput[] = [
      { last_name: 'Clark', first_name: 'Joseph', birth_date: '1857-01-01' }, { last_name: 'Clark', first_name: 'Joseph', birth_date: '1856-01-01' },
      { last_name: 'Clark', first_name: 'Joseph', birth_date: '1857-03-12' }, { last_name: 'Clark', first_name: 'Joseph', birth_date: '1856-03-12' },
    ];
    const res = resolvePersons([...rows, ...f]);
    expect(res.explain(0, 1).evidence.find((e) => e.field === 'birth_date')!.level).toBe('différente');
    expect(res.explain(2, 3).evidence.find((e) => e.field === 'birth_date')!.level).toBe('une faute de frappe');
  });

  it('brings a first name mistyped in its first letter to the right spelling through the keys sorted on the reversed first name', () => {
    const f = unsexed();
    const james = { last_name: 'Burns', first_name: 'James', birth_date: '1789-06-09', birth_place: 'BIRMINGHAM', occupation: 'NEGOCIANT' };
    // others born in Birmingham, whose first names sort between JAMES and UAMES and surnames between BURNS and UAMES
    const others = ['Kevin', 'Louis', 'Marc', 'Noel', 'Olivier', 'Pierre', 'Quentin', 'Rene', 'Simon', 'Thierry'].map((fn, k) => ({
      last_name: `${String.fromCharCode(67 + k)}ollin`, first_name: fn, birth_date: `17${50 + k}-01-0${1 + (k % 8)}`, birth_place: 'BIRMINGHAM', occupation: 'NEGOCIANT',
    }));
    const rows: PersonInput[] = [james, james, { first_name: 'Uames', birth_place: 'BIRMINGHAM', occupation: 'NEGOCIANT' }, ...others, ...others];
    // a window of 2: sorted on the first name or the only name, UAMES is far from JAMES; sorted on the reversed first name, next to it
    const res = resolvePersons([...rows, ...f], { window: 2 });
    expect(res.clusterOf[2]).toBe(res.clusterOf[0]);
  });

  it('brings together two records whose birth years differ by a slip, through the month and day with the name', () => {
    const g = { last_name: 'Leroy', first_name: 'Gwenaël', birth_date: '1962-03-14' };
    // no surname, a slip in the year: no key on the birth date or the year meets the person's records
    expect(joinsPerson(g, { first_name: 'Gwenaël', birth_date: '1982-03-14', other_names: 'Gwenaël Leroy' })).toBe(true);
  });

  it('lets a record without a surname link two persons that share a surname (or one a slip of the other), not two that do not', () => {
    const f = unsexed();
    const malcolm = { last_name: 'Smith', first_name: 'Malcolm', birth_date: '1956-12-01', birth_place: 'LERWICK', occupation: 'PECHEUR' };
    const home = { phone: '+33298001122', email: 'm.smyth@example.org', address: '3 RUE DE SIAM', postcode: '29200' };
    const malcom = { last_name: 'Smyth', first_name: 'Malcom', birth_place: 'BREST', occupation: 'MARIN', ...home };
    // no key brings SMITH and SMYTH together: only the record without a surname links them
    const lone = { first_name: 'Malcolm', birth_date: '1956-12-01', ...home };
    const res = resolvePersons([malcolm, malcolm, malcom, malcom, lone, ...f]);
    expect(new Set(res.clusterOf.slice(0, 5)).size).toBe(1);
    const other = resolvePersons([malcolm, malcolm, { ...malcom, last_name: 'Kerbrat' }, { ...malcom, last_name: 'Kerbrat' }, lone, ...f]);
    expect(other.clusterOf[2]).not.toBe(other.clusterOf[0]);
    expect(other.review.some((p) => p.refused === 'fiche sans nom de famille qui relierait deux personnes')).toBe(true);
  });

  it('reads a birth place that is words of the other as close ("DARWEN" / "BLACKBURN WITH DARWEN"), not a part of a word', () => {
    const res = resolvePersons([
      { last_name: 'Holden', first_name: 'William', birth_place: 'DARWEN' }, { last_name: 'Holden', first_name: 'William', birth_place: 'BLACKBURN WITH DARWEN' },
      { last_name: 'Holden', first_name: 'William', birth_place: 'ARWEN' },
    ]);
    expect(res.explain(0, 1).evidence.find((e) => e.field === 'birth_place')!.level).toBe('proche');
    expect(res.explain(1, 2).evidence.find((e) => e.field === 'birth_place')!.level).toBe('différent');
  });
});

describe('scopeRecords and outputs', () => {
  const rows = generateSynthetic(3000, 11);
  const file = join(dir, 'extract.csv');
  writeFileSync(file, syntheticCsv(rows));

  it('finds the persons of a French synthetic extract and writes identical files twice', async () => {
    const res = await scopeRecords({ files: [file], mapping: mapping() }, { notificationDate: '2025-01-15' });
    const pred: string[] = rows.map((_, i) => res.personOf.get(i)!);
    const score = evaluate(pred, rows.map((r) => r.truth));
    expect(score.pairwise.f1).toBeGreaterThan(0.9);
    expect(Math.abs(score.countError)).toBeLessThan(0.05);
    const [lo, hi] = res.personsRange;
    expect(lo).toBeLessThanOrEqual(res.persons.length);
    expect(hi).toBeGreaterThanOrEqual(res.persons.length);
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const files = await writeOutputs(res, a, pack);
    const again = await scopeRecords({ files: [file], mapping: mapping() }, { notificationDate: '2025-01-15' });
    await writeOutputs(again, b, pack);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    const assignments = readFileSync(join(a, 'assignments.csv'), 'utf8').trim().split('\n');
    expect(assignments).toHaveLength(rows.length + 1);
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    expect(summary.persons).toBe(res.persons.length);
    // Common French surnames and birth years fill blocks past the window: the summary says so.
    expect(Object.keys(summary.model)).toEqual(['pairs_compared', 'blocks_windowed', 'blocks_skipped', 'prior']);
    expect(summary.model.blocks_windowed).toBeGreaterThan(0);
    expect(summary.by_risk.burglary).toBeGreaterThan(0);
    expect(readFileSync(join(a, 'report.html'), 'utf8')).not.toMatch(/<script|src=|href="http/);
    // Explanations in French, without the fields that were missing (they weigh nothing).
    const review = readFileSync(join(a, 'review.csv'), 'utf8').trim().split('\n');
    expect(review.length).toBeGreaterThan(1);
    expect(review.slice(1).join('\n')).toMatch(/(,|"|; )nom (identique|proche|différent) \([+-]/);
    expect(review.join('\n')).not.toMatch(/last_name|birth_date|sexe absent|lieu de naissance absent/);
  });

  it('writes one readable letter per reachable person, to the legal representatives of minors', async () => {
    const small = join(dir, 'small.csv');
    writeFileSync(small, `${HEADER}\nL1;D1;otv;01/07/2024;Requérant;Durand;Léa;12/05/2012;06 11 22 33 44;;4 r de la Paix;94340;Joinville-le-Pont;;10/07/2024;30/07/2024;\nL2;D2;main_courante;02/07/2024;Victime;Moreau;Alain;01/01/1960;;alain@exemple.fr;8 av Foch;94100;Saint-Maur;;;;Vol simple\nL3;D2;main_courante;02/07/2024;Mis en cause;Girard;Paul;03/03/1990;;;;;;;;;Vol simple\n`);
    const res = await scopeRecords({ files: [small], mapping: mapping() }, { notificationDate: '2024-07-20' });
    const lea = res.persons.find((p) => p.firstName === 'Léa')!;
    expect(lea.minor).toBe(true);
    expect(lea.risks.map((r) => r.risk)).toContain('burglary');
    const alain = res.persons.find((p) => p.firstName === 'Alain')!;
    expect(alain.risks.map((r) => r.risk)).toEqual(expect.arrayContaining(['retaliation', 'sensitive', 'phishing']));
    const out = join(dir, 'letters');
    await writeOutputs(res, out, pack);
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(join(out, 'letters.pdf'))), useSystemFonts: false }).promise;
    expect(doc.numPages).toBe(2);
    const text = async (n: number) => (await (await doc.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ');
    const first = await text(1);
    expect(first).toContain('représentants légaux de Léa');
    expect(first).toContain('cambriolage');
    expect(await text(2)).toContain('représailles');
    const sms = readFileSync(join(out, 'sms.csv'), 'utf8');
    expect(sms).toContain('+33611223344');
  });

  it('writes CSVs that a spreadsheet opens without running a value of the leaked file as a formula', async () => {
    const f = join(dir, 'hostile.csv');
    writeFileSync(f, `${HEADER}\nL1;D1;=HYPERLINK("http://x");01/03/2024;@SUM(A1);Roux;Pierre;05/05/1975;06 11 22 33 44;;;;;;;;\n`);
    const res = await scopeRecords({ files: [f], mapping: mapping() }, { notificationDate: '2024-07-20' });
    const out = join(dir, 'hostile-out');
    await writeOutputs(res, out, pack);
    const persons = readFileSync(join(out, 'persons.csv'), 'utf8');
    expect(persons).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(persons).not.toMatch(/(^|,)"?[=@]/m);
    expect(readFileSync(join(out, 'sms.csv'), 'utf8')).toMatch(/^P\d+,\+33611223344,/m);
  });

  it('reports bad rows with file and line and keeps going; refuses a file missing a mapped column', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, iconv.encode(`${HEADER}\r\nL1;D1;otv;01/07/2024;Requérant;Hervé;Éloïse;31/02/1980;;;;;;;;;\r\nL2;D1;otv;01/07/2024;Requérant;;Jean;;;;;;;;;;\r\nL3;D1;otv;01/07/2024\r\n`, 'windows-1252'));
    const res = await scopeRecords({ files: [bad], mapping: mapping() }, { notificationDate: '2024-07-20' });
    expect(res.persons.map((p) => p.lastName)).toEqual(['HERVE']);
    expect(res.persons[0]!.firstName).toBe('Éloïse');
    expect(res.rejected.map((i) => [i.file, i.line])).toEqual(expect.arrayContaining([['bad.csv', 3], ['bad.csv', 4]]));
    const missing = join(dir, 'missing.csv');
    writeFileSync(missing, 'Nom;Prénom\nDupont;Jean\n');
    await expect(scopeRecords({ files: [missing], mapping: mapping() }, { notificationDate: '2024-07-20' })).rejects.toBeInstanceOf(IngestError);
  });

  it('keeps only the perimeter but reaches people through their other records', async () => {
    const f = join(dir, 'perimeter.csv');
    writeFileSync(f, `${HEADER}\nL1;D1;main_courante;01/03/2024;Témoin;Roux;Pierre;05/05/1975;;;;;;;;;\nL2;D2;fourriere;01/03/2022;Propriétaire;ROUX;Pierre;05/05/1975;07 81 02 03 04;;;;;;;;\nL3;D3;otv;01/03/2024;Requérant;Blanc;Anne;05/06/1980;;;;;;;;;\n`);
    const res = await scopeRecords({ files: [f], mapping: mapping() }, { notificationDate: '2024-07-20', since: '2024-01-01', modules: ['main_courante'] });
    expect(res.summary.records).toBe(1);
    expect(res.persons).toHaveLength(1);
    expect(res.persons[0]!.phone?.e164).toBe('+33781020304');
  });

  it('stops when aborted', async () => {
    const ctrl = new AbortController();
    ctrl.abort(new Error('annulé'));
    await expect(scopeRecords({ files: [file], mapping: mapping() }, { notificationDate: '2025-01-15', signal: ctrl.signal })).rejects.toThrow('annulé');
  });
});
