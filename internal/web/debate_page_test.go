package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

// answered puts c to an expert and publishes their answer.
func (s *site) answered(d *parley.Debate, c *parley.Comment, expert, body string) *parley.Answer {
	s.t.Helper()
	ctx := context.Background()
	e := &parley.Expert{Slug: parley.Slugify(expert), Name: expert, Title: "Transport economist", Affiliation: "Institute of Streets", PortraitURL: "/media/p.svg", PortraitCredit: "Photo: Pat"}
	if err := s.store.SaveExpert(ctx, e); err != nil {
		s.t.Fatal(err)
	}
	q := &parley.Question{DebateID: d.ID, CommentID: c.ID, FramingMD: "Is " + c.AuthorName + " right?", FramingHTML: "<p>Is " + c.AuthorName + " right?</p>"}
	if err := s.store.AddQuestion(ctx, q); err != nil {
		s.t.Fatal(err)
	}
	a := &parley.Answer{QuestionID: q.ID, ExpertID: e.ID, LeadIn: "What would she say?", BodyHTML: "<p>" + body + "</p>", BodyMD: body, Status: parley.AnswerPublished}
	if err := s.store.AddAnswer(ctx, a); err != nil {
		s.t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)
	return a
}

// TestAnswerShownOnceInFull: the answer is printed in full once, under the
// comment it answers; the article has an excerpt that links to it, and the
// header says how many comments there are and where to post one.
func TestAnswerShownOnceInFull(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	c := s.comment(d, 0, "Zofia", "Trams first, then fewer cars.")
	s.comment(d, c.ID, "Malte", "Trams cost a fortune.")
	long := "Trams pay back in twenty years. " + strings.Repeat("Every line carries more people than a bus lane could. ", 8) + "The end of the answer."
	a := s.answered(d, c, "Dr Ines Okafor", long)
	body := s.get("/debates/cars").body
	if n := strings.Count(body, "The end of the answer."); n != 1 {
		t.Errorf("the answer's full text is on the page %d times, want once", n)
	}
	aid := strconv.FormatInt(a.ID, 10)
	wantContains(t, body, `class="answer-teaser"`, "Trams pay back in twenty years.", `href="#answer-`+aid+`">Read Dr Ines Okafor's answer</a>`,
		`id="answer-`+aid+`"`)
	// The excerpt comes before the thread; the answer in full after the comment.
	if strings.Index(body, `class="answer-teaser"`) > strings.Index(body, `id="comments"`) ||
		strings.Index(body, `id="answer-`+aid+`"`) < strings.Index(body, `id="comment-`+strconv.FormatInt(c.ID, 10)+`"`) {
		t.Error("the excerpt must be in the article and the answer under its comment")
	}
	// Under the header: how many comments, and a way to post one.
	jumps := regexp.MustCompile(`(?s)<p class="debate-jumps">(.*?)</p>`).FindStringSubmatch(body)
	if jumps == nil || strings.Index(body, jumps[0]) > strings.Index(body, `class="article-body"`) {
		t.Fatalf("no comment count under the header, before the article")
	}
	wantContains(t, jumps[1], `href="#comments">2 comments</a>`, `href="#post-a-comment">Post a comment</a>`, `href="#experts-title"`)
	wantContains(t, body, `id="post-a-comment"`, `id="experts-title"`)
}

// TestAnswerOnAnotherPage: when the answered comment's thread is on
// another page of comments, the excerpt links to the answer's permalink.
func TestAnswerOnAnotherPage(t *testing.T) {
	s := newSite(t, Config{ThreadsPerPage: 1})
	d := s.debate("cars", parley.DebatePublished, false)
	s.comment(d, 0, "Zofia", "Trams first.")
	c := s.comment(d, 0, "Malte", "Buses first.")
	a := s.answered(d, c, "Dr Ines Okafor", "Buses pay back.")
	first := s.get("/debates/cars")
	if strings.Contains(first.body, `id="comment-`+strconv.FormatInt(c.ID, 10)+`"`) {
		t.Fatal("the answered comment should be on the second page")
	}
	wantContains(t, first.body, `href="/answers/`+strconv.FormatInt(a.ID, 10)+`">Read Dr Ines Okafor`)
}

// longThread posts a top-level comment with n replies: the first three
// chained, the rest side by side under the top comment.
func (s *site) longThread(d *parley.Debate, n int) (*parley.Comment, []*parley.Comment) {
	s.t.Helper()
	top := s.comment(d, 0, "Top", "The first word.")
	var replies []*parley.Comment
	parent := top.ID
	for i := 0; i < n; i++ {
		r := s.comment(d, parent, fmt.Sprintf("R%02d", i), fmt.Sprintf("Reply number %d.", i))
		replies = append(replies, r)
		if i < 2 {
			parent = r.ID
		} else {
			parent = top.ID
		}
	}
	return top, replies
}

