-- A TOTP code is single-use (ASVS 2.8.4): remember the last accepted time step per user.
ALTER TABLE users ADD COLUMN totp_last_step bigint;
