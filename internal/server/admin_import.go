package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/roster"
	"safecampus/web"
)

func (s *Server) showImport(c echo.Context) error {
	return s.renderImport(c, http.StatusOK, nil)
}

// importSchools reads an uploaded roster. All or nothing: any bad row and
// nothing is written, and the page lists every bad line.
func (s *Server) importSchools(c echo.Context) error {
	u, _ := currentUser(c)
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderImport(c, http.StatusUnprocessableEntity, &web.ImportResult{
			Errors: []string{i18n.T(c.Request().Context(), "import.no_file")}})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res := &web.ImportResult{FileName: fh.Filename, DryRun: c.FormValue("dry_run") != ""}
	rows, err := roster.ParseSchools(f, fh.Filename)
	if err != nil && len(roster.ErrorLines(err)) == 0 {
		// The file could not be read at all (its type, size or encoding):
		// a problem of the upload, said on the page, not a server error.
		res.Errors = []string{err.Error()}
		return s.renderImport(c, http.StatusUnprocessableEntity, res)
	}
	// Lines the parser refused and lines whose division is unknown are
	// listed together.
	out, err := s.store.ImportRoster(c.Request().Context(), u, rows, err, res.DryRun)
	res.Created, res.Updated = out.Created, out.Updated
	if err != nil {
		lines := roster.ErrorLines(err)
		if len(lines) == 0 {
			return err
		}
		res.Errors = lines
		res.Created, res.Updated = 0, 0
		return s.renderImport(c, http.StatusUnprocessableEntity, res)
	}
	return s.renderImport(c, http.StatusOK, res)
}

func (s *Server) renderImport(c echo.Context, status int, res *web.ImportResult) error {
	p := web.ImportPage{Result: res}
	p.Base = s.base(c, i18n.T(c.Request().Context(), "import.title"), "admin")
	return render(c, status, web.ImportView(p))
}
