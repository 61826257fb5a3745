-- +goose Up

-- Audit entries are hash-chained: hash = SHA-256 over the previous entry's
-- hash and this entry (see store/auditchain.go). Entries also carry the
-- client address and the request id of the request that made them.
ALTER TABLE audit_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- API tokens have a name, an expiry and a revocation time; revoked tokens
-- stay listed.
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN revoked_at TIMESTAMPTZ;

-- An administrator's password reset forces a change at the next sign-in.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- The maintenance loop prunes old throttle rows and expired sessions.
CREATE INDEX login_failures_at ON login_failures (at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- +goose Down
DROP INDEX sessions_last_seen;
DROP INDEX login_failures_at;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE api_tokens DROP COLUMN revoked_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN name;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN request_id;
ALTER TABLE audit_log DROP COLUMN address;
