package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"safecampus/internal/imagetest"
)

// withEXIF inserts an EXIF block after the JPEG's start marker: IFD0 with
// the orientation and a pointer to a GPS IFD holding a latitude, as phone
// cameras write them.
func withEXIF(jpg []byte, orientation uint16) []byte {
	le := binary.LittleEndian
	var t bytes.Buffer
	t.WriteString("II")
	binary.Write(&t, le, uint16(42))
	binary.Write(&t, le, uint32(8)) // IFD0 at 8
	// IFD0: 2 entries (12 bytes each) + next-IFD offset.
	binary.Write(&t, le, uint16(2))
	binary.Write(&t, le, [4]uint16{0x0112, 3, 1, 0}) // tag, SHORT, count 1 (low word)...
	t.Truncate(t.Len() - 4)
	binary.Write(&t, le, uint32(1))
	binary.Write(&t, le, orientation)
	binary.Write(&t, le, uint16(0))
	gpsAt := uint32(8 + 2 + 2*12 + 4)
	binary.Write(&t, le, uint16(0x8825))
	binary.Write(&t, le, uint16(4)) // LONG
	binary.Write(&t, le, uint32(1))
	binary.Write(&t, le, gpsAt)
	binary.Write(&t, le, uint32(0))
	// GPS IFD: GPSLatitudeRef = "N".
	binary.Write(&t, le, uint16(1))
	binary.Write(&t, le, uint16(1))
	binary.Write(&t, le, uint16(2)) // ASCII
	binary.Write(&t, le, uint32(2))
	t.WriteString("N\x00\x00\x00")
	binary.Write(&t, le, uint32(0))
	t.WriteString("GPSLatitude 40.8N 111.7E") // a readable marker for the test

	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xff, 0xe1})
	binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpg[2:])
	return out.Bytes()
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xc000 && g < 0x4000 && b < 0x4000
}

func TestCleanTurnsPhotosUprightAndRemovesEXIF(t *testing.T) {
	for _, tc := range []struct {
		orientation   uint16
		w, h          int
		redX, redY    float64 // where the red corner ends up, as a fraction of the result
		wantW, wantH  int
		wantRedCorner string
	}{
		{1, 400, 200, 0.05, 0.05, 400, 200, "top left"},
		{3, 400, 200, 0.95, 0.95, 400, 200, "bottom right"},
		{6, 400, 200, 0.95, 0.05, 200, 400, "top right"},
		{8, 400, 200, 0.05, 0.95, 200, 400, "bottom left"},
		{2, 400, 200, 0.95, 0.05, 400, 200, "top right"},
		{4, 400, 200, 0.05, 0.95, 400, 200, "bottom left"},
		{5, 400, 200, 0.05, 0.05, 200, 400, "top left"},
		{7, 400, 200, 0.95, 0.95, 200, 400, "bottom right"},
	} {
		raw := withEXIF(imagetest.MarkedJPEG(t, tc.w, tc.h), tc.orientation)
		if got := jpegOrientation(raw); got != int(tc.orientation) {
			t.Fatalf("orientation read %d, want %d", got, tc.orientation)
		}
		f, err := Check("phone.jpg", raw)
		if err != nil {
			t.Fatal(err)
		}
		f, err = Clean(f)
		if err != nil {
			t.Fatal(err)
		}
		if f.Width != tc.wantW || f.Height != tc.wantH {
			t.Errorf("orientation %d: %dx%d, want %dx%d", tc.orientation, f.Width, f.Height, tc.wantW, tc.wantH)
		}
		for _, secret := range []string{"Exif", "GPSLatitude", "40.8N"} {
			if bytes.Contains(f.Data, []byte(secret)) {
				t.Errorf("orientation %d: the stored photo still contains %q", tc.orientation, secret)
			}
		}
		img, err := jpeg.Decode(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatal(err)
		}
		x, y := int(tc.redX*float64(f.Width)), int(tc.redY*float64(f.Height))
		if !isRed(img.At(x, y)) {
			t.Errorf("orientation %d: the red corner is not at the %s", tc.orientation, tc.wantRedCorner)
		}
		if f.SHA256 != sum(f.Data) {
			t.Error("the checksum is not of the stored bytes")
		}
		th, err := jpeg.DecodeConfig(bytes.NewReader(f.Thumb))
		if err != nil {
			t.Fatalf("thumbnail: %v", err)
		}
		if max(th.Width, th.Height) != ThumbSide || (th.Width > th.Height) != (f.Width > f.Height) {
			t.Errorf("orientation %d: thumbnail %dx%d, want %d on the longer side, same shape", tc.orientation, th.Width, th.Height, ThumbSide)
		}
	}
}

