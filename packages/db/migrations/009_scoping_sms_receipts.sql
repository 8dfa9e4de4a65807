-- SMS delivery receipts that arrive after the campaign unbound (operators send them minutes or hours
-- later): one row per SMS part, keyed by the identifier the SMSC gave it, so that the server's
-- receipt listener records each receipt on its delivery, across restarts, and knows when nothing is
-- awaited any more. The account (identifier@host:port, no password) scopes identifiers to the SMSC
-- that issued them; the number is kept only as a keyed hash, to tell apart two pending parts that
-- carry the same identifier.
CREATE TABLE scoping_sms_parts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  delivery_id uuid NOT NULL REFERENCES scoping_deliveries(id) ON DELETE CASCADE,
  account text NOT NULL,
  part_id text NOT NULL,
  seq integer NOT NULL,
  number_hash text NOT NULL,
  sent_at timestamptz NOT NULL,
  state text,
  received_at timestamptz,
  UNIQUE (delivery_id, seq)
);
CREATE INDEX scoping_sms_parts_id ON scoping_sms_parts (account, part_id);
CREATE INDEX scoping_sms_parts_awaiting ON scoping_sms_parts (sent_at) WHERE state IS NULL;
