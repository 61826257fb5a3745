package server

import (
	"context"
	"strings"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// localizeErrors words field errors in the page's language: a field has
// one message under prefix + its name (for "video_networking.note", the
// part after the measure: "note"); the store's English message is the
// fallback for a field without one.
func localizeErrors(ctx context.Context, prefix string, fe model.FieldErrors) model.FieldErrors {
	out := make(model.FieldErrors, len(fe))
	for i, e := range fe {
		out[i] = e
		name := e.Field
		if _, after, ok := strings.Cut(name, "."); ok {
			name = after
		}
		key := prefix + name
		if msg := i18n.T(ctx, key); msg != key {
			out[i].Message = msg
		} else if e.Message == "" {
			out[i].Message = i18n.T(ctx, "form.invalid")
		}
	}
	return out
}