func TestCleanSmallPhotosAndOtherFiles(t *testing.T) {
	// A photo smaller than a thumbnail keeps its size.
	f, _ := Check("small.png", func() []byte {
		var buf bytes.Buffer
		png.Encode(&buf, image.NewGray(image.Rect(0, 0, 50, 30)))
		return buf.Bytes()
	}())
	f, err := Clean(f)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != "image/png" {
		t.Errorf("a PNG is stored as %s", f.ContentType)
	}
	if th, _ := jpeg.DecodeConfig(bytes.NewReader(f.Thumb)); th.Width != 50 || th.Height != 30 {
		t.Errorf("thumbnail of a 50x30 photo: %dx%d", th.Width, th.Height)
	}
	// A PDF is left alone.
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	p, _ := Check("a.pdf", pdf)
	p, err = Clean(p)
	if err != nil || !bytes.Equal(p.Data, pdf) || p.Thumb != nil {
		t.Errorf("a PDF was changed: %v", err)
	}
}

// pngClaiming is a valid 1×1 PNG whose header claims w×h pixels.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:20], w)
	binary.BigEndian.PutUint32(b[20:24], h)
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestDecompressionBombsAreRefusedFromTheHeader(t *testing.T) {
	bombs := map[string][]byte{
		"png 10000x10000":  pngClaiming(t, 10000, 10000),
		"webp 16000x16000": webpCanvas(16000, 16000),
	}
	for name, b := range bombs {
		if len(b) > 1000 {
			t.Fatalf("%s: the bomb is %d bytes, want a small file", name, len(b))
		}
		start := time.Now()
		_, err := Check(name, b)
		if !errors.Is(err, ErrTooManyPixels) {
			t.Errorf("%s: err %v, want ErrTooManyPixels", name, err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%s: refusing took %v: was it decoded?", name, d)
		}
	}
	// At the limit the header passes; the image is then decoded whole,
	// and this one's body (one pixel) is refused as broken.
	if _, err := Check("ok.png", pngClaiming(t, 10000, 5000)); errors.Is(err, ErrTooManyPixels) || !errors.Is(err, ErrType) {
		t.Errorf("a 50-megapixel header on a 1-pixel body: %v, want ErrType", err)
	}
	if _, err := Check("bomb.png", pngClaiming(t, 10000, 5001)); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("a header just over 50 megapixels: %v, want ErrTooManyPixels", err)
	}
}

// webpCanvas is an extended WebP (VP8X chunk) whose canvas is w×h, with
// nothing after: a header claiming pixels it does not carry.
func webpCanvas(w, h int) []byte {
	vp8x := []byte{0, 0, 0, 0,
		byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16),
		byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	b := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00")
	b = append(b, vp8x...)
	binary.LittleEndian.PutUint32(b[4:8], uint32(len(b)-8))
	return b
}

func TestThumbOfAPhotoStoredWithoutOne(t *testing.T) {
	d := NewDir(t.TempDir())
	f, err := Check("old.jpg", withEXIF(imagetest.MarkedJPEG(t, 640, 480), 6))
	if err != nil {
		t.Fatal(err)
	}
	name, err := d.Save(f) // saved as before this change: no Clean, no thumbnail
	if err != nil {
		t.Fatal(err)
	}
	th, err := d.Thumb(name)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(th))
	if err != nil || cfg.Width != 240 || cfg.Height != 320 {
		t.Errorf("thumbnail %dx%d (%v), want 240x320, upright", cfg.Width, cfg.Height, err)
	}
	if err := d.Remove(name); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Thumb(name); err == nil {
		t.Error("a removed photo still has a thumbnail")
	}
}
