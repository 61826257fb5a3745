package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// pngHeaderOnly is a PNG whose header claims w×h pixels, followed by a
// tiny image body that does not hold them: what a browser bomb looks like.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(kind)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit grey
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1})
	chunk("IEND", nil)
	return b.Bytes()
}

// Issue 16, fault 7: the whole image is read, and more than 50 megapixels
// is refused whatever the file's size.
func TestCheckRefusesBombsAndBrokenImages(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"20000×20000 PNG", pngHeaderOnly(20000, 20000)},
		{"8000×7000 PNG (56 MP)", pngHeaderOnly(8000, 7000)},
		{"PNG whose body is cut", pngHeaderOnly(64, 64)},
		{"WebP header with a broken body", append([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f"), 0x3f, 0xc0, 0x0f, 0x00, 0, 0, 0, 0, 0, 0, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Check("x.png", tc.data); !errors.Is(err, ErrType) && !errors.Is(err, ErrTooManyPixels) {
				t.Errorf("Check = %v, want a refusal", err)
			}
		})
	}
}

// TinyWebP is a whole, valid 1×1 lossless WebP image.
var TinyWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestDownloadNameFollowsTheType(t *testing.T) {
	for _, tc := range []struct{ name, ct, want string }{
		{"report.html", "application/pdf", "report.pdf"},
		{"photo", "image/jpeg", "photo.jpg"},
		{".png", "image/webp", "evidence.webp"},
		{"a.b.PNG", "image/png", "a.b.png"},
	} {
		if got := DownloadName(tc.name, tc.ct); got != tc.want {
			t.Errorf("DownloadName(%q, %s) = %q, want %q", tc.name, tc.ct, got, tc.want)
		}
	}
}
