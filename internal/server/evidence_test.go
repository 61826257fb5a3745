package server_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"safecampus/internal/evidence"
	"safecampus/internal/imagetest"
	"safecampus/internal/model"
	"safecampus/internal/store"
)

// storedFiles counts the files kept in the evidence directory.
func storedFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		// Photos' thumbnails lie beside them and come and go with them.
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".thumb.jpg") {
			n++
		}
		return nil
	})
	return n
}

// Uploads are checked by size, number and content, never by name; a
// refused upload stores nothing and shows the form again with the reason
// beside the file field.
func TestEvidenceUploadLimitsAndTypes(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), false)
	page := fmt.Sprintf("/checklists/%d", cl.ID)
	action := page + "/evidence"
	school := app.signedIn(t, userSchool)

	big := append(imagetest.JPEG(t, 8, 8), bytes.Repeat([]byte{0}, evidence.MaxSize)...)
	// A real 64×64 WebP (made by Chromium): photos are decoded, and a
	// WebP is stored as JPEG.
	webp, err := base64.StdEncoding.DecodeString("UklGRpQCAABXRUJQVlA4WAoAAAAgAAAAPwAAPwAASUNDUMgBAAAAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADZWUDggpgAAANAGAJ0BKkAAQAA+bTKVRyQjIiEsHVgAgA2JQBpcoAa3hwD8gPwzRcB+qoEvsYtFWEkhNgwg8/m2hd4+vgI/gAD+7uR3/x2f/0xu6vKp50s/9b+XQ8uucm4DF1SVG3zYXz/+DUQXOf+xgX5nf1N635j7vZ5/oCe5D/mc3/4U9cTgrAB/oALKRhDx3+L/7pb7hKoxUf0cT1+/f0d1PHJpb0YCFZgAAAA=")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		files  []upFile
		status int
		error  bool // an error beside the file field
	}{
		{"nothing chosen", nil, http.StatusUnprocessableEntity, true},
		{"over 10 MiB", []upFile{{"big.jpg", big}}, http.StatusRequestEntityTooLarge, true},
		{"a web page named .jpg", []upFile{{"photo.jpg", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")}}, http.StatusUnprocessableEntity, true},
		{"an SVG", []upFile{{"logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)}}, http.StatusUnprocessableEntity, true},
		{"a program named .pdf", []upFile{{"report.pdf", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{1}, 100)...)}}, http.StatusUnprocessableEntity, true},
		{"a JPEG header with nothing after", []upFile{{"cut.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")}}, http.StatusUnprocessableEntity, true},
		{"empty file", []upFile{{"empty.png", nil}}, http.StatusUnprocessableEntity, true},
		{"six files", []upFile{{"1.png", imagetest.PNG(t, 2, 2)}, {"2.png", imagetest.PNG(t, 2, 2)}, {"3.png", imagetest.PNG(t, 2, 2)},
			{"4.png", imagetest.PNG(t, 2, 2)}, {"5.png", imagetest.PNG(t, 2, 2)}, {"6.png", imagetest.PNG(t, 2, 2)}}, http.StatusUnprocessableEntity, true},
		{"one good, one bad: nothing kept", []upFile{{"ok.png", imagetest.PNG(t, 4, 4)}, {"bad.jpg", []byte("GIF89a......")}}, http.StatusUnprocessableEntity, true},
	}
	for _, tt := range tests {
		r := school.uploadFiles(page, action, tt.files, nil)
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, r.status, tt.status)
		}
		if tt.error && !strings.Contains(r.body, `data-testid="field-error-files"`) {
			t.Errorf("%s: no error beside the file field", tt.name)
		}
		if n := storedFiles(t, app.evidenceDir); n != 0 {
			t.Fatalf("%s: %d files stored, want none", tt.name, n)
		}
	}

	// A body over the route's limit is refused before it is read.
	req := httptest.NewRequest(http.MethodPost, action, strings.NewReader("x"))
	req.ContentLength = evidence.MaxFiles*evidence.MaxSize + 2<<20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	rec := httptest.NewRecorder()
	app.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("body over the limit: status %d, want 413", rec.Code)
	}

	// Photos in three formats and a PDF, named anyhow, are kept.
	r := school.uploadFiles(page, action, []upFile{{"a.png", imagetest.PNG(t, 300, 200)}, {"b", imagetest.JPEG(t, 30, 60)},
		{"c.webp", webp}, {"d.txt", pdfBytes()}}, nil)
	wantStatus(t, "good files", r, http.StatusSeeOther)
	files, err := app.store.ChecklistEvidence(t.Context(), cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.FileName] = fmt.Sprintf("%s %dx%d", f.ContentType, f.Width, f.Height)
	}
	want := map[string]string{"a.png": "image/png 300x200", "b": "image/jpeg 30x60", "c.webp": "image/jpeg 64x64", "d.txt": "application/pdf 0x0"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s stored as %q, want %q", k, got[k], v)
		}
	}
	if n := storedFiles(t, app.evidenceDir); n != 4 {
		t.Errorf("%d files stored, want 4", n)
	}
	// The page shows them, the photos as thumbnails.
	body := school.get(page).body
	if !strings.Contains(body, `width="160" height="106"`) || !strings.Contains(body, `width="80" height="160"`) {
		t.Error("checklist page: photos are not shown as thumbnails with their sizes")
	}

	// Files of a draft can be removed; once the checklist is verified its
	// files are part of the record and no more can be added.
	r = school.submit(page, fmt.Sprintf("/evidence/%d/delete", files[0].ID), url.Values{})
	wantStatus(t, "remove a file of a draft", r, http.StatusSeeOther)
	if n := storedFiles(t, app.evidenceDir); n != 3 {
		t.Errorf("after removing: %d files stored, want 3", n)
	}
	sub := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	if _, err := app.store.VerifyChecklist(t.Context(), app.users[userAdmin], sub.ID); err != nil {
		t.Fatal(err)
	}
	subPage := fmt.Sprintf("/checklists/%d", sub.ID)
	if strings.Contains(school.get(subPage).body, `data-testid="evidence-upload"`) {
		t.Error("a verified checklist offers an upload form")
	}
	r = school.uploadFiles(subPage, subPage+"/evidence", []upFile{{"late.png", imagetest.PNG(t, 4, 4)}}, nil)
	wantStatus(t, "upload to a verified checklist", r, http.StatusConflict)
	if n := storedFiles(t, app.evidenceDir); n != 3 {
		t.Errorf("after the refused upload: %d files stored, want 3 (the bytes are removed again)", n)
	}
}

