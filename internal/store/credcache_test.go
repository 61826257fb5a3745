package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"safecampus/internal/model"
)

// TestCachedCredentialsEndAtOnce signs a user in on store A (a server)
// with a session and an API token, looks both up until A answers from its
// cache, then changes the user through store B (another server on the same
// database) or moves the clock: A must refuse at the next lookup.
func TestCachedCredentialsEndAtOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := testDSN(t, engine)
		clk := &clock{t: time.Date(2026, 4, 1, 4, 0, 0, 0, time.UTC)}
		open := func() *Store {
			s, err := Open(Options{DSN: dsn, Now: clk.now, PasswordCost: bcrypt.MinCost})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		a, b := open(), open()
		if _, err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		start := clk.t
		cases := []struct {
			name                   string
			change                 func(t *testing.T, u model.User, session string, tokenID int64)
			sessionEnds, tokenEnds bool
		}{
			{"disabled", func(t *testing.T, u model.User, _ string, _ int64) {
				if _, err := b.SetUserDisabled(ctx, testAdmin, u.ID, true); err != nil {
					t.Fatal(err)
				}
			}, true, true},
			{"token revoked", func(t *testing.T, _ model.User, _ string, id int64) {
				if _, err := b.RevokeToken(ctx, testAdmin, id); err != nil {
					t.Fatal(err)
				}
			}, false, true},
			{"signed out", func(t *testing.T, _ model.User, session string, _ int64) {
				if err := b.DeleteSession(ctx, session); err != nil {
					t.Fatal(err)
				}
			}, true, false},
			{"password reset", func(t *testing.T, u model.User, _ string, _ int64) {
				if err := b.ResetPassword(ctx, testAdmin, u.ID, "Another-Horse-7"); err != nil {
					t.Fatal(err)
				}
			}, true, true},
			{"session idle", func(*testing.T, model.User, string, int64) { clk.t = clk.t.Add(SessionIdle + time.Minute) }, true, false},
			{"token expired", func(*testing.T, model.User, string, int64) { clk.t = clk.t.Add(DefaultTokenTTL) }, true, true},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				clk.t = start
				u, err := b.CreateUser(ctx, testAdmin, model.User{Username: "user" + itoa(int64(i)), Role: model.Admin}, "Correct-Horse-9")
				if err != nil {
					t.Fatal(err)
				}
				session, err := b.CreateSession(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				token, tok, err := b.IssueToken(ctx, testAdmin, u.ID, "bench", DefaultTokenTTL)
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if _, err := a.SessionUser(ctx, session); err != nil {
						t.Fatalf("session before the change: %v", err)
					}
					if _, err := a.TokenUser(ctx, token); err != nil {
						t.Fatalf("token before the change: %v", err)
					}
				}
				tc.change(t, u, session, tok.ID)
				_, err = a.SessionUser(ctx, session)
				if got := errors.Is(err, ErrNotFound); got != tc.sessionEnds {
					t.Errorf("session after the change: %v, want ended %v", err, tc.sessionEnds)
				}
				_, err = a.TokenUser(ctx, token)
				if got := errors.Is(err, ErrNotFound); got != tc.tokenEnds {
					t.Errorf("token after the change: %v, want ended %v", err, tc.tokenEnds)
				}
			})
		}
	})
}

// TestCredentialsAreCached shows the cache answers: a session row deleted
// behind the store's back (no new generation) still answers until the
// next write, which ends it.
func TestCredentialsAreCached(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		s, _ := newTestStore(t, engine, model.NewDate(2026, time.April, 1))
		ctx := context.Background()
		u, err := s.CreateUser(ctx, testAdmin, model.User{Username: "cached", Role: model.Admin}, "Correct-Horse-9")
		if err != nil {
			t.Fatal(err)
		}
		session, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, session); err != nil {
			t.Fatal(err)
		}
		if err := s.w.Exec("DELETE FROM sessions").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, session); err != nil {
			t.Errorf("cached session: %v, want the cached user", err)
		}
		addSchool(t, s, "1501020001", "150102", 100)
		if _, err := s.SessionUser(ctx, session); !errors.Is(err, ErrNotFound) {
			t.Errorf("session after a write: %v, want ErrNotFound", err)
		}
	})
}
