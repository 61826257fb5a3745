package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// headerIdempotencyKey names an API create, so that sending it again
// answers with the first result instead of creating a second record.
const headerIdempotencyKey = "Idempotency-Key"

// newIdempotencyKey is the id a form gets when it is shown: sending the
// form twice (a double tap, a retry after a lost answer) creates one record.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "f-" + hex.EncodeToString(b[:])
}

// apiIdempotencyKey reads the Idempotency-Key header: empty when absent, 400
// when unusable.
func apiIdempotencyKey(c echo.Context) (string, error) {
	key := c.Request().Header.Get(headerIdempotencyKey)
	if key == "" {
		return "", nil
	}
	if err := store.CheckKey(key); err != nil {
		return "", echo.NewHTTPError(http.StatusBadRequest, "Idempotency-Key must be 1 to 128 printable ASCII characters")
	}
	return key, nil
}

// keyProblem turns a form's key errors into the status and the message
// shown above the form: 409 for a form sent before with other values, 422
// for a broken key.
func keyProblem(err error) (int, model.FieldErrors, bool) {
	switch {
	case errors.Is(err, store.ErrKeyReused):
		return http.StatusConflict, model.FieldErrors{model.NewFieldError("", "form_sent_before", nil,
			"this form was already sent with other values; check them and send it again to save them as a new record")}, true
	case errors.Is(err, store.ErrBadKey):
		return http.StatusUnprocessableEntity, model.FieldErrors{model.NewFieldError("", "form_id_broken", nil,
			"the form's id was damaged; check the values and send it again")}, true
	}
	return 0, nil, false
}
