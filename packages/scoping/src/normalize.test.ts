// Hostile values in every normalised field: each normaliser answers a value or "missing" (empty /
// null), never throws, and a huge value costs no more than reading it (a hang fails the test).
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { createDateParser } from '@rempart/ingest';
import {
  addressKey, birthDateKey, emailKey, firstNameKey, genderKey, jaroWinkler, labelKey, nameGroupOf, normText, oneEdit, phoneKey, plateKey, postcodeKey, resolvePersons, surnameKey, surnameTokens,
} from './index.ts';

const mojibake = iconv.decode(iconv.encode('Hélène Lefèvre-Dupré', 'utf8'), 'latin1'); // "HÃ©lÃ¨ne…"
const latin1AsUtf8 = iconv.decode(iconv.encode('Françoise Œuvrard', 'latin1'), 'utf8'); // U+FFFD replacement characters
const CORPUS: [string, string][] = [
  ['empty', ''], ['spaces', '   \t  '], ['newlines', '\r\n\n'], ['NUL and controls', 'DU\u0000PONT\u0007\u001b[31m'],
  ['zero-width', 'Ma\u200brie\u200d\ufeff'], ['RTL override', '\u202eTNOPUD\u202c'], ['Arabic', 'محمد بن علي'], ['Hebrew', 'שלום'],
  ['emoji', '👮‍♀️🚓 Marie 🏠'], ['only emoji', '🔥🔥🔥'], ['combining marks', 'E\u0301\u0301\u0301\u0301lise'], ['mojibake', mojibake],
  ['latin1 read as utf8', latin1AsUtf8], ['lone surrogate', 'Jean\ud800Pierre'], ['huge name', 'A'.repeat(5_000_000)],
  ['huge separators', '-'.repeat(1_000_000)], ['huge email-like', `a@${'b.'.repeat(200_000)}!`], ['huge digits', '0'.repeat(1_000_000)],
  ['formula injection', '=HYPERLINK("http://x")'], ['html', '<script>alert(1)</script>'], ['sql', "'; DROP TABLE persons; --"],
  ['numbers', '12345'], ['phone-ish letters', '+33 6 AB CD EF GH'], ['date-ish', '31/02/2024'], ['impossible date', '2024-13-45'],
];

const isMissingOrString = (v: unknown) => typeof v === 'string';

describe('normalisers on hostile input', () => {
  for (const [name, value] of CORPUS) {
    it(`never throws on ${name}`, () => {
      expect(isMissingOrString(normText(value))).toBe(true);
      expect(isMissingOrString(surnameKey(value))).toBe(true);
      expect(Array.isArray(surnameTokens(value))).toBe(true);
      expect(isMissingOrString(firstNameKey(value).key)).toBe(true);
      expect(isMissingOrString(addressKey(value))).toBe(true);
      expect(isMissingOrString(postcodeKey(value))).toBe(true);
      expect(isMissingOrString(emailKey(value))).toBe(true);
      expect(isMissingOrString(plateKey(value))).toBe(true);
      expect(['', 'M', 'F']).toContain(genderKey(value));
      expect(isMissingOrString(labelKey(value))).toBe(true);
      const phone = phoneKey(value);
      expect(phone === null || /^\+\d{6,15}$/.test(phone.e164)).toBe(true);
      expect(birthDateKey(value, '2025-01-01')).toBeNull();
      expect(jaroWinkler(surnameKey(value), 'DUPONT')).toBeGreaterThanOrEqual(0);
      const dates = createDateParser({ kind: 'date', formats: ['dd/MM/yyyy', 'yyyy-MM-dd', 'd/M/yy'] })(value);
      expect(dates.ok).toBe(false);
      if (!dates.ok) expect(dates.code).toMatch(/_date$/);
    });
  }

  it('treats over-long values as missing, not as a name', () => {
    expect(surnameKey('A'.repeat(201))).toBe('');
    expect(firstNameKey('B'.repeat(201)).key).toBe('');
    expect(emailKey(`${'a'.repeat(250)}@x.fr`)).toBe('');
    expect(phoneKey(`06 12 34 56 78${' '.repeat(50)}x`)).toBeNull();
    expect(surnameKey('Lefèvre')).toBe('LEFEVRE');
    expect(labelKey('C'.repeat(201))).toBe('');
  });

  it('reads sex from civilities and sex columns, and leaves anything else unknown', () => {
    for (const m of ['M.', 'M', 'Mr', 'Monsieur', 'H', 'homme', 'Masculin', 'male']) expect(genderKey(m)).toBe('M');
    for (const f of ['Mme', 'Mlle', 'Madame', 'Mademoiselle', 'F', 'femme', 'Féminin', 'female']) expect(genderKey(f)).toBe('F');
    for (const x of ['', 'female | male', 'Dr', 'X', 't2227949966']) expect(genderKey(x)).toBe('');
  });

  it('tells a one-keystroke slip from another name', () => {
    for (const [a, b] of [['WATTS', 'WZTTS'], ['UNDERWOOD', 'UMDERWOOD'], ['HALDANE', 'HSLDANE'], ['DUPONT', 'DUPOND'], ['MARTIN', 'MARTINS'], ['LEFEBVRE', 'LEFEVRE'], ['BERNARD', 'BERANRD'], ['SMITH', 'SMITH']]) {
      expect(oneEdit(a!, b!)).toBe(true);
      expect(oneEdit(b!, a!)).toBe(true);
    }
    for (const [a, b] of [['WATTS', 'WZTTZ'], ['MARTIN', 'MARTINEZ'], ['DUPONT', 'DURAND'], ['ROY', 'ROYER'], ['BERNARD', 'BRENARDS'], ['ABC', 'CBA']]) {
      expect(oneEdit(a!, b!)).toBe(false);
      expect(oneEdit(b!, a!)).toBe(false);
    }
  });

  it('puts the known forms of a first name in one blocking group, and no other name', () => {
    expect(nameGroupOf('WILLIAM')).toBeGreaterThan(0);
    expect(nameGroupOf('GWILYM')).toBe(nameGroupOf('WILLIAM'));
    expect(nameGroupOf('GUILLAUME')).toBe(nameGroupOf('BILL'));
    expect(nameGroupOf('ROBERT')).not.toBe(nameGroupOf('WILLIAM'));
    expect(nameGroupOf('ZEPHYRIN')).toBe(0);
  });

  it('resolves a file made of hostile values without throwing', () => {
    const people = CORPUS.flatMap(([, v]) => [{ last_name: v, first_name: v, birth_date: v, phone: v, email: v, address: v, postcode: v, birth_place: labelKey(v), occupation: labelKey(v), gender: v }, { last_name: v }]);
    const res = resolvePersons(people);
    expect(res.clusterOf).toHaveLength(people.length);
  });
});
