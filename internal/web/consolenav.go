package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
)

// The consoles' navigation: one partial (_console.html, "console-nav") that
// every console page includes, listing the parts of the editors', the
// moderators' and the admins' consoles that the signed-in role may use,
// with the current one marked.

// navLink is one entry of the console's navigation.
type navLink struct {
	Label, URL string
	// Current is "page" on the page the link opens, "true" elsewhere in the
	// part it leads to, and "" outside it (the value of aria-current).
	Current string
}

// navGroup is one console's links, under a heading.
type navGroup struct {
	ID, Title string
	Links     []navLink
}

// navEntry is a link of the navigation, with the role it needs and the
// paths that belong to its part of the console. Its label, like its
// group's title, is a catalogue key, translated as the page is drawn.
type navEntry struct {
	label, url string
	role       parley.Role
	// under are path prefixes (ending in "/") or whole paths that also
	// belong to this part.
	under []string
}

var consoleNavigation = []struct {
	id, title string
	entries   []navEntry
}{
	{"console-nav-editors", "Editors", []navEntry{
		{"Debates", "/admin", parley.RoleEditor, []string{"/admin/debates/", "/admin/answers/"}},
		{"Images", "/admin/images", parley.RoleEditor, nil},
		{"Experts", "/admin/experts", parley.RoleEditor, []string{"/admin/experts/"}},
		{"Partners", "/admin/partners", parley.RoleEditor, []string{"/admin/partners/"}},
		{"API tokens", "/admin/tokens", parley.RoleEditor, nil},
		{"Design system", "/admin/design", parley.RoleEditor, nil},
	}},
	{"console-nav-moderators", "Moderation", []navEntry{
		{"Queues", "/moderation", parley.RoleModerator, []string{"/moderation/comments/", "/moderation/debates/"}},
		{"Log", "/moderation/log", parley.RoleModerator, nil},
		{"Bans", "/moderation/bans", parley.RoleModerator, nil},
	}},
	{"console-nav-admins", "Administration", []navEntry{
		{"People and roles", "/admin/users", parley.RoleAdmin, nil},
		{"Settings", "/admin/settings", parley.RoleAdmin, nil},
		{"Mail that failed", "/admin/mail", parley.RoleAdmin, nil},
		{"Dev mailbox", "/admin/mailbox", parley.RoleAdmin, []string{"/admin/mailbox/"}},
	}},
}

// pagePath is the path of the page, from its canonical address.
func (m pageMeta) pagePath() string {
	u, err := url.Parse(m.Canonical)
	if err != nil {
		return ""
	}
	return u.Path
}

// ConsoleNav is the navigation of the consoles for the signed-in account:
// only the parts its role may use, the current one marked.
func (m pageMeta) ConsoleNav() []navGroup {
	path := m.pagePath()
	language := m.Lang
	if language == nil {
		language = i18n.English()
	}
	var groups []navGroup
	for _, g := range consoleNavigation {
		ng := navGroup{ID: g.id, Title: language.T(g.title)}
		for _, e := range g.entries {
			if !m.User.Can(e.role) {
				continue
			}
			l := navLink{Label: language.T(e.label), URL: e.url}
			if path == e.url {
				l.Current = "page"
			} else {
				for _, u := range e.under {
					if path == u || strings.HasSuffix(u, "/") && strings.HasPrefix(path, u) {
						l.Current = "true"
					}
				}
			}
			ng.Links = append(ng.Links, l)
		}
		if len(ng.Links) > 0 {
			groups = append(groups, ng)
		}
	}
	return groups
}

// AtPath reports whether the page is at path, for the current marks of
// smaller navigations such as a debate's.
func (m pageMeta) AtPath(path string) bool { return m.pagePath() == path }

// adminDesignPage is the design system's page: its sample table's times,
// and the template calls it shows as code.
type adminDesignPage struct {
	consoleMeta
	Updated, Drafted              time.Time
	ConsoleNavCall, DebateNavCall string
}

// handleAdminDesign shows the design system: every component of the
// stylesheet, as pages use it.
func (s *Server) handleAdminDesign(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "admin_design", adminDesignPage{consoleMeta: s.console(r, "design", lang(r).T("Design system")),
		Updated:        time.Date(2026, time.March, 1, 9, 30, 0, 0, time.UTC),
		Drafted:        time.Date(2026, time.March, 2, 14, 0, 0, 0, time.UTC),
		ConsoleNavCall: `{{template "console-nav" .}}`, DebateNavCall: `{{template "debate-nav" .}}`})
}
