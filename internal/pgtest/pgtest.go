// Package pgtest starts a throwaway PostgreSQL server for tests: one per
// test process, on a Unix socket in a temporary directory, owned by an
// unprivileged user when the tests run as root (PostgreSQL refuses root).
// Each test gets a database of its own, dropped when the test ends.
//
// Tests that need PostgreSQL call Database; it skips when the server
// binaries are missing, unless SAFECAMPUS_REQUIRE_POSTGRES=1 (as in CI),
// where a missing server fails the test instead of hiding it.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// serverUser runs PostgreSQL when the tests run as root.
const serverUser = "postgres"

type server struct {
	dir     string // data directory and socket directory
	user    string
	durable bool // fsync and synchronous commit on, as in production
	err     error
}

var (
	once    sync.Once
	srv     server
	counter atomic.Int64
)

// Available reports whether PostgreSQL tests can run here, and why not.
func Available() (bool, string) {
	if _, err := binary("initdb"); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// Database creates an empty database on the shared test server and returns
// its postgres:// DSN. It is dropped when the test ends.
func Database(t testing.TB) string {
	t.Helper()
	if ok, why := Available(); !ok {
		if os.Getenv("SAFECAMPUS_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (SAFECAMPUS_REQUIRE_POSTGRES=1) but unavailable: %s", why)
		}
		t.Skipf("PostgreSQL not available: %s", why)
	}
	d, drop, err := NewDatabase()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return d
}

// StartDurable starts the shared server with fsync and synchronous commit
// on, as a production server runs, instead of the fast throwaway settings
// tests use. It must come before the first NewDatabase; the benchmark
// calls it so its figures include durable commits.
func StartDurable() error {
	once.Do(func() {
		srv.durable = true
		start()
	})
	return srv.err
}

// DatabaseFrom is Database with a copy of template (a database on the
// same server, built once by the caller; see NewDatabase) instead of an
// empty one: PostgreSQL copies a template far faster than tests could fill
// it.
func DatabaseFrom(t testing.TB, template string) string {
	t.Helper()
	d, drop, err := newDatabase(template)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return d
}

// Name is the database name of a DSN made here.
func Name(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// NewDatabase creates an empty database on the shared server (starting it
// on first use) and returns its DSN and a function that drops it. The
// benchmark uses it outside tests.
func NewDatabase() (string, func(), error) { return newDatabase("") }

func newDatabase(template string) (string, func(), error) {
	once.Do(start)
	if srv.err != nil {
		return "", nil, fmt.Errorf("starting PostgreSQL: %w", srv.err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), counter.Add(1))
	admin := dsn(srv, "postgres")
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if _, err := db.Exec(create); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	drop := func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	}
	return dsn(srv, name), drop, nil
}

func dsn(s server, db string) string {
	q := url.Values{"host": {s.dir}, "sslmode": {"disable"}}
	return fmt.Sprintf("postgres://%s@/%s?%s", url.PathEscape(s.user), db, q.Encode())
}

func binary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s not found in PATH or /usr/lib/postgresql/*/bin", name)
}

// start runs initdb and postgres once for the whole test process. A
// watcher process stops the server and removes its files when the test
// process exits, however it exits.
func start() {
	dir, err := os.MkdirTemp("", "safecampus-pg-")
	if err != nil {
		srv.err = err
		return
	}
	srv.dir = dir
	run := func(name string, args ...string) *exec.Cmd {
		bin, err := binary(name)
		if err != nil {
			bin = name
		}
		if os.Geteuid() == 0 {
			return exec.Command("runuser", append([]string{"-u", serverUser, "--", bin}, args...)...)
		}
		return exec.Command(bin, args...)
	}
	srv.user = currentUser()
	if os.Geteuid() == 0 {
		srv.user = serverUser
		if err := exec.Command("chown", serverUser, dir).Run(); err != nil {
			srv.err = fmt.Errorf("chown %s to %s: %w", dir, serverUser, err)
			return
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-A", "trust", "-U", srv.user, "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		srv.err = fmt.Errorf("initdb: %v: %s", err, out)
		return
	}
	// fsync off and a small footprint: test data is throwaway.
	opts := "-c listen_addresses='' -c unix_socket_directories=" + dir + " -c max_connections=300"
	if srv.durable {
		opts += " -c shared_buffers=256MB"
	} else {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB"
	}
	cmd := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start")
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		srv.err = fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
		return
	}
	// Stop the server when this test process ends, even if it is killed:
	// a watcher waits for our pid to disappear.
	stop := run("pg_ctl", "-D", data, "-m", "immediate", "stop")
	watcher := exec.Command("sh", "-c", fmt.Sprintf(
		"while kill -0 %d 2>/dev/null; do sleep 1; done; %s; rm -rf %s",
		os.Getpid(), shellJoin(stop.Args), dir))
	watcher.Stdout, watcher.Stderr = nil, nil
	if err := watcher.Start(); err != nil {
		srv.err = err
		return
	}
	go func() { _ = watcher.Wait() }()
	// Wait for the socket to accept connections.
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("pgx", dsn(srv, "postgres"))
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			srv.err = fmt.Errorf("postgres did not accept connections: %w", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}

func shellJoin(args []string) string {
	out := ""
	for i, a := range args {
		if i > 0 {
			out += " "
		}
		out += "'" + a + "'"
	}
	return out
}
