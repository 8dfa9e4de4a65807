-- Notification campaign over email, SMS or both. Minors are held back unless the campaign includes
-- them (their legal representatives get the letter), and an SMS keeps the identifiers the SMSC gave
-- its parts so that a delivery receipt ("remis" / "non remis") is recorded against it.
ALTER TABLE scoping_campaigns ADD COLUMN channels jsonb NOT NULL DEFAULT '["email"]';
ALTER TABLE scoping_campaigns ADD COLUMN include_minors boolean NOT NULL DEFAULT false;
ALTER TABLE scoping_deliveries ADD COLUMN message_id text;
ALTER TABLE scoping_deliveries ADD COLUMN receipt text CHECK (receipt IN ('delivered', 'undelivered'));
ALTER TABLE scoping_deliveries ADD COLUMN receipt_at timestamptz;
CREATE INDEX scoping_deliveries_message ON scoping_deliveries (run_id, message_id) WHERE message_id IS NOT NULL;
-- A row is written 'started' before a message leaves and completed after: a campaign killed in
-- between does not send that message again unless asked to (its fate is unknown).
ALTER TABLE scoping_deliveries DROP CONSTRAINT scoping_deliveries_status_check;
ALTER TABLE scoping_deliveries ADD CONSTRAINT scoping_deliveries_status_check CHECK (status IN ('started', 'sent', 'simulated', 'failed', 'to_letter', 'to_sms', 'unreachable'));
