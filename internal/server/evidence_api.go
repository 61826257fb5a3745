package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// The evidence routes of SPEC section 11: uploads through the API (one
// multipart field "file", optionally named by an Idempotency-Key) and the
// thumbnails pages and apps show instead of the full photo.

type apiEvidence struct {
	ID int64 `json:"id"`
}

// apiUpload reads the one file of an API upload and saves it; done records
// it and reports whether the request was a repeat (the saved copy is then
// removed again).
func (s *Server) apiUpload(c echo.Context, done func(key string, files []store.EvidenceInput) ([]model.Evidence, bool, error)) error {
	key, err := apiIdempotencyKey(c)
	if err != nil {
		return err
	}
	up := s.readUploadsFrom(c, "file")
	if up.err != nil {
		return up.err
	}
	if up.problem != "" {
		return echo.NewHTTPError(up.status, up.problem)
	}
	if len(up.files) != 1 {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "send exactly one file in the multipart field \"file\"")
	}
	saved, cleanup, err := s.saveUploads(up.files)
	if err != nil {
		return err
	}
	added, repeated, err := done(key, saved)
	if err != nil || repeated {
		cleanup()
	}
	if err != nil {
		return err
	}
	if len(added) == 0 {
		return errNotFound
	}
	return c.JSON(http.StatusCreated, apiEvidence{added[0].ID})
}

// apiChecklistEvidence is POST /api/v1/checklists/{id}/evidence: a file for
// a draft (or a checklist waiting for review).
func (s *Server) apiChecklistEvidence(c echo.Context) error {
	cl, school, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	return s.apiUpload(c, func(key string, files []store.EvidenceInput) ([]model.Evidence, bool, error) {
		return s.store.AddChecklistEvidenceOnce(c.Request().Context(), u, cl.ID, files, key)
	})
}

// apiHazardEvidence is POST /api/v1/hazards/{id}/evidence: a file for the
// school's answer to an open or answered hazard.
func (s *Server) apiHazardEvidence(c echo.Context) error {
	h, school, u, err := s.visibleHazard(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	return s.apiUpload(c, func(key string, files []store.EvidenceInput) ([]model.Evidence, bool, error) {
		return s.store.AddHazardEvidence(c.Request().Context(), u, h.ID, files, key)
	})
}

// serveEvidenceThumb is GET /evidence/{id}/thumb: a photo's JPEG thumbnail,
// at most 320 px on its longer side.
func (s *Server) serveEvidenceThumb(c echo.Context) error {
	e, _, _, err := s.visibleEvidence(c)
	if err != nil {
		return err
	}
	if s.files == nil || !e.IsImage() {
		return errNotFound
	}
	b, err := s.files.Thumb(e.StoredName)
	if err != nil {
		s.log.Error("evidence thumbnail", "id", e.ID, "file", e.StoredName, "err", err)
		return errNotFound
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Disposition", `inline; filename="thumb-`+strconv.FormatInt(e.ID, 10)+`.jpg"`)
	return c.Blob(http.StatusOK, "image/jpeg", b)
}
