-- +goose Up

-- Keys the deployment keeps for itself: the key of the keyed hash of
-- resident ID numbers, made on first use when no key is configured.
CREATE TABLE deployment_keys (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The guard register (保安员). The resident ID number is never stored whole:
-- id_hash is its keyed hash (HMAC-SHA256) for duplicate detection, id_masked
-- the first 6 and last 4 characters for display. left_on is the first day the
-- guard no longer works there (NULL: still there).
CREATE TABLE guards (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id  INTEGER NOT NULL REFERENCES schools (id),
    name       TEXT NOT NULL,
    id_hash    TEXT NOT NULL,
    id_masked  TEXT NOT NULL,
    licence_no TEXT NOT NULL DEFAULT '',
    employer   TEXT NOT NULL DEFAULT '',
    hired_on   TEXT NOT NULL,
    trained_on TEXT,
    left_on    TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX guards_school ON guards (school_id, left_on);
CREATE INDEX guards_licence ON guards (licence_no, left_on);
CREATE INDEX guards_id_hash ON guards (id_hash);

-- The alarm test log: each test of the one-button alarm, newest prefilling
-- a new checklist's last_test_on and last_test_ok.
CREATE TABLE alarm_tests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id        INTEGER NOT NULL REFERENCES schools (id),
    tested_on        TEXT NOT NULL,
    ok               BOOLEAN NOT NULL,
    police_notified  BOOLEAN NOT NULL,
    response_minutes INTEGER,
    created_by       INTEGER REFERENCES users (id),
    creator          TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX alarm_tests_school ON alarm_tests (school_id, tested_on);

-- Emergency drills (应急演练). A school whose last drill is older than its
-- rule set's interval, or that never logged one, is on the due list.
CREATE TABLE drills (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id    INTEGER NOT NULL REFERENCES schools (id),
    held_on      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('evacuation', 'fire', 'intruder', 'earthquake', 'other')),
    participants INTEGER NOT NULL CHECK (participants >= 0),
    created_by   INTEGER REFERENCES users (id),
    creator      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX drills_school ON drills (school_id, held_on);

-- +goose Down
DROP TABLE drills;
DROP TABLE alarm_tests;
DROP TABLE guards;
DROP TABLE deployment_keys;
