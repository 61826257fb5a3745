//go:build !cgo

package store

// Without cgo there is no SQLite driver to reach (bulkstep.go): the bulk
// path binds through the driver.

type bulkStep struct{}

func newBulkStep(any) (bulkStep, bool) { return bulkStep{}, false }

func (bulkStep) insert(*bulkValues) error { return nil }
