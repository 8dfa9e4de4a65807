import { z } from 'zod';
import { isValidSiren } from './siren.ts';
import { ROLES } from '../../platform/permissions.ts';

export const ORGANISATION_KINDS = ['commune', 'epci', 'departement', 'region', 'syndicat', 'ccas', 'autre'] as const;

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const organisationInputSchema = z.object({
  name: z.string().trim().min(2, 'Nom requis.').max(200),
  kind: z.enum(ORGANISATION_KINDS),
  siren: z
    .string()
    .trim()
    .transform((s) => s.replace(/\s/g, ''))
    .refine(isValidSiren, 'SIREN invalide : 9 chiffres dont une clé de contrôle (algorithme de Luhn).')
    .nullable()
    .optional(),
  inseeCode: z.string().trim().regex(/^(\d{5}|2[AB]\d{3})$/, 'Code INSEE invalide (5 caractères, ex. 94042 ou 2A004).').nullable().optional(),
  population: z.number().int().min(0).max(100_000_000).nullable().optional(),
  address: optionalText(500),
  dpo: z
    .object({ name: optionalText(200), email: z.string().trim().email('Adresse du DPO invalide.').max(320).nullable().optional(), phone: optionalText(40) })
    .optional(),
});

export const organisationPatchSchema = organisationInputSchema.partial();
export const roleSchema = z.enum(ROLES);
