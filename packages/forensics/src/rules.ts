// Detection rules are data: one YAML file per rule naming a built-in detector, its thresholds and
// its French and English texts. The default pack lives in ../rules/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DETECTORS = [
  'spraying', 'spray_target', 'script_client', 'impossible_travel', 'concurrent_sessions', 'off_hours',
  'export_volume', 'access_volume', 'admin_out_of_pattern', 'new_account_same_ip',
] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** French whatever zod's locale (the CLI does not load the server's), for the keys a rule may not have. */
const unknownKeys = { error: (issue: { code?: string; keys?: string[] }) => (issue.code === 'unrecognized_keys' ? `clé inconnue (${(issue.keys ?? []).join(', ')})` : undefined) };
const nonEmpty = z.string({ error: 'texte attendu' }).min(1, { error: 'texte vide' });
const text = z.strictObject({ fr: nonEmpty, en: nonEmpty }, { error: (issue) => (issue.code === 'unrecognized_keys' ? `langue inconnue ${(issue.keys ?? []).join(', ')} (permises : fr, en)` : 'attendu { fr: …, en: … }') });

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
  severity: z.enum(SEVERITIES, { error: `gravité inconnue (permises : ${SEVERITIES.join(', ')})` }),
  enabled: z.boolean({ error: 'true ou false attendu' }).default(true),
  title: text,
  why: text,
  explanation: text,
  advice: text,
  params: z.record(z.string(), z.union([z.number(), z.string(), z.array(z.string())])).default({}),
};

const BuiltinRuleSchema = z.strictObject({ ...base, detector: z.enum(DETECTORS) }, unknownKeys);

const valueLists = z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1, { error: 'liste de valeurs vide' })]), { error: 'attendu un objet champ → valeurs' });
// Written the way the loader normalises the events, so that `View` or `fr` still match.
const normalised = (sel: Record<string, string | string[]>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(sel).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map((x) => SELECT_NORMALISE[k as AggregateField]?.(x) ?? x)]));

// field → allowed values: fields are ANDed, the values of one field ORed.
const selectSchema = valueLists
  .superRefine((sel, ctx) => {
    for (const key of Object.keys(sel)) {
      if (!(key in AGGREGATE_FIELDS)) ctx.addIssue({ code: 'custom', path: [key], message: `champ inconnu (champs permis : ${fieldList})` });
    }
  })
  .transform((sel) => normalised(sel) as Partial<Record<AggregateField, string[]>>);

const groupBySchema = z.array(field, { error: 'attendu une liste de champs' })
  .refine((g) => g.includes('user.name'), { error: 'doit contenir user.name (chaque signe porte sur un compte)' })
  .refine((g) => new Set(g).size === g.length, { error: 'champ répété' })
  .default(['user.name']);

const durationSchema = z.string({ error: 'durée attendue (15m, 1h, 1d…)' })
  .refine((t) => timeframeMs(t) > 0 && timeframeMs(t) <= MAX_TIMEFRAME, { error: 'durée invalide : un nombre suivi de m, h ou d (15m, 1h, 1d), 31 jours au plus' });

