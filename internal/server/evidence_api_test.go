package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"testing"

	"safecampus/internal/imagetest"
)

// apiUpload posts one file in the multipart field "file".
func (c *apiClient) apiUpload(path, key, name string, data []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.base+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return readResponse(c.t, res)
}

func TestEvidenceAPIAndThumbnails(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	school := app.api(t, userSchool)
	draft := app.checklist(t, schoolA, day0, goodFacts(day0), false)
	h := app.hazard(t, schoolA, "security_guards")
	photo := imagetest.JPEG(t, 1000, 800)

	var first, again struct {
		ID int64 `json:"id"`
	}
	path := fmt.Sprintf("/api/v1/checklists/%d/evidence", draft.ID)
	r := school.apiUpload(path, "up-1", "gate.jpg", photo)
	wantStatus(t, "checklist upload", r, http.StatusCreated)
	decode(t, r, &first)
	r = school.apiUpload(path, "up-1", "gate.jpg", photo)
	wantStatus(t, "repeated upload", r, http.StatusCreated)
	decode(t, r, &again)
	if again.ID != first.ID {
		t.Errorf("repeat answered id %d, want %d", again.ID, first.ID)
	}
	if files, _ := app.store.ChecklistEvidence(context.Background(), draft.ID); len(files) != 1 {
		t.Errorf("%d files after a repeat, want 1", len(files))
	}
	if n := storedFiles(t, app.evidenceDir); n != 1 {
		t.Errorf("%d files on disk after a repeat, want 1 (the repeat's copy removed)", n)
	}
	wantJSONError(t, "other file, same key", school.apiUpload(path, "up-1", "other.jpg", imagetest.JPEG(t, 10, 10)), http.StatusConflict)
	wantJSONError(t, "not a photo", school.apiUpload(path, "", "a.txt", []byte("hello")), http.StatusUnprocessableEntity)

	r = school.apiUpload(fmt.Sprintf("/api/v1/hazards/%d/evidence", h.ID), "", "fixed.jpg", photo)
	wantStatus(t, "hazard upload", r, http.StatusCreated)
	if files, _ := app.store.HazardEvidence(context.Background(), h.ID); len(files) != 1 {
		t.Errorf("%d files on the hazard, want 1", len(files))
	}

	// The thumbnail, with the token and with a session.
	thumb := school.get(fmt.Sprintf("/evidence/%d/thumb", first.ID))
	wantStatus(t, "thumbnail", thumb, http.StatusOK)
	if ct := thumb.header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("thumbnail Content-Type %q", ct)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader([]byte(thumb.body)))
	if err != nil || cfg.Width != 320 || cfg.Height != 256 {
		t.Errorf("thumbnail %dx%d (%v), want 320x256", cfg.Width, cfg.Height, err)
	}
	page := app.signedIn(t, userSchool).get(fmt.Sprintf("/checklists/%d", draft.ID))
	if !bytes.Contains([]byte(page.body), fmt.Appendf(nil, `src="/evidence/%d/thumb"`, first.ID)) {
		t.Error("the checklist page does not show the thumbnail")
	}
	// A PDF has no thumbnail.
	r = school.apiUpload(path, "", "a.pdf", pdfBytes())
	var pdf struct {
		ID int64 `json:"id"`
	}
	decode(t, r, &pdf)
	wantStatus(t, "thumbnail of a PDF", school.get(fmt.Sprintf("/evidence/%d/thumb", pdf.ID)), http.StatusNotFound)
}
