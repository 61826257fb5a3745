package server

import (
	"hash/crc32"
	"math/rand/v2"
	"net/http"
	"testing"
)

// TestCRC32Combine: combining the CRCs of two pieces (crc32Shift) gives the CRC of
// their concatenation, for lengths around the powers of two it walks.
func TestCRC32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 8, 255, 256, 1000, 4096, 65537, 140_000} {
		a, b := make([]byte, r.IntN(500)), make([]byte, n)
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b...))
		shift := crc32Shift(n)
		if got := gf2Times(&shift, crc32.ChecksumIEEE(a)) ^ crc32.ChecksumIEEE(b); got != want {
			t.Errorf("len %d+%d: %08x, want %08x", len(a), n, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"": false, "gzip": true, "gzip, deflate, br": true, "br;q=1.0, GZIP;q=0.8": true,
		"gzip;q=0": false, "gzip; q=0.0": false, "identity": false, "*": false, "deflate, x-gzip": false,
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if v != "" {
			r.Header.Set("Accept-Encoding", v)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", v, got, want)
		}
	}
}
