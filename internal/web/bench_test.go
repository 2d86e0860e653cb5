package web

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/store"
)

// benchSite is a site with a debate of n comments of 200-800 characters, a
// third of them replies, as the load benchmark seeds them.
func benchSite(b *testing.B, n int) *site {
	b.Helper()
	return benchSiteWith(b, n, Config{}, nil)
}

// benchSiteWith is benchSite with a configuration, and languageOf (when
// not nil) naming the language of the i-th comment.
func benchSiteWith(b *testing.B, n int, cfg Config, languageOf func(i int) string) *site {
	b.Helper()
	s := newSite(b, cfg)
	d := s.debate("bench", parley.DebatePublished, false)
	r := rand.New(rand.NewPCG(1, 2))
	md := markup.NewComments()
	var ids []int64
	ctx := context.Background()
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		for i := 0; i < n; i++ {
			var parent int64
			if len(ids) > 0 && r.IntN(3) == 0 {
				parent = ids[r.IntN(len(ids))]
			}
			body := benchBody(r)
			language := ""
			if languageOf != nil {
				language = languageOf(i)
			}
			c, _, err := s.store.CreateComment(ctx, store.CreateComment{DebateID: d.ID, ParentID: parent, AuthorName: "Reader " + strconv.Itoa(i%50),
				AuthorEmail: "r@example.org", AvatarKey: "0123456789abcdef0123", BodyMD: body, BodyHTML: md.Render(body), MaxDepth: 4,
				Language: language})
			if err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s.srv.Invalidate(d.ID)
	return s
}

func benchBody(r *rand.Rand) string {
	words := strings.Fields("the city should fund better buses before closing streets to cars because people who live far out need a way in *and* shops depend on them")
	n := 200 + r.IntN(601)
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(words[r.IntN(len(words))])
		sb.WriteByte(' ')
	}
	return sb.String()[:n]
}

// serve runs one request through the whole handler stack, without a network.
func (s *site) serve(b *testing.B, method, target string, body string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, req)
	if w.Code >= 300 {
		b.Fatalf("%s %s: status %d: %.300s", method, target, w.Code, w.Body.String())
	}
	return w
}

// benchRead measures reads beside the baseline of writing the same bytes from
// memory: distinct (a new query string each time, so the response cache
// misses), cold (as distinct, after a write each time) and hot (one URL).
func benchRead(b *testing.B, comments int, path string) {
	s := benchSite(b, comments)
	page := s.serve(b, "GET", path, "").Body.Bytes()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	b.Run("baseline-static-bytes", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for i := 0; i < b.N; i++ {
			w := httptest.NewRecorder()
			http.ServeContent(w, httptest.NewRequest("GET", "/x", nil), "x.html", time.Time{}, bytes.NewReader(page))
		}
	})
	b.Run("distinct", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for i := 0; i < b.N; i++ {
			s.serve(b, "GET", path+sep+"nocache="+strconv.Itoa(i), "")
		}
	})
	// cold: every request after a write, so the thread comes from the database.
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for i := 0; i < b.N; i++ {
			s.srv.Invalidate(1)
			s.serve(b, "GET", path+sep+"nocache="+strconv.Itoa(i), "")
		}
	})
	b.Run("hot", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for i := 0; i < b.N; i++ {
			s.serve(b, "GET", path, "")
		}
	})
	// signed-in: a reader with a session, whose pages are never taken from
	// the response cache and who costs a session lookup.
	u, _ := s.account("Bench Reader", parley.RoleParticipant)
	token, hash := auth.NewToken()
	if err := s.store.CreateSession(context.Background(), u.ID, hash); err != nil {
		b.Fatal(err)
	}
	session := &http.Cookie{Name: sessionCookie, Value: token}
	b.Run("signed-in", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for i := 0; i < b.N; i++ {
			s.serve(b, "GET", path, "", session)
		}
	})
}

func BenchmarkDebatePage1000(b *testing.B) { benchRead(b, 1000, "/debates/bench") }
func BenchmarkThreadAPI1000(b *testing.B) {
	benchRead(b, 1000, "/api/v1/debates/bench/comments?limit=1000")
}
func BenchmarkThreadAPI100(b *testing.B) {
	benchRead(b, 100, "/api/v1/debates/bench/comments?limit=1000")
}

// BenchmarkPostComment posts through the API, each comment committed before
// its response; the baseline is a request through the same middleware that
// does no work (the health check pings the database).
func BenchmarkPostComment(b *testing.B) {
	s := benchSite(b, 1000)
	r := rand.New(rand.NewPCG(3, 4))
	b.Run("baseline-healthz", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.serve(b, "GET", "/healthz", "")
		}
	})
	b.Run("post", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			body := fmt.Sprintf(`{"author_name":"Bench","author_email":"bench@example.org","body":"%d %s"}`, i, benchBody(r))
			s.serve(b, "POST", "/api/v1/debates/bench/comments", body)
		}
	})
}

func BenchmarkDebatePage100(b *testing.B) { benchRead(b, 100, "/debates/bench") }
