// The public sets in ../shared/data/er mapped to the resolver's input, shared by run.ts and analyze.ts.
import { existsSync } from 'node:fs';
import { type PersonInput, genderKey, labelKey, normText } from '../../packages/scoping/src/index.ts';

export const ER = '/work/shared/data/er';
export const PUBLIC_SETS: Record<string, string> = { historical: 'historical_50k.csv', febrl2: 'febrl_dataset2.csv', febrl3: 'febrl_dataset3.csv' };

export interface PublicSet { name: string; people: PersonInput[]; truth: string[]; raw: Record<string, string>[] }

export function publicSet(which: string, read: (file: string) => Record<string, string>[]): PublicSet {
  const file = `${ER}/${PUBLIC_SETS[which] ?? which}`;
  if (!existsSync(file)) throw new Error(`${file} introuvable`);
  const raw = read(file);
  if (which === 'historical') {
    return {
      name: 'historical_50k', raw,
      people: raw.map((x) => ({
        last_name: x.surname, first_name: x.first_name, birth_date: /^\d{4}-\d\d-\d\d$/.test(x.dob ?? '') ? x.dob : undefined,
        postcode: x.postcode_fake?.replace(/\s/g, '').toUpperCase() || undefined, birth_place: labelKey(x.birth_place) || undefined,
        gender: genderKey(x.gender) || undefined, occupation: labelKey(x.occupation) || undefined, other_names: x.full_name || undefined,
      })),
      truth: raw.map((x) => x.cluster!),
    };
  }
  const dob = (d: string | undefined) => (d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : undefined);
  return {
    name: PUBLIC_SETS[which] ?? which, raw,
    people: raw.map((x) => ({ last_name: x.surname, first_name: x.given_name, birth_date: dob(x.date_of_birth), phone: x.phone_number?.replace(/\s/g, '') || undefined, address: normText(`${x.street_number} ${x.address_1}`) || undefined, postcode: x.postcode || undefined })),
    truth: raw.map((x) => (x.rec_id ?? '').replace(/-(org|dup-\d+)$/, '')),
  };
}