var foldPattern = regexp.MustCompile(`<li class="more-replies"><details( open)?><summary><span class="when-closed">Show (\d+) more replies</span>`)

// TestLongThreadsFold: beyond the first replies of a thread, the rest fold
// behind "Show N more replies", which opens without JavaScript.
func TestLongThreadsFold(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	_, replies := s.longThread(d, 15)
	body := s.get("/debates/cars").body
	folds := foldPattern.FindAllStringSubmatch(body, -1)
	if len(folds) != 1 || folds[0][1] != "" || folds[0][2] != "12" {
		t.Fatalf("folds %q, want one closed \"Show 12 more replies\"", folds)
	}
	at := strings.Index(body, `class="more-replies"`)
	for i, r := range replies {
		pos := strings.Index(body, `id="comment-`+strconv.FormatInt(r.ID, 10)+`"`)
		if pos < 0 {
			t.Fatalf("reply %d is not on the page at all", i)
		}
		if folded := pos > at; folded != (i >= 3) {
			t.Errorf("reply %d: folded %v, want the first three shown and the rest folded", i, folded)
		}
	}
	// Every reply is still on the page, for readers without JavaScript.
	if n := strings.Count(body, `<li class="comment`); n != 16 {
		t.Errorf("%d comments on the page, want 16", n)
	}

	// A short thread does not fold: hiding one reply saves nothing.
	s2 := newSite(t, Config{})
	d2 := s2.debate("short", parley.DebatePublished, false)
	s2.longThread(d2, 4)
	if folds := foldPattern.FindAllString(s2.get("/debates/short").body, -1); len(folds) != 0 {
		t.Errorf("a thread of four replies folded: %q", folds)
	}
}

// TestFoldOpensForWhatTheReaderCameFor: the fold starts open when it holds
// an answered comment (the article links to it) or the reader's new comment.
func TestFoldOpensForWhatTheReaderCameFor(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	top, replies := s.longThread(d, 8)
	if folds := foldPattern.FindAllStringSubmatch(s.get("/debates/cars").body, -1); len(folds) != 1 || folds[0][1] != "" {
		t.Fatalf("folds %q, want one closed", folds)
	}
	s.answered(d, replies[6], "Dr Ines Okafor", "An answer.")
	if folds := foldPattern.FindAllStringSubmatch(s.get("/debates/cars").body, -1); len(folds) != 1 || folds[0][1] != " open" {
		t.Errorf("folds %q, want it open: it holds an answered comment", folds)
	}

	s2 := newSite(t, Config{})
	d2 := s2.debate("cars", parley.DebatePublished, false)
	top, _ = s2.longThread(d2, 8)
	form := formValues("Newt", "newt@example.org", "My late reply.")
	form.Set("parent_id", strconv.FormatInt(top.ID, 10))
	r := s2.postForm(s2.reader, "/debates/cars/comments", form)
	wantStatus(t, r, http.StatusSeeOther)
	page := s2.get(r.header.Get("Location"))
	if folds := foldPattern.FindAllStringSubmatch(page.body, -1); len(folds) != 1 || folds[0][1] != " open" {
		t.Errorf("folds %q, want it open: it holds the comment just posted", folds)
	}
}

// TestDeepRepliesSayWhomTheyAnswer: replies two levels down name the comment
// they answer, for narrow screens, where nesting stops at one level.
func TestDeepRepliesSayWhomTheyAnswer(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	a := s.comment(d, 0, "Ana", "One.")
	b := s.comment(d, a.ID, "Bo", "Two.")
	s.comment(d, b.ID, "Cy", "Three.")
	body := s.get("/debates/cars").body
	wantContains(t, body, `<span class="in-reply-to implied">in reply to <a href="#comment-`+strconv.FormatInt(b.ID, 10)+`">Bo</a></span>`)
	if n := strings.Count(body, `in-reply-to implied`); n != 1 {
		t.Errorf("%d implied reply names, want 1 (depth 1 is indented everywhere)", n)
	}
}

