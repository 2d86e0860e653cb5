package web

import (
	"testing"
	"time"

	"github.com/parley-org/parley/internal/store"
)

func TestCacheEntryRenderedAcrossAWriteIsStale(t *testing.T) {
	c := newPageCache(1 << 20)
	start := c.now()
	e := &cacheEntry{made: time.Now(), scope: 7, start: start, body: []byte("old")}
	c.invalidate(7) // a write lands while the page renders
	if c.isFresh(e) {
		t.Fatalf("a page rendered across a write of its debate is fresh")
	}
	other := &cacheEntry{made: time.Now(), scope: 8, start: start}
	if !c.isFresh(other) {
		t.Fatalf("a write to debate 7 made a page of debate 8 stale")
	}
	site := &cacheEntry{made: time.Now(), scope: siteScope, start: start}
	if c.isFresh(site) {
		t.Fatalf("a site-wide page survived a write")
	}
	old := &cacheEntry{made: time.Now().Add(-cacheTTL - time.Second), scope: 8, start: c.now()}
	if c.isFresh(old) {
		t.Fatalf("a page older than the TTL is fresh")
	}
}

func TestCacheKeepsAPageFromItsSecondRequestAndEvictsByBytes(t *testing.T) {
	c := newPageCache(10)
	if c.admit("/a") {
		t.Fatalf("first request admitted")
	}
	if !c.admit("/a") {
		t.Fatalf("second request not admitted")
	}
	c.put("/a", &cacheEntry{made: time.Now(), body: []byte("123456"), scope: 1, start: c.now()})
	c.put("/b", &cacheEntry{made: time.Now(), body: []byte("123456"), scope: 1, start: c.now()})
	if c.get("/a") != nil || c.get("/b") == nil || c.bytes != 6 {
		t.Fatalf("over its limit the cache must drop the oldest page: a=%v b=%v bytes=%d", c.get("/a") != nil, c.get("/b") != nil, c.bytes)
	}
}

func TestInvalidatingAllDebatesStalesEveryPage(t *testing.T) {
	c := newPageCache(1 << 20)
	e := &cacheEntry{made: time.Now(), scope: 3, start: c.now()}
	c.invalidate(store.AllDebates)
	if c.isFresh(e) {
		t.Fatalf("a page survived the invalidation of every debate")
	}
	if !c.isFresh(&cacheEntry{made: time.Now(), scope: 3, start: c.now()}) {
		t.Fatalf("a page rendered after it is stale")
	}
}
