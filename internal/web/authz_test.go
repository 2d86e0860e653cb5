package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
)

// matrixCase is one request per route for the authorization matrix: a
// request that a permitted role can make without changing what the next
// role sees, and the status it gets.
type matrixCase struct {
	method, path, body string
	// ok is the status for roles the route lets in.
	ok int
	// okSignedIn, when set, is the status for signed-in roles the route lets
	// in, where it differs from a visitor's (the sign-in form sends a
	// signed-in reader on).
	okSignedIn int
}

// matrix has an entry for every route in the route table: a route added
// without one fails TestAuthorizationMatrix. {c} stands for an approved
// comment, {slug} for a published debate.
var matrix = map[string]matrixCase{
	"GET /{$}":                                {"GET", "/", "", 200, 0},
	"GET /debates/{slug}":                     {"GET", "/debates/{slug}", "", 200, 0},
	"POST /debates/{slug}/comments":           {"POST", "/debates/{slug}/comments", "body=", 422, 0},
	"GET /debates/{slug}/comments/{id}/reply": {"GET", "/debates/{slug}/comments/{c}/reply", "", 200, 0},
	"GET /comments/{id}":                      {"GET", "/comments/{c}", "", 302, 0},
	"GET /experts/{slug}":                     {"GET", "/experts/nobody", "", 404, 0},
	"GET /debates/{slug}/answers/{id}":        {"GET", "/debates/{slug}/answers/999999", "", 404, 0},
	"GET /topics/{slug}":                      {"GET", "/topics/cities", "", 200, 0},
	"GET /topics/{slug}/feed.atom":            {"GET", "/topics/cities/feed.atom", "", 200, 0},
	"GET /search":                             {"GET", "/search?q=comment", "", 200, 0},
	"GET /privacy":                            {"GET", "/privacy", "", 200, 0},
	"POST /language":                          {"POST", "/language", "lang=xx", 422, 0},
	"GET /comments/{id}/translation":          {"GET", "/comments/{c}/translation", "", 200, 0},
	"POST /comments/{id}/translation":         {"POST", "/comments/{c}/translation", "to=xx", 422, 0},
	"GET /people/{id}":                        {"GET", "/people/999999", "", 404, 0},
	"GET /comments/{id}/edit":                 {"GET", "/comments/999999/edit", "", 404, 0},
	"POST /comments/{id}/edit":                {"POST", "/comments/999999/edit", "body=x", 404, 0},
	"GET /comments/{id}/delete":               {"GET", "/comments/999999/delete", "", 404, 0},
	"POST /comments/{id}/delete":              {"POST", "/comments/999999/delete", "", 404, 0},
	"GET /comments/{id}/report":               {"GET", "/comments/{c}/report", "", 200, 0},
	"POST /comments/{id}/report":              {"POST", "/comments/{c}/report", "reason=", 422, 0},
	"GET /answer/{token}":                     {"GET", "/answer/bogus", "", 404, 0},
	"POST /answer/{token}":                    {"POST", "/answer/bogus", "body=x", 404, 0},
	"POST /answer/{token}/renew":              {"POST", "/answer/bogus/renew", "", 404, 0},
	"GET /expert/questions":                   {"GET", "/expert/questions", "", 200, 0},
	"GET /expert/questions/{rid}":             {"GET", "/expert/questions/999999", "", 404, 0},
	"POST /expert/questions/{rid}/renew":      {"POST", "/expert/questions/999999/renew", "", 404, 0},
	"POST /expert/questions/{rid}":            {"POST", "/expert/questions/999999", "body=x", 404, 0},
	"GET /answers/{id}":                       {"GET", "/answers/999999", "", 404, 0},
	"GET /appeals/{token}":                    {"GET", "/appeals/bogus", "", 404, 0},
	"POST /appeals/{token}":                   {"POST", "/appeals/bogus", "body=x", 404, 0},

	"GET /moderation":                         {"GET", "/moderation", "", 200, 0},
	"POST /moderation/decisions":              {"POST", "/moderation/decisions", "action=approve", 303, 0},
	"GET /moderation/comments/{id}":           {"GET", "/moderation/comments/{c}", "", 200, 0},
	"POST /moderation/comments/{id}/ban":      {"POST", "/moderation/comments/999999/ban", "kind=email&reason=x", 303, 0},
	"POST /moderation/comments/{id}/language": {"POST", "/moderation/comments/{c}/language", "language=xx", 422, 0},
	"POST /moderation/appeals/{id}":           {"POST", "/moderation/appeals/999999", "outcome=uphold&reason=x", 303, 0},
	"GET /moderation/bans":                    {"GET", "/moderation/bans", "", 200, 0},
	"POST /moderation/bans/{id}/lift":         {"POST", "/moderation/bans/999999/lift", "", 404, 0},
	"GET /moderation/log":                     {"GET", "/moderation/log", "", 200, 0},
	"GET /moderation/debates/{id}/policy":     {"GET", "/moderation/debates/999999/policy", "", 404, 0},
	"POST /moderation/debates/{id}/policy":    {"POST", "/moderation/debates/999999/policy", "mode=post", 404, 0},
	"POST /api/v1/comments/{id}/reports":      {"POST", "/api/v1/comments/{c}/reports", `{"reason":""}`, 422, 0},

	"GET /debates/{slug}/subscribe":             {"GET", "/debates/{slug}/subscribe", "", 200, 0},
	"POST /debates/{slug}/subscriptions":        {"POST", "/debates/{slug}/subscriptions", "email=nope&delivery=hourly", 422, 0},
	"GET /subscriptions/confirm/{token}":        {"GET", "/subscriptions/confirm/1.2.bogus", "", 404, 0},
	"POST /subscriptions/confirm/{token}":       {"POST", "/subscriptions/confirm/1.2.bogus", "", 404, 0},
	"GET /subscriptions/{token}":                {"GET", "/subscriptions/1.bogus", "", 404, 0},
	"POST /subscriptions/{token}":               {"POST", "/subscriptions/1.bogus", "action=stop-all", 404, 0},
	"GET /unsubscribe/{token}":                  {"GET", "/unsubscribe/s1.bogus", "", 404, 0},
	"POST /unsubscribe/{token}":                 {"POST", "/unsubscribe/s1.bogus", "List-Unsubscribe=One-Click", 404, 0},
	"GET /admin/mail":                           {"GET", "/admin/mail", "", 200, 0},
	"POST /api/v1/debates/{slug}/subscriptions": {"POST", "/api/v1/debates/{slug}/subscriptions", `{"email":"nope","delivery":"hourly"}`, 422, 0},

	"GET /signup":                   {"GET", "/signup", "", 200, 0},
	"POST /signup":                  {"POST", "/signup", "name=", 422, 0},
	"GET /signin":                   {"GET", "/signin", "", 200, 303},
	"POST /signin":                  {"POST", "/signin", "email=", 422, 0},
	"POST /links/{purpose}":         {"POST", "/links/signin", "email=nope", 422, 0},
	"GET /links/{purpose}/{token}":  {"GET", "/links/signin/bogus", "", 404, 0},
	"POST /links/{purpose}/{token}": {"POST", "/links/signin/bogus", "", 404, 0},
	"GET /reset":                    {"GET", "/reset", "", 200, 0},
	"POST /signout":                 {"POST", "/signout", "", 303, 0},
	"POST /signout/everywhere":      {"POST", "/signout/everywhere", "", 200, 0},
	"GET /account":                  {"GET", "/account", "", 200, 0},
	"POST /account/verify":          {"POST", "/account/verify", "", 303, 0},
	"GET /admin/users":              {"GET", "/admin/users", "", 200, 0},
	"POST /admin/users/{id}/role":   {"POST", "/admin/users/999999/role", "role=editor", 404, 0},
	"GET /admin/mailbox":            {"GET", "/admin/mailbox", "", 200, 0},
	"GET /admin/mailbox/{id}/html":  {"GET", "/admin/mailbox/nothing@example.org/html", "", 404, 0},
	"GET /admin/settings":           {"GET", "/admin/settings", "", 200, 0},
	"POST /admin/settings":          {"POST", "/admin/settings", "controller_email=nope", 422, 0},

	"GET /feeds/debates.atom":              {"GET", "/feeds/debates.atom", "", 200, 0},
	"GET /debates/{slug}/comments.atom":    {"GET", "/debates/{slug}/comments.atom", "", 200, 0},
	"GET /api/v1/debates":                  {"GET", "/api/v1/debates", "", 200, 0},
	"GET /api/v1/debates/{slug}":           {"GET", "/api/v1/debates/{slug}", "", 200, 0},
	"GET /api/v1/debates/{slug}/comments":  {"GET", "/api/v1/debates/{slug}/comments", "", 200, 0},
	"POST /api/v1/debates/{slug}/comments": {"POST", "/api/v1/debates/{slug}/comments", `{"body":""}`, 422, 0},
	"GET /api/v1/comments/{id}":            {"GET", "/api/v1/comments/{c}", "", 200, 0},
	"GET /api/v1/experts/{slug}":           {"GET", "/api/v1/experts/nobody", "", 404, 0},
	"POST /api/v1/account":                 {"POST", "/api/v1/account", `{}`, 422, 0},
	"POST /api/v1/sessions":                {"POST", "/api/v1/sessions", `{}`, 422, 0},
	"DELETE /api/v1/sessions/current":      {"DELETE", "/api/v1/sessions/current", "", 204, 0},
	"POST /api/v1/links":                   {"POST", "/api/v1/links", `{}`, 422, 0},
	"POST /api/v1/links/use":               {"POST", "/api/v1/links/use", `{"purpose":"signin","token":"bogus"}`, 404, 0},
	"DELETE /api/v1/sessions":              {"DELETE", "/api/v1/sessions", "", 204, 0},
	"GET /api/v1/me":                       {"GET", "/api/v1/me", "", 200, 0},
	"PATCH /api/v1/comments/{id}":          {"PATCH", "/api/v1/comments/999999", `{"body":"x"}`, 404, 0},
	"DELETE /api/v1/comments/{id}":         {"DELETE", "/api/v1/comments/999999", "", 404, 0},
	"GET /api/v1/people/{id}":              {"GET", "/api/v1/people/999999", "", 404, 0},
	"GET /api/v1/admin/users":              {"GET", "/api/v1/admin/users", "", 200, 0},
	"PATCH /api/v1/admin/users/{id}":       {"PATCH", "/api/v1/admin/users/999999", `{"role":"editor"}`, 404, 0},
	"GET /api/v1/admin/settings":           {"GET", "/api/v1/admin/settings", "", 200, 0},
	"PATCH /api/v1/admin/settings":         {"PATCH", "/api/v1/admin/settings", `{"controller_email":"nope"}`, 422, 0},
	"GET /api/v1/openapi.json":             {"GET", "/api/v1/openapi.json", "", 200, 0},
	"/api/":                                {"GET", "/api/v1/nothing", "", 404, 0},

	"GET /admin":                                           {"GET", "/admin", "", 200, 0},
	"GET /admin/debates/new":                               {"GET", "/admin/debates/new", "", 200, 0},
	"POST /admin/debates":                                  {"POST", "/admin/debates", "title=", 422, 0},
	"GET /admin/debates/{id}":                              {"GET", "/admin/debates/999999", "", 404, 0},
	"POST /admin/debates/{id}":                             {"POST", "/admin/debates/999999", "title=x", 404, 0},
	"POST /admin/debates/{id}/questions":                   {"POST", "/admin/debates/999999/questions", "comment=1", 404, 0},
	"POST /admin/debates/{id}/questions/{qid}/move":        {"POST", "/admin/debates/999999/questions/999999/move", "by=up", 404, 0},
	"POST /admin/debates/{id}/questions/{qid}/remove":      {"POST", "/admin/debates/999999/questions/999999/remove", "", 404, 0},
	"GET /admin/debates/{id}/board":                        {"GET", "/admin/debates/999999/board", "", 404, 0},
	"GET /admin/debates/{id}/translations":                 {"GET", "/admin/debates/999999/translations", "", 404, 0},
	"POST /admin/debates/{id}/translations":                {"POST", "/admin/debates/999999/translations", "", 404, 0},
	"POST /admin/debates/{id}/translations/{lang}/delete":  {"POST", "/admin/debates/999999/translations/de/delete", "", 404, 0},
	"POST /admin/debates/{id}/answers/{aid}/translations":  {"POST", "/admin/debates/999999/answers/1/translations", "", 404, 0},
	"POST /admin/debates/{id}/comments":                    {"POST", "/admin/debates/999999/comments", "author_name=x", 404, 0},
	"POST /admin/debates/{id}/questions/{qid}/send":        {"POST", "/admin/debates/999999/questions/999999/send", "expert_ids=1", 404, 0},
	"POST /admin/requests/{rid}/revoke":                    {"POST", "/admin/requests/999999/revoke", "", 404, 0},
	"GET /admin/answers/{aid}":                             {"GET", "/admin/answers/999999", "", 404, 0},
	"POST /admin/answers/{aid}":                            {"POST", "/admin/answers/999999", "body=x", 404, 0},
	"POST /admin/preview":                                  {"POST", "/admin/preview", "body=**hi**", 200, 0},
	"GET /admin/images":                                    {"GET", "/admin/images", "", 200, 0},
	"POST /admin/images":                                   {"POST", "/admin/images", "credit=x", 422, 0},
	"GET /admin/experts":                                   {"GET", "/admin/experts", "", 200, 0},
	"GET /admin/experts/new":                               {"GET", "/admin/experts/new", "", 200, 0},
	"POST /admin/experts":                                  {"POST", "/admin/experts", "name=", 422, 0},
	"GET /admin/experts/{id}":                              {"GET", "/admin/experts/999999", "", 404, 0},
	"POST /admin/experts/{id}":                             {"POST", "/admin/experts/999999", "name=x", 404, 0},
	"GET /admin/partners":                                  {"GET", "/admin/partners", "", 200, 0},
	"GET /admin/partners/new":                              {"GET", "/admin/partners/new", "", 200, 0},
	"POST /admin/partners":                                 {"POST", "/admin/partners", "name=", 422, 0},
	"GET /admin/partners/{id}":                             {"GET", "/admin/partners/999999", "", 404, 0},
	"POST /admin/partners/{id}":                            {"POST", "/admin/partners/999999", "name=x", 404, 0},
	"POST /admin/partners/{id}/delete":                     {"POST", "/admin/partners/999999/delete", "", 404, 0},
	"GET /admin/tokens":                                    {"GET", "/admin/tokens", "", 200, 0},
	"POST /admin/tokens":                                   {"POST", "/admin/tokens", "name=", 422, 0},
	"POST /admin/tokens/{id}/revoke":                       {"POST", "/admin/tokens/999999/revoke", "", 404, 0},
	"GET /admin/design":                                    {"GET", "/admin/design", "", 200, 0},
	"GET /api/v1/admin/debates":                            {"GET", "/api/v1/admin/debates", "", 200, 0},
	"POST /api/v1/admin/debates":                           {"POST", "/api/v1/admin/debates", `{}`, 422, 0},
	"GET /api/v1/admin/debates/{id}":                       {"GET", "/api/v1/admin/debates/999999", "", 404, 0},
	"PATCH /api/v1/admin/debates/{id}":                     {"PATCH", "/api/v1/admin/debates/999999", `{}`, 404, 0},
	"POST /api/v1/admin/debates/{id}/questions":            {"POST", "/api/v1/admin/debates/999999/questions", `{"comment_id":1}`, 404, 0},
	"DELETE /api/v1/admin/debates/{id}/questions/{qid}":    {"DELETE", "/api/v1/admin/debates/999999/questions/999999", "", 404, 0},
	"POST /api/v1/admin/debates/{id}/questions/{qid}/move": {"POST", "/api/v1/admin/debates/999999/questions/999999/move", `{"by":"up"}`, 404, 0},
	"GET /api/v1/admin/tokens":                             {"GET", "/api/v1/admin/tokens", "", 200, 0},
	"POST /api/v1/admin/tokens":                            {"POST", "/api/v1/admin/tokens", `{"name":""}`, 422, 0},
	"DELETE /api/v1/admin/tokens/{id}":                     {"DELETE", "/api/v1/admin/tokens/999999", "", 404, 0},
	"GET /api/v1/admin/images":                             {"GET", "/api/v1/admin/images", "", 200, 0},
	"POST /api/v1/admin/images":                            {"POST", "/api/v1/admin/images", `{}`, 422, 0},
	"GET /api/v1/admin/experts":                            {"GET", "/api/v1/admin/experts", "", 200, 0},
	"POST /api/v1/admin/experts":                           {"POST", "/api/v1/admin/experts", `{}`, 422, 0},
	"GET /api/v1/admin/experts/{id}":                       {"GET", "/api/v1/admin/experts/999999", "", 404, 0},
	"PATCH /api/v1/admin/experts/{id}":                     {"PATCH", "/api/v1/admin/experts/999999", `{}`, 404, 0},
	"GET /api/v1/admin/partners":                           {"GET", "/api/v1/admin/partners", "", 200, 0},
	"POST /api/v1/admin/partners":                          {"POST", "/api/v1/admin/partners", `{}`, 422, 0},
	"PATCH /api/v1/admin/partners/{id}":                    {"PATCH", "/api/v1/admin/partners/999999", `{}`, 404, 0},
	"DELETE /api/v1/admin/partners/{id}":                   {"DELETE", "/api/v1/admin/partners/999999", "", 404, 0},

	"GET /static/{file...}": {"GET", "/static/app.css", "", 200, 0},
	"GET /media/{name}":     {"GET", "/media/0123456789abcdef0123456789abcdef.png", "", 404, 0},
	"GET /avatars/{key}":    {"GET", "/avatars/abc.svg", "", 200, 0},
	"GET /healthz":          {"GET", "/healthz", "", 200, 0},
	"GET /metrics":          {"GET", "/metrics", "", 200, 0},
	"/":                     {"GET", "/nothing-here", "", 404, 0},
}

