package web

import (
	"time"

	"safecampus/internal/model"
)

// TokensPage lists the signed-in user's API tokens and issues new ones.
// Secret is a token just issued: shown once, never again.
type TokensPage struct {
	Base
	Tokens []TokenRow
	Secret string
	Values map[string]string
	Errors model.FieldErrors
}

// TokenRow is one API token as listed: never its secret.
type TokenRow struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	ExpiresAt time.Time
	State     string // active, expired, revoked
}

// TokenLives are the lives offered for a new token, in days.
var TokenLives = []int{30, 90, 180, 365}

// ResetPasswordPage is an administrator setting another user's password.
type ResetPasswordPage struct {
	Base
	Target model.User
	Errors model.FieldErrors
}
