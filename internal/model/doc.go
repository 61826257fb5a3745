// Package model holds SafeCampus's domain: divisions, schools, the five
// measures and their facts, the rule set that derives compliance from those
// facts, and the displayed percentage. It depends on the standard library
// only, so every rule can be tested without a database or a server.
package model
