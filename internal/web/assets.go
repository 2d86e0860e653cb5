package web

import (
	"bytes"
	_ "embed"
	"io/fs"
	"net/http"
	"os"
	"path"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/media"
)

//go:embed openapi.json
var openAPI []byte

const yearCache = "public, max-age=31536000, immutable"

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if !fs.ValidPath(name) {
		s.handleNotFound(w, r)
		return
	}
	b, err := fs.ReadFile(assets, "static/"+name)
	if err != nil {
		s.handleNotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == staticVersion[name] {
		w.Header().Set("Cache-Control", yearCache)
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	p, err := s.media.Path(name)
	if err != nil {
		s.handleNotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", yearCache)
	h.Set("Content-Type", media.Types[path.Ext(name)])
	// An SVG opened directly must not run script.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	f, err := os.Open(p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	http.ServeContent(w, r, name, time.Time{}, f)
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPI)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Warn("health check: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There is nothing at this address."))
}
