package spam

import (
	"slices"
	"strings"
	"testing"
)

// tokens returns the words the classifier sees in text.
func tokens(text string) []string {
	var a analysis
	a.analyse(text, 0)
	out := make([]string, len(a.spans))
	for i := range a.spans {
		out[i] = string(a.word(int32(i)))
	}
	return out
}

func TestSpamTokensNormalize(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"lower case", "FREE Money", []string{"free", "money"}},
		{"full-width letters", "ｆｒｅｅ ｍｏｎｅｙ", []string{"free", "money"}},
		{"mathematical letters", "𝐟𝐫𝐞𝐞 𝓶𝓸𝓷𝓮𝔂", []string{"free", "money"}},
		{"ligature", "ﬁnal oﬀer", []string{"final", "offer"}},
		{"accents dropped", "Café résumé naïve", []string{"cafe", "resume", "naive"}},
		{"Cyrillic look-alikes in a Latin word", "frее mоnеy", []string{"free", "money"}},
		{"Greek look-alikes in a Latin word", "clιck nοw", []string{"click", "now"}},
		{"Russian left alone", "Привет мир", []string{"привет", "мир"}},
		{"Greek left alone", "Καλημέρα κόσμε", []string{"καλημερα", "κοσμε"}},
		{"zero-width characters", "fr\u200bee mo\u200dney\ufeff", []string{"free", "money"}},
		{"soft hyphen", "sub\u00adscribe", []string{"subscribe"}},
		{"spaced-out letters", "f r e e  m o n e y now", []string{"free", "money", "now"}},
		{"dotted letters", "c.l.i.c.k here", []string{"click", "here"}},
		{"dashed letters", "W-I-N-N-E-R!", []string{"winner"}},
		{"text-speak keeps its words", "u r a star", []string{"u", "r", "a", "star"}},
		{"apostrophes", "don't won’t", []string{"dont", "wont"}},
		{"repeated letters", "pleassssse SUBSCRIBEEEEE soooo", []string{"pleassse", "subscribeee", "sooo"}},
		{"repeated digits kept", "in 2000 or 1999", []string{"in", "2000", "or", "1999"}},
		{"long numbers become shapes", "call 08712345678 or text 87121", []string{"call", "###########", "or", "text", "#####"}},
		{"URL pieces", "see https://www.example.org/path?x=1", []string{"see", "https", "www", "example", "org", "path", "x", "1"}},
		{"punctuation and emoji", "wow!!! 😀 great... (really)", []string{"wow", "great", "really"}},
		{"empty", "", []string{}},
		{"only symbols", "!!! ??? ...", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokens(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("tokens(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// Disguised text must score exactly as the plain text it imitates.
func TestSpamScoreSeesThroughDisguises(t *testing.T) {
	m := loadModel(t)
	tests := []struct{ plain, disguised string }{
		{"free money, click here", "ｆｒｅｅ ｍｏｎｅｙ, ｃｌｉｃｋ ｈｅｒｅ"},
		{"free money, click here", "frее mоnеy, сlick hеrе"},
		{"free money, click here", "f r e e money, c.l.i.c.k here"},
		{"free money, click here", "fr\u200bee mon\u200bey, click he\u200bre"},
	}
	for _, tt := range tests {
		want, got := m.Score(tt.plain, 0), m.Score(tt.disguised, 0)
		if got.Score != want.Score {
			t.Errorf("Score(%q) = %v, Score(%q) = %v; want the same", tt.disguised, got.Score, tt.plain, want.Score)
		}
	}
}

func TestSpamFacts(t *testing.T) {
	tests := []struct {
		text  string
		links int
		want  []string // fact names
	}{
		{"a plain comment about trains", 0, nil},
		{"read https://example.org/report first", 0, []string{"1 link"}},
		{"see www.example.org and http://example.net", 0, []string{"2 links"}},
		{"a, b and c", 4, []string{"4 links"}}, // the caller's count wins when larger
		{"x http://a.test y http://b.test z https://c.test", 0, []string{"3 links"}},
		{"call 0800 123 4567 today", 0, []string{"phone number"}},
		{"call +44 (0)20 7946 0958", 0, []string{"phone number"}},
		{"between 2035 and 2050, 15 years", 0, nil},
		{"write to anna.b@example.org", 0, []string{"email address"}},
		{"@Anna I agree with you", 0, nil},
		{"only €5 or $5 or £5", 0, []string{"currency symbol"}},
		{"THIS IS ALL IN CAPITALS", 0, []string{"mostly capitals"}},
		{"This Is Title Case For Every Word", 0, []string{"many capitals"}},
		{"Normal sentence. With Two capitals.", 0, nil},
		{"wow!!!", 0, []string{"!!!"}},
	}
	for _, tt := range tests {
		var a analysis
		a.analyse(tt.text, tt.links)
		var got []string
		for _, f := range a.facts {
			got = append(got, f.name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("facts of %q (links %d) = %q, want %q", tt.text, tt.links, got, tt.want)
		}
	}
}

func TestSpamAnalyseBoundsWork(t *testing.T) {
	var short, long analysis
	short.analyse(strings.Repeat("word ", maxAnalysed/5), 0)
	long.analyse(strings.Repeat("word ", 10*maxAnalysed), 0)
	if len(long.feats) != len(short.feats) {
		t.Errorf("a text ten times longer than maxAnalysed made %d features, the first maxAnalysed bytes %d", len(long.feats), len(short.feats))
	}
	// A cut inside a multi-byte rune must not leave half of it.
	var a analysis
	a.analyse("a"+strings.Repeat("é", maxAnalysed), 0) // byte maxAnalysed is inside an é
	if got := tokens("a" + strings.Repeat("é", maxAnalysed)); !slices.Equal(got, []string{"aeee"}) {
		t.Errorf("cut text tokenized as %q, want [aeee]", got)
	}
	if strings.ContainsRune(string(a.text), '\uFFFD') {
		t.Error("the cut left half a rune")
	}
}
