package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-org/parley"
)

var metaTag = regexp.MustCompile(`<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)">`)

// metaOf reads a page's Open Graph and Twitter card metadata.
func metaOf(body string) map[string]string {
	m := map[string]string{}
	for _, tag := range metaTag.FindAllStringSubmatch(body, -1) {
		m[tag[1]] = html.UnescapeString(tag[2])
	}
	return m
}

// TestShareMetadataAndLinks: debates, experts and answers tell the sites
// they are shared on their title, question, picture and its description,
// at absolute addresses, and offer plain share links with no script.
func TestShareMetadataAndLinks(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	d := s.debate("cars", parley.DebatePublished, false)
	d.ImageURL, d.ImageCredit = "/media/hero.png", "Photo: A. Photographer"
	if _, err := s.store.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)
	c := s.comment(d, 0, "Zofia", "Trams first.")
	a := s.answered(d, c, "Dr Ines Okafor", "Trams pay back in twenty years.")
	base := s.http.URL

	page := s.get("/debates/cars")
	m := metaOf(page.body)
	want := map[string]string{
		"og:type": "article", "og:url": base + "/debates/cars", "og:title": "Debate cars", "og:description": "What should cars do?",
		"og:image": base + "/media/hero.png", "og:image:alt": "Picture for the debate “Debate cars” (Photo: A. Photographer)",
		"twitter:card": "summary_large_image", "twitter:image:alt": "Picture for the debate “Debate cars” (Photo: A. Photographer)",
		"og:site_name": "Parley",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("debate %s = %q, want %q", k, m[k], v)
		}
	}
	wantContains(t, page.body, `<nav class="share-links" aria-label="Share">`,
		`href="mailto:?subject=Debate%20cars&amp;body=Debate%20cars%0A%0A`+url.QueryEscape(base+"/debates/cars")+`"`,
		`href="https://bsky.app/intent/compose?text=Debate%20cars%20`+url.QueryEscape(base+"/debates/cars")+`"`,
		`href="https://www.facebook.com/sharer/sharer.php?u=`+url.QueryEscape(base+"/debates/cars")+`"`,
		`class="share-native link-button" hidden`)
	wantLacks(t, page.body, "<script>", "platform.twitter.com", "connect.facebook.net")

	expert := s.get("/experts/dr-ines-okafor")
	wantStatus(t, expert, http.StatusOK)
	m = metaOf(expert.body)
	if m["og:type"] != "profile" || m["og:title"] != "Dr Ines Okafor" || m["og:image"] != base+"/media/p.svg" ||
		m["og:image:alt"] != "Portrait of Dr Ines Okafor (Photo: Pat)" || m["og:description"] != "Transport economist, Institute of Streets" {
		t.Errorf("expert metadata: %v", m)
	}

	// An answer has a page of its own, which its share links name.
	answerPath := "/debates/cars/answers/" + strconv.FormatInt(a.ID, 10)
	wantContains(t, page.body, `href="`+answerPath+`">Share<span class="visually-hidden"> Dr Ines Okafor's answer</span>`)
	ap := s.get(answerPath)
	wantStatus(t, ap, http.StatusOK)
	m = metaOf(ap.body)
	if m["og:title"] != "Dr Ines Okafor answers Zofia: Debate cars" || m["og:url"] != base+answerPath ||
		m["og:description"] != "Trams pay back in twenty years." || m["og:image"] != base+"/media/p.svg" {
		t.Errorf("answer metadata: %v", m)
	}
	wantContains(t, ap.body, "Trams pay back in twenty years.", "Is Zofia right?", "Trams first.",
		`href="/answers/`+strconv.FormatInt(a.ID, 10)+`"`, `class="share-links"`)
	wantStatus(t, s.get("/debates/cars/answers/999999"), http.StatusNotFound)
	other := s.debate("other", parley.DebatePublished, false)
	_ = other
	wantStatus(t, s.get("/debates/other/answers/"+strconv.FormatInt(a.ID, 10)), http.StatusNotFound)

	// Other pages say nothing they do not mean.
	if m := metaOf(s.get("/privacy").body); len(m) != 0 {
		t.Errorf("the privacy page has share metadata: %v", m)
	}
}

