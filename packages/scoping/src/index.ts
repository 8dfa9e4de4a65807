export { scopeRecords, readScopeRecords, canonicalRole, CATEGORIES, RISKS, KNOWN_FIELDS, type ScopeOptions, type ScopeResult, type ScopePerson, type ScopeRecord, type Category, type Risk } from './engine.ts';
export { resolvePersons, FIELDS, FIELD_LABELS, LEVELS, type PersonInput, type ResolveOptions, type Resolution, type ScoredPair, type FieldEvidence } from './resolve.ts';
export { writeOutputs, writeLettersPdf, streamLettersPdf, reportHtml, letterText, emailText, smsText, notificationsNdjson, NOTIFICATIONS_FILE, EMAIL_SUBJECT, type PackOptions, type NotificationLine } from './outputs.ts';
export * from './normalize.ts';
export { generateSynthetic, syntheticCsv, SYNTHETIC_MAPPING, SYNTHETIC_COLUMNS, type SyntheticRow } from './synthetic.ts';
export { runCampaign, readRecord, openSmtpChannel, parseSmtpUrl, emailMessages, abortableSleep, CampaignError, RECORD_HEADER, STATUS, type Outgoing, type DeliveryReceipt, type DeliveryChannel, type CampaignOptions, type CampaignReport, type SmtpTarget } from './send.ts';
export { planSms, isE164Mobile, parseSmppUrl, openSmppChannel, openSmppReceiver, parseReceipt, type SmsPlan, type SmppTarget, type SmppOptions, type SmppReceiver, type PartReceipt } from './sms.ts';
export { applyDecisions, type ReviewDecision, type DecisionsApplied } from './decisions.ts';
export { defaultRiskMatrix, loadRiskMatrix, RiskMatrixError, RISK_IDS, type RiskMatrix, type RiskRule } from './risks.ts';
