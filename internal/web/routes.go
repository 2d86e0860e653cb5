package web

import (
	"net/http"
)

// routes lists every route, one a line. Middleware order is at the bottom.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Pages.
	mux.HandleFunc("GET /{$}", s.cached(s.handleHome))
	mux.HandleFunc("GET /debates/{slug}", s.cached(s.handleDebate))
	mux.HandleFunc("POST /debates/{slug}/comments", s.handlePostComment)
	mux.HandleFunc("GET /debates/{slug}/comments/{id}/reply", s.handleReplyForm)
	mux.HandleFunc("GET /comments/{id}", s.handleCommentPermalink)
	mux.HandleFunc("GET /experts/{slug}", s.cached(s.handleExpert))
	mux.HandleFunc("GET /privacy", s.handlePrivacy)

	// Feeds.
	mux.HandleFunc("GET /feeds/debates.atom", s.cached(s.handleDebatesFeed))
	mux.HandleFunc("GET /debates/{slug}/comments.atom", s.cached(s.handleCommentsFeed))

	// JSON API.
	mux.HandleFunc("GET /api/v1/debates", s.cached(s.apiListDebates))
	mux.HandleFunc("GET /api/v1/debates/{slug}", s.cached(s.apiGetDebate))
	mux.HandleFunc("GET /api/v1/debates/{slug}/comments", s.cached(s.apiListComments))
	mux.HandleFunc("POST /api/v1/debates/{slug}/comments", s.apiPostComment)
	mux.HandleFunc("GET /api/v1/comments/{id}", s.apiGetComment)
	mux.HandleFunc("GET /api/v1/experts/{slug}", s.cached(s.apiGetExpert))
	mux.HandleFunc("GET /api/v1/openapi.json", s.handleOpenAPI)
	mux.HandleFunc("/api/", s.apiNotFound)

	// Assets and operations.
	mux.HandleFunc("GET /static/{file...}", s.handleStatic)
	mux.HandleFunc("GET /media/{name}", s.handleMedia)
	mux.HandleFunc("GET /avatars/{key}", s.handleAvatar)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.HandleFunc("/", s.handleNotFound)

	// Outermost first: log and measure every request, recover from panics,
	// set security headers, refuse cross-origin state changes, bound bodies.
	var h http.Handler = mux
	h = limitBody(h, bodyLimit(s.cfg.MaxCommentLen))
	h = http.NewCrossOriginProtection().Handler(h)
	h = securityHeaders(h, s.cfg.BaseURL)
	h = s.recoverPanics(h)
	h = s.observe(h)
	return h
}