// TestTopicsHaveNamesPagesAndFeeds: topics read as words, link to a page
// of their debates, and have an Atom feed.
func TestTopicsHaveNamesPagesAndFeeds(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	mk := func(slug string, status parley.DebateStatus, topics ...string) *parley.Debate {
		d := s.debate(slug, status, false)
		d.Topics = topics
		if _, err := s.store.SaveDebate(ctx, d); err != nil {
			t.Fatal(err)
		}
		s.srv.Invalidate(d.ID)
		return d
	}
	mk("trams", parley.DebatePublished, "public-transport", "cities")
	mk("buses", parley.DebateClosed, "public-transport")
	mk("secret", parley.DebateDraft, "public-transport")
	mk("schools", parley.DebatePublished, "education")

	page := s.get("/debates/trams")
	wantContains(t, page.body, `<a class="topic" href="/topics/public-transport">Public transport</a>`, `<a class="topic" href="/topics/cities">Cities</a>`)

	topic := s.get("/topics/public-transport")
	wantStatus(t, topic, http.StatusOK)
	wantContains(t, topic.body, "<h1 class=\"page-title\">Public transport</h1>", "/debates/trams", "/debates/buses",
		`<link rel="alternate" type="application/atom+xml" href="/topics/public-transport/feed.atom">`)
	wantLacks(t, topic.body, "/debates/secret", "/debates/schools")
	wantStatus(t, s.get("/topics/nothing-here"), http.StatusNotFound)

	feed := s.get("/topics/public-transport/feed.atom")
	wantStatus(t, feed, http.StatusOK)
	var f struct {
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed.body), &f); err != nil {
		t.Fatalf("topic feed: %v\n%s", err, feed.body)
	}
	if f.Title != "Parley: Public transport" || len(f.Entries) != 2 || f.Updated == "" || strings.HasPrefix(f.Updated, "1970") {
		t.Errorf("topic feed: %q, %d entries, updated %q; want the two public debates", f.Title, len(f.Entries), f.Updated)
	}
	wantStatus(t, s.get("/topics/nothing-here/feed.atom"), http.StatusNotFound)

	// Related debates end a debate's page: the same topics, public only.
	wantContains(t, page.body, `<h2 id="related-title">Related debates</h2>`, `class="related-title" href="/debates/buses"`)
	related := page.body[strings.Index(page.body, `id="related-title"`):]
	wantLacks(t, related, "/debates/secret", "/debates/schools", `href="/debates/trams"`)
	wantLacks(t, s.get("/debates/schools").body, "Related debates")
}

// TestSearchPage: /search finds debates and the comments readers can see,
// marks the words, pages its results, and takes any input without error.
func TestSearchPage(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("trams", parley.DebatePublished, false)
	shown := s.comment(d, 0, "Ana", "Trams are quieter than buses, and <b>cheaper</b> too.")
	held := s.post(newBrowser(), "trams", url.Values{"author_name": {"Bo"}, "author_email": {"bo@example.org"}, "body": {"Trams for everyone"},
		"started": {s.stamp("/debates/trams/comments", 0)}}) // too fast: held
	if held.Status != parley.CommentPending {
		t.Fatalf("held comment is %s", held.Status)
	}

	r := s.get("/search?q=" + url.QueryEscape("TRAMS quieter"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `href="/comments/`+strconv.FormatInt(shown.ID, 10)+`"`, "<mark>Trams</mark> are <mark>quieter</mark>",
		`value="TRAMS quieter"`, "<strong>Ana</strong> in <a href=\"/debates/trams\">Debate trams</a>")
	wantLacks(t, r.body, "/comments/"+strconv.FormatInt(held.ID, 10), "<b>cheaper</b>")
	debates := s.get("/search?q=article+trams")
	wantContains(t, debates.body, `<a class="result-title" href="/debates/trams">Debate trams</a>`, "An <mark>article</mark> about <mark>trams</mark>")

	for _, q := range []string{`"`, `trams AND`, `NEAR(`, `*`, `title:x`, `-`, "\xff\xfe", strings.Repeat("долгий ", 100)} {
		r := s.get("/search?q=" + url.QueryEscape(q))
		if r.status != http.StatusOK {
			t.Errorf("search %q: status %d", q, r.status)
		}
	}
	wantContains(t, s.get("/search?q=%22%22").body, "Type a word or two")
	wantContains(t, s.get("/search?q=zeppelins").body, "Nothing found for “zeppelins”")
	wantContains(t, s.get("/search").body, `<form class="search-form" role="search"`)
	wantContains(t, s.get("/").body, `<a href="/search">Search</a>`)

	// Pages of results, bounded.
	for i := 0; i < searchPerPage+5; i++ {
		s.comment(d, 0, fmt.Sprintf("P%d", i), fmt.Sprintf("Funiculars, take %d.", i))
	}
	first := s.get("/search?q=funiculars")
	if n := strings.Count(first.body, "<mark>Funiculars</mark>"); n != searchPerPage {
		t.Errorf("first page: %d results, want %d", n, searchPerPage)
	}
	wantContains(t, first.body, `href="/search?q=funiculars&amp;page=2" rel="next"`)
	second := s.get("/search?q=funiculars&page=2")
	if n := strings.Count(second.body, "<mark>Funiculars</mark>"); n != 5 {
		t.Errorf("second page: %d results, want 5", n)
	}
	wantContains(t, second.body, `href="/search?q=funiculars&amp;page=1" rel="prev"`)
	wantLacks(t, second.body, `rel="next"`)
	wantStatus(t, s.get("/search?q=funiculars&page=999999"), http.StatusOK)
}

func TestSnippet(t *testing.T) {
	text := strings.Repeat("lorem ipsum ", 40) + "Here the <tram> comes & goes. " + strings.Repeat("dolor sit ", 40)
	got := string(snippet(text, []string{"tram"}))
	if !strings.HasPrefix(got, "… ") || !strings.Contains(got, "Here the &lt;<mark>tram</mark>&gt; comes &amp; goes.") || !strings.HasSuffix(got, " …") {
		t.Errorf("snippet: %q", got)
	}
	if got := string(snippet("Short text.", []string{"absent"})); got != "Short text." {
		t.Errorf("no match: %q", got)
	}
}
