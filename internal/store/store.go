// Package store is the only package that touches the database: GORM for
// plain records, readable SQL for the aggregates, goose for the schema. It
// runs the same code on SQLite (the embedded default) and PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"safecampus/internal/model"
	"safecampus/migrations"
)

// Options configure a Store.
type Options struct {
	// DSN is a file path (SQLite) or a postgres:// URL.
	DSN string
	// Now is the clock; days are taken in Location.
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
	// NoSync skips fsync at commit (SQLite synchronous=OFF). Only for
	// loading throwaway data fast — the demo and benchmark seeders — never
	// for a server that acknowledges writes.
	NoSync bool
	// ExemptPassword is accepted despite the password policy: the
	// throwaway demo's well-known password, and nothing else.
	ExemptPassword string
	// PasswordCost is the bcrypt cost of new password hashes: 0 means
	// bcrypt.DefaultCost. Tests set bcrypt.MinCost to run faster; hashes
	// already stored keep the cost they were made with.
	PasswordCost int
	// IDKey is the key of the keyed hash of resident ID numbers (guard
	// register). Empty: a random key made once and kept in the database.
	IDKey []byte
}

// Store is the database. Writes go through w, reads through r: on SQLite w
// is a single connection, so writers queue in Go instead of failing with
// "database is locked", while readers use the WAL's concurrent snapshots.
type Store struct {
	r, w           *gorm.DB
	exemptPassword string // see Options.ExemptPassword
	postgres       bool
	now            func() time.Time
	loc            *time.Location
	log            *slog.Logger
	// reruns counts the transactions PostgreSQL aborted and runTx ran
	// again (txretry.go).
	reruns *atomic.Int64
	// group queues writes for group commit (SQLite only; see transact).
	group   chan writeRequest
	stopped chan struct{}
	// walStop ends the WAL checkpoints (SQLite only; see walcheckpoint.go).
	walStop, walStopped chan struct{}
	closeOnce           *sync.Once
	// passwordCost is the bcrypt cost of new hashes; dummyHash is one made
	// at that cost.
	passwordCost int
	dummyHash    string
	// ids holds the resident ID key (see Options.IDKey, residentkey.go).
	ids *residentKey
	// rsql is r's connection pool, for the hot reads that skip GORM;
	// creds caches credentials per data generation (credcache.go).
	rsql  *sql.DB
	creds *credCache
	stmts *preparedStmts // hot reads (hotreads.go)
	hot   *hotCache
}

// Open connects to the database named by opts.DSN. It does not migrate.
func Open(opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PasswordCost == 0 {
		opts.PasswordCost = bcrypt.DefaultCost
	}
	s := &Store{now: opts.Now, loc: opts.Location, log: opts.Logger, closeOnce: &sync.Once{}, passwordCost: opts.PasswordCost,
		exemptPassword: opts.ExemptPassword, ids: &residentKey{key: opts.IDKey},
		creds: newCredCache(), stmts: &preparedStmts{}, hot: &hotCache{}, reruns: &atomic.Int64{}}
	// Signing in as an unknown user compares against this hash, so that it
	// takes as long as a wrong password.
	dummy, herr := bcrypt.GenerateFromPassword([]byte("timing equaliser"), s.passwordCost)
	if herr != nil {
		return nil, fmt.Errorf("store: open: %w", herr)
	}
	s.dummyHash = string(dummy)
	cfg := &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return s.now().UTC() }, TranslateError: true}
	var err error
	if IsPostgres(opts.DSN) {
		s.postgres = true
		if s.w, err = gorm.Open(postgres.Open(opts.DSN), cfg); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		s.r = s.w
		// Enough connections for a busy server, few enough that several
		// servers fit under PostgreSQL's default max_connections of 100.
		db, err := s.w.DB()
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(24)
		db.SetMaxIdleConns(24)
		s.rsql = db
		return s, s.ping()
	}
	path := opts.DSN
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	// WAL lets readers work while one writer commits. synchronous=FULL
	// fsyncs the WAL at every commit: an acknowledged write survives a power
	// cut, not only a crash of the process (NORMAL would risk the last
	// commits on power loss). busy_timeout covers the rare moments a
	// checkpoint or a backup holds a lock. _txlock=immediate takes the write
	// lock at BEGIN, so a transaction never fails half-way upgrading its lock.
	params := "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=10000"
	if opts.NoSync {
		params = strings.Replace(params, "_synchronous=FULL", "_synchronous=OFF", 1)
	}
	// The writer keeps 64 MiB of pages (an import's transaction does not
	// spill to the log half-way); a bulk loader up to 2 GiB, so that
	// building a national dataset in a few transactions does not write the
	// same pages to the log again and again.
	cache := "-65536"
	if opts.NoSync {
		cache = "-2097152"
	}
	if s.w, err = gorm.Open(sqlite.Open("file:"+path+"?"+params+"&_txlock=immediate&_cache_size="+cache), cfg); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if s.r, err = gorm.Open(sqlite.Open("file:"+path+"?"+params), cfg); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	wdb, _ := s.w.DB()
	wdb.SetMaxOpenConns(1)
	s.group, s.stopped = make(chan writeRequest, maxGroup), make(chan struct{})
	go s.groupCommits(s.group, s.stopped)
	rdb, _ := s.r.DB()
	rdb.SetMaxOpenConns(8)
	// Keep all eight open under load: with database/sql's default of two
	// idle connections, busy servers closed and reopened SQLite
	// connections between requests (a profile showed it).
	rdb.SetMaxIdleConns(8)
	rdb.SetConnMaxIdleTime(time.Minute)
	s.rsql = rdb
	if err := s.ping(); err != nil {
		return s, err
	}
	return s, s.startCheckpoints()
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func (s *Store) ping() error {
	db, err := s.w.DB()
	if err != nil {
		return err
	}
	if err := db.Ping(); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	return nil
}

// Ready reports whether the database answers.
func (s *Store) Ready(ctx context.Context) (err error) {
	defer wrap(&err, "ping")
	db, err := s.r.DB()
	if err != nil {
		return err
	}
	return db.PingContext(ctx)
}

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() { err = s.close() })
	return err
}

func (s *Store) close() error {
	s.stopCheckpoints()
	if s.group != nil {
		close(s.group)
		<-s.stopped
	}
	s.closeStmts()
	var errs []error
	for _, g := range []*gorm.DB{s.w, s.r} {
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
		if s.postgres {
			break
		}
	}
	return errors.Join(errs...)
}

// Migrate applies pending migrations and makes sure the default rule set
// exists. It returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	db, err := s.w.DB()
	if err != nil {
		return nil, err
	}
	dialect, fsys, dir := goose.DialectSQLite3, fs.FS(migrations.SQLite), "sqlite"
	if s.postgres {
		dialect, fsys, dir = goose.DialectPostgres, migrations.Postgres, "postgres"
	}
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect, db, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []int64
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	// Entries from before the chain are sealed before anything new is
	// chained on top of them.
	if err := s.sealAudit(ctx); err != nil {
		return applied, err
	}
	if err := s.ensureDefaultRuleSet(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// Today is the current calendar day in the deployment's time zone.
func (s *Store) Today() model.Date { return model.DateOf(s.now().In(s.loc)) }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Location is the deployment's time zone.
func (s *Store) Location() *time.Location { return s.loc }

// SQLDB exposes the write pool for backups and health checks.
func (s *Store) SQLDB() (*sql.DB, error) { return s.w.DB() }

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// notFound maps GORM's not-found to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// WithClock returns a store on the same database with another clock; the
// demo seeder uses it to replay months of activity day by day.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}
