package store

import "slices"

// inLockOrder sorts the rows a write is about to lock into the one order
// compare gives, so that concurrent writers on PostgreSQL take the same
// rows' locks in the same order and never lock them in opposite orders.
func inLockOrder[T any](rows []T, compare func(a, b T) int) {
	slices.SortFunc(rows, compare)
}
