package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-org/parley"
)

// TestConsoleNavigation: every console page has the one navigation, with
// only what the signed-in role may use and the current part marked; a
// debate's console pages link to its board and moderation policy.
func TestConsoleNavigation(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("nav", parley.DebatePublished, false)
	_, mod := s.account("Mo", parley.RoleModerator)
	_, ed := s.account("Edith", parley.RoleEditor)
	_, admin := s.account("Ada", parley.RoleAdmin)
	edit, board, policy := fmt.Sprintf("/admin/debates/%d", d.ID), fmt.Sprintf("/admin/debates/%d/board", d.ID), fmt.Sprintf("/moderation/debates/%d/policy", d.ID)

	nav := `<nav class="console-nav" aria-label="Console">`
	for _, tc := range []struct {
		who        string
		c          *http.Client
		path       string
		current    string // the link marked aria-current="page"
		section    string // the link marked aria-current="true", if any
		has, lacks []string
	}{
		{"moderator", mod, "/moderation", "/moderation", "",
			[]string{`href="/moderation/log"`, `href="/moderation/bans"`},
			[]string{`href="/admin"`, `href="/admin/design"`, `href="/admin/users"`, `href="/admin/settings"`}},
		{"moderator", mod, policy, "", "/moderation",
			[]string{`<nav class="debate-nav" aria-label="This debate">`, `href="` + policy + `" aria-current="page"`, `href="/moderation?debate=`},
			[]string{`href="` + board + `"`, `href="` + edit + `"`}},
		{"editor", ed, "/admin", "/admin", "",
			[]string{`href="/admin/images"`, `href="/admin/design"`, `href="/moderation"`},
			[]string{`href="/admin/users"`, `href="/admin/settings"`, `href="/admin/mailbox"`}},
		{"editor", ed, edit, "", "/admin",
			[]string{`<nav class="debate-nav" aria-label="This debate">`, `href="` + edit + `" aria-current="page"`, `href="` + board + `"`, `href="` + policy + `"`},
			nil},
		{"editor", ed, board, "", "/admin", []string{`href="` + board + `" aria-current="page"`}, nil},
		{"editor", ed, "/admin/design", "/admin/design", "", []string{`class="table-scroll" role="region"`}, nil},
		{"admin", admin, "/admin/users", "/admin/users", "",
			[]string{`href="/admin/settings"`, `href="/admin/mail"`, `href="/admin/mailbox"`, `href="/admin"`, `href="/moderation"`},
			nil},
		{"admin", admin, "/admin/mail", "/admin/mail", "", nil, nil},
		{"admin", admin, "/moderation/log", "/moderation/log", "", nil, nil},
	} {
		r := s.getAs(tc.c, tc.path)
		wantStatus(t, r, http.StatusOK)
		has := append([]string{nav}, tc.has...)
		if tc.current != "" {
			has = append(has, `<a href="`+tc.current+`" aria-current="page">`)
		}
		if tc.section != "" {
			has = append(has, `<a href="`+tc.section+`" aria-current="true">`)
		}
		for _, want := range has {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s at %s: the page lacks %s", tc.who, tc.path, want)
			}
		}
		for _, unwanted := range tc.lacks {
			if strings.Contains(r.body, unwanted) {
				t.Errorf("%s at %s: the page has %s", tc.who, tc.path, unwanted)
			}
		}
	}
	// Visitors and participants are not shown a console navigation.
	_, reader := s.account("Rea", parley.RoleParticipant)
	if r := s.getAs(reader, "/debates/nav"); strings.Contains(r.body, nav) {
		t.Error("a participant's debate page has the console navigation")
	}
}
