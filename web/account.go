package web

import "safecampus/internal/model"

// PasswordPage is the form where a signed-in user changes their password.
type PasswordPage struct {
	Base
	Errors model.FieldErrors // on current_password, new_password, confirm_password
}
