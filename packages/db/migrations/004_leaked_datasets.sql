-- Extracts of leaked records imported for scoping. Each is encrypted with a key of its own, kept
-- here only wrapped by the master key: purging wipes the wrapped key and the file, so the data is
-- unreadable even where an old copy of the file survives. The row stays as a tombstone for the
-- register and the audit trail.
CREATE TABLE leaked_datasets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  name text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  storage_key text,
  wrapped_key text,
  retention_until timestamptz NOT NULL,
  created_by uuid REFERENCES users(id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  purged_at timestamptz,
  purge_reason text,
  CHECK ((purged_at IS NULL) = (wrapped_key IS NOT NULL))
);
CREATE INDEX leaked_datasets_retention ON leaked_datasets (retention_until) WHERE purged_at IS NULL;
