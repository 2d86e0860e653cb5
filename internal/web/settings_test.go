package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail"
)

const testLogo = "/media/0123456789abcdef0123456789abcdef.png"

// libraryLogo puts an image in the library for the settings to choose.
func (s *site) libraryLogo() {
	s.t.Helper()
	up := &parley.Upload{Name: strings.TrimPrefix(testLogo, "/media/"), ContentType: "image/png", Bytes: 100, Width: 200, Height: 40, Credit: "Our logo"}
	if err := s.store.SaveUpload(context.Background(), up); err != nil {
		s.t.Fatal(err)
	}
}

// mailboxHas reports whether the dev mailbox holds a message with the subject.
func mailboxHas(s *site, subject string) bool {
	for _, e := range s.srv.outbox.Sender().(*mail.Log).Mailbox().Messages() {
		if e.Message.Subject == subject {
			return true
		}
	}
	return false
}

func settingsValues(more ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(more); i += 2 {
		v.Set(more[i], more[i+1])
	}
	return v
}

func TestHomeOfAFreshSiteLooksFinished(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("first", parley.DebatePublished, false)
	r := s.get("/")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `<h1 id="site-title" class="page-title">Parley</h1>`, "Public debates: read the question, say what you think, hear from experts.",
		`<a class="brand" href="/">Parley</a>`, "Made with Parley, open-source software for public debate.", "/debates/first")
	wantLacks(t, r.body, "Featured debate", "Published by", "<img src=\"/media/")
}

func TestSettingsMakeTheSiteAPublication(t *testing.T) {
	s := newSite(t, Config{SiteName: "Configured Name"})
	_, admin := s.account("Ada Admin", parley.RoleAdmin)
	s.libraryLogo()
	featured := s.debate("featured", parley.DebatePublished, false)
	s.debate("newer", parley.DebatePublished, false)
	draft := s.debate("hidden", parley.DebateDraft, false)

	// The configured name is the default, on the page and in the feed.
	for range 2 { // twice, so the response cache keeps the page
		wantContains(t, s.get("/").body, "<title>Debates · Configured Name</title>")
	}
	wantContains(t, s.get("/feeds/debates.atom").body, "Configured Name: debates")
	wantContains(t, s.get("/feeds/debates.atom").body, "Configured Name: debates")

	form := s.getAs(admin, "/admin/settings")
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form.body, `<a href="/admin/settings" aria-current="page">`, `Leave it empty for “Configured Name”`, `<option value="`+testLogo+`"`, `<option value="`+strconv.FormatInt(featured.ID, 10)+`"`)
	wantLacks(t, form.body, `<option value="`+strconv.FormatInt(draft.ID, 10)+`"`)

	r := s.postForm(admin, "/admin/settings", settingsValues("name", "The Riverside Forum", "organisation", "The Riverside Gazette",
		"logo", testLogo, "intro", "Where the city argues, *politely*.", "featured_debate", strconv.FormatInt(featured.ID, 10),
		"controller_name", "Riverside Gazette Ltd", "controller_email", "privacy@riverside.example"))
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/admin/settings?saved=1" {
		t.Fatalf("redirect to %q", loc)
	}
	wantContains(t, s.getAs(admin, "/admin/settings?saved=1").body, "Saved.", `value="The Riverside Forum"`)

	// The cached home page is dropped and shows the settings at once.
	home := s.get("/")
	wantContains(t, home.body, "<title>Debates · The Riverside Forum</title>", `<h1 id="site-title" class="page-title">The Riverside Forum</h1>`,
		`<img src="`+testLogo+`" alt="" height="40">The Riverside Forum</a>`, "Published by The Riverside Gazette",
		"<p>Where the city argues, <em>politely</em>.</p>", `<meta name="description" content="Where the city argues, politely.">`,
		"Featured debate", "The Riverside Forum is published by The Riverside Gazette.")
	featuredAt, newerAt := strings.Index(home.body, "/debates/featured"), strings.Index(home.body, "/debates/newer")
	if featuredAt < 0 || newerAt < 0 || featuredAt > newerAt {
		t.Errorf("the featured debate must come first (featured at %d, newer at %d)", featuredAt, newerAt)
	}
	if n := strings.Count(home.body, `href="/debates/featured"`); n != 1 {
		t.Errorf("the featured debate is shown %d times, want once", n)
	}
	// Every page's header and the feed.
	wantContains(t, s.get("/debates/newer").body, "The Riverside Forum</a>", "<title>")
	wantContains(t, s.get("/feeds/debates.atom").body, "The Riverside Forum: debates")
	wantContains(t, s.get("/privacy").body, `height="40">The Riverside Forum</a>`)

	// Mail written from now on names the site as set.
	msg, err := s.srv.linkMessage(nil, &parley.User{Name: "Reader", Email: "reader@example.org"}, "signin", "https://x.example/links/signin/t")
	if err != nil || !strings.HasSuffix(msg.Subject, "· The Riverside Forum") || !strings.Contains(msg.Text, "The Riverside Forum") {
		t.Errorf("sign-in mail: %q, %v", msg.Subject, err)
	}
	wantStatus(t, s.postForm(newBrowser(), "/debates/newer/subscriptions", url.Values{"email": {"follower@example.org"}, "delivery": {"immediate"}}), http.StatusOK)
	s.settle()
	if !mailboxHas(s, "Please confirm: mail from The Riverside Forum") {
		t.Errorf("the confirmation mail does not name the site as set")
	}

	// Emptied, the name falls back to the configured one; a featured
	// debate that is no longer public is not shown.
	wantStatus(t, s.postForm(admin, "/admin/settings", settingsValues("featured_debate", strconv.FormatInt(featured.ID, 10))), http.StatusSeeOther)
	featured.Status = parley.DebateDraft
	if err := s.store.UpdateDebate(context.Background(), featured); err != nil {
		t.Fatal(err)
	}
	home = s.get("/")
	wantContains(t, home.body, "<title>Debates · Configured Name</title>", "Public debates: read the question")
	wantLacks(t, home.body, "Featured debate", "/debates/featured", "Riverside")
}

