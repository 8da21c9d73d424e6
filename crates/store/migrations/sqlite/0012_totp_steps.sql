-- A TOTP code is good once: the last 30-second step used to sign in or confirm, per account.
-- A code of that step or an earlier one is refused (RFC 6238 §5.2).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
