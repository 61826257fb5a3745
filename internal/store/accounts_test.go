package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"safecampus/internal/model"
)

// Account security on both engines: failures counted by address, a
// password change and a disabled user ending every session and token.
func TestAccountCredentialsEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		s, clk := newTestStore(t, engine, model.NewDate(2026, 3, 2))
		ctx := context.Background()
		admin, err := s.CreateUser(ctx, testAdmin, model.User{Username: "boss", Role: model.Admin}, "Boss-Pass-99")
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, testAdmin, model.User{Username: "lead", Role: model.Leader, ScopeCode: "150100"}, "Lead-Pass-99")
		if err != nil {
			t.Fatal(err)
		}

		// Failures by address, within the window only.
		for _, name := range []string{"a", "b", "c"} {
			if err := s.RecordLoginFailure(ctx, name, "203.0.113.9"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordLoginFailure(ctx, "a", "198.51.100.7"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.LoginFailuresFrom(ctx, "203.0.113.9", 15*time.Minute); err != nil || n != 3 {
			t.Errorf("failures from 203.0.113.9 = %d, %v; want 3", n, err)
		}
		if n, _ := s.LoginFailures(ctx, "a", 15*time.Minute); n != 2 {
			t.Errorf("failures of a = %d, want 2", n)
		}
		clk.t = clk.t.Add(16 * time.Minute)
		if n, _ := s.LoginFailuresFrom(ctx, "203.0.113.9", 15*time.Minute); n != 0 {
			t.Errorf("failures from 203.0.113.9 after the window = %d, want 0", n)
		}

		sessions := func() []string {
			var out []string
			for range 2 {
				tok, err := s.CreateSession(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, tok)
			}
			tok, err := s.CreateToken(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return append(out, tok)
		}
		wantEnded := func(what string, creds []string) {
			t.Helper()
			for _, c := range creds[:2] {
				if _, err := s.SessionUser(ctx, c); !errors.Is(err, ErrNotFound) {
					t.Errorf("%s: a session still works (%v)", what, err)
				}
			}
			if _, err := s.TokenUser(ctx, creds[2]); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: the API token still works (%v)", what, err)
			}
		}

		creds := sessions()
		var fe model.FieldErrors
		if err := s.ChangePassword(ctx, u, "wrong", "New-Pass-123"); !errors.As(err, &fe) || fe[0].Field != "current_password" {
			t.Errorf("wrong current password: %v", err)
		}
		if err := s.ChangePassword(ctx, u, "Lead-Pass-99", "short"); !errors.As(err, &fe) || fe[0].Field != "new_password" {
			t.Errorf("short new password: %v", err)
		}
		if _, err := s.SessionUser(ctx, creds[0]); err != nil {
			t.Errorf("a refused change ended a session: %v", err)
		}
		if err := s.ChangePassword(ctx, u, "Lead-Pass-99", "New-Pass-123"); err != nil {
			t.Fatal(err)
		}
		wantEnded("after a password change", creds)
		if _, err := s.Authenticate(ctx, "lead", "Lead-Pass-99"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("the old password still works: %v", err)
		}
		if _, err := s.Authenticate(ctx, "lead", "New-Pass-123"); err != nil {
			t.Errorf("the new password: %v", err)
		}

		creds = sessions()
		if _, err := s.SetUserDisabled(ctx, admin, admin.ID, true); !errors.As(err, &fe) {
			t.Errorf("an admin disabled themselves: %v", err)
		}
		got, err := s.SetUserDisabled(ctx, admin, u.ID, true)
		if err != nil || !got.Disabled {
			t.Fatalf("disable: %+v, %v", got, err)
		}
		wantEnded("after disabling", creds)
		if _, err := s.Authenticate(ctx, "lead", "New-Pass-123"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("a disabled user signs in: %v", err)
		}
		if got, err := s.SetUserDisabled(ctx, admin, u.ID, false); err != nil || got.Disabled {
			t.Fatalf("enable: %+v, %v", got, err)
		}
		if _, err := s.Authenticate(ctx, "lead", "New-Pass-123"); err != nil {
			t.Errorf("an enabled user cannot sign in: %v", err)
		}
		if _, err := s.SetUserDisabled(ctx, admin, 999999, true); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user: %v, want ErrNotFound", err)
		}
		trail, _, err := s.AuditTrail(ctx, AuditQuery{Entity: "user", EntityID: "lead"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		if want := []string{"enable", "disable", "change_password", "create"}; len(actions) != 4 || actions[0] != want[0] || actions[1] != want[1] || actions[2] != want[2] {
			t.Errorf("audit actions %v, want %v", actions, want)
		}
	})
}
