-- Column mappings for log exports, saved per organisation and offered next to the presets: the
-- commune's own vendor export is described once. A mapping names columns and translates action
-- labels, no personal data, so it is kept in clear. A scan keeps a copy of the text it ran with
-- (mapping_text) and the name it had, so editing or deleting a mapping never rewrites past scans.
CREATE TABLE forensic_mappings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name text NOT NULL,
  mapping_text text NOT NULL,
  created_by uuid REFERENCES users(id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users(id),
  updated_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, name)
);

ALTER TABLE forensic_scans ADD COLUMN mapping_name text;

-- Why a scan failed, in the engine's own words: they can quote a file's header or a log line, so they
-- are sealed here (bound to the scan) and jobs.error, in clear, only says where and what kind.
ALTER TABLE forensic_scans ADD COLUMN error_enc text;
