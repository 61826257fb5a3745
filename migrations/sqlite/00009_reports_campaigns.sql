-- +goose Up

-- A hazard may name the on-site inspection it was found in.
ALTER TABLE hazards ADD COLUMN inspection_id INTEGER REFERENCES inspections (id);

-- The period report's activity counters (SPEC section 9): for every
-- division (each ancestor of a school, the county included), kind and pair
-- of days, how many events. Kept in the transaction of each event and
-- rebuilt with the coverage ledger, so a report reads a few rows per
-- division and day, never the schools. The kinds (model.ActivityKind):
--   inspection: day inspected, other_day the school's previous inspection
--               (0001-01-01 for none): distinct schools = those whose
--               previous inspection is before the period
--   submitted, verified: day of the checklist's submission / verification
--   raised:     day raised, other_day day closed (9999-12-31 while open)
--   closed:     day closed
--   open_until: day closed (9999-12-31 while open), other_day the deadline
CREATE TABLE activity_counts (
    division_code TEXT NOT NULL,
    kind          TEXT NOT NULL,
    day           TEXT NOT NULL,
    other_day     TEXT NOT NULL,
    n             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (division_code, kind, day, other_day)
);

-- Campaigns (专项行动): a named drive over a division subtree and a period
-- with target percentages, in tenths (NULL: no target).
CREATE TABLE campaigns (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    name                     TEXT NOT NULL,
    division_code            TEXT NOT NULL REFERENCES divisions (code),
    starts_on                TEXT NOT NULL,
    ends_on                  TEXT NOT NULL,
    target_nursing_post      INTEGER,
    target_closed_management INTEGER,
    target_security_guards   INTEGER,
    target_one_button_alarm  INTEGER,
    target_video_networking  INTEGER,
    target_all_five          INTEGER,
    created_by               TEXT NOT NULL DEFAULT '',
    created_at               TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX campaigns_division ON campaigns (division_code, ends_on);

-- +goose Down
DROP TABLE campaigns;
DROP TABLE activity_counts;
ALTER TABLE hazards DROP COLUMN inspection_id;
