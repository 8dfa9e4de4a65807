-- Evidence attached to an incident (log exports, screenshots, ransom notes, reports). The bytes live
-- in the file store, encrypted; the SHA-256 of the original is kept here to prove integrity later.
CREATE TABLE evidence (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  name text NOT NULL,
  media_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  uploaded_by uuid REFERENCES users(id),
  uploaded_by_name text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_incident ON evidence (incident_id, uploaded_at);
CREATE TRIGGER evidence_append_only BEFORE UPDATE ON evidence
  FOR EACH ROW EXECUTE FUNCTION rempart_refuse_change();