/** Comparison operators of a condition, in the order they are applied and written. */
export const OPERATORS = ['gt', 'gte', 'eq', 'lt', 'lte'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Comparison = Partial<Record<Operator, number>>;
const bound = z.number({ error: 'seuil numérique attendu' }).nonnegative({ error: 'seuil positif attendu' }).optional();
const comparisonShape = { gt: bound, gte: bound, eq: bound, lt: bound, lte: bound };
const LOWER: Operator[] = ['gt', 'gte'];
const UPPER: Operator[] = ['lt', 'lte'];

/** Why a set of bounds is incoherent (none, `eq` with another, two lower or two upper bounds, an empty range), or null. */
function comparisonProblem(c: Comparison): string | null {
  const present = OPERATORS.filter((op) => c[op] !== undefined);
  if (present.length === 0) return 'au moins un seuil parmi gt, gte, eq, lt, lte';
  if (c.eq !== undefined && present.length > 1) return 'eq ne se combine avec aucun autre seuil';
  if (present.filter((op) => LOWER.includes(op)).length > 1) return 'gt et gte s’excluent (une seule borne basse)';
  if (present.filter((op) => UPPER.includes(op)).length > 1) return 'lt et lte s’excluent (une seule borne haute)';
  const low = c.gt ?? c.gte;
  const high = c.lt ?? c.lte;
  if (low !== undefined && high !== undefined && (low > high || (low === high && (c.gt !== undefined || c.lt !== undefined)))) {
    return 'intervalle vide : la borne basse doit être inférieure à la borne haute';
  }
  return null;
}

/**
 * Whole-rule checks run even when a key is wrong, so that `rules check` reports every mistake at
 * once; they read the keys they need defensively, as those may not have parsed.
 */
const always = { when: () => true };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
/** The bounds a count meets on its way up: on a sliding window it passes through every value, so they hold before a burst is over. */
const upperBounds = (c: Comparison): Operator[] => (['eq', 'lt', 'lte'] as const).filter((op) => c[op] !== undefined);
const slidingProblem = (ops: Operator[], alternative: string) =>
  `${ops.join(', ')} sans objet sur une fenêtre glissante : le compte y passe par chaque valeur en montant, la condition serait remplie avant que la rafale la dépasse (garder gt ou gte, ${alternative})`;

const AggregateRuleSchema = z.strictObject({
  ...base,
  detector: z.literal('aggregate'),
  select: selectSchema.default({}),
  group_by: groupBySchema,
  timeframe: durationSchema,
  // Tumbling: fixed windows aligned on UTC epoch. Sliding: at any moment, the events of the last `timeframe`.
  window: z.enum(['tumbling', 'sliding'], { error: 'fenêtre inconnue (permises : tumbling, sliding)' }).default('tumbling'),
  condition: z.strictObject({
    count: z.literal('events', { error: 'seule valeur permise : events' }).optional(),
    sum: z.literal('records', { error: 'seule valeur permise : records' }).optional(),
    distinct: field.optional(),
    ...comparisonShape,
  }, { error: (issue) => (issue.code === 'unrecognized_keys' ? `agrégation inconnue ${issue.keys.join(', ')} (permises : count, sum, distinct ; seuils gt, gte, eq, lt, lte)` : 'attendu { count: events | sum: records | distinct: <champ>, gt: N }') })
    .refine((c) => [c.count, c.sum, c.distinct].filter((v) => v !== undefined).length === 1, { error: 'une et une seule agrégation parmi count, sum, distinct' })
    .superRefine((c, ctx) => {
      const problem = comparisonProblem(c);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
}, unknownKeys).superRefine((r, ctx) => {
  if (r.window === 'sliding' && isObject(r.condition) && upperBounds(r.condition).length > 0) {
    ctx.addIssue({ code: 'custom', path: ['condition'], message: slidingProblem(upperBounds(r.condition), 'ou prendre window: tumbling') });
  }
}, always);
export type AggregateRule = z.infer<typeof AggregateRuleSchema>;

/** A plain selection of events; with `generate: false` it only feeds correlations. */
const MatchRuleSchema = z.strictObject({
  ...base,
  detector: z.literal('match'),
  select: selectSchema.refine((sel) => Object.keys(sel).length > 0, { error: 'au moins un champ à sélectionner' }),
  generate: z.boolean().default(true),
}, unknownKeys);
export type MatchRule = z.infer<typeof MatchRuleSchema>;

/**
 * Fields whose value can be "never seen before": the event columns but the account itself, and the
 * address's network (/24 in IPv4, /48 in IPv6): the stored column (`raw`) and the expression read
 * from it (`sql`, the network macro of the loader), both from this closed list.
 */
export const FIRST_SEEN_FIELDS = {
  'source.ip': { column: 'ip', raw: 'ip', sql: 'ip' },
  'source.network': { column: 'net', raw: 'ip', sql: 'net(ip)' },
  'source.geo.country_iso_code': { column: 'country', raw: 'country', sql: 'country' },
  'user_agent.original': { column: 'ua', raw: 'ua', sql: 'ua' },
  'event.action': { column: 'action', raw: 'action', sql: 'action' },
  'event.outcome': { column: 'outcome', raw: 'outcome', sql: 'outcome' },
  'app.module': { column: 'module', raw: 'module', sql: 'module' },
} as const;
export type FirstSeenField = keyof typeof FIRST_SEEN_FIELDS;
const FIRST_SEEN_NAMES = Object.keys(FIRST_SEEN_FIELDS) as [FirstSeenField, ...FirstSeenField[]];
const firstSeenField = z.enum(FIRST_SEEN_NAMES, { error: `champ inconnu (champs permis : ${FIRST_SEEN_NAMES.join(', ')})` });
/** What a first_seen finding can record as the account's baseline. */
export const FIRST_SEEN_VARIABLES = ['usual', 'known', 'history', 'org_share', 'peers'] as const;
/** The thresholds of a first_seen rule, each adjustable with `--set` like a condition's bounds. */
export const FIRST_SEEN_THRESHOLDS = ['min_history_days', 'min_known_values', 'max_org_share', 'shared_accounts', 'shared_days'] as const;
const count = (what: string) => z.number({ error: `${what} : nombre attendu` }).int({ error: `${what} : nombre entier attendu` }).nonnegative({ error: `${what} : nombre positif attendu` });
const valuesOf = valueLists.transform((sel) => normalised(sel) as Partial<Record<FirstSeenField, string[]>>);

/**
 * A value (or tuple of values) an account uses for the first time, in the spirit of Elastic's
 * "new terms" rules: its first use in the logs, after `min_history_days` of the account's history.
 */
const FirstSeenRuleSchema = z.strictObject({
  ...base,
  detector: z.literal('first_seen'),
  select: selectSchema.default({}),
  exclude: selectSchema.default({}),
  fields: z.array(firstSeenField, { error: 'attendu une liste de champs' }).min(1, { error: 'au moins un champ' })
    .refine((g) => new Set(g).size === g.length, { error: 'champ répété' }),
  only_values: valuesOf.optional(),
  ignore_values: valuesOf.optional(),
  // Whose values are compared: the account's own, or the whole organisation's.
  scope: z.enum(['account', 'organisation'], { error: 'portée inconnue (permises : account, organisation)' }).default('account'),
  min_history_days: z.number({ error: 'nombre de jours attendu' }).nonnegative({ error: 'nombre de jours positif attendu' }),
  min_known_values: count('min_known_values').default(0),
  max_org_share: z.number({ error: 'part attendue entre 0 et 1' }).min(0, { error: 'part attendue entre 0 et 1' }).max(1, { error: 'part attendue entre 0 et 1' }).optional(),
  shared_accounts: count('shared_accounts').min(1, { error: 'au moins 1 compte' }).optional(),
  shared_days: z.number({ error: 'nombre de jours attendu' }).nonnegative({ error: 'nombre de jours positif attendu' }).optional(),
  baseline: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'nom de clé attendu ([a-z0-9_])' }), z.enum(FIRST_SEEN_VARIABLES, { error: `variable inconnue (permises : ${FIRST_SEEN_VARIABLES.join(', ')})` }), { error: 'attendu un objet clé → variable' })
    .default({ usual_values: 'usual', history_days: 'history' }),
}, unknownKeys).superRefine((r, ctx) => {
  for (const key of ['only_values', 'ignore_values'] as const) {
    const values = r[key];
    if (!Array.isArray(r.fields) || !isObject(values)) continue;
    for (const f of Object.keys(values)) {
      if (!r.fields.includes(f as FirstSeenField)) ctx.addIssue({ code: 'custom', path: [key, f], message: `champ absent de fields (${r.fields.join(', ')})` });
    }
  }
  if (r.shared_days !== undefined && r.shared_accounts === undefined) ctx.addIssue({ code: 'custom', path: ['shared_days'], message: 'sans objet sans shared_accounts' });
}, always);
export type FirstSeenRule = z.infer<typeof FirstSeenRuleSchema>;

