package model

import "unicode"

// Password policy (等保 2.0 level 3): at least MinPasswordLength characters
// drawn from at least three of upper case, lower case, digits and symbols;
// at most MaxPasswordBytes bytes (bcrypt reads no further).
const (
	MinPasswordLength = 10
	MaxPasswordBytes  = 72
)

// CheckPassword returns the problem with a new password for the field, or
// nil when it meets the policy.
func CheckPassword(field, password string) *FieldError {
	args := map[string]any{"Min": MinPasswordLength, "Max": MaxPasswordBytes}
	var e FieldError
	switch {
	case len([]rune(password)) < MinPasswordLength:
		e = NewFieldError(field, "password_too_short", args, "password must be at least %d characters", MinPasswordLength)
	case len(password) > MaxPasswordBytes:
		e = NewFieldError(field, "password_too_long", args, "password must be at most %d bytes", MaxPasswordBytes)
	case passwordClasses(password) < 3:
		e = NewFieldError(field, "password_too_simple", args,
			"password must mix at least 3 of upper case, lower case, digits and symbols")
	default:
		return nil
	}
	return &e
}

func passwordClasses(p string) int {
	var upper, lower, digit, symbol int
	for _, r := range p {
		switch {
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			symbol = 1
		}
	}
	return upper + lower + digit + symbol
}
