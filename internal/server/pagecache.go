package server

import (
	"bytes"
	"container/list"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/web"
)

// pageCache keeps the rendered content of dashboard pages, keyed by
// everything they depend on — the URL, the viewer, the language, the day
// and the data's generation (store.Generation) — so a dashboard is rendered
// once per change of the data and served from memory until the next. Each
// server has its own; a miss only costs a render. The generation is a row
// every writing transaction bumps, on SQLite and PostgreSQL alike, so a
// write through any server ends every server's cached pages at once.
type pageCache struct {
	mu       sync.Mutex
	entries  map[string]*list.Element
	order    *list.List // most recently used first
	bytes    int
	maxBytes int
	gen      int64 // the newest data generation seen
}

type cachedPage struct {
	key  string
	gen  int64
	body []byte
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{entries: map[string]*list.Element{}, order: list.New(), maxBytes: maxBytes}
}

func (pc *pageCache) get(key string) ([]byte, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.entries[key]
	if !ok {
		return nil, false
	}
	pc.order.MoveToFront(e)
	return e.Value.(*cachedPage).body, true
}

// put stores a page of data generation gen. Pages of older generations
// can never be served again (their keys name the old generation), so a
// newer generation drops them at once instead of letting them age out.
func (pc *pageCache) put(key string, gen int64, body []byte) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen > pc.gen {
		pc.gen = gen
		for e := pc.order.Front(); e != nil; {
			next := e.Next()
			if p := e.Value.(*cachedPage); p.gen < gen {
				pc.remove(e)
			}
			e = next
		}
	}
	if e, ok := pc.entries[key]; ok {
		pc.remove(e)
	}
	pc.entries[key] = pc.order.PushFront(&cachedPage{key: key, gen: gen, body: body})
	pc.bytes += len(body)
	for pc.bytes > pc.maxBytes && pc.order.Len() > 1 {
		pc.remove(pc.order.Back())
	}
}

func (pc *pageCache) remove(e *list.Element) {
	p := e.Value.(*cachedPage)
	pc.order.Remove(e)
	delete(pc.entries, p.key)
	pc.bytes -= len(p.body)
}

// pageKey is the cache key of the current request's page content and the
// data generation it belongs to.
func (s *Server) pageKey(c echo.Context) (string, int64, error) {
	gen, err := s.store.Generation(c.Request().Context())
	if err != nil {
		return "", 0, err
	}
	u, _ := currentUser(c)
	return c.Request().URL.RequestURI() + "\x00" + i18n.Lang(c.Request().Context()) + "\x00" +
		strconv.FormatInt(u.ID, 10) + "\x00" + s.store.Today().String() + "\x00" + strconv.FormatInt(gen, 10), gen, nil
}

// renderBody renders content into bytes for the cache.
func renderBody(c echo.Context, content templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := content.Render(c.Request().Context(), &buf); err != nil {
		return nil, err
	}
	// A copy of exactly its size: the buffer's spare capacity would
	// otherwise stay in the cache unaccounted.
	return bytes.Clone(buf.Bytes()), nil
}

// bodyMark stands for the cached content while the layout renders.
const bodyMark = "\x00safecampus-page-content\x00"

// renderInLayout writes the layout of b around content rendered earlier.
// The layout is rendered around a mark and written in two pieces on either
// side of the cached bytes: copying a large dashboard into the layout (and
// into a string for templ.Raw) was most of a cache hit's allocations and
// a good part of its CPU. The rendered layout is cached too (layoutAround).
func (s *Server) renderInLayout(c echo.Context, b web.Base, body []byte) error {
	before, after, err := s.layoutAround(c, b)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(before)+len(body)+len(after)))
	c.Response().WriteHeader(http.StatusOK)
	for _, part := range [][]byte{before, body, after} {
		if _, err := c.Response().Write(part); err != nil {
			return err
		}
	}
	return nil
}

// layoutAround is the layout of b, split where the content goes. It is a
// function of b and the language alone (b.Lang names it), so it is cached
// in the page cache under b's every field and the data generation.
func (s *Server) layoutAround(c echo.Context, b web.Base) (before, after []byte, err error) {
	ctx := c.Request().Context()
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return nil, nil, err
	}
	fields, err := json.Marshal(b)
	if err != nil {
		return nil, nil, err
	}
	key := "layout\x00" + strconv.FormatInt(gen, 10) + "\x00" + string(fields)
	page, ok := s.pages.get(key)
	if !ok {
		var buf bytes.Buffer
		if err := web.Layout(b).Render(templ.WithChildren(ctx, templ.Raw(bodyMark)), &buf); err != nil {
			return nil, nil, err
		}
		page = bytes.Clone(buf.Bytes())
		s.pages.put(key, gen, page)
	}
	before, after, ok = bytes.Cut(page, []byte(bodyMark))
	if !ok {
		return nil, nil, errors.New("render: the layout did not place its content")
	}
	return before, after, nil
}
