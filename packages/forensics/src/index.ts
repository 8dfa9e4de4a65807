// @rempart/forensics — audit-log detection engine: log files in, scored and explained accounts out.
export { scanFiles, parisIso, type ScanOptions, type ScanResult, type ScanSummary, type ScanProgress, type AccountResult, type Finding, type EvidenceEvent } from './scan.ts';
export { loadRules, checkRuleFolder, withOverrides, generates, adjustableKeys, adjustmentProblem, checkReferences, RuleSchema, RuleError, DEFAULT_RULES_DIR, VENDOR_MAPPING_FILE, DETECTORS, SEVERITIES, type Rule, type Severity } from './rules.ts';
export { writeOutputs, findingsJson, findingsCsv, reportHtml } from './report.ts';
// Used by the platform's mapping preview, so that it parses rows exactly as a scan does.
export { newMapper, CANONICAL_FIELDS } from './load.ts';
// What `ScanOptions.mapping` takes, so that the compiled bundle (dist/index.js) can scan mapped files too.
export { loadMappingOrThrow, type Mapping } from '@rempart/ingest';
