//go:build race

package faults

// raceEnabled builds the binary under test with the race detector when the
// tests run with it, so both share the build cache.
const raceEnabled = true
