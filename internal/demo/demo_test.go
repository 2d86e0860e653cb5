package demo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/media"
	"github.com/parley-org/parley/internal/store/storetest"
)

func TestReflow(t *testing.T) {
	in := "One line\nwrapped here.\n\n- item one\n- item two\n\n> quoted\n> on two lines\n\nAfter."
	want := "One line wrapped here.\n\n- item one\n- item two\n\n> quoted\n> on two lines\n\nAfter."
	if got := reflow(in); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestLoadFillsOnlyAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	md, _ := media.Open(t.TempDir())
	loaded, err := Load(ctx, st, md, time.Now(), "http://parley.test")
	if err != nil || !loaded {
		t.Fatalf("first load: %v, %v", loaded, err)
	}
	list, total, err := st.Debates(ctx, parley.DebateFilter{Public: true})
	if err != nil || total != 3 {
		t.Fatalf("got %d debates (%v), want 3", total, err)
	}
	main := list[0]
	if main.CommentCount < 25 || main.ImageURL == "" || main.ImageCredit == "" || !strings.HasSuffix(strings.TrimSpace(main.BodyMD), "?") {
		t.Errorf("main debate: %d comments, image %q, credit %q; want ~30, an image with credit and an article ending in a question", main.CommentCount, main.ImageURL, main.ImageCredit)
	}
	page, err := st.Threads(ctx, parley.CommentFilter{DebateID: main.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	langs, deepest := map[string]bool{}, 0
	for _, c := range page.Comments {
		langs[c.Language] = true
		deepest = max(deepest, c.Depth)
	}
	if len(langs) < 3 || deepest < 3 {
		t.Errorf("got %d languages and depth %d, want at least 3 languages and replies three levels deep", len(langs), deepest)
	}
	qs, err := st.Questions(ctx, main.ID)
	if err != nil || len(qs) == 0 || len(qs[0].Answers) == 0 || qs[0].Answers[0].Expert.PortraitURL == "" {
		t.Fatalf("questions: %v, want featured comments with answers from experts with portraits", err)
	}
	loaded, err = Load(ctx, st, md, time.Now(), "http://parley.test")
	if err != nil || loaded {
		t.Fatalf("second load: loaded=%v err=%v, want false, nil", loaded, err)
	}
}

// TestDemoMentionsAreLinks: an "@Name" in a demo comment links to that
// person's latest comment before it, as a comment posted on the site does.
func TestDemoMentionsAreLinks(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	md, _ := media.Open(t.TempDir())
	if _, err := Load(ctx, st, md, time.Now(), "http://parley.test/"); err != nil {
		t.Fatal(err)
	}
	d, err := st.DebateBySlug(ctx, "car-free-city-centres")
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Threads(ctx, parley.CommentFilter{DebateID: d.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	// In the order they were posted; the thread's text is HTML only.
	comments := slices.SortedFunc(slices.Values(page.Comments), func(a, b *parley.Comment) int { return cmp.Compare(a.ID, b.ID) })
	latest := map[string]int64{}
	mentions := 0
	for _, c := range comments {
		for name, id := range latest {
			if !strings.Contains(c.BodyHTML, "@"+name) {
				continue
			}
			mentions++
			link := fmt.Sprintf(`<a href="http://parley.test/comments/%d"`, id)
			// The site's own link: followed, unlike readers' links elsewhere.
			if !strings.Contains(c.BodyHTML, link+`>@`+name+`</a>`) {
				t.Errorf("comment %d mentions @%s but does not link to comment %d:\n%s", c.ID, name, id, c.BodyHTML)
			}
		}
		if c.Status == parley.CommentApproved {
			latest[c.AuthorName] = c.ID
		}
	}
	if mentions < 2 {
		t.Errorf("%d mentions checked, want the demo's", mentions)
	}
}
