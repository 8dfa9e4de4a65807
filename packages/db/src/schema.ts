// Kysely's view of the tables in ../migrations. JSON columns are written as JSON text (see `json()`)
// because the two drivers serialise JS arrays differently.
import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  kind: string;
  siren: string | null;
  insee_code: string | null;
  population: number | null;
  address: string | null;
  dpo_name: string | null;
  dpo_email: string | null;
  dpo_phone: string | null;
  is_demo: Generated<boolean>;
  created_at: TimestampDefault;
}
export interface GroupsTable { id: Generated<string>; name: string; created_at: TimestampDefault }
export interface GroupMembersTable { group_id: string; organisation_id: string }
export interface GroupStaffTable { group_id: string; user_id: string; role: string; can_write: Generated<boolean> }
export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string | null;
  locale: Generated<string>;
  totp_secret_enc: string | null;
  totp_pending_enc: string | null;
  mfa_enrolled_at: Timestamp | null;
  totp_last_step: number | null;
  recovery_codes: JsonDefault<string[]>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  disabled: Generated<boolean>;
  last_login_at: Timestamp | null;
  created_at: TimestampDefault;
}
export interface MembershipsTable { user_id: string; organisation_id: string; role: string; created_at: TimestampDefault }
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  organisation_id: string | null;
  mfa_verified: Generated<boolean>;
  ip: string | null;
  user_agent: string | null;
  created_at: TimestampDefault;
  last_seen_at: TimestampDefault;
}
export interface InvitationsTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  role: string;
  token_hash: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  created_by: string | null;
  created_at: TimestampDefault;
}
export interface AuditLogTable {
  seq: number;
  at: Timestamp;
  actor_user_id: string | null;
  actor_label: string;
  organisation_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  ip: string | null;
  outcome: string;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}
export interface AuditCheckpointsTable {
  seq: number;
  entry_count: number;
  head_hash: string;
  signature: string;
  public_key: string;
  at: TimestampDefault;
}
export interface PersonalData {
  involved: boolean;
  categories: string[];
  approxPersons?: number | null;
  approxRecords?: number | null;
  sensitive: boolean;
  minors: boolean;
}
export interface IncidentsTable {
  id: Generated<string>;
  organisation_id: string;
  reference: string;
  type: string;
  title: string;
  status: Generated<string>;
  started_at: Timestamp | null;
  aware_at: Timestamp;
  detected_how: Generated<string>;
  ended_at: Timestamp | null;
  affected_systems: JsonDefault<string[]>;
  affected_services: JsonDefault<string[]>;
  personal_data: Json<PersonalData>;
  provider: string | null;
  created_by: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}
export interface JournalEntriesTable {
  id: Generated<string>;
  organisation_id: string;
  incident_id: string;
  kind: string;
  text: string;
  occurred_at: Timestamp;
  author_id: string | null;
  author_name: string;
  corrects_id: string | null;
  created_at: TimestampDefault;
}
export interface TasksTable {
  id: Generated<string>;
  organisation_id: string;
  incident_id: string;
  key: string | null;
  title: string;
  description: Generated<string>;
  phase: string;
  owner_role: string;
  assignee_user_id: string | null;
  due_at: Timestamp;
  status: Generated<string>;
  not_applicable_reason: string | null;
  done_at: Timestamp | null;
  done_by: string | null;
  done_by_name: string | null;
  created_at: TimestampDefault;
}
export interface CnilDossiersTable {
  incident_id: string;
  organisation_id: string;
  dossier: Json<Record<string, unknown>>;
  updated_by: string | null;
  updated_at: TimestampDefault;
}
export interface CnilSubmissionsTable {
  id: Generated<string>;
  organisation_id: string;
  incident_id: string;
  kind: string;
  snapshot: Json<Record<string, unknown>>;
  changes: Json<Record<string, unknown>> | null;
  submitted_by: string | null;
  submitted_by_name: string;
  submitted_at: TimestampDefault;
}
export interface RegisterEntriesTable {
  incident_id: string;
  organisation_id: string;
  facts: Generated<string>;
  effects: Generated<string>;
  remedial_actions: Generated<string>;
  notified: Generated<boolean>;
  reason_not_notified: string | null;
  updated_at: TimestampDefault;
}
export interface NoticesTable {
  incident_id: string;
  organisation_id: string;
  title: string;
  body: string;
  updated_by: string | null;
  updated_at: TimestampDefault;
}
export interface ContactsTable {
  id: Generated<string>;
  organisation_id: string;
  category: string;
  name: string;
  organisation_name: string | null;
  phone_enc: string | null;
  email_enc: string | null;
  notes_enc: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}
export interface JobsTable {
  id: Generated<string>;
  organisation_id: string | null;
  kind: string;
  payload: JsonDefault<Record<string, unknown>>;
  status: Generated<string>;
  progress: JsonDefault<Record<string, unknown>>;
  result: Json<Record<string, unknown>> | null;
  error: string | null;
  created_at: TimestampDefault;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface EvidenceTable {
  id: Generated<string>;
  organisation_id: string;
  incident_id: string;
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  description: Generated<string>;
  uploaded_by: string | null;
  uploaded_by_name: string;
  uploaded_at: TimestampDefault;
}

export interface LeakedDatasetsTable {
  id: Generated<string>;
  organisation_id: string;
  incident_id: string;
  name: string;
  size: number;
  sha256: string;
  storage_key: string | null;
  wrapped_key: string | null;
  retention_until: Timestamp;
  created_by: string | null;
  created_by_name: string;
  created_at: TimestampDefault;
  purged_at: Timestamp | null;
  purge_reason: string | null;
  mapping: ColumnType<string | null, string | null | undefined, string | null>;
  mapping_updated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  mapping_updated_by_name: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ScopingRunsTable {
  id: Generated<string>;
  organisation_id: string;
  incident_id: string;
  dataset_id: string;
  job_id: string | null;
  status: Generated<string>;
  perimeter: JsonDefault<{ since?: string | null; until?: string | null; modules?: string[] | null }>;
  notification_date: ColumnType<string, string, string>;
  mapping: string;
  figures: Json<Record<string, unknown>> | null;
  decisions_applied: Generated<number>;
  storage_key: string | null;
  /** Segment files of the sealed results (counts only); null for a run stored as one document. */
  results_layout: Json<{ version: 2; persons: number; personsPerSegment: number; review: number; reviewPerSegment: number }> | null;
  error: string | null;
  created_by: string | null;
  created_by_name: string;
  created_at: TimestampDefault;
  finished_at: Timestamp | null;
}

export interface ScopingDecisionsTable {
  id: Generated<string>;
  organisation_id: string;
  dataset_id: string;
  record_a: string;
  record_b: string;
  same: boolean;
  decided_by: string | null;
  decided_by_name: string;
  decided_at: TimestampDefault;
}

export interface ScopingCampaignsTable {
  id: Generated<string>;
  organisation_id: string;
  run_id: string;
  job_id: string | null;
  dry_run: boolean;
  per_minute: number;
  channels: JsonDefault<('email' | 'sms')[]>;
  include_minors: Generated<boolean>;
  status: Generated<string>;
  counts: JsonDefault<Record<string, number>>;
  error: string | null;
  created_by: string | null;
  created_by_name: string;
  created_at: TimestampDefault;
  finished_at: Timestamp | null;
}

export interface ScopingDeliveriesTable {
  id: Generated<string>;
  organisation_id: string;
  run_id: string;
  campaign_id: string;
  person_ref: string;
  channel: string;
  status: string;
  detail: string | null;
  message_id: string | null;
  receipt: 'delivered' | 'undelivered' | null;
  receipt_at: Timestamp | null;
  /** Which session recorded the receipt; see migration 011. */
  receipt_via: 'campaign' | 'listener' | null;
  at: TimestampDefault;
}

/** One SMS part awaiting (or having got) its delivery receipt; see migration 009. */
export interface ScopingSmsPartsTable {
  id: Generated<string>;
  organisation_id: string;
  delivery_id: string;
  account: string;
  part_id: string;
  seq: number;
  number_hash: string;
  sent_at: Timestamp;
  state: string | null;
  received_at: Timestamp | null;
}

/** The lease of the one server instance listening for late receipts on an SMPP account; see migration 011. */
export interface SmppListenersTable {
  account: string;
  holder: string | null;
  state: 'connecting' | 'listening' | 'retrying' | 'stopped';
  since: Timestamp;
  error: string | null;
  expires_at: Timestamp;
  wanted_until: Timestamp | null;
}

export interface ForensicScansTable {
  id: Generated<string>;
  organisation_id: string;
  incident_id: string;
  job_id: string | null;
  input_evidence_ids: Json<string[]>;
  mapping_preset: string | null;
  mapping_text: string | null;
  since: Timestamp | null;
  until: Timestamp | null;
  summary: Json<Record<string, unknown>> | null;
  findings_enc: string | null;
  report_evidence_id: string | null;
  created_by: string | null;
  created_by_name: string;
  created_at: TimestampDefault;
  finished_at: Timestamp | null;
  /** Name of the saved mapping the scan ran with (its text is copied to mapping_text). */
  mapping_name: string | null;
  /** Sealed full reason of a failed scan (jobs.error keeps a value-free text). */
  error_enc: string | null;
}

export interface ForensicMappingsTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  mapping_text: string;
  created_by: string | null;
  created_by_name: string;
  created_at: TimestampDefault;
  updated_by: string | null;
  updated_by_name: string;
  updated_at: TimestampDefault;
}

export interface ForensicActionsTable {
  scan_id: string;
  organisation_id: string;
  account_hash: string;
  kind: 'tasks' | 'journal';
  created_by: string | null;
  created_at: TimestampDefault;
}

export interface Schema {
  organisations: OrganisationsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_staff: GroupStaffTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  incidents: IncidentsTable;
  journal_entries: JournalEntriesTable;
  tasks: TasksTable;
  cnil_dossiers: CnilDossiersTable;
  cnil_submissions: CnilSubmissionsTable;
  register_entries: RegisterEntriesTable;
  notices: NoticesTable;
  contacts: ContactsTable;
  jobs: JobsTable;
  evidence: EvidenceTable;
  leaked_datasets: LeakedDatasetsTable;
  forensic_scans: ForensicScansTable;
  forensic_actions: ForensicActionsTable;
  forensic_mappings: ForensicMappingsTable;
  scoping_runs: ScopingRunsTable;
  scoping_decisions: ScopingDecisionsTable;
  scoping_campaigns: ScopingCampaignsTable;
  scoping_deliveries: ScopingDeliveriesTable;
  scoping_sms_parts: ScopingSmsPartsTable;
  smpp_listeners: SmppListenersTable;
}

/** Tables in the order a restore must insert them (parents first). */
export const TABLES_IN_DEPENDENCY_ORDER: (keyof Schema)[] = [
  'organisations', 'groups', 'group_members', 'users', 'group_staff', 'memberships', 'sessions',
  'invitations', 'audit_log', 'audit_checkpoints', 'incidents', 'journal_entries', 'tasks',
  'cnil_dossiers', 'cnil_submissions', 'register_entries', 'notices', 'contacts', 'jobs', 'evidence', 'leaked_datasets',
  'forensic_scans', 'forensic_actions', 'forensic_mappings',
  'scoping_runs', 'scoping_decisions', 'scoping_campaigns', 'scoping_deliveries', 'scoping_sms_parts',
  'smpp_listeners',
];

export const json = (value: unknown): string => JSON.stringify(value);
