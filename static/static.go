// Package static embeds SafeCampus's stylesheet, scripts and images: our
// own CSS and JavaScript and a pinned copy of htmx (see js/VERSIONS). The
// server mounts FS at /static/.
package static

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS
