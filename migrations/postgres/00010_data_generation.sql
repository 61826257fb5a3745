-- +goose Up

-- The data generation: one counter, bumped in every transaction that
-- records an audit entry (and by sign-outs and language choices), so it
-- changes with every write to what pages show, on every server at once.
-- Servers key their page, API and credential caches by it (see
-- store/generation.go). Commits that bump it are ordered by its row lock.
CREATE TABLE data_generation (
    id  INTEGER PRIMARY KEY,
    gen BIGINT NOT NULL
);
INSERT INTO data_generation (id, gen) VALUES (1, 0);

-- +goose Down
DROP TABLE data_generation;
