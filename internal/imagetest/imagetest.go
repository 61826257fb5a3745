// Package imagetest makes real images for the tests of uploads and photos,
// so that every package's tests decode the same kinds of file.
package imagetest

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
)

// PNG is a real w×h PNG: a red diagonal on transparent black.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	return encoded(t, func(out io.Writer) error { return png.Encode(out, img) })
}

// JPEG is a real w×h black JPEG.
func JPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	return encoded(t, func(out io.Writer) error { return jpeg.Encode(out, image.NewGray(image.Rect(0, 0, w, h)), nil) })
}

// MarkedJPEG is a w×h grey JPEG with a red block in its top-left corner,
// so that a test can tell which way up a picture was turned.
func MarkedJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{128, 128, 128, 255}
			if x < w/4 && y < h/4 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	return encoded(t, func(out io.Writer) error { return jpeg.Encode(out, img, &jpeg.Options{Quality: 95}) })
}

func encoded(t testing.TB, encode func(io.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
