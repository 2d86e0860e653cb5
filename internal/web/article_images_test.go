package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/parley-org/parley"
)

// An image in an article is fetched by every reader's browser, so by default
// only the site's own media is shown; an operator can allow other sites.
func TestArticleImagesFromOtherSites(t *testing.T) {
	const (
		pixel = `<img src="https://tracker.example/pixel.gif"`
		own   = `<img src="/media/0123456789abcdef0123456789abcdef.png" alt="A chart">`
		body  = "Sleepers are back.\n\n![A chart](/media/0123456789abcdef0123456789abcdef.png)\n\n![Counter](https://tracker.example/pixel.gif)"
	)
	for _, remote := range []bool{false, true} {
		s := newSite(t, Config{RemoteImages: remote})
		_, ed := s.account("Edith", parley.RoleEditor)
		r := s.postForm(ed, "/admin/debates", debateValues("publish", "Night trains", "Would you take a sleeper?", body, "slug", "night-trains"))
		wantStatus(t, r, http.StatusSeeOther)
		page := s.get("/debates/night-trains")
		wantStatus(t, page, http.StatusOK)
		wantContains(t, page.body, own)
		if remote {
			wantContains(t, page.body, pixel)
		} else {
			wantLacks(t, page.body, pixel)
			wantContains(t, page.body, `<a href="https://tracker.example/pixel.gif" rel="nofollow ugc noopener">Counter</a>`)
		}
		// The console's preview shows the editor the same.
		preview := s.postForm(ed, "/admin/preview", url.Values{"body": {body}})
		if remote {
			wantContains(t, preview.body, pixel)
		} else {
			wantLacks(t, preview.body, pixel)
		}
	}
}
