import { z } from 'zod';
import { isValidSiren } from './siren.ts';
import { ROLES } from '../../platform/permissions.ts';
import { say } from '../../platform/say.ts';

export const ORGANISATION_KINDS = ['commune', 'epci', 'departement', 'region', 'syndicat', 'ccas', 'autre'] as const;

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const organisationInputSchema = z.object({
  name: z.string().trim().min(2, say('Nom requis.', 'Name required.')).max(200),
  kind: z.enum(ORGANISATION_KINDS),
  siren: z
    .string()
    .trim()
    .transform((s) => s.replace(/\s/g, ''))
    .refine(isValidSiren, say('SIREN invalide : 9 chiffres dont une clé de contrôle (algorithme de Luhn).', 'Invalid SIREN: 9 digits including a check digit (Luhn algorithm).'))
    .nullable()
    .optional(),
  inseeCode: z.string().trim().regex(/^(\d{5}|2[AB]\d{3})$/, say('Code INSEE invalide (5 caractères, ex. 94042 ou 2A004).', 'Invalid INSEE code (5 characters, e.g. 94042 or 2A004).')).nullable().optional(),
  population: z.number().int().min(0).max(100_000_000).nullable().optional(),
  address: optionalText(500),
  dpo: z
    .object({ name: optionalText(200), email: z.string().trim().email(say('Adresse du DPO invalide.', 'Invalid DPO email address.')).max(320).nullable().optional(), phone: optionalText(40) })
    .optional(),
});

export const organisationPatchSchema = organisationInputSchema.partial();
export const roleSchema = z.enum(ROLES);
