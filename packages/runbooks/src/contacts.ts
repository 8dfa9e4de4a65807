import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const contactSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
  url: z.string().url().optional(),
  region: z.string().optional(),
  notes: z.string().optional(),
});
const fileSchema = z.object({ checkedOn: z.iso.date(), contacts: z.array(contactSchema).min(1) });

export type NationalContacts = z.infer<typeof fileSchema>;

export function loadNationalContacts(): NationalContacts {
  const text = readFileSync(new URL('../data/contacts-nationaux.yml', import.meta.url), 'utf8');
  return fileSchema.parse(parse(text));
}
