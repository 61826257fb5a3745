package server

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"

	"github.com/labstack/echo/v4"

	"safecampus/internal/evidence"
	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// maxEvidenceBody is the body limit of the upload routes: MaxFiles files of
// MaxSize each, and the form around them.
const maxEvidenceBody = evidence.MaxFiles*evidence.MaxSize + maxBodyBytes

// uploads is a multipart form with its files checked: problem says, in the
// page's language, why the files were refused (status 413 or 422); err is
// a failure to report as such.
type uploads struct {
	form    *multipart.Form
	files   []evidence.File
	problem string
	status  int
	err     error
}

func (u uploads) value(k string) string {
	if u.form == nil || len(u.form.Value[k]) == 0 {
		return ""
	}
	return u.form.Value[k][0]
}

// readUploads parses the multipart form and checks its "files": how many,
// how large, and what type they are from their bytes.
func (s *Server) readUploads(c echo.Context) uploads { return s.readUploadsFrom(c, "files") }

// readUploadsFrom is readUploads for the files of the form field field.
func (s *Server) readUploadsFrom(c echo.Context, field string) uploads {
	ctx := c.Request().Context()
	var up uploads
	form, err := c.MultipartForm()
	if errors.Is(err, http.ErrNotMultipart) {
		// A form without files may come urlencoded.
		values, err := c.FormParams()
		if err != nil {
			return uploads{err: echo.NewHTTPError(http.StatusBadRequest, "malformed form")}
		}
		return uploads{form: &multipart.Form{Value: values}}
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return uploads{problem: i18n.T(ctx, "evidence.total_too_large", map[string]any{"Max": maxEvidenceBody >> 20}),
				status: http.StatusRequestEntityTooLarge}
		}
		return uploads{err: echo.NewHTTPError(http.StatusBadRequest, "malformed form")}
	}
	up.form = form
	var headers []*multipart.FileHeader
	for _, fh := range form.File[field] {
		if fh.Filename != "" || fh.Size > 0 { // browsers send an empty part when no file is chosen
			headers = append(headers, fh)
		}
	}
	if len(headers) == 0 {
		return up
	}
	if s.files == nil {
		up.problem, up.status = i18n.T(ctx, "evidence.off"), http.StatusUnprocessableEntity
		return up
	}
	if len(headers) > evidence.MaxFiles {
		up.problem, up.status = i18n.T(ctx, "evidence.too_many", map[string]any{"Max": evidence.MaxFiles}), http.StatusUnprocessableEntity
		return up
	}
	for _, fh := range headers {
		name := evidence.CleanName(fh.Filename)
		if fh.Size > evidence.MaxSize {
			up.problem, up.status = i18n.T(ctx, "evidence.too_large", map[string]any{"File": name, "Max": evidence.MaxSize >> 20}), http.StatusRequestEntityTooLarge
			return up
		}
		data, err := readPart(fh)
		if err != nil {
			up.err = err
			return up
		}
		f, err := evidence.Check(fh.Filename, data)
		if err == nil {
			// Photos are stored upright, without GPS or other metadata,
			// with a thumbnail.
			f, err = evidence.Clean(f)
		}
		switch {
		case errors.Is(err, evidence.ErrTooManyPixels):
			up.problem, up.status = i18n.T(ctx, "evidence.too_many_pixels", map[string]any{"File": name, "Max": evidence.MaxPixels / 1_000_000}), http.StatusUnprocessableEntity
			return up
		case errors.Is(err, evidence.ErrTooLarge):
			up.problem, up.status = i18n.T(ctx, "evidence.too_large", map[string]any{"File": name, "Max": evidence.MaxSize >> 20}), http.StatusRequestEntityTooLarge
			return up
		case errors.Is(err, evidence.ErrEmpty):
			up.problem, up.status = i18n.T(ctx, "evidence.empty", map[string]any{"File": name}), http.StatusUnprocessableEntity
			return up
		case err != nil:
			up.problem, up.status = i18n.T(ctx, "evidence.bad_type", map[string]any{"File": name}), http.StatusUnprocessableEntity
			return up
		}
		up.files = append(up.files, f)
	}
	return up
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, evidence.MaxSize+1))
}

// saveUploads writes checked files to the evidence directory. cleanup
// removes them again, for when the database refuses the change.
func (s *Server) saveUploads(files []evidence.File) ([]store.EvidenceInput, func(), error) {
	var saved []store.EvidenceInput
	cleanup := func() {
		for _, f := range saved {
			if err := s.files.Remove(f.StoredName); err != nil {
				s.log.Error("removing an unused evidence file", "file", f.StoredName, "err", err)
			}
		}
	}
	for _, f := range files {
		name, err := s.files.Save(f)
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		saved = append(saved, store.EvidenceInput{StoredName: name, FileName: f.Name, ContentType: f.ContentType,
			Size: int64(len(f.Data)), SHA256: f.SHA256, Width: f.Width, Height: f.Height})
	}
	return saved, cleanup, nil
}

