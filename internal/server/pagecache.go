package server

import (
	"bytes"
	"container/list"
	"errors"
	"net/http"
	"strconv"
	"strings"
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
	// z is body compressed once for gzip responses (gzip.go), kept for
	// pages shown in the layout; a layout's body is its two halves without
	// the content between them, z[0] the first and z[1] the second.
	z []deflated
}

// size is the memory p holds.
func (p *cachedPage) size() int {
	n := len(p.body)
	for _, d := range p.z {
		n += len(d.z)
	}
	return n
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{entries: map[string]*list.Element{}, order: list.New(), maxBytes: maxBytes}
}

func (pc *pageCache) get(key string) ([]byte, bool) {
	p, ok := pc.entry(key)
	if !ok {
		return nil, false
	}
	return p.body, true
}

// entry is the cached page of key, with its compressed form if kept.
func (pc *pageCache) entry(key string) (*cachedPage, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.entries[key]
	if !ok {
		return nil, false
	}
	pc.order.MoveToFront(e)
	return e.Value.(*cachedPage), true
}

// put stores a page of data generation gen.
func (pc *pageCache) put(key string, gen int64, body []byte) {
	pc.store(&cachedPage{key: key, gen: gen, body: body})
}

// putContent stores the content of a page shown in the layout, compressed
// once for the gzip responses of every request until the next generation.
func (pc *pageCache) putContent(key string, gen int64, body []byte) *cachedPage {
	p := &cachedPage{key: key, gen: gen, body: body, z: []deflated{deflate(body, false)}}
	pc.store(p)
	return p
}

// store keeps p. Pages of older generations can never be served again
// (their keys name the old generation), so a newer generation drops them
// at once instead of letting them age out.
func (pc *pageCache) store(p *cachedPage) {
	key, gen := p.key, p.gen
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
	pc.entries[key] = pc.order.PushFront(p)
	pc.bytes += p.size()
	for pc.bytes > pc.maxBytes && pc.order.Len() > 1 {
		pc.remove(pc.order.Back())
	}
}

func (pc *pageCache) remove(e *list.Element) {
	p := e.Value.(*cachedPage)
	pc.order.Remove(e)
	delete(pc.entries, p.key)
	pc.bytes -= p.size()
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
// A client that accepts gzip gets the three pieces' compressed forms,
// kept with them, in one gzip member (gzip.go).
func (s *Server) renderInLayout(c echo.Context, b web.Base, content *cachedPage) error {
	layout, err := s.layoutAround(c, b, content.gen)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if acceptsGzip(c.Request()) {
		return writeGzip(c.Response(), http.StatusOK, layout.z[0], content.z[0], layout.z[1])
	}
	before, after := layout.body[:layout.z[0].n], layout.body[layout.z[0].n:]
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(layout.body)+len(content.body)))
	c.Response().WriteHeader(http.StatusOK)
	for _, part := range [][]byte{before, content.body, after} {
		if _, err := c.Response().Write(part); err != nil {
			return err
		}
	}
	return nil
}

// layoutKey names the layout of b in data generation gen: every field of
// b, the user by id (a change of a user is a write, so a new generation).
// It was json.Marshal(b), a few percent of a cache hit's CPU;
// TestLayoutKeyNamesEveryField holds it to Base's fields.
func layoutKey(gen int64, b web.Base) string {
	var user int64
	if b.User != nil {
		user = b.User.ID
	}
	return strings.Join([]string{"layout", strconv.FormatInt(gen, 10), b.Title, strconv.FormatInt(user, 10), b.CSRF,
		b.Lang, b.Nav, b.Flash, b.Today.String(), b.Path, strconv.FormatInt(b.Unread, 10)}, "\x00")
}

// layoutAround is the layout of b without its content, with the place of
// the content (see cachedPage.z). It is a function of b and the language
// alone (b.Lang names it), so it is cached in the page cache under b's
// every field and the data generation gen, the content's: the request
// read the generation once, for the content's key.
func (s *Server) layoutAround(c echo.Context, b web.Base, gen int64) (*cachedPage, error) {
	ctx := c.Request().Context()
	key := layoutKey(gen, b)
	if page, ok := s.pages.entry(key); ok {
		return page, nil
	}
	var buf bytes.Buffer
	if err := web.Layout(b).Render(templ.WithChildren(ctx, templ.Raw(bodyMark)), &buf); err != nil {
		return nil, err
	}
	before, after, ok := bytes.Cut(buf.Bytes(), []byte(bodyMark))
	if !ok {
		return nil, errors.New("render: the layout did not place its content")
	}
	page := &cachedPage{key: key, gen: gen, body: append(bytes.Clone(before), after...),
		z: []deflated{deflate(before, false), deflate(after, true)}}
	s.pages.store(page)
	return page, nil
}
