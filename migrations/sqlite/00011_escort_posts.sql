-- +goose Up

-- Escort posts (护学岗): a post belongs to a county and serves one or more
-- of its schools.
CREATE TABLE escort_posts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    division_code TEXT NOT NULL REFERENCES divisions (code),
    name          TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX escort_posts_division ON escort_posts (division_code);

CREATE TABLE escort_post_schools (
    post_id   INTEGER NOT NULL REFERENCES escort_posts (id),
    school_id INTEGER NOT NULL REFERENCES schools (id),
    PRIMARY KEY (post_id, school_id)
);
CREATE INDEX escort_post_schools_school ON escort_post_schools (school_id);

-- One check-in per post, day and session: who was present.
CREATE TABLE escort_check_ins (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id         INTEGER NOT NULL REFERENCES escort_posts (id),
    day             TEXT NOT NULL,
    session         TEXT NOT NULL CHECK (session IN ('am', 'pm')),
    police_officers INTEGER NOT NULL CHECK (police_officers >= 0),
    staff           INTEGER NOT NULL CHECK (staff >= 0),
    created_by      INTEGER REFERENCES users (id),
    creator         TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX escort_check_ins_once ON escort_check_ins (post_id, day, session);

-- The deployment calendar: weekdays that are holidays (school_day false)
-- and weekend days that are make-up school days (true).
CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY,
    school_day BOOLEAN NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE calendar_days;
DROP TABLE escort_check_ins;
DROP TABLE escort_post_schools;
DROP TABLE escort_posts;
