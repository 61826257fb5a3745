package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Photos are stored as the pixels they show, nothing more: decoded, turned
// upright by their EXIF orientation, and encoded again without any
// metadata, so GPS positions and camera details never reach the disk.
// WebP photos are stored as JPEG (there is no WebP encoder in Go's
// libraries). Each photo gets a JPEG thumbnail of at most ThumbSide pixels.

// Check has already read each photo's size from its header and refused
// more than MaxPixels before decoding anything (a small file that claims
// gigapixels, a decompression bomb, is refused without allocating them),
// then decoded it whole; Clean works from those decoded pixels.

// ThumbSide is the longer side of a thumbnail, in pixels.
const ThumbSide = 320

// jpegQuality is the quality photos and thumbnails are encoded at.
const jpegQuality = 85

// Clean re-encodes a checked photo: upright, without metadata, and with a
// thumbnail in f.Thumb. Other files come back unchanged.
func Clean(f File) (File, error) {
	if !f.IsImage() {
		return f, nil
	}
	if int64(f.Width)*int64(f.Height) > MaxPixels {
		return f, ErrTooManyPixels
	}
	img := f.img
	var err error
	switch {
	case img != nil:
	case f.ContentType == "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(f.Data))
	case f.ContentType == "image/png":
		img, err = png.Decode(bytes.NewReader(f.Data))
	case f.ContentType == "image/webp":
		img, err = webp.Decode(bytes.NewReader(f.Data))
	default:
		return f, ErrType
	}
	if err != nil {
		return f, ErrType
	}
	if f.ContentType == "image/jpeg" {
		img = orient(img, jpegOrientation(f.Data))
	}
	var out bytes.Buffer
	if f.ContentType == "image/png" {
		err = png.Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: jpegQuality})
		f.ContentType, f.Ext = "image/jpeg", ".jpg"
	}
	if err != nil {
		return f, fmt.Errorf("evidence: encoding a photo: %w", err)
	}
	thumb, err := Thumbnail(img)
	if err != nil {
		return f, err
	}
	b := img.Bounds()
	f.Data, f.Thumb, f.Width, f.Height, f.img = out.Bytes(), thumb, b.Dx(), b.Dy(), nil
	f.SHA256 = sum(f.Data)
	return f, nil
}

// Thumbnail scales img to at most ThumbSide pixels on its longer side and
// encodes it as JPEG (transparent parts on white).
func Thumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbSide || h > ThumbSide {
		if w >= h {
			w, h = ThumbSide, max(1, h*ThumbSide/w)
		} else {
			w, h = max(1, w*ThumbSide/h), ThumbSide
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, fmt.Errorf("evidence: encoding a thumbnail: %w", err)
	}
	return out.Bytes(), nil
}

// ThumbnailOf makes the thumbnail of a stored photo (for photos stored
// before thumbnails were made at upload).
func ThumbnailOf(data []byte) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, ErrType
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrTooManyPixels
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrType
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xd8}) {
		img = orient(img, jpegOrientation(data))
	}
	return Thumbnail(img)
}

// jpegOrientation reads the EXIF orientation (1–8) of a JPEG; 1 (as
// stored) when there is none or it cannot be read.
func jpegOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
		return 1
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xff {
			return 1
		}
		marker := b[i+1]
		if marker == 0xda || marker == 0xd9 { // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[i+2 : i+4]))
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xe1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o, err := tiffOrientation(seg[6:]); err == nil {
				return o
			}
			return 1
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of IFD0 of an EXIF TIFF block.
func tiffOrientation(t []byte) (int, error) {
	if len(t) < 8 {
		return 0, errors.New("short")
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, errors.New("bad byte order")
	}
	off := int(bo.Uint32(t[4:8]))
	if off < 8 || off+2 > len(t) {
		return 0, errors.New("bad offset")
	}
	n := int(bo.Uint16(t[off : off+2]))
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			break
		}
		if bo.Uint16(t[e:e+2]) == 0x0112 {
			o := int(bo.Uint16(t[e+8 : e+10]))
			if o < 1 || o > 8 {
				return 0, errors.New("bad orientation")
			}
			return o, nil
		}
	}
	return 1, nil
}

// orient turns img upright for EXIF orientation o.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 { // orientations 5–8 swap the sides
		dw, dh = h, w
	}
	// Each orientation mirrors x, mirrors y, or both, and from 5 on
	// swaps the axes after mirroring.
	mirrorX := o == 2 || o == 3 || o == 7 || o == 8
	mirrorY := o == 3 || o == 4 || o == 6 || o == 7
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		row := src.Pix[y*src.Stride:]
		for x := range w {
			sx, sy := x, y
			if mirrorX {
				sx = w - 1 - x
			}
			if mirrorY {
				sy = h - 1 - y
			}
			dx, dy := sx, sy
			if o >= 5 {
				dx, dy = sy, sx
			}
			copy(dst.Pix[dy*dst.Stride+dx*4:dy*dst.Stride+dx*4+4], row[x*4:x*4+4])
		}
	}
	return dst
}
