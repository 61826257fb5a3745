// Package migrations embeds the schema as goose SQL files: one numbered,
// append-only set per database engine, kept in step (same numbers, same
// tables). The schema lives only here; nothing auto-migrates.
package migrations

import "embed"

// SQLite holds the migrations for the embedded default database.
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// Postgres holds the migrations for PostgreSQL deployments.
//
//go:embed postgres/*.sql
var Postgres embed.FS
