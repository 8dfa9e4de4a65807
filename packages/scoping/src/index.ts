export { scopeRecords, readScopeRecords, canonicalRole, CATEGORIES, RISKS, KNOWN_FIELDS, type ScopeOptions, type ScopeResult, type ScopePerson, type ScopeRecord, type Category, type Risk } from './engine.ts';
export { resolvePersons, FIELDS, FIELD_LABELS, LEVELS, type PersonInput, type ResolveOptions, type Resolution, type ScoredPair, type FieldEvidence } from './resolve.ts';
export { writeOutputs, writeLettersPdf, reportHtml, letterText, smsText, type PackOptions } from './outputs.ts';
export * from './normalize.ts';
export { generateSynthetic, syntheticCsv, SYNTHETIC_MAPPING, SYNTHETIC_COLUMNS, type SyntheticRow } from './synthetic.ts';
export { sendEmails, type SendOptions, type SendReport } from './send.ts';
export { applyDecisions, type ReviewDecision, type DecisionsApplied } from './decisions.ts';
export { defaultRiskMatrix, loadRiskMatrix, RiskMatrixError, RISK_IDS, type RiskMatrix, type RiskRule } from './risks.ts';
