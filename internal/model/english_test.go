package model_test

import (
	"sync"
	"testing"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

var catalogs = sync.OnceValues(i18n.NewBundle)

// english renders reasons as the API does, from the English catalog: the
// one place their English text lives.
func english(t testing.TB, rs ...model.Reason) string {
	t.Helper()
	b, err := catalogs()
	if err != nil {
		t.Fatal(err)
	}
	return b.Localizer(i18n.English).Reasons(rs)
}
