package server

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
// pieces' CRCs (crc32Shift): no byte is compressed or checksummed again.

// deflated is a piece of a response compressed once.
type deflated struct {
	z     []byte     // raw DEFLATE, sync-flushed (or final, see deflate)
	crc   uint32     // CRC-32 (IEEE) of the original bytes
	n     int        // length of the original bytes
	shift [32]uint32 // crc32Shift(n), to append this piece's CRC to another's
}

// gzipLevel trades the one-off compression for fewer bytes on every
// response: the content is compressed once per data generation.
const gzipLevel = flate.BestCompression

// deflate compresses p as one segment of a DEFLATE stream: the last
// segment when final, otherwise ended with a sync flush so that another
// segment may follow.
func deflate(p []byte, final bool) deflated {
	var buf bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&buf)
	_, _ = w.Write(p) // a bytes.Buffer does not fail
	if final {
		_ = w.Close()
	} else {
		_ = w.Flush()
	}
	return deflated{z: bytes.Clone(buf.Bytes()), crc: crc32.ChecksumIEEE(p), n: len(p), shift: crc32Shift(len(p))}
}

// deflaters are compressors, reused: a new one allocates about 800 KB.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, gzipLevel) // only fails for a bad level
	return w
}}

// gzipHeader is a gzip member's header: deflate, no flags, no time, no
// extra fields, operating system unknown (RFC 1952).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// writeGzip writes the gzip member of parts (every one sync-flushed but
// the last, which is final) to w, after the headers; Content-Length counts
// the compressed bytes. The member is copied into one buffer and written
// at once: a write per piece cost a system call more per response.
func writeGzip(w http.ResponseWriter, status int, parts ...deflated) error {
	var crc uint32
	size, n := len(gzipHeader)+8, 0
	for _, p := range parts {
		crc = gf2Times(&p.shift, crc) ^ p.crc
		size += len(p.z)
		n += p.n
	}
	bp := gzipBuffers.Get().(*[]byte)
	defer gzipBuffers.Put(bp)
	out := append((*bp)[:0], gzipHeader...)
	for _, p := range parts {
		out = append(out, p.z...)
	}
	out = binary.LittleEndian.AppendUint32(out, crc)
	out = binary.LittleEndian.AppendUint32(out, uint32(n)) // the length modulo 2³²
	*bp = out
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(status)
	_, err := w.Write(out)
	return err
}

// gzipBuffers are writeGzip's buffers, reused.
var gzipBuffers = sync.Pool{New: func() any { return new([]byte) }}

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

// crc32Shift is the operator, a 32×32 bit matrix over GF(2) as its
// columns, that appends n zero bytes to a CRC-32 (IEEE) register, as
// zlib's crc32_combine builds it: the operator for one zero bit, squared
// three times for a byte, then raised to the nth power by repeated
// squaring. The CRC of A followed by B is then
// gf2Times(shift(len(B)), crc(A)) ^ crc(B) (see writeGzip): with the
// operator made once per cached piece, combining costs 32 steps.
func crc32Shift(n int) [32]uint32 {
	var op, result [32]uint32
	op[0] = crc32.IEEE // one zero bit: shift, and reduce by the polynomial
	for i := 1; i < 32; i++ {
		op[i] = 1 << (i - 1)
	}
	for range 3 {
		op = gf2Product(op, op)
	}
	for i := range result {
		result[i] = 1 << i // the identity
	}
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			result = gf2Product(op, result)
		}
		op = gf2Product(op, op)
	}
	return result
}

// gf2Times multiplies the matrix mat by the vector vec.
func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// gf2Product is the matrix product a·b.
func gf2Product(a, b [32]uint32) [32]uint32 {
	var p [32]uint32
	for i := range p {
		p[i] = gf2Times(&a, b[i])
	}
	return p
}
