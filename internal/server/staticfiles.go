package server

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"safecampus/static"
)

// staticGzip is the compressed form (gzip.go) of every embedded text file
// under /static/, by its path below it, made once at start-up (New). The
// images are PNG, already compressed, except the logo.
var staticGzip = sync.OnceValue(func() map[string]deflated {
	out := map[string]deflated{}
	_ = fs.WalkDir(static.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(name) {
		case ".css", ".js", ".svg", ".webmanifest", ".json":
		default:
			return nil
		}
		b, err := fs.ReadFile(static.FS, name)
		if err != nil {
			return err
		}
		if z := deflate(b, true); len(z.z) < len(b) {
			out[name] = z
		}
		return nil
	})
	return out
})

// serveStaticGzip answers a request for an embedded text file with its
// gzip form when the client accepts it and asks for no range, and reports
// whether it did. Otherwise the file server answers, uncompressed.
func serveStaticGzip(c echo.Context) (bool, error) {
	name := strings.TrimPrefix(c.Request().URL.Path, "/static/")
	z, ok := staticGzip()[name]
	if !ok {
		return false, nil
	}
	h := c.Response().Header()
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if !acceptsGzip(c.Request()) || c.Request().Header.Get("Range") != "" {
		return false, nil
	}
	h.Set(echo.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	return true, writeGzip(c.Response(), http.StatusOK, z)
}
