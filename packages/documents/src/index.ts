export {
  cnilDossierSchema, dossierCompleteness, dossierDiff, mergeDossier, prefillDossier, BREACH_CAUSES, BREACH_ORIGINS, DOSSIER_LABELS, RISK_LEVELS,
  type CnilDossier, type Completeness, type CompletenessField, type DossierChange, type DossierWarning,
} from './cnil.ts';
export { renderCnilDossierPdf, cnilDossierJson, CAUSE_LABELS, ORIGIN_LABELS, RISK_LABELS, type CnilDocumentInput } from './cnil-pdf.ts';
export { registerCsv, renderRegisterPdf, REGISTER_COLUMNS } from './register.ts';
export { draftPublicNotice, organisationSubject, renderNoticePdf, NOTICE_HEADINGS, type Notice, type NoticeFacts } from './notice.ts';
export { PdfWriter, pdfSafe } from './pdf.ts';
export { parisDate, parisDateTime, parisLongDate, frNumber } from './format.ts';
export { INCIDENT_TYPE_LABELS, type IncidentInfo, type OrganisationInfo, type RegisterEntry } from './types.ts';
export { pdfText } from './pdf-text.ts';
