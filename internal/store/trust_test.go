package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"safecampus/internal/model"
)

// Tokens, password resets and pruning on both engines.
func TestTokensResetsAndPruning(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		s, clk := newTestStore(t, engine, model.NewDate(2026, 3, 2))
		ctx := context.Background()
		u, err := s.CreateUser(ctx, testAdmin, model.User{Username: "lead", Role: model.Leader, ScopeCode: "150100"}, "Lead-Pass-99")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, testAdmin, model.User{Username: "weak", Role: model.Leader, ScopeCode: "150100"}, "lead-pass-only"); err == nil {
			t.Errorf("a password of two classes was accepted")
		}

		// Expiry: a 30-day token works on day 29 and not on day 30.
		short, tok, err := s.IssueToken(ctx, u, u.ID, "laptop", 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		long, _, err := s.IssueToken(ctx, u, u.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(29 * 24 * time.Hour)
		if _, err := s.TokenUser(ctx, short); err != nil {
			t.Errorf("day 29: %v", err)
		}
		clk.t = clk.t.Add(24 * time.Hour)
		if _, err := s.TokenUser(ctx, short); !errors.Is(err, ErrNotFound) {
			t.Errorf("day 30: %v, want ErrNotFound (expired)", err)
		}
		if _, err := s.TokenUser(ctx, long); err != nil {
			t.Errorf("the 90-day token on day 30: %v", err)
		}
		list, err := s.Tokens(ctx, u.ID)
		if err != nil || len(list) != 2 || list[1].Name != "laptop" || list[1].State(clk.t) != "expired" || list[0].State(clk.t) != "active" {
			t.Fatalf("tokens %+v, %v", list, err)
		}
		if got := list[0].ExpiresAt.Sub(list[0].CreatedAt); got != DefaultTokenTTL {
			t.Errorf("default life %v, want %v", got, DefaultTokenTTL)
		}
		// Revocation: by another non-admin user it is not found.
		other, err := s.CreateUser(ctx, testAdmin, model.User{Username: "other", Role: model.Leader, ScopeCode: "150100"}, "Other-Pass-99")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RevokeToken(ctx, other, list[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("another user revoking: %v, want ErrNotFound", err)
		}
		if _, err := s.RevokeToken(ctx, u, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, long); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoked token: %v, want ErrNotFound", err)
		}
		_ = tok

		// A reset forces a change and ends sessions.
		sess, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ResetPassword(ctx, testAdmin, u.ID, "short"); err == nil {
			t.Errorf("a weak reset password was accepted")
		}
		if err := s.ResetPassword(ctx, testAdmin, u.ID, "Reset-Pass-2026"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, sess); !errors.Is(err, ErrNotFound) {
			t.Errorf("session after a reset: %v, want ErrNotFound", err)
		}
		got, err := s.Authenticate(ctx, "lead", "Reset-Pass-2026")
		if err != nil || !got.MustChangePassword {
			t.Fatalf("after reset: %+v, %v; want MustChangePassword", got, err)
		}
		if err := s.ChangePassword(ctx, got, "Reset-Pass-2026", "Chosen-Pass-2026"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(ctx, u.ID); got.MustChangePassword {
			t.Errorf("MustChangePassword still set after the change")
		}

		// Pruning: expired sessions and day-old throttle rows go.
		if _, err := s.CreateSession(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordLoginFailure(ctx, "lead", "203.0.113.9"); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(25 * time.Hour)
		p, err := s.Prune(ctx)
		if err != nil || p.Sessions < 1 || p.LoginFailures < 1 {
			t.Errorf("Prune = %+v, %v; want a session and a failure row pruned", p, err)
		}
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}
