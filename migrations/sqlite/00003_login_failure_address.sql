-- +goose Up

-- Failed logins are counted by client address as well as by username, so
-- one address cannot try password after password across many usernames.
-- The address is the connection's, or the one a trusted proxy reports.
ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_address ON login_failures (address, at);

-- +goose Down
DROP INDEX login_failures_address;
ALTER TABLE login_failures DROP COLUMN address;