export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal_ordered'] as const;
const CorrelationRuleSchema = z.strictObject({
  ...base,
  detector: z.literal('correlation'),
  type: z.enum(CORRELATION_TYPES, { error: `type inconnu (permis : ${CORRELATION_TYPES.join(', ')})` }),
  rules: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'identifiant de règle attendu' }), { error: 'attendu une liste d’identifiants de règles' })
    .min(1, { error: 'au moins une règle' }),
  group_by: groupBySchema,
  timespan: durationSchema,
  condition: z.strictObject({ field: field.optional(), ...comparisonShape }, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `clé inconnue ${issue.keys.join(', ')} (permises : field ; seuils gt, gte, eq, lt, lte)` : 'attendu { gte: N } ou { field: <champ>, gte: N }'),
  }).optional(),
  generate: z.boolean().default(true),
}, unknownKeys).superRefine((r, ctx) => {
  const at = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (r.type === 'temporal_ordered') {
    if (r.condition !== undefined) at(['condition'], 'sans objet pour temporal_ordered (les règles doivent se suivre dans l’ordre)');
    if (Array.isArray(r.rules) && r.rules.length < 2) at(['rules'], 'temporal_ordered enchaîne au moins deux règles');
    return;
  }
  if (!(CORRELATION_TYPES as readonly string[]).includes(r.type)) return;
  if (r.condition === undefined) return at(['condition'], `seuil attendu pour ${r.type} (par exemple { gte: 5 })`);
  if (!isObject(r.condition) || OPERATORS.some((op) => r.condition?.[op] !== undefined && typeof r.condition[op] !== 'number')) return;
  if (r.type === 'value_count' && r.condition.field === undefined) at(['condition', 'field'], 'value_count compte les valeurs distinctes d’un champ : field attendu');
  if (r.type === 'event_count' && r.condition.field !== undefined) at(['condition', 'field'], 'sans objet pour event_count (il compte les événements)');
  const problem = comparisonProblem(r.condition);
  if (problem) at(['condition'], problem);
  // Counted over sliding timespans like a sliding aggregate: the same bounds are meaningless.
  else if (upperBounds(r.condition).length > 0) at(['condition'], slidingProblem(upperBounds(r.condition), 'une corrélation compte sur une durée glissante'));
}, always);
export type CorrelationRule = z.infer<typeof CorrelationRuleSchema>;

