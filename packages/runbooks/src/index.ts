export { cnilClock, CNIL_DEADLINE_MS, DUE_SOON_MS, type Clock, type ClockState } from './clock.ts';
export { expandRunbook, listRunbooks, loadRunbook, runbooksDir, INCIDENT_TYPES, type IncidentType, type Runbook, type TaskDraft } from './runbooks.ts';
export { loadNationalContacts, type NationalContacts } from './contacts.ts';
