// Package i18n translates SafeCampus's user interface into Chinese (zh-CN,
// the default) and English. Messages live in TOML catalogs embedded in the
// binary; templ components reach the request's Localizer through the
// context.
package i18n

import (
	"context"
	"embed"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"safecampus/internal/model"
)

// The supported languages, as stored in a user's setting and the cookie.
const (
	Chinese = "zh-CN"
	English = "en"
)

// Default is the language used when nothing better is known.
const Default = Chinese

// Languages lists the supported languages, default first.
var Languages = [2]string{Chinese, English}

//go:embed locales/*.toml
var locales embed.FS

// catalogPath is where lang's catalog is embedded.
func catalogPath(lang string) string { return "locales/active." + lang + ".toml" }

// Bundle holds the parsed catalogs of every supported language. It is
// read-only after NewBundle and safe for concurrent use.
type Bundle struct {
	b *goi18n.Bundle
	// plain holds, per language, the messages without template actions:
	// most of a page's strings. Returning them from a map skips go-i18n's
	// per-call template work, which made a dashboard's thousands of labels
	// the largest cost of rendering it.
	plain map[string]map[string]string
}

// NewBundle parses the embedded catalogs.
func NewBundle() (*Bundle, error) {
	b := goi18n.NewBundle(language.MustParse(Default))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	plain := map[string]map[string]string{}
	for _, lang := range Languages {
		if _, err := b.LoadMessageFileFS(locales, catalogPath(lang)); err != nil {
			return nil, err
		}
		raw, err := fs.ReadFile(locales, catalogPath(lang))
		if err != nil {
			return nil, err
		}
		var messages map[string]any
		if err := toml.Unmarshal(raw, &messages); err != nil {
			return nil, err
		}
		plain[lang] = map[string]string{}
		for id, m := range messages {
			if text, ok := m.(string); ok && !strings.Contains(text, "{{") {
				plain[lang][id] = text
			}
		}
	}
	return &Bundle{b: b, plain: plain}, nil
}

// English is the English localizer, for text that is English whatever the
// request's language: the API's reasons.
func (b *Bundle) English() *Localizer { return b.Localizer(English) }

// Localizer translates into one language.
type Localizer struct {
	lang  string
	l     *goi18n.Localizer
	plain map[string]string
}

// Localizer picks the first supported language from langs, given in order of
// preference: the user's setting, the language cookie, then Accept-Language
// header values. Each may be a single tag ("en") or a whole header
// ("en-US,en;q=0.9"); empty strings are skipped. Without a match it is zh-CN.
func (b *Bundle) Localizer(langs ...string) *Localizer {
	lang := Match(langs...)
	return &Localizer{lang: lang, l: goi18n.NewLocalizer(b.b, lang), plain: b.plain[lang]}
}

// Match returns the supported language that langs ask for first (see
// Bundle.Localizer), or Default.
func Match(langs ...string) string {
	for _, s := range langs {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(s)
		if err != nil {
			continue
		}
		for _, t := range tags {
			switch base, _ := t.Base(); base.String() {
			case "zh":
				return Chinese
			case "en":
				return English
			}
		}
	}
	return Default
}

// Supported reports whether lang is exactly one of the supported languages,
// for validating a language setting.
func Supported(lang string) bool { return lang == Chinese || lang == English }

// Lang is the localizer's language, "zh-CN" or "en".
func (l *Localizer) Lang() string { return l.lang }

// T translates message id, filling its template with data[0] if given. A
// missing id is returned as is, so a gap shows rather than breaks a page.
func (l *Localizer) T(id string, data ...map[string]any) string {
	if text, ok := l.plain[id]; ok {
		return text
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 && data[0] != nil {
		cfg.TemplateData = data[0]
	}
	s, err := l.l.Localize(cfg)
	if err != nil && s == "" {
		return id
	}
	return s
}

type ctxKey struct{}

// WithLocalizer returns a context carrying l, for templ components.
func WithLocalizer(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// fallback is the zh-CN localizer used when a context carries none. It is
// built once from the embedded catalogs and never changes.
var fallback = sync.OnceValue(func() *Localizer {
	b, err := NewBundle()
	if err != nil {
		panic("i18n: embedded catalogs: " + err.Error())
	}
	return b.Localizer(Default)
})

// FromContext returns the context's localizer, or the zh-CN default.
func FromContext(ctx context.Context) *Localizer {
	if l, ok := ctx.Value(ctxKey{}).(*Localizer); ok && l != nil {
		return l
	}
	return fallback()
}

// T translates id with the context's localizer.
func T(ctx context.Context, id string, data ...map[string]any) string {
	return FromContext(ctx).T(id, data...)
}

// Lang is the context's language.
func Lang(ctx context.Context) string { return FromContext(ctx).Lang() }

// Reason renders why a measure is not covered, in the context's language.
func Reason(ctx context.Context, r model.Reason) string { return FromContext(ctx).Reason(r) }

// Reasons renders several reasons joined by the language's list separator.
func Reasons(ctx context.Context, rs []model.Reason) string { return FromContext(ctx).Reasons(rs) }

// Reason renders why a measure is not covered. The English catalog is the
// one English text of a reason, also for the API.
func (l *Localizer) Reason(r model.Reason) string { return l.T("reason."+r.Code, r.Args) }

// Reasons renders several reasons joined by the language's list separator.
func (l *Localizer) Reasons(rs []model.Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = l.Reason(r)
	}
	sep := "; "
	if l.lang == Chinese {
		sep = "；"
	}
	return strings.Join(parts, sep)
}

// Measure is a measure's name, e.g. 护学岗 or Escort post. It also names
// "other" and "all_five".
func Measure(ctx context.Context, m model.Measure) string { return T(ctx, "measure."+string(m)) }

// SchoolType is a school type's name.
func SchoolType(ctx context.Context, t model.SchoolType) string { return T(ctx, "type."+string(t)) }

// Role is a role's name.
func Role(ctx context.Context, r model.Role) string { return T(ctx, "role."+string(r)) }

// State is a checklist state's name.
func State(ctx context.Context, s model.ChecklistState) string { return T(ctx, "state."+string(s)) }

// DivisionName is the division's name in the context's language: the
// English name when there is one and the page is in English.
func DivisionName(ctx context.Context, d model.Division) string {
	if Lang(ctx) == English && d.NameEn != "" {
		return d.NameEn
	}
	return d.Name
}

type locationKey struct{}

// WithLocation returns a context carrying the deployment's time zone, in
// which pages show times.
func WithLocation(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, locationKey{}, loc)
}

// Location is the time zone carried by ctx, or UTC.
func Location(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(locationKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	return time.UTC
}

// Time formats an instant as a local date and time for pages.
func Time(ctx context.Context, t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(Location(ctx)).Format("2006-01-02 15:04")
}

// FieldError is a form error in the page's language: its translation when
// it has one, else its English message.
func FieldError(ctx context.Context, e model.FieldError) string {
	if e.Key != "" {
		id := "field_error." + e.Key
		if s := T(ctx, id, e.Args); s != id {
			return s
		}
	}
	return e.Message
}