// TestAuthorizationMatrix sends every route in the route table one request
// as a visitor and as each role, and checks who gets in: visitors are sent
// to sign in (pages) or told 401 (the API and form posts), roles below the
// route's get 403, the rest get the route's own answer. Every request also
// comes back with the security headers.
func TestAuthorizationMatrix(t *testing.T) {
	s := newSite(t, Config{})
	s.srv.limits = accountLimits{} // rate limits have their own tests
	d := s.debate("matrix", parley.DebatePublished, false)
	c := s.comment(d, 0, "Reader", "A comment to link to.")
	subst := strings.NewReplacer("{slug}", d.Slug, "{c}", strconv.FormatInt(c.ID, 10))

	users := map[parley.Role]*parley.User{}
	for _, role := range parley.Roles {
		u, _ := s.account("Matrix "+string(role), role)
		users[role] = u
	}
	// Each request gets a session of its own: some routes end the session they come with.
	session := func(u *parley.User) string {
		token, hash := auth.NewToken()
		if err := s.store.CreateSession(context.Background(), u.ID, hash); err != nil {
			t.Fatal(err)
		}
		return token
	}

	type who struct {
		name string
		user *parley.User
	}
	people := []who{{"visitor", nil}}
	for _, role := range parley.Roles {
		people = append(people, who{string(role), users[role]})
	}

	seen := map[string]bool{}
	for _, rt := range s.srv.routeTable() {
		seen[rt.pattern] = true
		mc, ok := matrix[rt.pattern]
		if !ok {
			t.Errorf("route %q has no entry in the authorization matrix (authz_test.go): add one", rt.pattern)
			continue
		}
		for _, p := range people {
			req, _ := http.NewRequest(mc.method, s.http.URL+subst.Replace(mc.path), strings.NewReader(mc.body))
			switch {
			case mc.body == "":
			case strings.HasPrefix(mc.path, "/api/"):
				req.Header.Set("Content-Type", "application/json")
			default:
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if p.user != nil {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session(p.user)})
			}
			res, err := newBrowser().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()

			want := mc.ok
			switch {
			case rt.access == anyone || p.user != nil && p.user.Can(rt.access.role()):
				if p.user != nil && mc.okSignedIn != 0 {
					want = mc.okSignedIn
				}
			case p.user != nil:
				want = http.StatusForbidden
			case strings.HasPrefix(mc.path, "/api/") || mc.method != http.MethodGet:
				want = http.StatusUnauthorized
			default:
				want = http.StatusSeeOther
			}
			if res.StatusCode != want {
				t.Errorf("%s %s as %s: status %d, want %d\n%.300s", mc.method, mc.path, p.name, res.StatusCode, want, body)
			}
			if want == http.StatusSeeOther && p.user == nil && rt.access != anyone {
				if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/signin?next=") {
					t.Errorf("%s as visitor redirects to %q, want the sign-in page", mc.path, loc)
				}
			}
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") ||
				res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
				t.Errorf("%s %s: security headers missing: CSP %q", mc.method, mc.path, csp)
			}
		}

		// No state-changing route takes a request from another site, whoever sends it.
		if mc.method != http.MethodGet {
			req, _ := http.NewRequest(mc.method, s.http.URL+subst.Replace(mc.path), strings.NewReader(mc.body))
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "https://evil.example")
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session(users[parley.RoleAdmin])})
			res, err := newBrowser().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site %s %s: status %d, want 403", mc.method, mc.path, res.StatusCode)
			}
		}
	}
	for pattern := range matrix {
		if !seen[pattern] {
			t.Errorf("the matrix lists %q, which is not in the route table", pattern)
		}
	}
}
