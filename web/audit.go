package web

import (
	"context"
	"net/url"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// AuditPage is the audit trail with its filters.
type AuditPage struct {
	Base
	Filter    AuditFilter
	Entities  []string
	Rows      []AuditRow
	Total     int
	Page      int
	PageSize  int
	Query     url.Values // the filter as a query string, for pagination
	ScopeNote string     // for inspectors: which subtree they see

	Divisions DivisionPicker // the division filter
	List      ListBar
}

// AuditFilter narrows the audit trail.
type AuditFilter struct {
	Entity, EntityID, User, Division string
	From, To                         string // YYYY-MM-DD as typed
	Errors                           model.FieldErrors
}

// AuditRow is one recorded change.
type AuditRow struct {
	ID           int64
	At           string // local time
	Username     string
	Action       string
	Entity       string
	EntityID     string
	Link         string // the record's page, if it has one
	DivisionName string
	Changes      []Change
}

// Change is one field's old and new value in an audit entry.
type Change struct {
	Field    string
	Old, New string
}

// auditText translates an audit entry's action or entity, falling back to
// the stored word for one this version does not know.
func auditText(ctx context.Context, prefix, word string) string {
	key := prefix + word
	if s := i18n.T(ctx, key); s != key {
		return s
	}
	return word
}
