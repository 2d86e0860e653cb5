package notify

import "testing"

func TestFindAndLinkMentions(t *testing.T) {
	authors := map[string]int64{"Ana": 1, "Ana Lima": 2, "Jörg": 3, "bob": 4}
	for _, tc := range []struct {
		text, linked string
		ids          []int64
	}{
		{"@Ana Lima is right", "[@Ana Lima](/comments/2) is right", []int64{2}},
		{"@ana, and @Jörg: yes", "[@ana](/comments/1), and [@Jörg](/comments/3): yes", []int64{1, 3}},
		{"@Anatole is not Ana", "@Anatole is not Ana", nil},
		{"mail me at x@bob", "mail me at x@bob", nil},
		{"@Bob!", "[@Bob](/comments/4)!", []int64{4}},
		{"no mentions", "no mentions", nil},
		{"see https://mastodon.social/@Ana", "see https://mastodon.social/@Ana", nil},
		{"`@Ana` in code, (@Jörg) out", "`@Ana` in code, ([@Jörg](/comments/3)) out", []int64{3}},
	} {
		ms := FindMentions(tc.text, authors)
		var ids []int64
		for _, m := range ms {
			ids = append(ids, m.CommentID)
		}
		if len(ids) != len(tc.ids) {
			t.Errorf("%q: mentions %v, want %v", tc.text, ids, tc.ids)
			continue
		}
		for i := range ids {
			if ids[i] != tc.ids[i] {
				t.Errorf("%q: mentions %v, want %v", tc.text, ids, tc.ids)
			}
		}
		if got := LinkMentions(tc.text, "", ms); got != tc.linked {
			t.Errorf("%q linked as %q, want %q", tc.text, got, tc.linked)
		}
	}
}
