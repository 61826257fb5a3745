package server

import (
	"reflect"
	"testing"

	"safecampus/internal/model"
	"safecampus/web"
)

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

// TestLayoutKeyNamesEveryField: the cached layout's key changes with each
// field of web.Base, so no page is served another's layout.
func TestLayoutKeyNamesEveryField(t *testing.T) {
	base := web.Base{Title: "t", User: &model.User{ID: 1}, CSRF: "c", Lang: "en", Nav: "n", Flash: "f", Today: 1, Path: "/p", Unread: 1}
	v := reflect.ValueOf(&base).Elem()
	seen := map[string]bool{layoutKey(1, base): true}
	for i := range v.NumField() {
		b := base
		f := reflect.ValueOf(&b).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Int64, reflect.Int32, reflect.Int:
			f.SetInt(f.Int() + 1)
		case reflect.Pointer: // the user: another id
			f.Set(reflect.ValueOf(&model.User{ID: 2}))
		default:
			t.Fatalf("web.Base.%s: a %s; teach layoutKey and this test about it", v.Type().Field(i).Name, f.Kind())
		}
		k := layoutKey(1, b)
		if seen[k] {
			t.Errorf("changing web.Base.%s leaves the layout key as it was: add it to layoutKey", v.Type().Field(i).Name)
		}
		seen[k] = true
	}
	if layoutKey(1, base) == layoutKey(2, base) {
		t.Error("the generation is not in the layout key")
	}
}
