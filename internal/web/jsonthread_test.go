package web

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\r\x00\x1f\x7f", "<p>html & stuff</p>",
		"Grüße 🙂 Καλημέρα", "line\u2028sep\u2029para", "bad \xff byte", "\b\f"} {
		want, _ := marshalNoEscape(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestThreadJSONMatchesEncodingJSON(t *testing.T) {
	srv := &Server{cfg: Config{BaseURL: "http://example.org"}}
	created := time.Date(2026, 11, 26, 10, 4, 5, 123_000_000, time.UTC)
	root := &parley.Comment{ID: 1, RootID: 1, AuthorName: "Ána \"quoted\"", AvatarKey: "k1", BodyHTML: "<p>Hi \"there\"\n</p>",
		Status: parley.CommentApproved, Language: "de", CreatedAt: created}
	reply := &parley.Comment{ID: 2, RootID: 1, ParentID: 1, ReplyToID: 1, Depth: 1, AuthorName: "B", AvatarKey: "k2", Source: "email",
		Status: parley.CommentApproved, CreatedAt: created.Add(time.Second), UserID: 9, EditedAt: created.Add(time.Minute)}
	beside := &parley.Comment{ID: 3, RootID: 1, ParentID: 1, ReplyToID: 2, ReplyToName: "B", Depth: 1, AuthorName: "C", AvatarKey: "k3",
		Status: parley.CommentApproved, CreatedAt: created.Add(2 * time.Second), DeletedAt: created.Add(time.Hour)}
	answers := map[int64][]*parley.Answer{1: {{ID: 7, CommentID: 1, LeadIn: "What would she say?", BodyHTML: "<p>Yes.</p>", PublishedAt: created,
		Expert: &parley.Expert{Slug: "e", Name: "Expert"}}}}
	next := "42"
	for _, tc := range []struct {
		comments []*parley.Comment
		next     *string
	}{{[]*parley.Comment{root, reply, beside}, &next}, {nil, nil}} {
		nodes := parley.BuildThread(tc.comments)
		want, _ := marshalNoEscape(apiThreadPage{Comments: srv.apiTree("cars", nodes, answers), NextCursor: tc.next, Total: 3})
		want = append(want, '\n')
		j := &threadJSON{s: srv, slug: "cars", answers: answers}
		got := j.appendPage(nil, nodes, tc.next, 3)
		if !bytes.Equal(got, want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		var back apiThreadPage
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("output does not decode: %v", err)
		}
	}
}

// apiTree is the reference for threadJSON: the API types encoding/json would write.
func (s *Server) apiTree(slug string, nodes []*parley.ThreadNode, answers map[int64][]*parley.Answer) []*apiComment {
	out := make([]*apiComment, 0, len(nodes))
	for _, n := range nodes {
		c := s.apiCommentOf(slug, n.Comment)
		for _, an := range answers[n.Comment.ID] {
			c.Answers = append(c.Answers, s.apiAnswerOf(slug, an))
		}
		if len(n.Replies) > 0 {
			c.Replies = s.apiTree(slug, n.Replies, answers)
		}
		out = append(out, c)
	}
	return out
}
