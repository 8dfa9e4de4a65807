// Test support: rules written as YAML files and loaded the way the CLI loads a folder, so that
// tests exercise the same reader and the same French errors as users do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadRules, RuleError, type Rule } from './rules.ts';

/** A value that would break a query built by string concatenation: rules must bind it. */
export const HOSTILE = "'; DROP TABLE x; --";

/** The four texts every rule needs, the title and explanation varying by test. */
export function ruleTexts(title: { fr: string; en: string }, explanation: { fr: string; en: string }) {
  return { title, why: { fr: 'Pourquoi', en: 'Why' }, explanation, advice: { fr: 'Vérifier', en: 'Check' } };
}

export interface RuleFolders {
  /** The scratch folder (rules and test logs); `dispose` removes it. */
  dir: string;
  /** Writes each spec (over `defaults`) to `<id>.yml` in a folder of its own and loads the folder. */
  rules(...specs: Record<string, unknown>[]): Rule[];
  /** The RuleError message the specs are refused with; throws if they load. */
  refused(...specs: Record<string, unknown>[]): string;
  dispose(): void;
}

export function ruleFolders(prefix: string, defaults: Record<string, unknown>): RuleFolders {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let seq = 0;
  const rules = (...specs: Record<string, unknown>[]): Rule[] => {
    const folder = join(dir, `rules-${seq++}`);
    mkdirSync(folder);
    for (const spec of specs) writeFileSync(join(folder, `${String(spec.id)}.yml`), stringify({ ...defaults, ...spec }));
    return loadRules(folder);
  };
  const refused = (...specs: Record<string, unknown>[]): string => {
    try {
      rules(...specs);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      return error.message;
    }
    throw new Error('rules accepted');
  };
  return { dir, rules, refused, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