// attachChecklistEvidence adds files to a draft or submitted checklist.
func (s *Server) attachChecklistEvidence(c echo.Context) error {
	cl, school, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	up := s.readUploads(c)
	if up.err != nil {
		return up.err
	}
	if up.problem == "" && len(up.files) == 0 {
		up.problem, up.status = i18n.T(c.Request().Context(), "evidence.no_file"), http.StatusUnprocessableEntity
	}
	if up.problem != "" {
		return s.renderChecklistWith(c, up.status, cl, school, u, checklistExtras{uploadError: up.problem})
	}
	saved, cleanup, err := s.saveUploads(up.files)
	if err != nil {
		return err
	}
	_, repeated, err := s.store.AddChecklistEvidenceOnce(c.Request().Context(), u, cl.ID, saved, up.value("idempotency_key"))
	if err != nil || repeated {
		cleanup()
	}
	if _, fe, ok := keyProblem(err); ok {
		return s.renderChecklistWith(c, http.StatusConflict, cl, school, u, checklistExtras{uploadError: i18n.FieldError(c.Request().Context(), fe[0])})
	}
	if errors.Is(err, store.ErrConflict) {
		return s.checklistConflict(c, cl.ID, school, u)
	}
	if err != nil {
		return err
	}
	return s.flash(c, "evidence_added", web.ChecklistURL(cl.ID)+"#h-evidence")
}

// deleteEvidence removes a file from a draft checklist.
func (s *Server) deleteEvidence(c echo.Context) error {
	e, school, u, err := s.visibleEvidence(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) || e.ChecklistID == 0 {
		return errForbidden
	}
	if _, err := s.store.DeleteEvidence(c.Request().Context(), u, e.ID); err != nil {
		return err
	}
	if s.files != nil {
		if err := s.files.Remove(e.StoredName); err != nil {
			s.log.Error("removing a deleted evidence file", "file", e.StoredName, "err", err)
		}
	}
	return s.flash(c, "evidence_deleted", web.ChecklistURL(e.ChecklistID)+"#h-evidence")
}

// visibleEvidence loads the file record named in the URL and checks the
// user may see its school.
func (s *Server) visibleEvidence(c echo.Context) (model.Evidence, model.School, model.User, error) {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return model.Evidence{}, model.School{}, u, err
	}
	ctx := c.Request().Context()
	e, err := s.store.Evidence(ctx, id)
	if err != nil {
		return e, model.School{}, u, err
	}
	school, err := s.schoolOf(ctx, u, e.SchoolID)
	return e, school, u, err
}

// serveEvidence sends a file to a user whose scope includes its school:
// the type recorded at upload, never sniffed again by the browser; photos
// inline (thumbnails), PDFs as downloads; nothing in it may run.
func (s *Server) serveEvidence(c echo.Context) error {
	e, _, _, err := s.visibleEvidence(c)
	if err != nil {
		return err
	}
	if s.files == nil {
		return errNotFound
	}
	f, err := s.files.Open(e.StoredName)
	if err != nil {
		s.log.Error("evidence file missing", "id", e.ID, "file", e.StoredName, "err", err)
		return errNotFound
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, e.ContentType)
	disposition := "attachment"
	if e.IsImage() {
		disposition = "inline"
	}
	e.FileName = evidence.DownloadName(e.FileName, e.ContentType)
	h.Set("Content-Disposition", disposition+`; filename="`+asciiName(e)+`"; filename*=UTF-8''`+url.PathEscape(e.FileName))
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(c.Response(), c.Request(), "", e.UploadedAt, f)
	return nil
}

// asciiName is a plain fallback file name for clients that do not read
// filename*: the uploaded name if it is plain ASCII, else one made up.
func asciiName(e model.Evidence) string {
	for _, r := range e.FileName {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' {
			return "evidence-" + strconv.FormatInt(e.ID, 10) + path.Ext(e.StoredName)
		}
	}
	return e.FileName
}

// checklistEvidence is the evidence block of a checklist page: its files,
// and the upload form while the school may still add some.
func (s *Server) checklistEvidence(c echo.Context, cl model.Checklist, school model.School, u model.User, uploadErr string) (web.EvidenceBlock, error) {
	files, err := s.store.ChecklistEvidence(c.Request().Context(), cl.ID)
	if err != nil {
		return web.EvidenceBlock{}, err
	}
	b := web.EvidenceBlock{Files: files, Error: uploadErr, CSRF: csrfToken(c), Key: newIdempotencyKey()}
	mine := canFill(u, school)
	if mine && s.files != nil && (cl.State == model.Draft || cl.State == model.Submitted) {
		b.UploadURL = web.ChecklistURL(cl.ID) + "/evidence"
	}
	b.CanDelete = mine && cl.State == model.Draft
	return b, nil
}

// checklistConflict re-renders a checklist as it now stands, saying that
// another reviewer acted on it first and the user's action was not saved.
func (s *Server) checklistConflict(c echo.Context, id int64, school model.School, u model.User) error {
	ctx := c.Request().Context()
	cl, err := s.store.Checklist(ctx, id)
	if err != nil {
		return err
	}
	msg := i18n.T(ctx, "checklist.conflict", map[string]any{"State": i18n.State(ctx, cl.State)})
	return s.renderChecklistWith(c, http.StatusConflict, cl, school, u, checklistExtras{conflict: msg})
}
