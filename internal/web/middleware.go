package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/media"
)

// bodyLimit bounds request bodies: 64 KiB, or room for the longest comment
// the site allows (four bytes a character, percent-encoded) if that is more.
func bodyLimit(maxCommentLen int) int64 { return max(64<<10, int64(maxCommentLen)*12+8<<10) }

// responseRecorder remembers the status and size of a response.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *responseRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (for Flush).
func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs every request and records it in the metrics. The log line
// holds no personal data: no query string, no address, no form values.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		elapsed := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.observe(route, rec.status, elapsed)
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method), slog.String("path", loggedPath(r)), slog.String("route", route),
			slog.Int("status", rec.status), slog.Int("bytes", rec.bytes), slog.Duration("duration", elapsed))
	})
}

// tokenPath reports whether a path holds a secret token: an emailed link,
// a subscriptions page, an unsubscribe link, an appeal, an expert's answer link.
func tokenPath(path string) bool {
	return strings.HasPrefix(path, "/links/") || strings.HasPrefix(path, "/subscriptions/") || strings.HasPrefix(path, "/unsubscribe/") ||
		strings.HasPrefix(path, "/appeals/") || strings.HasPrefix(path, "/answer/")
}

// loggedPath is the request's path with any secret in it (an emailed
// link's token) blanked, so that the logs cannot sign anyone in.
func loggedPath(r *http.Request) string {
	if token := r.PathValue("token"); token != "" {
		return strings.Replace(r.URL.Path, token, "[token]", 1)
	}
	return r.URL.Path
}

// recoverPanics turns a panic in a handler into a 500 page and a log line.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries. The policy allows
// no inline script: pages work without JavaScript and app.js only enhances.
func securityHeaders(next http.Handler, baseURL string) http.Handler {
	https := strings.HasPrefix(baseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		if tokenPath(r.URL.Path) {
			// The address holds a token: it goes nowhere, not even in a Referer.
			h.Set("Referrer-Policy", "no-referrer")
		} else {
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		}
		h.Set("X-Frame-Options", "DENY")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// uploadPaths take image uploads, whose bodies may be as large as an image.
var uploadPaths = []string{"/admin/images", "/api/v1/admin/images"}

// uploadBodyLimit bounds an upload's body: the largest image and its form fields.
const uploadBodyLimit = media.MaxImageBytes + 64<<10

// consoleBodyLimit bounds the console's forms and API bodies, which carry
// whole articles: the longest article percent-encoded, and room for the rest.
const consoleBodyLimit = 6*parley.MaxDebateBody + 64<<10

// bodyLimitFor is the body limit of a path: n for readers' requests, more
// for the editors' console and its uploads.
func bodyLimitFor(path string, n int64) int64 {
	switch {
	case slices.Contains(uploadPaths, path):
		return max(n, uploadBodyLimit)
	case strings.HasPrefix(path, "/admin/") || strings.HasPrefix(path, "/api/v1/admin/"):
		return max(n, consoleBodyLimit)
	}
	return n
}

// limitBody refuses request bodies over n bytes, or the larger limit of
// the console's paths, and marks errors reading them as the client's.
func limitBody(next http.Handler, n int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := bodyLimitFor(r.URL.Path, n)
		if r.ContentLength > n {
			w.Header().Set("Connection", "close")
		}
		r.Body = clientBody{http.MaxBytesReader(w, r.Body, n)}
		next.ServeHTTP(w, r)
	})
}

// pathID parses a numeric path value; 0 means it is not a valid ID.
func pathID(r *http.Request, name string) int64 {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}
