package server

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
)

// Responses are gzipped for clients that accept it without compressing
// anything per request. A gzip member is a 10-byte header, one DEFLATE
// stream and a trailer (CRC-32 and length of the original). A DEFLATE
// stream may be cut into segments, each compressed on its own by a fresh
// compressor and ended with a sync flush (an empty stored block that
// byte-aligns the output and is not the last block); the last segment ends
// with the final block instead. So the cached page content and the cached
// layout around it are each compressed once, when they are cached, and a
// response is the header, the layout's first segment, the content's, the
// layout's last one and a trailer whose CRC is combined from the three
// pieces' CRCs (crc32Combine): no byte is compressed or checksummed again.

// deflated is a piece of a response compressed once.
type deflated struct {
	z   []byte // raw DEFLATE, sync-flushed (or final, see deflate)
	crc uint32 // CRC-32 (IEEE) of the original bytes
	n   int    // length of the original bytes
}

// gzipLevel trades the one-off compression for fewer bytes on every
// response: the content is compressed once per data generation.
const gzipLevel = flate.BestCompression

// deflate compresses p as one segment of a DEFLATE stream: the last
// segment when final, otherwise ended with a sync flush so that another
// segment may follow.
func deflate(p []byte, final bool) deflated {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, gzipLevel) // only fails for a bad level
	_, _ = w.Write(p)                        // a bytes.Buffer does not fail
	if final {
		_ = w.Close()
	} else {
		_ = w.Flush()
	}
	return deflated{z: bytes.Clone(buf.Bytes()), crc: crc32.ChecksumIEEE(p), n: len(p)}
}

// gzipHeader is a gzip member's header: deflate, no flags, no time, no
// extra fields, operating system unknown (RFC 1952).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// writeGzip writes the gzip member of parts (every one sync-flushed but
// the last, which is final) to w, after the headers; Content-Length counts
// the compressed bytes.
func writeGzip(w http.ResponseWriter, status int, parts ...deflated) error {
	var crc uint32
	size, n := len(gzipHeader)+8, 0
	for i, p := range parts {
		if i == 0 {
			crc = p.crc
		} else {
			crc = crc32Combine(crc, p.crc, int64(p.n))
		}
		size += len(p.z)
		n += p.n
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(n)) // the length modulo 2³²
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(status)
	if _, err := w.Write(gzipHeader); err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p.z); err != nil {
			return err
		}
	}
	_, err := w.Write(trailer[:])
	return err
}

// acceptsGzip reports whether the request's Accept-Encoding names gzip
// with a quality above zero ("gzip", "gzip;q=0.5"; not "gzip;q=0"). A
// wildcard alone is not taken as gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for item := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q, found := strings.CutPrefix(strings.TrimSpace(params), "q=")
			if !found {
				return true
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
			return err == nil && f > 0
		}
	}
	return false
}

// crc32Combine is the CRC-32 (IEEE) of the concatenation of A and B from
// A's CRC, B's CRC and B's length, as zlib's crc32_combine: it applies
// len2 zero bytes to crc1 by repeated squaring of the CRC's shift operator
// over GF(2), then adds crc2.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd [32]uint32
	odd[0] = crc32.IEEE // the operator for one zero bit
	row := uint32(1)
	for i := 1; i < 32; i++ {
		odd[i] = row
		row <<= 1
	}
	gf2Square(even[:], odd[:]) // two zero bits
	gf2Square(odd[:], even[:]) // four zero bits
	for {
		// Apply one zero byte, then two, four, …, as len2's bits say.
		gf2Square(even[:], odd[:])
		if len2&1 != 0 {
			crc1 = gf2Times(even[:], crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		gf2Square(odd[:], even[:])
		if len2&1 != 0 {
			crc1 = gf2Times(odd[:], crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

// gf2Times multiplies the 32×32 bit matrix mat by the vector vec.
func gf2Times(mat []uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// gf2Square sets square to mat × mat.
func gf2Square(square, mat []uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}
