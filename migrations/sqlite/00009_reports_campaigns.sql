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

-- +goose Down
DROP TABLE activity_counts;
ALTER TABLE hazards DROP COLUMN inspection_id;
