// The risk matrix is data: shipped defaults (risks.yml, with the reasoning in French), validated,
// and overridable per organisation. Risk ids are fixed (letters carry advice per risk); their
// conditions, texts and activation are not.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const CATEGORY_IDS = ['identity', 'birth', 'contact', 'address', 'vehicle', 'absence', 'offence', 'facts', 'other'] as const;
export const RISK_IDS = ['phishing', 'identity_theft', 'burglary', 'retaliation', 'vehicle_fraud', 'sensitive'] as const;

const category = z.enum(CATEGORY_IDS);
const ruleSchema = z.object({
  enabled: z.boolean().default(true),
  label: z.string().min(1),
  why: z.string().min(1),
  reason: z.string().min(1),
  when: z.object({
    categories_all: z.array(category).default([]),
    categories_any: z.array(category).default([]),
    fields_any: z.array(z.string().regex(/^[a-z]+\.[a-z_]+$/)).default([]),
    modules_any: z.array(z.string().min(1)).default([]),
    open_absence: z.boolean().default(false),
    exposed_roles: z.array(z.string().min(1)).default([]),
    accused_roles: z.array(z.string().min(1)).default([]),
  }).strict().refine((w) => !w.exposed_roles.length === !w.accused_roles.length, 'exposed_roles et accused_roles vont ensemble')
    .refine((w) => w.categories_all.length + w.categories_any.length + w.fields_any.length + w.modules_any.length + w.exposed_roles.length > 0 || w.open_absence, 'au moins une condition'),
}).strict();
export type RiskRule = z.infer<typeof ruleSchema>;
export type RiskMatrix = Record<(typeof RISK_IDS)[number], RiskRule>;

const matrixSchema = z.object(Object.fromEntries(RISK_IDS.map((id) => [id, ruleSchema.optional()])) as Record<(typeof RISK_IDS)[number], z.ZodOptional<typeof ruleSchema>>).strict();

export class RiskMatrixError extends Error {
  constructor(readonly where: string, readonly problems: string[]) {
    super(`Matrice des risques invalide (${where}) :\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function parseMatrix(text: string, where: string): Partial<RiskMatrix> {
  let raw: unknown;
  try { raw = parseYaml(text); } catch (e) { throw new RiskMatrixError(where, [`YAML illisible : ${(e as Error).message}`]); }
  const r = matrixSchema.safeParse(raw ?? {});
  if (!r.success) throw new RiskMatrixError(where, r.error.issues.map((i) => `${i.path.join('.') || '(racine)'} : ${i.code === 'unrecognized_keys' ? `clé inconnue ${(i as { keys?: string[] }).keys?.join(', ')} (risques possibles : ${RISK_IDS.join(', ')})` : i.message}`));
  return r.data as Partial<RiskMatrix>;
}

let defaults: RiskMatrix | undefined;
/** The shipped matrix (risks.yml beside this file). */
export function defaultRiskMatrix(): RiskMatrix {
  defaults ??= parseMatrix(readFileSync(new URL('./risks.yml', import.meta.url), 'utf8'), 'risks.yml') as RiskMatrix;
  return defaults;
}

/** An organisation's matrix (YAML text or file), over the defaults: risks it leaves out keep them. */
export function loadRiskMatrix(source: { text: string; name?: string } | { path: string }): RiskMatrix {
  const text = 'path' in source ? readFileSync(source.path, 'utf8') : source.text;
  const name = 'path' in source ? source.path : source.name ?? 'matrice';
  return { ...defaultRiskMatrix(), ...parseMatrix(text, name) };
}
