package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/store"
)

// config is what the flags and environment say.
type config struct {
	db, addr, tz   string
	secureCookies  bool
	trustedProxies []string
	evidenceDir    string // "" = beside the SQLite file, or ./data/evidence
	metricsAddr    string // "" = /metrics on the public address
	pprofAddr      string // "" = no profiler
	tlsCert        string // with tlsKey: serve HTTPS natively
	tlsKey         string
}

// env carries the process's surroundings to the commands.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	cfg            config
	mail           mailConfig
}

func newRootCommand(getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	def := func(key, fallback string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return fallback
	}
	root := &cobra.Command{
		Use:           "safecampus",
		Short:         "SafeCampus (平安校园): campus safety compliance tracker",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&e.cfg.db, "db", def("SAFECAMPUS_DB", "./data/safecampus.db"),
		"database: a file path (SQLite) or a postgres:// URL (env SAFECAMPUS_DB)")
	root.PersistentFlags().StringVar(&e.cfg.tz, "tz", def("SAFECAMPUS_TZ", "Asia/Shanghai"),
		"time zone in which days are counted (env SAFECAMPUS_TZ)")
	root.AddCommand(e.demoCommand(def), e.serveCommand(def), e.migrateCommand(), e.userCommand(),
		e.tokenCommand(), e.importCommand(), e.backupCommand(), e.rebuildCommand(), e.auditCommand(), e.versionCommand(),
		e.notifyCommand(def), e.webhookCommand())
	return root
}

func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func (e *env) location() (*time.Location, error) {
	loc, err := time.LoadLocation(e.cfg.tz)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: %w", e.cfg.tz, err)
	}
	return loc, nil
}

// openStore opens and migrates the database, loading the built-in Inner
// Mongolia divisions into a database that has none.
func (e *env) openStore(ctx context.Context, dsn string) (*store.Store, error) {
	loc, err := e.location()
	if err != nil {
		return nil, err
	}
	// SAFECAMPUS_ID_KEY keys the hash of guards' ID numbers; unset, the
	// database keeps a random key of its own (README, Registers).
	st, err := store.Open(store.Options{DSN: dsn, Location: loc, Logger: e.logger(), IDKey: []byte(e.getenv("SAFECAMPUS_ID_KEY"))})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	n, err := st.DivisionCount(ctx)
	if err == nil && n == 0 {
		err = st.ImportDivisions(ctx, roster.InnerMongolia())
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// cli is the actor recorded in the audit log for command-line changes.
var cli = model.User{Username: "cli"}

func (e *env) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Fprintln(e.stdout, "database is up to date")
			return nil
		},
	}
}

func (e *env) userCommand() *cobra.Command {
	user := &cobra.Command{Use: "user", Short: "Manage users", Args: cobra.NoArgs}
	var username, role, scope, email string
	var passwordStdin bool
	add := &cobra.Command{
		Use:   "add --username U --role ROLE --scope CODE [--password-stdin]",
		Short: "Add a user; scope is a division code, or a school code for role school",
		Long: "Add a user. Roles: admin (scope ignored), leader and inspector (scope: a division code), " +
			"school (scope: a school code). Without --password-stdin a random password is generated and printed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if username == "" || role == "" {
				return errors.New("--username and --role are required")
			}
			password := ""
			if passwordStdin {
				line, err := bufio.NewReader(e.stdin).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return fmt.Errorf("reading the password: %w", err)
				}
				password = strings.TrimRight(line, "\r\n")
			} else {
				password = randomPassword()
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := st.CreateUser(cmd.Context(), cli, model.User{Username: username, Role: model.Role(role), ScopeCode: scope, Email: email}, password)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "added %s (%s %s)\n", u.Username, u.Role, u.ScopeCode)
			if !passwordStdin {
				fmt.Fprintf(e.stdout, "password: %s\n", password)
			}
			return nil
		},
	}
	add.Flags().StringVar(&username, "username", "", "login name")
	add.Flags().StringVar(&role, "role", "", "admin, leader, inspector or school")
	add.Flags().StringVar(&scope, "scope", "", "division code, or school code for role school")
	add.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	add.Flags().StringVar(&email, "email", "", "e-mail address for notifications (optional)")
	user.AddCommand(add, e.userResetCommand(), e.userDisableCommand(true), e.userDisableCommand(false))
	return user
}

