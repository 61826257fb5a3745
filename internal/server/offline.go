package server

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/static"
)

// The installable app: its manifest and its service worker are served
// from the root, so that the worker's scope is the whole site. Both are
// revalidated on every load, so a new binary's worker takes over at once.

func (s *Server) serveManifest(c echo.Context) error {
	return serveAppFile(c, "app/manifest.webmanifest", "application/manifest+json")
}

func (s *Server) serveServiceWorker(c echo.Context) error {
	return serveAppFile(c, "app/sw.js", "text/javascript; charset=utf-8")
}

func serveAppFile(c echo.Context, name, contentType string) error {
	b, err := fs.ReadFile(static.FS, name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, contentType, b)
}