// TestPostedCommentSaysWhatBecameOfIt: after posting, the page the reader
// lands on marks their comment and says whether it is published, or why it
// waits, in plain words that do not name the spam defences.
func TestPostedCommentSaysWhatBecameOfIt(t *testing.T) {
	s := newSite(t, Config{})
	open := s.debate("open", parley.DebatePublished, false)
	held := s.debate("held", parley.DebatePublished, true)
	first := s.debate("first", parley.DebatePublished, false)
	s.setPolicy(first, "first", parley.DefaultPolicy())
	_ = open
	_ = held

	cases := []struct {
		name, slug string
		form       func() (string, string)
		want       string
		lacks      []string
	}{
		{"published", "open", nil, "Thank you: your comment is published.", nil},
		{"every comment held", "held", nil, "waiting for a moderator because this debate reviews every comment before it is published", nil},
		{"first comment held", "first", nil, "waiting for a moderator because this debate reviews first comments", nil},
		{"held by the form trap", "open", func() (string, string) { return "started", s.stamp("/debates/open/comments", 0) },
			"Thank you. Your comment is waiting for a moderator.", []string{"faster", "person writes", "because"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reader := newBrowser()
			form := formValues("Reader "+strconv.Itoa(i), fmt.Sprintf("r%d@example.org", i), "My comment "+strconv.Itoa(i)+".")
			if tc.form != nil {
				k, v := tc.form()
				form.Set(k, v)
			}
			r := s.postForm(reader, "/debates/"+tc.slug+"/comments", form)
			wantStatus(t, r, http.StatusSeeOther)
			loc := r.header.Get("Location")
			id := loc[strings.LastIndex(loc, "-")+1:]
			page := s.getAs(reader, loc)
			wantStatus(t, page, http.StatusOK)
			if li := regexp.MustCompile(`<li class="comment[^"]*" id="comment-` + id + `"><article [^>]*>`).FindString(page.body); !strings.Contains(li, `<article class="posted"`) {
				t.Errorf("the new comment starts %q, want its article marked posted", li)
			}
			note := regexp.MustCompile(`<p class="posted-note" role="status">([^<]*)</p>`).FindStringSubmatch(page.body)
			if note == nil || !strings.Contains(note[1], strings.ReplaceAll(tc.want, "'", "&#39;")) {
				t.Fatalf("notice %q, want %q", note, tc.want)
			}
			for _, no := range tc.lacks {
				if strings.Contains(note[1], no) {
					t.Errorf("notice %q gives away %q", note[1], no)
				}
			}
			if c := page.header.Get("Set-Cookie"); !strings.Contains(c, postedCookie+"=;") {
				t.Errorf("the notice's cookie is not cleared: %q", c)
			}
			// Said once: the next visit is the ordinary page.
			if again := s.getAs(reader, loc); strings.Contains(again.body, `class="posted-note"`) {
				t.Error("the notice shows again on the next visit")
			}
		})
	}
	// A forged or another site's cookie says nothing.
	req, _ := http.NewRequest(http.MethodGet, s.http.URL+"/debates/open", nil)
	req.AddCookie(&http.Cookie{Name: postedCookie, Value: "posted.1~forged"})
	if page := s.do(http.DefaultClient, req); strings.Contains(page.body, "posted-note") {
		t.Error("a forged cookie shows a notice")
	}
}

// TestCommentTimesSayTheirZone: comments' times say they are UTC, in a
// <time> that app.js turns into the reader's own time.
func TestCommentTimesSayTheirZone(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	c := s.comment(d, 0, "Ana", "Hello.")
	body := s.get("/debates/cars").body
	want := `<time datetime="` + c.CreatedAt.UTC().Format(time.RFC3339) + `">` + c.CreatedAt.UTC().Format("2 Jan 2006, 15:04") + ` UTC</time>`
	wantContains(t, body, want)
}

// TestAvatarsAreDistinct: two people rarely get avatars that look alike.
// Each avatar takes its layout, its colours and its pattern from separate
// bits of the key, so a pair needs to match on all of them to look close.
func TestAvatarsAreDistinct(t *testing.T) {
	const n = 400
	styles := make([]avatarStyle, n)
	layouts, hues := map[int]int{}, map[int]bool{}
	seen := map[string]bool{}
	for i := range styles {
		key := fmt.Sprintf("key-%d", i)
		styles[i] = styleOf(key)
		layouts[styles[i].layout]++
		hues[styles[i].hue/30] = true
		svg := string(avatarSVG(key))
		if seen[svg] {
			t.Errorf("two keys drew the same avatar")
		}
		seen[svg] = true
		if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg"`) || !strings.HasSuffix(svg, `</svg>`) || len(svg) > 4096 {
			t.Fatalf("avatar %d: %d bytes: %.200s", i, len(svg), svg)
		}
	}
	if len(layouts) != avatarLayouts || len(hues) != 12 {
		t.Errorf("%d layouts and %d of 12 hue families used, want all", len(layouts), len(hues))
	}
	for l, k := range layouts {
		if k < n/avatarLayouts/2 {
			t.Errorf("layout %d drawn %d times of %d: too rare", l, k, n)
		}
	}
	// Look-alikes: the same layout and shade with hues within 30°.
	alike, pairs := 0, 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			pairs++
			a, b := styles[i], styles[j]
			dh := (a.hue - b.hue + 360) % 360
			if a.layout == b.layout && a.dark == b.dark && min(dh, 360-dh) < 30 {
				alike++
			}
		}
	}
	if share := float64(alike) / float64(pairs); share > 0.03 {
		t.Errorf("%.1f%% of pairs look alike, want under 3%%", 100*share)
	}
	if avatarSVG("abc") == nil || string(avatarSVG("abc")) != string(avatarSVG("abc")) {
		t.Error("an avatar must be the same every time")
	}
}
