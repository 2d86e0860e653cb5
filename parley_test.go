package parley_test

import (
	"strings"
	"testing"

	"github.com/parley-org/parley"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  hello\r\nworld\r ", "hello\nworld"},
		{"bell\x07 null\x00 esc\x1b", "bell null esc"},
		{"tab\tkept\nnewline kept", "tab\tkept\nnewline kept"},
		{"rtl\u202eoverride\u2066 zero\ufeffwidth", "rtloverride zerowidth"},
		{"Grüße, szép napot, Καλημέρα 🙂", "Grüße, szép napot, Καλημέρα 🙂"},
	} {
		got, ok := parley.CleanText(tc.in)
		if !ok || got != tc.want {
			t.Errorf("CleanText(%q) = %q, %v; want %q, true", tc.in, got, ok, tc.want)
		}
	}
	if _, ok := parley.CleanText("bad \xff"); ok {
		t.Errorf("invalid UTF-8 accepted")
	}
	if got, _ := parley.CleanLine("  two\n lines\tand  spaces "); got != "two lines and spaces" {
		t.Errorf("CleanLine = %q", got)
	}
}

func TestNewCommentValidate(t *testing.T) {
	ok := parley.NewComment{AuthorName: " Ana ", AuthorEmail: "ana@example.org", Body: " Hello "}
	if err := ok.Validate(100); err != nil || ok.AuthorName != "Ana" || ok.Body != "Hello" {
		t.Fatalf("valid comment: %v %+v", err, ok)
	}
	for _, tc := range []struct {
		c     parley.NewComment
		field string
	}{
		{parley.NewComment{AuthorEmail: "a@example.org", Body: "x"}, "author_name"},
		{parley.NewComment{AuthorName: strings.Repeat("é", 81), AuthorEmail: "a@example.org", Body: "x"}, "author_name"},
		{parley.NewComment{AuthorName: "A", Body: "x"}, "author_email"},
		{parley.NewComment{AuthorName: "A", AuthorEmail: "Ana <a@example.org>", Body: "x"}, "author_email"},
		{parley.NewComment{AuthorName: "A", AuthorEmail: "a@localhost", Body: "x"}, "author_email"},
		{parley.NewComment{AuthorName: "A", AuthorEmail: "a@example.org", Body: "  "}, "body"},
		{parley.NewComment{AuthorName: "A", AuthorEmail: "a@example.org", Body: strings.Repeat("ő", 101)}, "body"},
		{parley.NewComment{AuthorName: "A", AuthorEmail: "a@example.org", Body: "x\xff"}, "body"},
	} {
		err := tc.c.Validate(100)
		if parley.ErrorCode(err) != parley.EINVALID || parley.ErrorFields(err)[tc.field] == "" {
			t.Errorf("%+v: got %v %v, want a problem with %s", tc.c, err, parley.ErrorFields(err), tc.field)
		}
	}
}

func TestDebateValidate(t *testing.T) {
	d := parley.Debate{Title: "Should Zürich ban cars?", Question: "Would you?", Topics: []string{"Cities", "cities", "Öffentlicher Verkehr"}}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Slug != "should-zurich-ban-cars" || d.Status != parley.DebateDraft || strings.Join(d.Topics, ",") != "cities,offentlicher-verkehr" {
		t.Errorf("got slug %q status %q topics %v", d.Slug, d.Status, d.Topics)
	}
	bad := parley.Debate{Slug: "Bad Slug", Status: "open", ImageURL: "javascript:alert(1)"}
	fields := parley.ErrorFields(bad.Validate())
	for _, f := range []string{"title", "slug", "question", "status", "image"} {
		if fields[f] == "" {
			t.Errorf("no problem reported for %s: %v", f, fields)
		}
	}
}

func TestBuildThread(t *testing.T) {
	c := func(id, parent, root int64) *parley.Comment {
		return &parley.Comment{ID: id, ParentID: parent, RootID: root}
	}
	// 5's parent (4) is hidden: it goes under its root. 7's root is missing too: top level.
	roots := parley.BuildThread([]*parley.Comment{c(1, 0, 1), c(2, 1, 1), c(3, 2, 1), c(5, 4, 1), c(6, 0, 6), c(7, 9, 8)})
	var walk func(nodes []*parley.ThreadNode) string
	walk = func(nodes []*parley.ThreadNode) string {
		var parts []string
		for _, n := range nodes {
			s := string(rune('0' + n.Comment.ID))
			if len(n.Replies) > 0 {
				s += "(" + walk(n.Replies) + ")"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " ")
	}
	if got, want := walk(roots), "1(2(3) 5) 6 7"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestAvatarKeyHidesTheAddress(t *testing.T) {
	a := parley.AvatarKey([]byte("secret"), "Ana@Example.org ")
	if a != parley.AvatarKey([]byte("secret"), "ana@example.org") {
		t.Errorf("the key must not depend on case or spaces")
	}
	if a == parley.AvatarKey([]byte("other"), "ana@example.org") || strings.Contains(a, "ana") {
		t.Errorf("the key must depend on the secret and not contain the address")
	}
}
