export { cnilClock, CNIL_DEADLINE_MS, DUE_SOON_MS, type Clock, type ClockInput, type ClockState } from './clock.ts';
export {
  checkRunbooks, durationMs, expandRunbook, isIncidentType, listRunbooks, loadRunbook, parseRunbook, parseRunbookDir, runbooksDir,
  INCIDENT_TYPES, OWNER_ROLES, PHASES, PHASE_BOUNDS_MS, TASK_CONDITIONS,
  type IncidentType, type OwnerRole, type Phase, type Runbook, type RunbookFile, type RunbookOptions, type RunbookTask, type TaskCondition, type TaskDraft,
} from './runbooks.ts';
export { loadNationalContacts, nationalContactsFile, parseNationalContacts, type NationalContact, type NationalContacts } from './contacts.ts';
export { DataFileError, decodeDataBytes, formatIssue, MAX_DATA_FILE_BYTES, type DataIssue, type DataResult } from './data-file.ts';
