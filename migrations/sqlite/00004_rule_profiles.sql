-- +goose Up

-- Rule profiles: a rule set version belongs to a division (a province's or
-- prefecture's own rules) or to none (NULL: the national default). A
-- school is judged by the version in force of the nearest division on its
-- path that has one. Versions stored before keep their parameters: those
-- without guard_basis meant all students (rule set v1) and still do.
ALTER TABLE rule_sets ADD COLUMN division_code TEXT REFERENCES divisions (code);
CREATE INDEX rule_sets_division ON rule_sets (division_code, effective_from);

-- +goose Down
DROP INDEX rule_sets_division;
ALTER TABLE rule_sets DROP COLUMN division_code;
