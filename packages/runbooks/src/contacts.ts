// National and regional contacts that hold for every organisation, from a data file where each
// entry carries the date it was last checked. A blank field is better than an invented number.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DataFileError, parseYamlData, readDataFile, type DataResult } from './data-file.ts';

const day = z.iso.date({ message: 'date AAAA-MM-JJ attendue.' });

const contactSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{2,60}$/, 'identifiant en minuscules, chiffres et tirets.'),
  kind: z.enum(['national', 'csirt_regional', 'annuaire']),
  name: z.string().trim().min(2).max(200),
  role: z.string().trim().min(2).max(500),
  phone: z.string().trim().regex(/^\+?[0-9 ]{3,20}$/, 'numéro de téléphone : chiffres et espaces.').optional(),
  email: z.email({ message: 'adresse électronique invalide.' }).optional(),
  url: z.url({ protocol: /^https$/, message: 'adresse https:// attendue.' }).optional(),
  region: z.string().trim().max(100).optional(),
  notes: z.string().trim().max(2000).optional(),
  checkedOn: day,
});

const fileSchema = z.strictObject({ checkedOn: day, contacts: z.array(contactSchema).min(1).max(500) });

export type NationalContact = z.infer<typeof contactSchema>;
export type NationalContacts = z.infer<typeof fileSchema>;

export const nationalContactsFile = fileURLToPath(new URL('../data/contacts-nationaux.yml', import.meta.url));

export function parseNationalContacts(text: string, file = 'contacts-nationaux.yml'): DataResult<NationalContacts> {
  const result = parseYamlData(text, file, fileSchema);
  if (!result.ok) return result;
  const ids = new Set<string>();
  for (const [i, c] of result.value.contacts.entries()) {
    if (ids.has(c.id)) {
      return { ok: false, issues: [{ code: 'duplicate_key', file, line: result.lineOf?.(['contacts', i, 'id']), field: `contacts.${i}.id`, message: `identifiant « ${c.id} » en double.`, messageEn: `duplicate id "${c.id}".` }] };
    }
    ids.add(c.id);
  }
  return { ok: true, value: result.value };
}

let cached: NationalContacts | null = null;

/** The shipped file: `{ checkedOn, contacts }` as GET /api/v1/contacts/national answers it. */
export function loadNationalContacts(): NationalContacts {
  if (cached) return cached;
  const text = readDataFile(nationalContactsFile);
  const parsed = text.ok ? parseNationalContacts(text.value) : text;
  if (!parsed.ok) throw new DataFileError(parsed.issues);
  cached = parsed.value;
  return cached;
}
