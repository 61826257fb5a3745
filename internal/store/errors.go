package store

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a record is no longer in the state an action
// needs (verifying twice, two reviewers at once).
var ErrConflict = errors.New("conflict")

// opError is an error leaving the store, wrapped with the operation that
// failed ("store: verify checklist 42: …"), so that a log line names it.
// The error it wraps still matches errors.Is and errors.As: ErrNotFound,
// ErrConflict, *ConflictError, model.FieldErrors and the rest.
type opError struct {
	Op  string
	Err error
}

func (e *opError) Error() string { return "store: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the error the operation failed with.
func (e *opError) Unwrap() error { return e.Err }

// wrap names the operation on *err, if any. Every exported method defers
// it first thing. An error already named by an inner operation keeps that,
// more precise, name.
func wrap(err *error, format string, args ...any) {
	if *err == nil {
		return
	}
	var op *opError
	if errors.As(*err, &op) {
		return
	}
	*err = &opError{Op: fmt.Sprintf(format, args...), Err: *err}
}
