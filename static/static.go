// Package static embeds SafeCampus's stylesheet, scripts and images: our
// own CSS and JavaScript and a pinned copy of htmx (see js/VERSIONS). The
// server mounts FS at /static/.
package static

import "embed"

// FS holds css/, js/, img/ and app/ (the web app manifest and the
// service worker, served from the root).
//
//go:embed css js img app
var FS embed.FS
