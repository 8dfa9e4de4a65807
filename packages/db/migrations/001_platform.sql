-- Platform: organisations, groups, users, sessions, audit trail, incidents and their 72-hour path.
-- Every table owned by an organisation carries organisation_id; repositories filter on it.

CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('commune','epci','departement','region','syndicat','ccas','autre')),
  siren char(9) UNIQUE,
  insee_code text,
  population integer CHECK (population IS NULL OR population >= 0),
  address text,
  dpo_name text,
  dpo_email text,
  dpo_phone text,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_members (
  group_id uuid NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, organisation_id)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  name text NOT NULL,
  password_hash text,
  locale text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr','en')),
  totp_secret_enc text,
  totp_pending_enc text,
  mfa_enrolled_at timestamptz,
  recovery_codes jsonb NOT NULL DEFAULT '[]',
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled boolean NOT NULL DEFAULT false,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin','rssi','dpo','dgs','elu','agent','prestataire','lecteur')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, organisation_id)
);
CREATE INDEX memberships_org ON memberships (organisation_id);

-- A group's staff (typically the shared RSSI) reach every member organisation, read-only unless
-- can_write is granted.
CREATE TABLE group_staff (
  group_id uuid NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin','rssi','dpo','dgs','elu','agent','prestataire','lecteur')),
  can_write boolean NOT NULL DEFAULT false,
  PRIMARY KEY (group_id, user_id)
);

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  organisation_id uuid REFERENCES organisations(id) ON DELETE SET NULL,
  mfa_verified boolean NOT NULL DEFAULT false,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  email text NOT NULL,
  role text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Append-only, hash-chained. UPDATE and DELETE are refused by a trigger on every backend; on a
-- PostgreSQL server the application role should also lack those privileges (docs/operations.md).
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_user_id uuid,
  actor_label text NOT NULL,
  organisation_id uuid,
  action text NOT NULL,
  object_type text NOT NULL,
  object_id text,
  ip text,
  outcome text NOT NULL CHECK (outcome IN ('success','denied','failure')),
  details jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_org_at ON audit_log (organisation_id, at);

CREATE TABLE audit_checkpoints (
  seq bigint PRIMARY KEY,
  entry_count bigint NOT NULL,
  head_hash text NOT NULL,
  signature text NOT NULL,
  public_key text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION rempart_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION rempart_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION rempart_refuse_change();

CREATE TABLE incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  reference text NOT NULL,
  type text NOT NULL,
  title text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','contained','closed')),
  started_at timestamptz,
  aware_at timestamptz NOT NULL,
  detected_how text NOT NULL DEFAULT '',
  ended_at timestamptz,
  affected_systems jsonb NOT NULL DEFAULT '[]',
  affected_services jsonb NOT NULL DEFAULT '[]',
  personal_data jsonb NOT NULL,
  provider text,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, reference)
);

CREATE TABLE journal_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('fact','decision','communication','correction')),
  text text NOT NULL,
  occurred_at timestamptz NOT NULL,
  author_id uuid REFERENCES users(id),
  author_name text NOT NULL,
  corrects_id uuid REFERENCES journal_entries(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_incident ON journal_entries (incident_id, occurred_at);
CREATE TRIGGER journal_append_only BEFORE UPDATE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION rempart_refuse_change();

CREATE TABLE tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  key text,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  phase text NOT NULL CHECK (phase IN ('first_hour','first_day','first_week')),
  owner_role text NOT NULL,
  assignee_user_id uuid REFERENCES users(id),
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo','in_progress','done','not_applicable')),
  not_applicable_reason text,
  done_at timestamptz,
  done_by uuid REFERENCES users(id),
  done_by_name text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_incident ON tasks (incident_id, due_at);
CREATE INDEX tasks_org_due ON tasks (organisation_id, status, due_at);

CREATE TABLE cnil_dossiers (
  incident_id uuid PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  dossier jsonb NOT NULL DEFAULT '{}',
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cnil_submissions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('initial','complementary','complete')),
  snapshot jsonb NOT NULL,
  changes jsonb,
  submitted_by uuid REFERENCES users(id),
  submitted_by_name text NOT NULL,
  submitted_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE register_entries (
  incident_id uuid PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  facts text NOT NULL DEFAULT '',
  effects text NOT NULL DEFAULT '',
  remedial_actions text NOT NULL DEFAULT '',
  notified boolean NOT NULL DEFAULT false,
  reason_not_notified text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notices (
  incident_id uuid PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  title text NOT NULL,
  body text NOT NULL,
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Phone, email and notes of local contacts are encrypted by the server (AES-256-GCM, key outside
-- the database, organisation and row bound as associated data).
CREATE TABLE contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  category text NOT NULL,
  name text NOT NULL,
  organisation_name text,
  phone_enc text,
  email_enc text,
  notes_enc text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_org ON contacts (organisation_id);

-- Background jobs (forensics scans, scoping, sending) run on any instance; claimed with SKIP LOCKED.
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid REFERENCES organisations(id) ON DELETE CASCADE,
  kind text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed','cancelled')),
  progress jsonb NOT NULL DEFAULT '{}',
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
