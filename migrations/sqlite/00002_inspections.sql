-- +goose Up

-- What happened to a hazard after it was raised: the school's answers, the
-- inspector's send-backs and closing notes, oldest first. Raising and
-- closing themselves stay on the hazard row (coverage replays them).
CREATE TABLE hazard_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    hazard_id INTEGER NOT NULL REFERENCES hazards (id),
    kind      TEXT NOT NULL CHECK (kind IN ('answer', 'send_back', 'close')),
    note      TEXT NOT NULL DEFAULT '',
    user_id   INTEGER REFERENCES users (id),
    username  TEXT NOT NULL DEFAULT '',
    at        TIMESTAMP NOT NULL
);
CREATE INDEX hazard_events_hazard ON hazard_events (hazard_id, id);

-- Overdue and open hazards across a region, by deadline.
CREATE INDEX hazards_state_deadline ON hazards (state, deadline);

-- On-site inspections: tens of thousands a year in one region.
CREATE TABLE inspections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id    INTEGER NOT NULL REFERENCES schools (id),
    inspected_on TEXT NOT NULL,
    inspector_id INTEGER REFERENCES users (id),
    inspector    TEXT NOT NULL DEFAULT '',
    participants TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX inspections_school ON inspections (school_id, inspected_on);
CREATE INDEX inspections_day ON inspections (inspected_on);

-- One finding per measure (or "other") of an inspection, with the hazard
-- raised from it, if any.
CREATE TABLE inspection_findings (
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    measure       TEXT NOT NULL,
    result        TEXT NOT NULL CHECK (result IN ('ok', 'problem', 'not_checked')),
    note          TEXT NOT NULL DEFAULT '',
    hazard_id     INTEGER REFERENCES hazards (id),
    PRIMARY KEY (inspection_id, measure)
);

-- Evidence files (photos, PDFs) attached to a checklist or to a hazard
-- answer. The bytes live in the evidence directory under stored_name, a
-- server-generated name; file_name is the uploader's, for display only.
CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id       INTEGER NOT NULL REFERENCES schools (id),
    checklist_id    INTEGER REFERENCES checklists (id),
    hazard_id       INTEGER REFERENCES hazards (id),
    hazard_event_id INTEGER REFERENCES hazard_events (id),
    stored_name     TEXT NOT NULL UNIQUE,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    width           INTEGER NOT NULL DEFAULT 0,
    height          INTEGER NOT NULL DEFAULT 0,
    uploaded_by     INTEGER REFERENCES users (id),
    uploaded_at     TIMESTAMP NOT NULL,
    CHECK ((checklist_id IS NULL) <> (hazard_id IS NULL))
);
CREATE INDEX evidence_checklist ON evidence (checklist_id);
CREATE INDEX evidence_hazard ON evidence (hazard_id);

-- When a rule set's parameters were applied to every school's coverage:
-- at once for one effective today, by the server's maintenance for one
-- dated in the future. NULL = not yet.
ALTER TABLE rule_sets ADD COLUMN applied_at TIMESTAMP;
UPDATE rule_sets SET applied_at = created_at;

-- The audit trail page filters by record and by user.
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_username ON audit_log (username, at);

-- +goose Down
DROP INDEX audit_log_username;
DROP INDEX audit_log_entity;
ALTER TABLE rule_sets DROP COLUMN applied_at;
DROP TABLE evidence;
DROP TABLE inspection_findings;
DROP TABLE inspections;
DROP INDEX hazards_state_deadline;
DROP TABLE hazard_events;