// A file is served only to users whose scope includes its school, with the
// type recorded at upload, nosniff, a disposition and a sandbox.
func TestEvidenceDownloadScopeAndHeaders(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	e := app.evidence(t, schoolA)
	path := fmt.Sprintf("/evidence/%d", e.ID)
	for _, tc := range []struct {
		user string
		want int
	}{
		{userAdmin, 200}, {userLeader, 200}, {userInspector, 200}, {userSchool, 200}, {userInspector2, 403},
	} {
		r := app.signedIn(t, tc.user).get(path)
		if r.status != tc.want {
			t.Errorf("%s: status %d, want %d", tc.user, r.status, tc.want)
			continue
		}
		if r.status != 200 {
			if strings.Contains(r.body, "\x89PNG") {
				t.Errorf("%s: refused, but the bytes were sent", tc.user)
			}
			continue
		}
		h := r.header
		if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), `inline; filename="gate.png"`) ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: headers %v", tc.user, h)
		}
		if !strings.HasPrefix(r.body, "\x89PNG") {
			t.Errorf("%s: body is not the PNG", tc.user)
		}
	}
	// Another school's user: no; signed out: to the login page.
	other := model.User{Username: "school-b", Role: model.SchoolRep, ScopeCode: schoolB}
	if _, err := app.store.CreateUser(t.Context(), app.users[userAdmin], other, password); err != nil {
		t.Fatal(err)
	}
	app.users["school-b"], _ = app.store.UserByName(t.Context(), "school-b")
	if r := app.signedIn(t, "school-b").get(path); r.status != http.StatusForbidden {
		t.Errorf("another school's user: status %d, want 403", r.status)
	}
	if r := app.newClient(t).get(path); r.status != http.StatusSeeOther {
		t.Errorf("signed out: status %d, want 303", r.status)
	}
	// A PDF is a download, its name made safe for the header.
	pdf, err := evidence.Check("报告 \"final\".pdf", pdfBytes())
	if err != nil {
		t.Fatal(err)
	}
	name, err := evidence.NewDir(app.evidenceDir).Save(pdf)
	if err != nil {
		t.Fatal(err)
	}
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), false)
	files, err := app.store.AddChecklistEvidence(t.Context(), app.users[userAdmin], cl.ID, []store.EvidenceInput{{StoredName: name,
		FileName: pdf.Name, ContentType: pdf.ContentType, Size: int64(len(pdf.Data)), SHA256: pdf.SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	r := app.signedIn(t, userInspector).get(fmt.Sprintf("/evidence/%d", files[0].ID))
	wantStatus(t, "PDF", r, http.StatusOK)
	cd := r.header.Get("Content-Disposition")
	if r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(cd, `attachment; filename="evidence-`) ||
		!strings.Contains(cd, "filename*=UTF-8''%E6%8A%A5%E5%91%8A%20final.pdf") {
		t.Errorf("PDF headers: Content-Type %q, Content-Disposition %q", r.header.Get("Content-Type"), cd)
	}
}