func TestSettingsFormKeepsInputAndExplains(t *testing.T) {
	s := newSite(t, Config{})
	_, admin := s.account("Ada Admin", parley.RoleAdmin)
	draft := s.debate("draft", parley.DebateDraft, false)
	r := s.postForm(admin, "/admin/settings", settingsValues("name", "Kept name", "logo", "/media/ffffffffffffffffffffffffffffffff.png",
		"featured_debate", strconv.FormatInt(draft.ID, 10), "controller_email", "not an address", "dpo_name", "Dee Pio",
		"authority_url", "javascript:alert(1)", "intro", "*kept*"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "The settings were not saved yet", `value="Kept name"`, ">*kept*</textarea>",
		"There is no such image in the library.", "this one is a draft", "Give an address such as privacy@example.org.",
		"Name the person or organisation these contact details belong to.", "Give the officer&#39;s address",
		"The link must be an http(s) address.", `id="controller_email" name="controller_email" type="email" value="not an address" aria-describedby="controller_email-help controller_email-problem" aria-invalid="true"`,
		`id="name" name="name" value="Kept name" aria-describedby="name-help"`)
	// The first field with a problem takes the focus.
	if strings.Count(r.body, " autofocus") != 1 || !strings.Contains(r.body, `aria-describedby="logo-help logo-problem" aria-invalid="true" autofocus`) {
		t.Errorf("the logo field should have the focus:\n%s", r.body)
	}
	st, err := s.store.Site(context.Background())
	if err != nil || st.Name != "" {
		t.Fatalf("a refused form saved %+v (%v)", st, err)
	}

	// Without JavaScript, the preview button shows the introduction and saves nothing.
	r = s.postForm(admin, "/admin/settings", settingsValues("action", "preview", "name", "Not yet", "intro", "Hello *there*"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "<p>Hello <em>there</em></p>", `value="Not yet"`)
	if st, _ := s.store.Site(context.Background()); st.Name != "" {
		t.Errorf("the preview saved the settings")
	}
}

func TestPrivacyPageAndConsoleWarningUntilTheControllerIsNamed(t *testing.T) {
	s := newSite(t, Config{})
	_, admin := s.account("Ada Admin", parley.RoleAdmin)
	_, editor := s.account("Ed Editor", parley.RoleEditor)
	warning := `<a href="/admin/settings">Fill in the privacy settings</a>`

	p := s.get("/privacy")
	wantStatus(t, p, http.StatusOK)
	wantContains(t, p.body, "The operator of this site has not yet named the controller", "The operator has not named a data-protection officer.",
		"Who is responsible", "What we keep, why, and on what legal basis", "Who receives your data", "How long we keep it", "Your rights",
		"Art. 6(1)(a)", "Art. 6(1)(b)", "Art. 6(1)(c)", "Art. 6(1)(f)", "Digital Services Act", "rectif", "corrected", "erased", "restrict",
		"portability", "object", "withdraw your consent", "complain to a supervisory authority", "edpb.europa.eu",
		"for 30 days", "keyed hash", "None. Your comment", "Cookies", "automated means")
	wantLacks(t, p.body, warning)
	for _, path := range []string{"/admin", "/admin/users", "/moderation", "/admin/mailbox"} {
		wantContains(t, s.getAs(admin, path).body, warning)
	}
	wantLacks(t, s.getAs(editor, "/admin").body, warning)
	wantLacks(t, s.getAs(admin, "/").body, warning)

	r := s.postForm(admin, "/admin/settings", settingsValues("controller_name", "Riverside Gazette Ltd",
		"controller_address", "1 Quay Street\nRiverside", "controller_email", "privacy@riverside.example",
		"dpo_name", "Dana Officer", "dpo_email", "dpo@riverside.example", "authority_name", "Information Commissioner's Office",
		"authority_url", "https://ico.org.uk", "mail_provider", "Example Mail Ltd"))
	wantStatus(t, r, http.StatusSeeOther)
	p = s.get("/privacy")
	wantContains(t, p.body, "<strong>Riverside Gazette Ltd</strong>", `<address class="postal-address">1 Quay Street`+"\n"+`Riverside</address>`,
		`<a href="mailto:privacy@riverside.example">privacy@riverside.example</a>`, "Our data-protection officer is Dana Officer",
		`<a href="mailto:dpo@riverside.example">`, `<a href="https://ico.org.uk">Information Commissioner&#39;s Office</a>`,
		"run by <strong>Example Mail Ltd</strong>")
	wantLacks(t, p.body, "has not yet named the controller")
	wantLacks(t, s.getAs(admin, "/admin").body, warning)
	wantLacks(t, s.getAs(admin, "/moderation").body, warning)
}

func TestSettingsThroughTheAPI(t *testing.T) {
	s := newSite(t, Config{})
	admin, _ := s.account("Ada Admin", parley.RoleAdmin)
	editor, _ := s.account("Ed Editor", parley.RoleEditor)
	d := s.debate("api", parley.DebatePublished, false)
	s.libraryLogo()
	auth := func(u *parley.User) []string { return []string{"Authorization", "Bearer " + s.apiToken(u)} }
	admins := auth(admin)

	wantStatus(t, s.api(http.MethodGet, "/api/v1/admin/settings", nil), http.StatusUnauthorized)
	wantStatus(t, s.api(http.MethodGet, "/api/v1/admin/settings", nil, auth(editor)...), http.StatusForbidden)
	wantStatus(t, s.api(http.MethodPatch, "/api/v1/admin/settings", map[string]string{"name": "Hijack"}, auth(editor)...), http.StatusForbidden)

	r := s.api(http.MethodGet, "/api/v1/admin/settings", nil, admins...)
	wantStatus(t, r, http.StatusOK)
	var got apiSettings
	r.json(t, &got)
	if got.Name != "" || got.DefaultName != "Parley" || got.ControllerNamed {
		t.Fatalf("fresh settings: %+v", got)
	}

	r = s.api(http.MethodPatch, "/api/v1/admin/settings", map[string]any{"name": "API Forum", "logo_url": testLogo, "intro": "**Hello**",
		"featured_debate_id": d.ID, "controller_name": "Forum Ltd", "controller_email": "privacy@forum.example"}, admins...)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &got)
	if got.Name != "API Forum" || got.IntroHTML != "<p><strong>Hello</strong></p>" || got.FeaturedDebateID != d.ID || !got.ControllerNamed {
		t.Fatalf("patched: %+v", got)
	}
	// A PATCH leaves out what it does not name.
	r = s.api(http.MethodPatch, "/api/v1/admin/settings", map[string]any{"organisation": "Forum Ltd"}, admins...)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &got)
	if got.Name != "API Forum" || got.Organisation != "Forum Ltd" || got.LogoURL != testLogo {
		t.Fatalf("second patch: %+v", got)
	}
	wantContains(t, s.get("/").body, "API Forum", "<strong>Hello</strong>")

	r = s.api(http.MethodPatch, "/api/v1/admin/settings", map[string]any{"featured_debate_id": 999999, "logo_url": "https://elsewhere.example/logo.png",
		"controller_email": "nope"}, admins...)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	var fail struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.json(t, &fail)
	for _, f := range []string{"featured_debate_id", "logo_url", "controller_email"} {
		if fail.Error.Fields[f] == "" {
			t.Errorf("no problem named for %s: %v", f, fail.Error.Fields)
		}
	}
	wantStatus(t, s.api(http.MethodPatch, "/api/v1/admin/settings", map[string]any{"colour": "red"}, admins...), http.StatusBadRequest)
}

// A setting saved straight into the store, as another node would, reaches
// this node's pages through the store's change announcement.
func TestSettingsChangedElsewhereReachEveryPage(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("elsewhere", parley.DebatePublished, false)
	for range 2 {
		wantContains(t, s.get("/debates/elsewhere").body, `<a class="brand" href="/">Parley</a>`)
	}
	if err := s.store.SaveSite(context.Background(), &parley.Site{Name: "Elsewhere"}); err != nil {
		t.Fatal(err)
	}
	wantContains(t, s.get("/debates/elsewhere").body, `<a class="brand" href="/">Elsewhere</a>`)
	if got := s.srv.siteName(); got != "Elsewhere" {
		t.Errorf("site name %q", got)
	}
}

func TestConsolePathsAreTheConsoles(t *testing.T) {
	for p, want := range map[string]bool{"/admin": true, "/admin/settings": true, "/moderation": true, "/moderation/log": true,
		"/administrator": false, "/": false, "/privacy": false, "/moderations": false} {
		if consolePath(p) != want {
			t.Errorf("consolePath(%q) = %v", p, !want)
		}
	}
}