export const RuleSchema = z.discriminatedUnion('detector', [BuiltinRuleSchema, AggregateRuleSchema, MatchRuleSchema, CorrelationRuleSchema, FirstSeenRuleSchema], {
  error: `détecteur inconnu (permis : ${[...DETECTORS, 'aggregate', 'match', 'correlation', 'first_seen'].join(', ')})`,
});
export type Rule = z.infer<typeof RuleSchema>;
export type DeclarativeRule = AggregateRule | MatchRule | CorrelationRule | FirstSeenRule;

export function isDeclarative(rule: Rule): rule is DeclarativeRule {
  return rule.detector === 'aggregate' || rule.detector === 'match' || rule.detector === 'correlation' || rule.detector === 'first_seen';
}

/** Rules that only feed correlations produce no finding of their own. */
export function generates(rule: Rule): boolean {
  return !('generate' in rule) || rule.generate;
}

export class RuleError extends Error {
  readonly code = 'invalid_rule';
  constructor(readonly file: string, readonly messageFr: string, messageEn: string, readonly line?: number) {
    super(`${file}${line ? `, ligne ${line}` : ''} : ${messageFr} / ${messageEn}`);
  }

  /** `regles/x.yml, ligne 7`: where to look. */
  get where(): string {
    return `${this.file}${this.line ? `, ligne ${this.line}` : ''}`;
  }
}

