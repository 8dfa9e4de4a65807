-- Audit-log scans run inside an incident. The inputs are evidence items (chain of custody), the status
-- and progress live on the job row (one source of truth), the findings name agents and addresses:
-- they are kept sealed (AES-GCM, bound to the scan), only counts stay in clear.
CREATE TABLE forensic_scans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
  input_evidence_ids jsonb NOT NULL,
  mapping_preset text,
  mapping_text text,
  since timestamptz,
  until timestamptz,
  summary jsonb,
  findings_enc text,
  report_evidence_id uuid REFERENCES evidence(id),
  created_by uuid REFERENCES users(id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK (mapping_preset IS NULL OR mapping_text IS NULL)
);
CREATE INDEX forensic_scans_incident ON forensic_scans (incident_id, created_at);

-- What was already turned into tasks or journal entries, per scan and account (keyed hash, not the
-- name): a double click or a second reviewer does not duplicate the response plan.
CREATE TABLE forensic_actions (
  scan_id uuid NOT NULL REFERENCES forensic_scans(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  account_hash text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('tasks', 'journal')),
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scan_id, account_hash, kind)
);
