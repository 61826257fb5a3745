package evidence

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"safecampus/internal/imagetest"
)

// webpHeader is the start of a WebP file with the given first chunk.
func webpHeader(chunk string, data ...byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WEBP" + chunk + "\x00\x00\x00\x00")
	b = append(b, data...)
	return append(b, make([]byte, 16)...)
}

func TestCheckReadsTheTypeFromTheBytes(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		wantType   string
		w, h       int
		err        error
	}{
		{"png", "x.jpg", imagetest.PNG(t, 30, 20), "image/png", 30, 20, nil},
		{"jpeg without a name", "", imagetest.JPEG(t, 17, 9), "image/jpeg", 17, 9, nil},
		{"pdf named .png", "scan.png", []byte("%PDF-1.7\n%%EOF"), "application/pdf", 0, 0, nil},
		{"webp lossless", "a.webp", TinyWebP, "image/webp", 1, 1, nil},
		// Headers alone no longer pass: the whole image is decoded.
		{"webp lossy header only", "a.webp", webpHeader("VP8 ", 0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01), "", 0, 0, ErrType},
		{"webp lossless header only", "a.webp", webpHeader("VP8L", 0x2f, 0x3f, 0xc0, 0x0f, 0x00), "", 0, 0, ErrType},
		{"webp extended header only", "a.webp", webpHeader("VP8X", 0, 0, 0, 0, 0x7f, 0x07, 0, 0x37, 0x04, 0), "", 0, 0, ErrType},
		{"html named .jpg", "x.jpg", []byte("<html><script>alert(1)</script>"), "", 0, 0, ErrType},
		{"svg", "x.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "", 0, 0, ErrType},
		{"gif", "x.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", 0, 0, ErrType},
		{"zip named .pdf", "x.pdf", []byte("PK\x03\x04rest"), "", 0, 0, ErrType},
		{"truncated png", "x.png", imagetest.PNG(t, 30, 20)[:20], "", 0, 0, ErrType},
		{"webp with a broken frame", "x.webp", webpHeader("VP8 ", 0, 0, 0, 1, 2, 3), "", 0, 0, ErrType},
		{"empty", "x.png", nil, "", 0, 0, ErrEmpty},
		{"too large", "x.pdf", append([]byte("%PDF-"), make([]byte, MaxSize)...), "", 0, 0, ErrTooLarge},
	}
	for _, tt := range tests {
		f, err := Check(tt.file, tt.data)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if f.ContentType != tt.wantType || f.Width != tt.w || f.Height != tt.h || len(f.SHA256) != 64 {
			t.Errorf("%s: got %s %dx%d, want %s %dx%d", tt.name, f.ContentType, f.Width, f.Height, tt.wantType, tt.w, tt.h)
		}
	}
	// Exactly MaxSize is accepted.
	if _, err := Check("x.pdf", append([]byte("%PDF-"), make([]byte, MaxSize-5)...)); err != nil {
		t.Errorf("a file of exactly MaxSize: %v", err)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"C:\\Users\\张\\照片 1.jpg":          "照片 1.jpg",
		"../../etc/passwd":                "passwd",
		"a\"b;c'd\r\n.pdf":                "abcd.pdf",
		"":                                "file",
		"..":                              "file",
		strings.Repeat("长", 200) + ".jpg": strings.Repeat("长", 116) + ".jpg",
	} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDirSavesUnderServerNames(t *testing.T) {
	d := NewDir(filepath.Join(t.TempDir(), "evidence"))
	f, err := Check("../../secret.png", imagetest.PNG(t, 4, 4))
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.Save(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Save(f)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || !storedName.MatchString(a) || strings.Contains(a, "secret") {
		t.Errorf("stored names %q, %q", a, b)
	}
	r, err := d.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	got := new(bytes.Buffer)
	got.ReadFrom(r)
	r.Close()
	if !bytes.Equal(got.Bytes(), f.Data) {
		t.Error("the bytes read back differ")
	}
	for _, bad := range []string{"../x.png", "ab/../../x.png", "/etc/passwd", "ab/" + strings.Repeat("a", 32) + ".html"} {
		if _, err := d.Open(bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if err := d.Remove(a); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d.Path(), a)); !os.IsNotExist(err) {
		t.Errorf("removed file still there: %v", err)
	}
	if err := d.Remove(a); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(d.Path(), "*", ".upload-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
