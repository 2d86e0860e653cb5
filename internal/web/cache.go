package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"golang.org/x/sync/singleflight"
)

// pageCache keeps rendered anonymous responses in memory until a write to
// the debate they show invalidates them. Keys are the full request URI, so a
// page with any other query string is rendered on its own.
type pageCache struct {
	mu    sync.Mutex
	limit int
	bytes int
	// clock counts invalidations; changed[d] is the clock at debate d's last
	// one, and floor the clock when everything was last invalidated.
	clock   uint64
	changed map[int64]uint64
	floor   uint64
	entries map[string]*cacheEntry
	fifo    []string
	// seen admits a key on its second request, so one-off URLs do not push
	// popular pages out.
	seen  map[string]struct{}
	group singleflight.Group
	// threads keeps the data of recently read thread pages, shared by every
	// reader: a page the response cache cannot serve (another query string,
	// a reader with pending comments) is rendered without reading the database.
	threads     map[threadKey]*threadEntry
	threadOrder []threadKey
	// debates keeps debates read by slug, where one process owns the database.
	debates map[string]*debateEntry
}

type debateEntry struct {
	made  time.Time
	start uint64
	d     *parley.Debate
}

// maxDebates bounds the debates kept; past it the map starts again.
const maxDebates = 1000

// threadKey names one page of one debate's threads.
type threadKey struct {
	debateID int64
	newest   bool
	after    int64
	limit    int
}

type threadEntry struct {
	made      time.Time
	version   int64
	page      *parley.ThreadPage
	questions []*parley.Question
	start     uint64
}

// maxThreadPages bounds the thread data kept; a page of 50 threads holds
// about 100 KB, one of a whole 1,000-comment debate about 1 MB.
const maxThreadPages = 64

type cacheEntry struct {
	made   time.Time
	status int
	header http.Header
	body   []byte
	etag   string
	// scope is the debate the page shows, or siteScope for pages that show
	// every debate (the home page, the debates feed).
	scope int64
	start uint64 // clock when rendering began
	// version is the debate's version read before rendering began.
	version int64
}

const siteScope = -1

// cacheTTL bounds how long a page may be served after a change this process
// did not hear of: a write by another process on the same SQLite file, such
// as parley debate import.
const cacheTTL = 30 * time.Second

func newPageCache(limit int) *pageCache {
	return &pageCache{limit: limit, changed: map[int64]uint64{}, entries: map[string]*cacheEntry{}, seen: map[string]struct{}{},
		threads: map[threadKey]*threadEntry{}, debates: map[string]*debateEntry{}}
}

// invalidate marks every page showing the debate, and the site-wide pages,
// as stale; they are rendered again on their next request. store.AllDebates
// marks every page stale.
func (c *pageCache) invalidate(debateID int64) {
	c.mu.Lock()
	c.clock++
	if debateID == store.AllDebates {
		c.floor = c.clock
	} else {
		c.changed[debateID] = c.clock
	}
	c.mu.Unlock()
}

func (c *pageCache) now() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clock
}

func (c *pageCache) get(key string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil && c.fresh(e) {
		return e
	}
	return nil
}

// fresh reports whether no write has changed what the entry shows since its
// rendering began. Call with c.mu held.
func (c *pageCache) fresh(e *cacheEntry) bool {
	if time.Since(e.made) > cacheTTL || e.start < c.floor {
		return false
	}
	if e.scope == siteScope {
		return e.start == c.clock
	}
	return e.start >= c.changed[e.scope]
}

// thread returns a cached page of threads that no write has changed since:
// none this process heard of, and none that moved the debate past version.
func (c *pageCache) thread(k threadKey, version int64) *threadEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.threads[k]
	if e == nil || e.version != version || e.start < c.changed[k.debateID] || e.start < c.floor || time.Since(e.made) > cacheTTL {
		return nil
	}
	return e
}

func (c *pageCache) putThread(k threadKey, e *threadEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.threads[k]; !ok {
		c.threadOrder = append(c.threadOrder, k)
	}
	c.threads[k] = e
	for len(c.threadOrder) > maxThreadPages {
		delete(c.threads, c.threadOrder[0])
		c.threadOrder = c.threadOrder[1:]
	}
}

// debate returns a debate read since its last change, or nil.
func (c *pageCache) debate(slug string) *parley.Debate {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.debates[slug]
	if e == nil || e.start < c.changed[e.d.ID] || e.start < c.floor || time.Since(e.made) > cacheTTL {
		return nil
	}
	return e.d
}