/** The line of the deepest node of `path` that the file holds (the key may be missing). */
function lineOf(doc: Document, counter: LineCounter, path: (string | number | symbol)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../rules/', import.meta.url));
/** Shipped mappings for common log layouts (YAML files read by @rempart/ingest). */
export const VENDOR_MAPPING_FILE = fileURLToPath(new URL('../mappings/editeur-fr.yml', import.meta.url));

export interface RuleFolderCheck {
  /** The rules that are valid on their own (a correlation naming a broken rule is among them). */
  rules: Rule[];
  /** Every mistake found, by file then line. */
  errors: RuleError[];
}

/**
 * Reads every *.yml of a folder, sorted by file name, and reports every mistake rather than the
 * first: each invalid key of each file, duplicate ids and wrong references. A reference to a rule
 * whose own file is wrong is not reported again as unknown.
 */
export function checkRuleFolder(dir: string = DEFAULT_RULES_DIR): RuleFolderCheck {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const rules: Rule[] = [];
  const errors: RuleError[] = [];
  const broken = new Set<string>();
  const sources = new Map<string, { file: string; doc: Document; counter: LineCounter }>();
  for (const file of files) {
    const counter = new LineCounter();
    // The id a correlation would name this file's rule by, if the file does not get as far as its id.
    const stem = file.replace(/\.ya?ml$/, '');
    let doc: Document;
    try {
      doc = parseDocument(readFileSync(join(dir, file), 'utf8'), { lineCounter: counter });
    } catch (error) {
      broken.add(stem);
      errors.push(new RuleError(file, `fichier illisible (${(error as Error).message.split('\n')[0]}).`, 'unreadable file.'));
      continue;
    }
    if (doc.errors.length > 0) {
      broken.add(stem);
      for (const e of doc.errors) errors.push(new RuleError(file, `YAML invalide (${e.message.split('\n')[0]}).`, 'invalid YAML.', counter.linePos(e.pos[0]).line));
      continue;
    }
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 0 });
    } catch (error) {
      broken.add(stem);
      errors.push(new RuleError(file, `YAML invalide (${(error as Error).message.split('\n')[0]}).`, 'invalid YAML.'));
      continue;
    }
    const parsed = RuleSchema.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      broken.add(typeof id === 'string' ? id : stem);
      for (const issue of parsed.error.issues) {
        // An unknown key at the top of the file: named and located by the key itself.
        const path = issue.code === 'unrecognized_keys' && issue.path.length === 0 ? [issue.keys[0] as string] : issue.path;
        errors.push(new RuleError(file, `règle invalide, champ ${path.join('.') || '?'} : ${issue.message}.`, `invalid rule, field ${path.join('.')}: ${issue.message}.`, lineOf(doc, counter, path)));
      }
      continue;
    }
    if (sources.has(parsed.data.id)) {
      errors.push(new RuleError(file, `identifiant de règle en double : ${parsed.data.id}.`, `duplicate rule id: ${parsed.data.id}.`, lineOf(doc, counter, ['id'])));
      continue;
    }
    rules.push(parsed.data);
    sources.set(parsed.data.id, { file, doc, counter });
  }
  errors.push(...referenceProblems(rules, (id, path) => {
    const src = sources.get(id);
    return src ? { file: src.file, line: lineOf(src.doc, src.counter, path) } : { file: `${id}.yml` };
  }, broken));
  errors.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : (x.line ?? 0) - (y.line ?? 0)));
  return { rules, errors };
}

/** Load every *.yml of a folder, sorted by file name; a wrong folder stops with its first mistake (file, line, key). */
export function loadRules(dir: string = DEFAULT_RULES_DIR): Rule[] {
  const { rules, errors } = checkRuleFolder(dir);
  if (errors[0]) throw errors[0];
  return rules;
}

type Locate = (id: string, path: (string | number)[]) => { file: string; line?: number };

/**
 * What a correlation names must exist, be a selection (`match`) or another correlation, never lead
 * back to itself, and carry the fields the correlation groups or counts by: a correlation's
 * occurrences only keep its own group_by fields. `broken`: ids whose own file is wrong, not
 * reported again as unknown.
 */
