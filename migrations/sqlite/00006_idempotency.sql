-- +goose Up

-- Creates sent with a client-made key (the Idempotency-Key header, or the
-- hidden idempotency_key field of a form) are recorded here in the same
-- transaction as the record they created, so a repeat by the same user is
-- answered with the first result instead of creating a second record. The
-- fingerprint is a hash of what was asked: the same key with another
-- request is refused. Kept for 30 days by the maintenance loop.
CREATE TABLE idempotency_keys (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idem_key    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    record_id   INTEGER NOT NULL DEFAULT 0,
    result      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- When a checklist was filled in on the device, if it says so: a checklist
-- filled without a network is sent later, and keeps the time it was made.
ALTER TABLE checklists ADD COLUMN made_at TIMESTAMP;

-- +goose Down
ALTER TABLE checklists DROP COLUMN made_at;
DROP TABLE idempotency_keys;
