// Detection rules are data: one YAML file per rule naming a built-in detector, its thresholds and
// its French and English texts. The default pack lives in ../rules/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DETECTORS = [
  'spraying', 'spray_target', 'new_country', 'new_network', 'script_client', 'impossible_travel',
  'concurrent_sessions', 'off_hours', 'export_volume', 'access_volume', 'new_module',
  'admin_out_of_pattern', 'new_account_same_ip',
] as const;
export type DetectorName = (typeof DETECTORS)[number];

const text = z.strictObject({ fr: z.string().min(1), en: z.string().min(1) });

/**
 * Fields an aggregate rule may name, and the column of the combination table each one reads. The
 * SQL identifiers come from this closed list only; the values written in YAML are always bound.
 */
export const AGGREGATE_FIELDS = {
  'user.name': 'u',
  'source.ip': 'ip',
  'source.geo.country_iso_code': 'country',
  'user_agent.original': 'ua',
  'event.action': 'action',
  'event.outcome': 'outcome',
  'app.module': 'module',
} as const;
export type AggregateField = keyof typeof AGGREGATE_FIELDS;
const FIELD_NAMES = Object.keys(AGGREGATE_FIELDS) as [AggregateField, ...AggregateField[]];
const fieldList = FIELD_NAMES.join(', ');
const field = z.enum(FIELD_NAMES, { error: `champ inconnu (champs permis : ${fieldList})` });

const SELECT_NORMALISE: Partial<Record<AggregateField, (v: string) => string>> = {
  'event.action': (v) => v.trim().toLowerCase(),
  'event.outcome': (v) => v.trim().toLowerCase(),
  'source.geo.country_iso_code': (v) => v.trim().toUpperCase(),
};

const TIMEFRAME_UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
// At most a month: longer windows would no longer be a "burst".
const MAX_TIMEFRAME = 31 * 86_400_000;
/** Milliseconds of a validated timeframe such as 15m, 1h, 1d. */
export function timeframeMs(timeframe: string): number {
  const m = /^([1-9][0-9]{0,4})([mhd])$/.exec(timeframe);
  if (!m) return Number.NaN;
  return Number(m[1]) * TIMEFRAME_UNITS[m[2] as keyof typeof TIMEFRAME_UNITS];
}

const base = {
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  severity: z.enum(SEVERITIES),
  enabled: z.boolean().default(true),
  title: text,
  why: text,
  explanation: text,
  advice: text,
  params: z.record(z.string(), z.union([z.number(), z.string(), z.array(z.string())])).default({}),
};

const BuiltinRuleSchema = z.strictObject({ ...base, detector: z.enum(DETECTORS) });

const AggregateRuleSchema = z.strictObject({
  ...base,
  detector: z.literal('aggregate'),
  // field → allowed values: fields are ANDed, the values of one field ORed.
  select: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1, { error: 'liste de valeurs vide' })]), { error: 'attendu un objet champ → valeurs' })
    .superRefine((sel, ctx) => {
      for (const key of Object.keys(sel)) {
        if (!(key in AGGREGATE_FIELDS)) ctx.addIssue({ code: 'custom', path: [key], message: `champ inconnu (champs permis : ${fieldList})` });
      }
    })
    // Written the way the loader normalises the events, so that `View` or `fr` still match.
    .transform((sel) => Object.fromEntries(Object.entries(sel).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map((x) => SELECT_NORMALISE[k as AggregateField]?.(x) ?? x)])) as Partial<Record<AggregateField, string[]>>)
    .default({}),
  group_by: z.array(field, { error: 'attendu une liste de champs' })
    .refine((g) => g.includes('user.name'), { error: 'doit contenir user.name (chaque signe porte sur un compte)' })
    .refine((g) => new Set(g).size === g.length, { error: 'champ répété' })
    .default(['user.name']),
  timeframe: z.string({ error: 'durée attendue (15m, 1h, 1d…)' })
    .refine((t) => timeframeMs(t) > 0 && timeframeMs(t) <= MAX_TIMEFRAME, { error: 'durée invalide : un nombre suivi de m, h ou d (15m, 1h, 1d), 31 jours au plus' }),
  condition: z.strictObject({
    count: z.literal('events', { error: 'seule valeur permise : events' }).optional(),
    sum: z.literal('records', { error: 'seule valeur permise : records' }).optional(),
    distinct: field.optional(),
    gt: z.number({ error: 'seuil numérique attendu' }).nonnegative({ error: 'seuil positif attendu' }),
  }, { error: (issue) => (issue.code === 'unrecognized_keys' ? `agrégation inconnue ${issue.keys.join(', ')} (permises : count, sum, distinct ; seuil gt)` : 'attendu { count: events | sum: records | distinct: <champ>, gt: N }') })
    .refine((c) => [c.count, c.sum, c.distinct].filter((v) => v !== undefined).length === 1, { error: 'une et une seule agrégation parmi count, sum, distinct' }),
});
export type AggregateRule = z.infer<typeof AggregateRuleSchema>;

export const RuleSchema = z.discriminatedUnion('detector', [BuiltinRuleSchema, AggregateRuleSchema], {
  error: `détecteur inconnu (permis : ${[...DETECTORS, 'aggregate'].join(', ')})`,
});
export type Rule = z.infer<typeof RuleSchema>;

export class RuleError extends Error {
  readonly code = 'invalid_rule';
  constructor(readonly file: string, readonly messageFr: string, messageEn: string) {
    super(`${file} : ${messageFr} / ${messageEn}`);
  }
}

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../rules/', import.meta.url));
/** Shipped mappings for common log layouts (YAML files read by @rempart/ingest). */
export const VENDOR_MAPPING_FILE = fileURLToPath(new URL('../mappings/editeur-fr.yml', import.meta.url));

/** Load every *.yml of a folder, sorted by file name; a wrong rule stops with its file named. */
export function loadRules(dir: string = DEFAULT_RULES_DIR): Rule[] {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const rules: Rule[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(join(dir, file), 'utf8'), { maxAliasCount: 0 });
    } catch (error) {
      throw new RuleError(file, `YAML invalide (${(error as Error).message.split('\n')[0]}).`, 'invalid YAML.');
    }
    const parsed = RuleSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RuleError(file, `règle invalide, champ ${issue?.path.join('.') || '?'} : ${issue?.message}.`, `invalid rule, field ${issue?.path.join('.')}: ${issue?.message}.`);
    }
    if (seen.has(parsed.data.id)) throw new RuleError(file, `identifiant de règle en double : ${parsed.data.id}.`, `duplicate rule id: ${parsed.data.id}.`);
    seen.add(parsed.data.id);
    rules.push(parsed.data);
  }
  return rules;
}

/** Thresholds adjusted from the command line or the server: `{ export_volume: { ratio: 10 } }`. */
export function withOverrides(rules: Rule[], overrides: Record<string, Record<string, number | string | string[]> | { enabled: boolean }> = {}): Rule[] {
  return rules.map((rule) => {
    const o = overrides[rule.id];
    if (!o) return rule;
    if ('enabled' in o && typeof o.enabled === 'boolean') return { ...rule, enabled: o.enabled };
    return { ...rule, params: { ...rule.params, ...(o as Record<string, number | string | string[]>) } };
  });
}

export function num(rule: Rule, key: string, fallback: number): number {
  const v = rule.params[key];
  return typeof v === 'number' ? v : fallback;
}

export function list(rule: Rule, key: string): string[] {
  const v = rule.params[key];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function str(rule: Rule, key: string, fallback: string): string {
  const v = rule.params[key];
  return typeof v === 'string' ? v : fallback;
}