// randomPassword makes a password that meets the policy.
func randomPassword() string {
	for {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		if p := base64.RawURLEncoding.EncodeToString(b); model.CheckPassword("password", p) == nil {
			return p
		}
	}
}

func (e *env) tokenCommand() *cobra.Command {
	token := &cobra.Command{Use: "token", Short: "Manage API tokens", Args: cobra.NoArgs}
	var username, name, expires string
	create := &cobra.Command{
		Use:   "create --username U [--expires 90d] [--name N]",
		Short: "Print a new API token for the user, alone on one line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if username == "" {
				return errors.New("--username is required")
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := st.UserByName(cmd.Context(), username)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no user %q", username)
			} else if err != nil {
				return err
			}
			ttl, err := parseTTL(expires)
			if err != nil {
				return err
			}
			t, _, err := st.IssueToken(cmd.Context(), cli, u.ID, name, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, t)
			return nil
		},
	}
	create.Flags().StringVar(&username, "username", "", "the user the token acts as")
	create.Flags().StringVar(&expires, "expires", "90d", "how long the token lives: days (30d) or a duration (12h); at most 366d")
	create.Flags().StringVar(&name, "name", "", "a name to recognise the token by in lists")
	token.AddCommand(create, e.tokenListCommand(), e.tokenRevokeCommand())
	return token
}

func (e *env) importCommand() *cobra.Command {
	imp := &cobra.Command{Use: "import", Short: "Import divisions or schools", Args: cobra.NoArgs}
	imp.AddCommand(&cobra.Command{
		Use:   "divisions FILE.csv",
		Short: "Import divisions (code,name,name_en,parent_code,level)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, err := roster.ParseDivisions(f)
			if err != nil {
				return e.lineErrors(err)
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			divs := make([]model.Division, len(rows))
			for i, r := range rows {
				divs[i] = r.Division
			}
			if err := st.ImportDivisions(cmd.Context(), divs); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "imported %d divisions\n", len(divs))
			return nil
		},
	})
	var dryRun bool
	schools := &cobra.Command{
		Use:   "schools FILE.(csv|xlsx) [--dry-run]",
		Short: "Import or update schools by code, all or nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, parseErr := roster.ParseSchools(f, filepath.Base(args[0]))
			if parseErr != nil && len(roster.ErrorLines(parseErr)) == 0 {
				return parseErr // the file could not be read at all
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := st.ImportRoster(cmd.Context(), cli, rows, parseErr, dryRun)
			if err != nil {
				return e.lineErrors(err)
			}
			verb := "imported"
			if dryRun {
				verb = "dry run, nothing written: would import"
			}
			fmt.Fprintf(e.stdout, "%s %d schools (%d new, %d updated)\n", verb, res.Created+res.Updated, res.Created, res.Updated)
			return nil
		},
	}
	schools.Flags().BoolVar(&dryRun, "dry-run", false, "check the file and report, write nothing")
	imp.AddCommand(schools)
	return imp
}

// lineErrors prints every bad line of an import on stderr and returns a
// one-line summary as the command's error.
func (e *env) lineErrors(err error) error {
	lines := roster.ErrorLines(err)
	if len(lines) == 0 {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(e.stderr, l)
	}
	return fmt.Errorf("%d bad lines, nothing was written", len(lines))
}

func (e *env) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent snapshot of the database, safe while the server runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Backup(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "backup written to %s\n", args[0])
			return nil
		},
	}
}

func (e *env) rebuildCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the coverage aggregates and history from the raw records",
		Long: "Throw the coverage aggregates away and derive them again, history included, by replaying the " +
			"checklists, reviews, hazards, rule sets and school changes. Runs in one transaction.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			if err := st.RebuildCoverage(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "coverage rebuilt in %.1fs\n", time.Since(start).Seconds())
			return nil
		},
	}
}
