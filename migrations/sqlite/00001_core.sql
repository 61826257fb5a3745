-- +goose Up
CREATE TABLE divisions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    parent_code TEXT REFERENCES divisions (code),
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county'))
);
CREATE INDEX divisions_parent ON divisions (parent_code);

-- Every (ancestor, descendant) pair including (d, d): subtree and scope
-- questions become one indexed lookup instead of a recursive walk.
CREATE TABLE division_closure (
    ancestor_code   TEXT NOT NULL REFERENCES divisions (code),
    descendant_code TEXT NOT NULL REFERENCES divisions (code),
    depth           INTEGER NOT NULL,
    PRIMARY KEY (ancestor_code, descendant_code)
);
CREATE INDEX division_closure_descendant ON division_closure (descendant_code);

CREATE TABLE schools (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    division_code  TEXT NOT NULL REFERENCES divisions (code),
    address        TEXT NOT NULL DEFAULT '',
    students       INTEGER NOT NULL DEFAULT 0 CHECK (students >= 0),
    boarders       INTEGER NOT NULL DEFAULT 0 CHECK (boarders >= 0 AND boarders <= students),
    police_station TEXT NOT NULL DEFAULT '',
    ownership      TEXT NOT NULL DEFAULT 'public',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX schools_division ON schools (division_code, name);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'inspector', 'school')),
    scope_code    TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- Sessions live in the database so that several servers can share them.
-- id is the SHA-256 of the cookie value: a leaked table reveals no cookie.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    at       TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

CREATE TABLE rule_sets (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    params         TEXT NOT NULL,
    created_by     INTEGER REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE checklists (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id      INTEGER NOT NULL REFERENCES schools (id),
    checked_on     TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'verified', 'returned')),
    schema_version INTEGER NOT NULL DEFAULT 1,
    facts          TEXT NOT NULL,
    notes          TEXT NOT NULL DEFAULT '',
    return_reason  TEXT NOT NULL DEFAULT '',
    created_by     INTEGER REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    submitted_at   TIMESTAMP,
    reviewed_by    INTEGER REFERENCES users (id),
    reviewed_at    TIMESTAMP
);
CREATE INDEX checklists_school ON checklists (school_id, state, checked_on);
CREATE INDEX checklists_state ON checklists (state, submitted_at);

CREATE TABLE hazards (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id   INTEGER NOT NULL REFERENCES schools (id),
    measure     TEXT NOT NULL,
    description TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    deadline    TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
    answer      TEXT NOT NULL DEFAULT '',
    raised_by   INTEGER REFERENCES users (id),
    raised_at   TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    closed_by   INTEGER REFERENCES users (id),
    closed_at   TIMESTAMP
);
CREATE INDEX hazards_school ON hazards (school_id, state);

-- The derived coverage of each school on each basis, as of its last change:
-- for each measure (and all five) the last day it stays covered, NULL when
-- not covered. The school list, badges and due lists read this table.
CREATE TABLE school_coverage (
    school_id         INTEGER NOT NULL REFERENCES schools (id),
    basis             TEXT NOT NULL,
    active            BOOLEAN NOT NULL,
    checklist_id      INTEGER,
    checked_on        TEXT,
    expires_on        TEXT,
    nursing_post      TEXT,
    closed_management TEXT,
    security_guards   TEXT,
    one_button_alarm  TEXT,
    video_networking  TEXT,
    all_five          TEXT,
    -- JSON: per measure, why it failed at the last change (expiry is
    -- computed when read, since it depends on the day).
    reasons           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (school_id, basis)
);
CREATE INDEX school_coverage_expiry ON school_coverage (basis, expires_on);

-- The coverage ledger: for every division (each ancestor of a school, the
-- county included), basis and day, how much each count changes on that day.
-- A division's coverage as of day X is the sum of its rows with day <= X, so
-- history is exact, expiries are rows dated the day after the last covered
-- day, and a dashboard read never touches the schools.
CREATE TABLE coverage_deltas (
    division_code     TEXT NOT NULL,
    basis             TEXT NOT NULL,
    day               TEXT NOT NULL,
    schools           INTEGER NOT NULL DEFAULT 0,
    nursing_post      INTEGER NOT NULL DEFAULT 0,
    closed_management INTEGER NOT NULL DEFAULT 0,
    security_guards   INTEGER NOT NULL DEFAULT 0,
    one_button_alarm  INTEGER NOT NULL DEFAULT 0,
    video_networking  INTEGER NOT NULL DEFAULT 0,
    all_five          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (division_code, basis, day)
);

-- Running totals of coverage_deltas up to a checkpoint day, so a read sums
-- at most one month of deltas. Checkpoints are only taken for past days,
-- which no write can change any more.
CREATE TABLE coverage_checkpoints (
    division_code     TEXT NOT NULL,
    basis             TEXT NOT NULL,
    day               TEXT NOT NULL,
    schools           INTEGER NOT NULL,
    nursing_post      INTEGER NOT NULL,
    closed_management INTEGER NOT NULL,
    security_guards   INTEGER NOT NULL,
    one_button_alarm  INTEGER NOT NULL,
    video_networking  INTEGER NOT NULL,
    all_five          INTEGER NOT NULL,
    PRIMARY KEY (division_code, basis, day)
);
CREATE TABLE coverage_checkpoint_days (
    day TEXT PRIMARY KEY
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TIMESTAMP NOT NULL,
    user_id       INTEGER,
    username      TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    division_code TEXT NOT NULL DEFAULT '',
    old_value     TEXT NOT NULL DEFAULT '',
    new_value     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_division ON audit_log (division_code, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE coverage_checkpoint_days;
DROP TABLE coverage_checkpoints;
DROP TABLE coverage_deltas;
DROP TABLE school_coverage;
DROP TABLE hazards;
DROP TABLE checklists;
DROP TABLE rule_sets;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE schools;
DROP TABLE division_closure;
DROP TABLE divisions;
