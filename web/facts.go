package web

import "safecampus/internal/model"

// ChecklistValues turns a stored checklist into the form's raw values
// ("checked_on", "notes", "<measure>.<fact>"), for the edit form.
func ChecklistValues(c model.Checklist) map[string]string {
	v := c.Facts.FormValues()
	if c.CheckedOn != 0 {
		v["checked_on"] = c.CheckedOn.String()
	}
	v["notes"] = c.Notes
	return v
}
