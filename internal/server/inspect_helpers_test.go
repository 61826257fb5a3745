package server_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"safecampus/internal/evidence"
	"safecampus/internal/model"
	"safecampus/internal/store"
)

// Helpers of the inspectors' tools tests.

// pngBytes is a real w×h PNG.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegBytes is a real w×h JPEG.
func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfBytes is a small PDF.
func pdfBytes() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// inspection records an inspection with no findings straight in the store.
func (a *testApp) inspection(t *testing.T, code string) model.Inspection {
	t.Helper()
	in, err := a.store.CreateInspection(context.Background(), a.users[userAdmin], a.school(t, code).ID,
		store.InspectionInput{InspectedOn: a.clock.Today(), Findings: []store.FindingInput{{Measure: model.NursingPost, Result: model.FindingOK}}})
	if err != nil {
		t.Fatalf("inspection of %s: %v", code, err)
	}
	return in
}

// evidence attaches a PNG to a new draft checklist of the school, the file
// saved in the app's evidence directory as an upload would be.
func (a *testApp) evidence(t *testing.T, code string) model.Evidence {
	t.Helper()
	f, err := evidence.Check("gate.png", pngBytes(t, 40, 30))
	if err != nil {
		t.Fatal(err)
	}
	name, err := evidence.NewDir(a.evidenceDir).Save(f)
	if err != nil {
		t.Fatal(err)
	}
	cl := a.checklist(t, code, a.clock.Today(), goodFacts(a.clock.Today()), false)
	files, err := a.store.AddChecklistEvidence(context.Background(), a.users[userAdmin], cl.ID, []store.EvidenceInput{{
		StoredName: name, FileName: f.Name, ContentType: f.ContentType, Size: int64(len(f.Data)), SHA256: f.SHA256, Width: f.Width, Height: f.Height}})
	if err != nil || len(files) != 1 {
		t.Fatalf("evidence for %s: %v", code, err)
	}
	return files[0]
}

// wantText fails unless the page's text holds every piece.
func wantText(t *testing.T, what string, r response, pieces ...string) {
	t.Helper()
	text := r.text()
	for _, p := range pieces {
		if !strings.Contains(text, p) {
			t.Errorf("%s: %q not on the page (status %d)", what, p, r.status)
		}
	}
}

// idFromLocation reads the number at the end of a redirect's Location.
func idFromLocation(t *testing.T, r response) int64 {
	t.Helper()
	loc := r.header.Get("Location")
	loc = strings.SplitN(loc, "#", 2)[0]
	id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("Location %q (status %d) does not end in an id", r.header.Get("Location"), r.status)
	}
	return id
}

// auditOf filters the audit trail to one record.
func auditOf(entity string, id int64) store.AuditQuery {
	return store.AuditQuery{Entity: entity, EntityID: strconv.FormatInt(id, 10)}
}
