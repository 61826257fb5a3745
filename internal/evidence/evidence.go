// Package evidence checks and keeps the files schools attach as evidence:
// photos (JPEG, PNG, WebP) and PDFs. The type is read from the bytes, never
// from the name or the browser's word; files are kept under server-made
// names in one directory tree, written durably before the database row
// that names them commits.
package evidence

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig for JPEG
	_ "image/png"  // image.DecodeConfig for PNG

	_ "golang.org/x/image/webp" // image.DecodeConfig for WebP
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest file accepted, in bytes.
const MaxSize = 10 << 20

// MaxFiles is how many files one upload may carry.
const MaxFiles = 5

// MaxPixels is the most pixels an accepted image may have.
const MaxPixels = 50_000_000

// maxSide is the largest image width or height accepted, in pixels.
const maxSide = 20000

// Errors of Check; the messages are for people.
var (
	ErrTooLarge = fmt.Errorf("file is larger than %d MiB", MaxSize>>20)
	ErrEmpty    = errors.New("file is empty")
	ErrType     = errors.New("file is not a JPEG, PNG or WebP photo or a PDF")
	// ErrTooManyPixels refuses an image whose size would burden a browser
	// (or this server) when shown, whatever the file's size.
	ErrTooManyPixels = fmt.Errorf("image is larger than %d megapixels", MaxPixels/1_000_000)
)

// kinds are the accepted content types and the extension they are stored
// under.
var kinds = map[string]string{
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
	"image/webp":      ".webp",
	"application/pdf": ".pdf",
}

// DownloadName is the name a stored file is offered under: the uploaded
// name with the extension of the type read from its bytes, so a PDF
// uploaded as report.html downloads as report.pdf.
func DownloadName(name, contentType string) string {
	ext, ok := kinds[contentType]
	if !ok {
		return name
	}
	base := strings.TrimSuffix(name, filepath.Ext(name))
	if base == "" {
		base = "evidence"
	}
	return base + ext
}

// File is an uploaded file that passed Check.
type File struct {
	Name          string // the uploader's file name, cleaned, for display
	ContentType   string
	Ext           string
	Width, Height int // images only
	SHA256        string
	Data          []byte
	Thumb         []byte // photos after Clean: the JPEG thumbnail

	img image.Image // photos: the pixels Check decoded, for Clean
}

// IsImage reports whether the file is a photo.
func (f File) IsImage() bool { return strings.HasPrefix(f.ContentType, "image/") }

// Check reads the type from the bytes and refuses anything but a photo or a
// PDF of at most MaxSize. Photos must have a readable header with sane
// dimensions, which also refuses most files dressed up as images.
func Check(name string, data []byte) (File, error) {
	f := File{Name: CleanName(name), Data: data}
	switch {
	case len(data) == 0:
		return f, ErrEmpty
	case len(data) > MaxSize:
		return f, ErrTooLarge
	}
	ct := http.DetectContentType(data)
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		ct = "application/pdf"
	}
	ext, ok := kinds[ct]
	if !ok {
		return f, ErrType
	}
	f.ContentType, f.Ext = ct, ext
	if f.IsImage() {
		// The header says how big the image is; refuse a bomb before
		// decoding it, then decode the whole image: a valid header on a
		// broken or foreign body is refused too.
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return f, ErrType
		}
		f.Width, f.Height = cfg.Width, cfg.Height
		if f.Width <= 0 || f.Height <= 0 || f.Width > maxSide || f.Height > maxSide {
			return f, ErrType
		}
		if int64(f.Width)*int64(f.Height) > MaxPixels {
			return f, ErrTooManyPixels
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return f, ErrType
		}
		f.img = img
	}
	f.SHA256 = sum(data)
	return f, nil
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// CleanName keeps the base name of an uploaded file, without control
// characters, quotes or path separators, at most 120 characters.
func CleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = name[strings.LastIndex(name, "/")+1:]
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\'' || r == ';' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	return name
}

// Dir is the directory tree the files live in.
type Dir struct {
	path string
}

// NewDir returns the evidence directory at path; it is created on the
// first save.
func NewDir(path string) *Dir { return &Dir{path: path} }

// Path is the directory's location.
func (d *Dir) Path() string { return d.path }

// storedName is what Save names files: two hex digits of directory, 32 of
// name, and the type's extension.
var storedName = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png|webp|pdf)$`)

// thumbName is where a photo's thumbnail is kept, beside the photo.
func thumbName(name string) string {
	return strings.TrimSuffix(name, filepath.Ext(name)) + ".thumb.jpg"
}

// Save writes the file (and a photo's thumbnail) under a new random name
// and returns the name. The files and their directory are synced before
// Save returns, so a database row naming them never outlives a crash that
// loses the bytes.
func (d *Dir) Save(f File) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b[:])
	name := id[:2] + "/" + id + f.Ext
	dir := filepath.Join(d.path, id[:2])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("evidence directory: %w", err)
	}
	if len(f.Thumb) > 0 {
		if err := writeSynced(dir, filepath.Join(d.path, filepath.FromSlash(thumbName(name))), f.Thumb); err != nil {
			return "", err
		}
	}
	if err := writeSynced(dir, filepath.Join(d.path, filepath.FromSlash(name)), f.Data); err != nil {
		return "", err
	}
	if err := syncDir(dir); err != nil {
		return "", fmt.Errorf("evidence directory: %w", err)
	}
	return name, nil
}

// writeSynced writes data to path through a synced temporary file in dir.
func writeSynced(dir, path string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return fmt.Errorf("evidence file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("evidence file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("evidence file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("evidence file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("evidence file: %w", err)
	}
	return nil
}

// Thumb returns the JPEG thumbnail of a stored photo, making and keeping
// it first if the photo was stored without one.
func (d *Dir) Thumb(name string) ([]byte, error) {
	if !storedName.MatchString(name) {
		return nil, fmt.Errorf("evidence: bad stored name %q", name)
	}
	path := filepath.Join(d.path, filepath.FromSlash(thumbName(name)))
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	data, err := os.ReadFile(filepath.Join(d.path, filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	thumb, err := ThumbnailOf(data)
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Dir(path), path, thumb); err != nil {
		return nil, err
	}
	return thumb, nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Open opens a stored file for reading.
func (d *Dir) Open(name string) (*os.File, error) {
	if !storedName.MatchString(name) {
		return nil, fmt.Errorf("evidence: bad stored name %q", name)
	}
	return os.Open(filepath.Join(d.path, filepath.FromSlash(name)))
}

// Remove deletes a stored file; a missing one is not an error.
func (d *Dir) Remove(name string) error {
	if !storedName.MatchString(name) {
		return fmt.Errorf("evidence: bad stored name %q", name)
	}
	if err := os.Remove(filepath.Join(d.path, filepath.FromSlash(thumbName(name)))); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	err := os.Remove(filepath.Join(d.path, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
