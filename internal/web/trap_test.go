package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	dto "github.com/prometheus/client_model/go"
)

func TestFormsFilledInByProgramsAreCaught(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("traps", parley.DebatePublished, false)
	page := s.get("/debates/traps")
	wantContains(t, page.body, `name="started"`, `name="website"`, `class="trap" aria-hidden="true"`)

	other := s.debate("elsewhere", parley.DebatePublished, false)
	stamp := func(ago time.Duration) string { return s.srv.formStamp(d.ID, time.Now().Add(-ago)) }
	post := func(name string, extra url.Values) response {
		t.Helper()
		form := formValues(name, name+"@example.org", "A comment by "+name+".")
		for k, v := range extra {
			form[k] = v
		}
		return s.postForm(newBrowser(), "/debates/traps/comments", form)
	}
	// Each looks accepted to its sender.
	used := stamp(time.Minute)
	wantStatus(t, post("person", url.Values{"started": {used}}), http.StatusSeeOther)
	wantStatus(t, post("honeypot", url.Values{"started": {stamp(time.Minute)}, "website": {"http://spam.example"}}), http.StatusSeeOther)
	wantStatus(t, post("hasty", url.Values{"started": {stamp(time.Second)}}), http.StatusSeeOther)
	wantStatus(t, post("forged", url.Values{"started": {"1700000000000~forged"}}), http.StatusSeeOther)
	// A stamp is bound to a window of time, to its debate's form, and to
	// one comment from a network.
	wantStatus(t, post("stale", url.Values{"started": {stamp(formStampLifetime + time.Minute)}}), http.StatusSeeOther)
	wantStatus(t, post("elsewhere", url.Values{"started": {s.srv.formStamp(other.ID, time.Now().Add(-time.Minute))}}), http.StatusSeeOther)
	wantStatus(t, post("again", url.Values{"started": {used}}), http.StatusSeeOther)
	wantStatus(t, post("thrice", url.Values{"started": {used}}), http.StatusSeeOther)

	comments, err := s.store.RecentComments(context.Background(), d.ID, 10)
	if err != nil || len(comments) != 1 || comments[0].AuthorName != "person" {
		t.Fatalf("shown comments %v (%v), want only the person's", comments, err)
	}
	want := map[string]parley.CommentStatus{"honeypot": parley.CommentSpam, "hasty": parley.CommentPending, "forged": parley.CommentPending,
		"stale": parley.CommentPending, "elsewhere": parley.CommentPending, "again": parley.CommentPending, "thrice": parley.CommentPending}
	for id := comments[0].ID + 1; id <= comments[0].ID+int64(len(want)); id++ {
		c, err := s.store.Comment(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != want[c.AuthorName] {
			t.Errorf("%s's comment is %s, want %s", c.AuthorName, c.Status, want[c.AuthorName])
		}
		if c.AuthorName == "thrice" {
			items, err := s.store.ModerationQueue(context.Background(), store.QueueFilter{CommentID: c.ID})
			if err != nil || len(items) != 1 || !strings.Contains(strings.Join(items[0].HoldReasons, " "), "sent 3 times") {
				t.Errorf("the third use of a form is held for %+v (%v)", items, err)
			}
		}
	}
	var m dto.Metric
	if err := s.srv.metrics.formStampReuses.Write(&m); err != nil || m.GetCounter().GetValue() != 2 {
		n := m.GetCounter().GetValue()
		t.Errorf("form stamp reuses counted %v, want 2", n)
	}
}

func TestGuestsAreLimitedByAddressToo(t *testing.T) {
	s := newSite(t, Config{PostsPerMinute: 1, PostBurst: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	s.debate("limits", parley.DebatePublished, false)
	var last response
	for i := range 3 {
		// A new network each time, as a botnet has: the address still counts.
		last = s.api(http.MethodPost, "/api/v1/debates/limits/comments",
			map[string]string{"author_name": "Same", "author_email": "same@example.org", "body": "Post " + strconv.Itoa(i)},
			"X-Forwarded-For", "198.51."+strconv.Itoa(100+i)+".1")
	}
	wantStatus(t, last, http.StatusTooManyRequests)
	wantContains(t, last.body, "posting comments")
}

// A value signed for one purpose never passes for another: the stamp every
// comment form carries is no list of pending comments to show its holder.
func TestSignedValuesKeepToTheirPurpose(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("purposes", parley.DebatePublished, false)
	for _, token := range []string{s.srv.formStamp(d.ID, time.Now()), s.srv.signPair("appeal", d.ID, 1), s.srv.sign("posted", "posted.1")} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: pendingCookie, Value: token})
		if ids := s.srv.pendingIDs(r); len(ids) > 0 {
			t.Errorf("token %q is taken as the pending comments %v", token, ids)
		}
		if _, _, ok := s.srv.verifyPair("answer", token); ok {
			t.Errorf("token %q passes as an answer link", token)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: pendingCookie, Value: s.srv.sign("pending", "7.8")})
	if ids := s.srv.pendingIDs(r); len(ids) != 2 || ids[0] != 7 || ids[1] != 8 {
		t.Errorf("a pending cookie reads %v, want [7 8]", ids)
	}
}