func (c *pageCache) putDebate(slug string, start uint64, d *parley.Debate) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.debates) >= maxDebates {
		clear(c.debates)
	}
	c.debates[slug] = &debateEntry{made: time.Now(), start: start, d: d}
}

// admit reports whether a page is worth keeping: true from the second
// request for it on. The first request streams straight to the reader.
func (c *pageCache) admit(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seen[key]; ok {
		return true
	}
	if len(c.seen) > 10_000 {
		clear(c.seen)
	}
	c.seen[key] = struct{}{}
	return false
}

func (c *pageCache) put(key string, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[key]; old != nil {
		c.bytes -= len(old.body)
	} else {
		c.fifo = append(c.fifo, key)
	}
	c.entries[key] = e
	c.bytes += len(e.body)
	for c.bytes > c.limit && len(c.fifo) > 0 {
		oldest := c.fifo[0]
		c.fifo = c.fifo[1:]
		if old := c.entries[oldest]; old != nil {
			c.bytes -= len(old.body)
			delete(c.entries, oldest)
		}
	}
}

// captureWriter records a response so that it can be cached and replayed.
type captureWriter struct {
	header  http.Header
	status  int
	body    bytes.Buffer
	scope   int64
	version int64
	cache   bool
}

func (w *captureWriter) Header() http.Header { return w.header }
func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// cacheAs marks a response as cacheable, shown until the debate it shows
// (at the version it was read at) changes. Handlers call it once they know.
func cacheAs(w http.ResponseWriter, d *parley.Debate) {
	if cw, ok := w.(*captureWriter); ok {
		cw.cache, cw.scope, cw.version = true, d.ID, d.Version
	}
}

// cacheSiteWide marks a response that shows every debate as cacheable.
func cacheSiteWide(w http.ResponseWriter) {
	if cw, ok := w.(*captureWriter); ok {
		cw.cache, cw.scope = true, siteScope
	}
}

// cached serves anonymous GET requests from the page cache. Concurrent misses
// for one page wait for a single rendering.
func (s *Server) cached(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || personalised(r) {
			h(w, r)
			return
		}
		key := lang(r).Code + " " + r.URL.RequestURI()
		if e := s.cache.get(key); e != nil && s.current(r, e) {
			s.metrics.cache.WithLabelValues("hit").Inc()
			e.serve(w, r)
			return
		}
		s.metrics.cache.WithLabelValues("miss").Inc()
		if !s.cache.admit(key) {
			h(w, r)
			return
		}
		v, _, _ := s.cache.group.Do(key, func() (any, error) {
			start := s.cache.now()
			cw := &captureWriter{header: http.Header{}}
			// The rendering is shared by everyone waiting for it: one reader
			// hanging up must not cancel it for the others.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
			defer cancel()
			h(cw, r.WithContext(ctx))
			e := &cacheEntry{made: time.Now(), status: cw.status, header: cw.header, body: cw.body.Bytes(), scope: cw.scope, start: start, version: cw.version}
			if e.status == 0 {
				e.status = http.StatusOK
			}
			if cw.cache && e.status == http.StatusOK {
				e.etag = fmt.Sprintf(`"%x"`, xxhash.Sum64(e.body))
				s.cache.put(key, e)
			}
			return e, nil
		})
		e := v.(*cacheEntry)
		if !s.cache.isFresh(e) {
			// A write landed while the shared rendering ran, after this
			// reader arrived: this reader must see it.
			h(w, r)
			return
		}
		e.serve(w, r)
	}
}

// current reports whether a cached debate page still shows the debate as it
// is. Where other nodes write to the database, what this node heard is not
// enough: their notifications may still be on the way, so the debate's
// version is read (one primary-key lookup). Site-wide pages rely on the
// notifications alone.
func (s *Server) current(r *http.Request, e *cacheEntry) bool {
	if !s.store.Shared() || e.scope == siteScope {
		return true
	}
	v, err := s.store.DebateVersion(r.Context(), e.scope)
	return err == nil && v == e.version
}

func (c *pageCache) isFresh(e *cacheEntry) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fresh(e)
}

func (e *cacheEntry) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range e.header {
		h[k] = v
	}
	if e.etag != "" {
		h.Set("ETag", e.etag)
		if r.Header.Get("If-None-Match") == e.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(e.body)
	}
}
