-- Late SMS receipts, hardened. Operators often allow one bind per SMPP account, and a second bind may
-- be refused or take the receipts away from the first: with several server instances, exactly one
-- listens. It holds a lease on the account (a row with an expiry, renewed while it listens, given
-- back when it stops; a crashed holder's lease lapses), which works the same on PGlite and
-- PostgreSQL. A real SMS campaign takes the same lease while it sends. The row also says what the listener is doing, so that any instance can show it.
-- The account is identifier@host:port, never the password.
CREATE TABLE smpp_listeners (
  account text PRIMARY KEY,
  holder text,
  state text NOT NULL CHECK (state IN ('connecting', 'listening', 'retrying', 'stopped')),
  since timestamptz NOT NULL,
  error text,
  expires_at timestamptz NOT NULL,
  -- Until when a campaign (on any instance) waits for the account: meanwhile the listener gives the
  -- lease back at its next look instead of renewing it. A time, not a flag: a campaign that dies
  -- while waiting must not keep the listener away.
  wanted_until timestamptz
);
-- Who recorded a delivery's receipt: the campaign's own session (during the sending or its end wait)
-- or the server's listener afterwards. Only the latter are "late". Null: recorded before this column.
ALTER TABLE scoping_deliveries ADD COLUMN receipt_via text CHECK (receipt_via IN ('campaign', 'listener'));
