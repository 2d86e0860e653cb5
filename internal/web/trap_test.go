package web

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

func TestFormsFilledInByProgramsAreCaught(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("traps", parley.DebatePublished, false)
	page := s.get("/debates/traps")
	wantContains(t, page.body, `name="started"`, `name="website"`, `class="trap" aria-hidden="true"`)

	stamp := func(ago time.Duration) string {
		return s.srv.sign(strconv.FormatInt(time.Now().Add(-ago).UnixMilli(), 10))
	}
	post := func(name string, extra url.Values) response {
		t.Helper()
		form := formValues(name, name+"@example.org", "A comment by "+name+".")
		for k, v := range extra {
			form[k] = v
		}
		return s.postForm(newBrowser(), "/debates/traps/comments", form)
	}
	// Each looks accepted to its sender.
	wantStatus(t, post("person", url.Values{"started": {stamp(time.Minute)}}), http.StatusSeeOther)
	wantStatus(t, post("honeypot", url.Values{"started": {stamp(time.Minute)}, "website": {"http://spam.example"}}), http.StatusSeeOther)
	wantStatus(t, post("hasty", url.Values{"started": {stamp(time.Second)}}), http.StatusSeeOther)
	wantStatus(t, post("forged", url.Values{"started": {"1700000000000~forged"}}), http.StatusSeeOther)

	comments, err := s.store.RecentComments(context.Background(), d.ID, 10)
	if err != nil || len(comments) != 1 || comments[0].AuthorName != "person" {
		t.Fatalf("shown comments %v (%v), want only the person's", comments, err)
	}
	want := map[string]parley.CommentStatus{"honeypot": parley.CommentSpam, "hasty": parley.CommentPending, "forged": parley.CommentPending}
	for id := comments[0].ID + 1; id <= comments[0].ID+3; id++ {
		c, err := s.store.Comment(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != want[c.AuthorName] {
			t.Errorf("%s's comment is %s, want %s", c.AuthorName, c.Status, want[c.AuthorName])
		}
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
			"X-Forwarded-For", "198.51.100."+strconv.Itoa(i+1))
	}
	wantStatus(t, last, http.StatusTooManyRequests)
	wantContains(t, last.body, "posting comments")
}
