package web

// ListBar heads a list: how many rows match its filters, the CSV of
// exactly those rows, and, when the filters were remembered from earlier
// in the session, a note saying so with a way to clear them.
type ListBar struct {
	Count      int
	CSV        string // the export with the list's filters
	Remembered bool   // the filters came from the session, not the URL
	Clear      string // the list without filters, forgetting them
}
