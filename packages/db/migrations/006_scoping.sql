-- Breach scoping inside an incident (issue 4). Everything personal (persons, records, review pairs)
-- lives in files sealed with the DATASET's key, so purging the dataset crypto-shreds its results;
-- the database holds only non-personal figures and row identifiers, and these are deleted by the purge.

-- The column mapping (YAML text) saved with its dataset: column names, no personal data.
ALTER TABLE leaked_datasets ADD COLUMN mapping text;
ALTER TABLE leaked_datasets ADD COLUMN mapping_updated_at timestamptz;
ALTER TABLE leaked_datasets ADD COLUMN mapping_updated_by_name text;

CREATE TABLE scoping_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  dataset_id uuid NOT NULL REFERENCES leaked_datasets(id) ON DELETE CASCADE,
  job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'purged')),
  perimeter jsonb NOT NULL DEFAULT '{}',
  notification_date text NOT NULL,
  mapping text NOT NULL,
  -- Counts only (persons, range, by module/category/risk…): what the CNIL dossier needs.
  figures jsonb,
  decisions_applied integer NOT NULL DEFAULT 0,
  storage_key text,
  error text,
  created_by uuid REFERENCES users(id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX scoping_runs_dataset ON scoping_runs (organisation_id, dataset_id, created_at);

-- A reviewer's answer about two records: the same person or not. Applied at the next run.
CREATE TABLE scoping_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  dataset_id uuid NOT NULL REFERENCES leaked_datasets(id) ON DELETE CASCADE,
  record_a text NOT NULL,
  record_b text NOT NULL,
  same boolean NOT NULL,
  decided_by uuid REFERENCES users(id),
  decided_by_name text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now(),
  CHECK (record_a < record_b),
  UNIQUE (dataset_id, record_a, record_b)
);

-- One campaign = one pass over a run's persons (dry run or real); deliveries record, per person,
-- what was done and when, so a campaign resumes without sending twice.
CREATE TABLE scoping_campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  run_id uuid NOT NULL REFERENCES scoping_runs(id) ON DELETE CASCADE,
  job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
  dry_run boolean NOT NULL,
  per_minute integer NOT NULL,
  status text NOT NULL DEFAULT 'queued',
  counts jsonb NOT NULL DEFAULT '{}',
  error text,
  created_by uuid REFERENCES users(id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE scoping_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  run_id uuid NOT NULL REFERENCES scoping_runs(id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL REFERENCES scoping_campaigns(id) ON DELETE CASCADE,
  person_ref text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'letter', 'sms', 'none')),
  status text NOT NULL CHECK (status IN ('sent', 'simulated', 'failed', 'to_letter', 'to_sms', 'unreachable')),
  detail text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scoping_deliveries_run ON scoping_deliveries (run_id, person_ref);
