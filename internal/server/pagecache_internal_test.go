package server

import "testing"

// TestPageCacheDropsOlderGenerations: a page of a newer data generation
// evicts every page of older ones, and the byte budget holds.
func TestPageCacheDropsOlderGenerations(t *testing.T) {
	pc := newPageCache(100)
	pc.put("a@1", 1, make([]byte, 40))
	pc.put("b@1", 1, make([]byte, 40))
	if _, ok := pc.get("a@1"); !ok {
		t.Fatal("a@1 missing before any newer generation")
	}
	pc.put("a@2", 2, make([]byte, 40))
	for _, k := range []string{"a@1", "b@1"} {
		if _, ok := pc.get(k); ok {
			t.Errorf("%s still cached after generation 2", k)
		}
	}
	pc.put("b@2", 2, make([]byte, 40))
	pc.put("c@2", 2, make([]byte, 40))
	if pc.bytes > 100 {
		t.Errorf("cache holds %d bytes, budget 100", pc.bytes)
	}
	if _, ok := pc.get("a@2"); ok {
		t.Errorf("the least recently used page outlived the budget")
	}
}
