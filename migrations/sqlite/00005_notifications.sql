-- +goose Up

-- What the product tells each person (SPEC section 8). One row per
-- (kind, subject, stage, recipient): the unique key makes every insert
-- idempotent, so a second run of the daily job, a restart or two servers
-- never duplicate anything. The text is rendered when read, in the
-- reader's language, from kind and params.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL,
    subject_id    INTEGER NOT NULL,
    stage         TEXT NOT NULL DEFAULT '',
    school_id     INTEGER REFERENCES schools (id),
    school_code   TEXT NOT NULL DEFAULT '',
    division_code TEXT NOT NULL DEFAULT '',
    params        TEXT NOT NULL DEFAULT '{}',
    created_at    TIMESTAMP NOT NULL,
    read_at       TIMESTAMP,
    UNIQUE (kind, subject_id, stage, user_id)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);

-- One row per day the daily job has run. The job claims its day by
-- inserting this row in the same transaction as the day's notifications:
-- on PostgreSQL a second server blocks on the key, then finds it taken.
-- ran_at and the highest hazard id let the next run read only the
-- checklists submitted and hazards raised since.
CREATE TABLE notification_runs (
    day              TEXT PRIMARY KEY,
    ran_at           TIMESTAMP NOT NULL,
    max_hazard_id    INTEGER NOT NULL DEFAULT 0,
    counts           TEXT NOT NULL DEFAULT '{}'
);

-- Webhooks: notifications about schools in a division's subtree are POSTed
-- to url in the given format, signed with secret when there is one.
CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    division_code TEXT NOT NULL REFERENCES divisions (code),
    url           TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('json', 'dingtalk', 'wecom')),
    secret        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);

-- The outbox: every e-mail and webhook delivery, written in the transaction
-- that made its notification, delivered afterwards with retries. sent_at is
-- set only after a 2xx (or the SMTP server's acceptance): a row with
-- sent_at is never sent again. target is 'webhook' or 'email'.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    target          TEXT NOT NULL CHECK (target IN ('webhook', 'email')),
    webhook_id      INTEGER REFERENCES webhooks (id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users (id),
    notification_id INTEGER NOT NULL REFERENCES notifications (id),
    digest_day      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    sent_at         TIMESTAMP,
    failed_at       TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (sent_at, failed_at, next_at);
CREATE UNIQUE INDEX outbox_webhook_once ON outbox (webhook_id, notification_id) WHERE target = 'webhook';
CREATE UNIQUE INDEX outbox_email_once ON outbox (user_id, notification_id) WHERE target = 'email';

-- E-mail: an address, and immediate mail or one digest a day.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_digest BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX users_scope ON users (role, scope_code);

-- Schools never checked are told 30 days after they were added.
CREATE INDEX schools_created ON schools (created_at);

-- +goose Down
DROP INDEX schools_created;
DROP INDEX users_scope;
ALTER TABLE users DROP COLUMN email_digest;
ALTER TABLE users DROP COLUMN email;
DROP TABLE outbox;
DROP TABLE webhooks;
DROP TABLE notification_runs;
DROP TABLE notifications;
