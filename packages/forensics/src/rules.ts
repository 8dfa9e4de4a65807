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

export const RuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  detector: z.enum(DETECTORS),
  severity: z.enum(SEVERITIES),
  enabled: z.boolean().default(true),
  title: text,
  why: text,
  explanation: text,
  advice: text,
  params: z.record(z.string(), z.union([z.number(), z.string(), z.array(z.string())])).default({}),
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