export function referenceProblems(rules: Rule[], locate: Locate = (id) => ({ file: `${id}.yml` }), broken: Set<string> = new Set()): RuleError[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const problems: RuleError[] = [];
  const fail = (rule: Rule, key: string, fr: string, en: string): void => {
    const { file, line } = locate(rule.id, key.split('.').map((k) => (/^[0-9]+$/.test(k) ? Number(k) : k)));
    problems.push(new RuleError(file, `règle invalide, champ ${key} : ${fr}.`, `invalid rule, field ${key}: ${en}.`, line));
  };
  for (const rule of rules) {
    if (rule.detector !== 'correlation') continue;
    const needed = [...rule.group_by, ...(rule.condition?.field ? [rule.condition.field] : [])];
    rule.rules.forEach((ref, i) => {
      const target = byId.get(ref);
      if (!target) return broken.has(ref) ? undefined : fail(rule, `rules.${i}`, `règle inconnue ${ref}`, `unknown rule ${ref}`);
      if (target.detector !== 'match' && target.detector !== 'correlation') {
        return fail(rule, `rules.${i}`, `${ref} n’est ni une sélection (match) ni une corrélation`, `${ref} is neither a match rule nor a correlation`);
      }
      if (target.detector === 'correlation') {
        const missing = needed.filter((f) => !target.group_by.includes(f));
        if (missing.length > 0) fail(rule, `rules.${i}`, `la corrélation ${ref} ne regroupe pas par ${missing.join(', ')}`, `correlation ${ref} does not group by ${missing.join(', ')}`);
      }
    });
    // Depth-first walk: a rule met again on its own path is a cycle; one is enough per rule, and a
    // rule already walked from this one is not walked again.
    const walked = new Set<string>();
    const walk = (id: string, path: string[]): boolean => {
      const r = byId.get(id);
      if (r?.detector !== 'correlation') return false;
      if (path.includes(id)) {
        fail(rule, 'rules', `référence circulaire ${[...path, id].join(' → ')}`, `circular reference ${[...path, id].join(' -> ')}`);
        return true;
      }
      if (walked.has(id)) return false;
      walked.add(id);
      return r.rules.some((next) => walk(next, [...path, id]));
    };
    walk(rule.id, []);
  }
  return problems;
}

/** Throws the first reference problem of a rule set (see referenceProblems). */
export function checkReferences(rules: Rule[], locate?: Locate): void {
  const [first] = referenceProblems(rules, locate);
  if (first) throw first;
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

/** What `--set rule.key=value` may change: the rule's parameters, the bounds of its condition and a first_seen rule's thresholds. */
export function adjustableKeys(rule: Rule): string[] {
  const condition = 'condition' in rule && rule.condition ? OPERATORS.filter((op) => rule.condition?.[op] !== undefined) : [];
  const thresholds = rule.detector === 'first_seen' ? FIRST_SEEN_THRESHOLDS.filter((key) => rule[key] !== undefined) : [];
  return [...Object.keys(rule.params), ...condition, ...thresholds];
}

/**
 * Why a rule's adjusted thresholds (`--set`, withOverrides) cannot run, or null: a bound or first_seen
 * threshold that is not a number, or bounds that no longer make a range (`gte` raised above `lt`).
 */
export function adjustmentProblem(rule: Rule): string | null {
  const given = (key: string, fallback: number | undefined): number | string | string[] | undefined => rule.params[key] ?? fallback;
  const condition = 'condition' in rule ? rule.condition : undefined;
  if (condition) {
    const effective: Comparison = {};
    for (const op of OPERATORS.filter((o) => condition[o] !== undefined)) {
      const v = given(op, condition[op]);
      if (typeof v !== 'number' || !(v >= 0)) return `${op} : seuil numérique positif attendu`;
      effective[op] = v;
    }
    const problem = comparisonProblem(effective);
    if (problem) return `${problem} (${OPERATORS.filter((o) => effective[o] !== undefined).map((o) => `${o} ${effective[o]}`).join(', ')})`;
  }
  if (rule.detector === 'first_seen') {
    for (const key of FIRST_SEEN_THRESHOLDS.filter((k) => rule[k] !== undefined)) {
      const v = given(key, rule[key]);
      if (typeof v !== 'number' || !(v >= 0)) return `${key} : nombre positif attendu`;
      if (key === 'max_org_share' && v > 1) return 'max_org_share : part attendue entre 0 et 1';
    }
  }
  return null;
}

export function num(rule: Rule, key: string, fallback: number): number {
  const v = rule.params[key];
  return typeof v === 'number' ? v : fallback;
}

export function str(rule: Rule, key: string, fallback: string): string {
  const v = rule.params[key];
  return typeof v === 'string' ? v : fallback;
}
