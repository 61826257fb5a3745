package store

import (
	"time"

	"safecampus/internal/model"
)

// Every request signs in again with its session cookie or API token, and
// looking both up took two queries of the four a cached dashboard cost. The
// answer is cached per data generation instead: disabling a user, revoking
// a token, signing out, changing or resetting a password and every other
// change to a user bump the generation in their transaction, so a cached
// answer is never used after such a change commits, on any server. Expiry
// is checked against the clock at every use, and a session is looked up
// again (and its last use recorded) once a minute, as before.

// credCache caches the users of sessions and API tokens, by the hash of
// their secret.
type credCache struct {
	sessions genCache[cachedSession]
	tokens   genCache[cachedToken]
}

type cachedSession struct {
	user              model.User
	created, lastSeen time.Time
}

type cachedToken struct {
	user  model.User
	token Token
}

func newCredCache() *credCache { return &credCache{} }

// live reports whether a cached session may answer at now: within its
// absolute lifetime and seen less than a minute ago (so the idle timeout,
// far longer, cannot pass unnoticed, and the last use is still recorded).
func (c cachedSession) live(now time.Time) bool {
	return now.Sub(c.lastSeen) <= time.Minute && now.Sub(c.created) <= SessionAbsolute
}
