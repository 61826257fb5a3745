package web

import (
	"net/url"

	"safecampus/internal/model"
)

// GridSort orders the children grid: by a column, ascending unless Desc.
// The zero value keeps the divisions in code order.
type GridSort struct {
	Key  string // "", "name", "schools", a measure key or "all_five"
	Desc bool
}

// ValidSortKey reports whether key names a column of the grid.
func ValidSortKey(key string) bool {
	switch key {
	case "", "name", "schools", string(model.AllFive):
		return true
	}
	return model.Measure(key).Valid()
}

// sortURL is the link of a column header: sorting by key, ascending first
// (the lowest coverage on top), or the other way round when the grid is
// already sorted by it. The page's other parameters stay.
func sortURL(path string, q url.Values, cur GridSort, key string) string {
	c := url.Values{}
	for k, v := range q {
		if k != "sort" && k != "dir" {
			c[k] = v
		}
	}
	c.Set("sort", key)
	if cur.Key == key && !cur.Desc {
		c.Set("dir", "desc")
	}
	return withQuery(path, c) + "#children"
}

// ariaSort is the header's aria-sort value, or "" when the grid is not
// sorted by that column.
func ariaSort(cur GridSort, key string) string {
	if cur.Key != key {
		return ""
	}
	if cur.Desc {
		return "descending"
	}
	return "ascending"
}

// sortArrow marks the sorted column.
func sortArrow(cur GridSort, key string) string {
	switch {
	case cur.Key != key:
		return "↕"
	case cur.Desc:
		return "▼"
	}
	return "▲"
}
