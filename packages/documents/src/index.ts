export { cnilDossierSchema, dossierCompleteness, dossierDiff, mergeDossier, prefillDossier, type CnilDossier, type Completeness, type CompletenessField, type DossierChange } from './cnil.ts';
export { renderCnilDossierPdf, cnilDossierJson, type CnilDocumentInput } from './cnil-pdf.ts';
export { registerCsv, renderRegisterPdf } from './register.ts';
export { draftPublicNotice, renderNoticePdf, type Notice } from './notice.ts';
export { PdfWriter, pdfSafe } from './pdf.ts';
export { parisDate, parisDateTime, frNumber } from './format.ts';
export { INCIDENT_TYPE_LABELS, type IncidentInfo, type OrganisationInfo, type RegisterEntry } from './types.ts';
export { pdfText } from './pdf-text.ts';
