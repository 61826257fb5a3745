package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"safecampus/internal/demo"
	"safecampus/internal/model"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

func (e *env) demoCommand(def func(string, string) string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the server on a throwaway database with synthetic demo data",
		Long: "Run the server on a throwaway database seeded with the Inner Mongolia divisions, a synthetic roster " +
			"of about 6,600 schools and five months of synthetic checklists. Prints the URL and the demo logins.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dsn := e.cfg.db
			throwaway := !cmd.Flags().Changed("db") && e.getenv("SAFECAMPUS_DB") == ""
			if throwaway {
				dir, err := os.MkdirTemp("", "safecampus-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				dsn = filepath.Join(dir, "demo.db")
			}
			e.cfg.db = dsn
			st, err := e.openStore(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.SchoolCount(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("the demo database %s already has schools; demo needs an empty one", dsn)
			}
			counties, err := st.Counties(ctx, "")
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "seeding synthetic demo data (invented schools, not real records)…")
			start := time.Now()
			logins, err := e.seedDemo(ctx, dsn, counties)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "seeded in %.1fs\n", time.Since(start).Seconds())
			// The day's reminders at once, so the demo's people see them.
			nt, err := e.notifier(st)
			if err != nil {
				return err
			}
			if _, err := nt.RunDay(ctx, st.Today()); err != nil {
				return err
			}
			cfg := server.Config{}
			for _, l := range logins {
				cfg.DemoLogins = append(cfg.DemoLogins, server.DemoLogin{Username: l.Username, Password: l.Password, Role: string(l.Role)})
			}
			return e.listen(ctx, st, cfg, func(url string) {
				fmt.Fprintf(e.stdout, "\nSafeCampus demo running at %s\n\ndemo logins (password %q for all):\n", url, demo.Password)
				for _, l := range logins {
					scope := l.Scope
					if l.Role == model.Admin {
						scope = "everything"
					}
					fmt.Fprintf(e.stdout, "  %-10s %-10s scope %s\n", l.Username, l.Role, scope)
				}
				if throwaway {
					fmt.Fprintln(e.stdout, "\nPress Ctrl+C to stop; the demo database is deleted on exit.")
				} else {
					fmt.Fprintf(e.stdout, "\nPress Ctrl+C to stop; the demo data stays in %s.\n", redactDSN(dsn))
				}
			})
		},
	}
	e.serverFlags(cmd, def)
	return cmd
}

// seedDemo loads the demo data through a second store that skips fsync:
// the database is throwaway, and seeding commits one transaction per
// simulated day. The server then runs on the durable store.
func (e *env) seedDemo(ctx context.Context, dsn string, counties []model.Division) ([]demo.Login, error) {
	loc, err := e.location()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(store.Options{DSN: dsn, Location: loc, NoSync: !store.IsPostgres(dsn), ExemptPassword: demo.Password})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return demo.Seed(ctx, st, counties, 2021)
}
