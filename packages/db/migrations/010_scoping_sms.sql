-- Notification campaign over email, SMS or both. Minors are held back unless the campaign includes
-- them (their legal representatives get the letter), and an SMS keeps the identifiers the SMSC gave
-- its parts so that a delivery receipt ("remis" / "non remis") is recorded against it.
ALTER TABLE scoping_campaigns ADD COLUMN channels jsonb NOT NULL DEFAULT '["email"]';
ALTER TABLE scoping_campaigns ADD COLUMN include_minors boolean NOT NULL DEFAULT false;
ALTER TABLE scoping_deliveries ADD COLUMN message_id text;
ALTER TABLE scoping_deliveries ADD COLUMN receipt text CHECK (receipt IN ('delivered', 'undelivered'));
ALTER TABLE scoping_deliveries ADD COLUMN receipt_at timestamptz;
CREATE INDEX scoping_deliveries_message ON scoping_deliveries (run_id, message_id) WHERE message_id IS NOT NULL;
