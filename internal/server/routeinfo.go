package server

import (
	"net/http"
	"slices"
	"strings"
)

// RouteInfo is one route of the router: an HTTP method and an Echo path
// pattern such as /schools/:code.
type RouteInfo struct {
	Method, Path string
}

// Routes lists every route the server answers, sorted by path then method,
// straight from the router: tests walk it so that a route added to
// routes.go without an entry in their tables fails them. Echo's internal
// catch-all routes for group middleware are left out.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.echo.Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
			http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
			out = append(out, RouteInfo{Method: r.Method, Path: r.Path})
		}
	}
	slices.SortFunc(out, func(a, b RouteInfo) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return slices.Compact(out)
}
