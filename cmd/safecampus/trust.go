package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// Set at build time: go build -ldflags "-X main.version=1.2.3 -X main.commit=abc -X main.buildDate=2026-12-07".
// Left empty, the module and VCS stamps of the Go toolchain stand in.
var version, commit, buildDate string

// buildInfo is what `safecampus version` prints and the
// safecampus_build_info metric carries.
type buildInfo struct{ Version, Commit, Date, Go string }

func currentBuild() buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: buildDate, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// buildInfoMetric is safecampus_build_info{version,commit,build_date,go_version} 1.
func buildInfoMetric() prometheus.Collector {
	b := currentBuild()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "safecampus_build_info", Help: "The running build: version, commit, build date and Go version.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "build_date": b.Date, "go_version": b.Go}})
	g.Set(1)
	return g
}

func (e *env) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := currentBuild()
			fmt.Fprintf(e.stdout, "safecampus %s\ncommit %s\nbuilt %s\n%s\n", b.Version, b.Commit, b.Date, b.Go)
			return nil
		},
	}
}

func (e *env) auditCommand() *cobra.Command {
	audit := &cobra.Command{Use: "audit", Short: "Check the audit log", Args: cobra.NoArgs}
	audit.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's hash chain; exit non-zero naming the first entry that does not match",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.VerifyAudit(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "audit chain intact: %d entries\n", n)
			return nil
		},
	})
	return audit
}

// parseTTL reads a token's life: 30d, 12h, 90d.
func parseTTL(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--expires %q: want a number of days like 30d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want a life like 30d or 12h", s)
	}
	return d, nil
}

func (e *env) tokenListCommand() *cobra.Command {
	var username string
	cmd := &cobra.Command{
		Use:   "list [--username U]",
		Short: "List API tokens (never their secrets): id, user, name, created, expires, state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			var uid int64
			if username != "" {
				u, err := e.userNamed(cmd, st, username)
				if err != nil {
					return err
				}
				uid = u.ID
			}
			tokens, err := st.Tokens(cmd.Context(), uid)
			if err != nil {
				return err
			}
			now := time.Now()
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSER\tNAME\tCREATED\tEXPIRES\tSTATE")
			for _, t := range tokens {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, t.CreatedAt.UTC().Format(time.DateOnly),
					t.ExpiresAt.UTC().Format(time.DateOnly), t.State(now))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "only this user's tokens")
	return cmd
}

func (e *env) tokenRevokeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("token id %q is not a number", args[0])
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			t, err := st.RevokeToken(cmd.Context(), cli, id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no token %d", id)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "revoked token %d of %s\n", t.ID, t.Username)
			return nil
		},
	}
}

func (e *env) userNamed(cmd *cobra.Command, st *store.Store, username string) (model.User, error) {
	u, err := st.UserByName(cmd.Context(), username)
	if errors.Is(err, store.ErrNotFound) {
		return u, fmt.Errorf("no user %q", username)
	}
	return u, err
}

// readPassword reads the first line of standard input.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (e *env) userResetCommand() *cobra.Command {
	var username string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "reset-password --username U [--password-stdin]",
		Short: "Set a user's password; the user must change it at the next sign-in, and every session and token ends",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if username == "" {
				return errors.New("--username is required")
			}
			password := randomPassword()
			if passwordStdin {
				var err error
				if password, err = readPassword(e.stdin); err != nil {
					return err
				}
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := e.userNamed(cmd, st, username)
			if err != nil {
				return err
			}
			if err := st.ResetPassword(cmd.Context(), cli, u.ID, password); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "password of %s reset; it must be changed at the next sign-in\n", u.Username)
			if !passwordStdin {
				fmt.Fprintf(e.stdout, "password: %s\n", password)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "login name")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func (e *env) userDisableCommand(disable bool) *cobra.Command {
	var username string
	use, short := "enable", "Let a disabled user sign in again"
	if disable {
		use, short = "disable", "Stop a user signing in; ends every session and token of the user"
	}
	cmd := &cobra.Command{
		Use:   use + " --username U",
		Short: short,
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
			u, err := e.userNamed(cmd, st, username)
			if err != nil {
				return err
			}
			if _, err := st.SetUserDisabled(cmd.Context(), cli, u.ID, disable); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%sd %s\n", use, u.Username)
			return nil
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "login name")
	return cmd
}
