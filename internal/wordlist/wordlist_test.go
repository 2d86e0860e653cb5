package wordlist

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustParse(t testing.TB, text string) *List {
	t.Helper()
	l, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return l
}

const testList = `# a comment
idiot
ass
go back to
moron*
straße
kötü
sıkıcı
глупец
βλάκας
笨蛋
`

func TestMatch(t *testing.T) {
	l := mustParse(t, testList)
	tests := []struct {
		text string
		want string // "" for no match
	}{
		// plain and case
		{"you idiot", "idiot"},
		{"IDIOT", "idiot"},
		{"Idiot!", "idiot"},
		{"what an Idiot.", "idiot"},
		{"(idiot)", "idiot"},
		{"idiot's remark", "idiot"},
		// spacing and punctuation inside the word
		{"you i d i o t", "idiot"},
		{"i.d.i.o.t", "idiot"},
		{"i-d-i-o-t", "idiot"},
		{"i_d_i_o_t", "idiot"},
		{"i  d\ti\no   t", "idiot"},
		{"you are i . d . i . o . t !", "idiot"},
		{"i d 1 0 t", "idiot"},
		{"u r a n i d i o t", "idiot"}, // spelled word inside a run of single letters
		{"i d i o t 4 u", "idiot"},
		{"7 0 i.d.i.o.t", "idiot"},
		// Trade-off of reading pieces of spelled-out runs: a spelled-out
		// innocent word containing a term matches.
		{"a s s e t s", "ass"},
		{"i d i o t i c", "idiot"},
		// look-alike letters
		{"\u0456d\u0456ot", "idiot"},           // Cyrillic і
		{"\u0456\u0501\u0456\u043et", "idiot"}, // Cyrillic і ԁ о
		{"\u03b9di\u03bft", "idiot"},           // Greek ι ο
		{"\u0399DIOT", "idiot"},                // Greek capital iota
		{"ｉｄｉｏｔ", "idiot"},                     // fullwidth
		{"ＩＤＩＯＴ", "idiot"},                     // fullwidth capitals
		{"𝐢𝐝𝐢𝐨𝐭", "idiot"},                     // mathematical bold
		{"ⓘⓓⓘⓞⓣ", "idiot"},                     // circled
		{"ıdıot", "idiot"},                     // Turkish dotless i
		{"İDİOT", "idiot"},                     // Turkish dotted capital I
		{"ᴉdiot", ""},                          // turned i is not mapped (documented set only)
		// diacritics
		{"idiöt", "idiot"},
		{"ìdiot", "idiot"},
		{"ÍDÏÔT", "idiot"},
		{"i\u0301d\u0308i\u0300o\u0303t", "idiot"}, // combining marks
		{"i̷d̷i̷o̷t̷", "idiot"},                    // strike-through
		{"ḭ̷͙d̵̖i̴̟o̶̤t̸̘", "idiot"},               // zalgo
		// leetspeak
		{"1d10t", "idiot"},
		{"1D10T", "idiot"},
		{"id!ot", "idiot"},
		{"a$$", "ass"},
		{"@ss", "ass"},
		{"@55", "ass"},
		{"4ss", "ass"},
		// zero-width and invisible characters
		{"id\u200biot", "idiot"},
		{"i\u200cd\u200di\u2060o\ufefft", "idiot"},
		{"idi\u00adot", "idiot"},
		{"i\u034fdiot", "idiot"},
		{"i\u3164diot", "idiot"},
		// stretched letters
		{"idiooot", "idiot"},
		{"iiidiot", "idiot"},
		{"IDIOOOOOOOOOT", "idiot"},
		{"i d i o o o t", "idiot"},
		{"asssss", "ass"},
		// multi-word
		{"go back to where you came from", "go back to"},
		{"GO   BACK\nTO", "go back to"},
		{"go, back... to", "go back to"},
		{"go-back-to", "go back to"},
		{"g0 b4ck t0", "go back to"},
		// prefix terms
		{"moron", "moron*"},
		{"morons", "moron*"},
		{"moronic behaviour", "moron*"},
		{"m0r0nic", "moron*"},
		{"MORONNN", "moron*"},
		// other languages
		{"strasse", "straße"},
		{"STRASSE", "straße"},
		{"Straße", "straße"},
		{"STRAẞE", "straße"},
		{"çok kötü", "kötü"},
		{"KÖTÜ", "kötü"},
		{"kotu", "kötü"},
		{"SIKICI", "sıkıcı"},
		{"sikici", "sıkıcı"},
		{"ıdıot turkish", "idiot"},
		{"ты глупец!", "глупец"},
		{"ГЛУПЕЦ", "глупец"},
		{"είσαι βλάκας", "βλάκας"},
		{"ΒΛΑΚΑΣ", "βλάκας"},
		{"你是笨蛋吗", "笨蛋"},
		// first match wins
		{"ass and idiot", "ass"},
		{"idiot and ass", "idiot"},

		// innocent texts: Scunthorpe
		{"", ""},
		{"a b c", ""},
		{"class", ""},
		{"passage", ""},
		{"assessment", ""},
		{"assassin", ""},
		{"embarrass", ""},
		{"bass guitar", ""},
		{"as", ""},
		{"idiotic", ""},
		{"idiots", ""},
		{"idioot", ""}, // doubled, not stretched
		{"idio t", ""},
		{"id iot", ""},
		{"an idiom", ""},
		{"go back", ""},
		{"go to back", ""},
		{"goback to", ""},
		{"moro", ""},
		{"sycamoron", ""},
		{"I have 455 apples", ""},
		{"it costs $5", ""},
		{"a s", ""},
		{"a s", ""},
		{"U.S.A. and the E.U.", ""},
		{"options a, b, c or d", ""},
		{"strassen", ""},
		{"straß", ""},
		{"hello world", ""},
		{"Plan A, s, t", ""},
	}
	for _, tc := range tests {
		got, ok := l.Match(tc.text)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("Match(%q) = %q, %v; want %q (normalised %q)", tc.text, got, ok, tc.want, Normalize(tc.text))
		}
		// Matching the normalised text gives the same answer.
		got2, ok2 := l.Match(Normalize(tc.text))
		if got2 != got || ok2 != ok {
			t.Errorf("Match(Normalize(%q)) = %q, %v; Match = %q, %v", tc.text, got2, ok2, got, ok)
		}
	}
}

func TestPrefixTermWithStar(t *testing.T) {
	l := mustParse(t, "fu*\ngo back*\nass*\n")
	for _, tc := range []struct{ text, want string }{
		{"fuuu", "fu*"},
		{"fun", "fu*"},
		{"fu", "fu*"},
		{"refund", ""},
		{"go backwards", "go back*"},
		{"go back", "go back*"},
		{"go", ""},
		{"assessment", "ass*"},
		{"class", ""},
		{"as", ""},
	} {
		got, ok := l.Match(tc.text)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("Match(%q) = %q, %v; want %q", tc.text, got, ok, tc.want)
		}
	}
}

func TestShortTermsAndSpacedRuns(t *testing.T) {
	// The joined run is one candidate word: "a b c" only matches "abc".
	l := mustParse(t, "abc\nab\n")
	for _, tc := range []struct{ text, want string }{
		{"a b c", "abc"},
		{"a.b.c", "abc"},
		{"x a b c", "abc"}, // pieces of at least three letters are candidates
		{"a b c d", "abc"},
		{"a b", "ab"},
		{"x a b", ""}, // a two-letter piece only counts as the whole run
		{"a b x", ""},
		{"ab c", "ab"},
	} {
		got, ok := l.Match(tc.text)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("Match(%q) = %q, %v; want %q", tc.text, got, ok, tc.want)
		}
	}
	// Single-letter terms still match single letters.
	l = mustParse(t, "x\n")
	if _, ok := l.Match("a x b"); !ok {
		t.Error(`"x" should match "a x b"`)
	}
}

func TestListOrderWins(t *testing.T) {
	l := mustParse(t, "go back to\ngo*\nback\n")
	if got, _ := l.Match("go back to"); got != "go back to" {
		t.Errorf("got %q", got)
	}
	l = mustParse(t, "go*\ngo back to\n")
	if got, _ := l.Match("go back to"); got != "go*" {
		t.Errorf("got %q", got)
	}
	// Duplicates after normalisation are allowed; the first is reported.
	l = mustParse(t, "Idiot\nIDIOT\n")
	if got, _ := l.Match("idiot"); got != "Idiot" || l.Len() != 2 {
		t.Errorf("got %q, Len %d", got, l.Len())
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Hello,   World!", "hello world"},
		{"i.d.i.o.t", "i d i o t"},
		{"ＩＤＩＯＴ", "idiot"},
		{"\u0456d\u0456ot", "idiot"},
		{"idi\u200bot", "idiot"},
		{"1d10t", "idiot"},
		{"Straße", "strasse"},
		{"İstanbul ıspanak", "istanbul ispanak"},
		{"Ὀδυσσεύς", "oδuσσeuσ"},
		{"$100 for 2024", "100 for 2024"},
		{"a$$ @ss", "ass ass"},
		{"Idiot!", "idiot"},
		{"you're", "you re"},
		{"你是笨蛋", "你 是 笨 蛋"},
		{"नमस्ते दुनिया", "नमस्ते दुनिया"},
		{"ﬁne", "fine"},
		{"x²", "x2"},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", MaxTermLen+1)
	var many strings.Builder
	for i := range MaxTerms + 1 {
		fmt.Fprintf(&many, "term%d\n", i)
	}
	for _, tc := range []struct {
		name, text string
		line       int
		msg        string
	}{
		{"punctuation only", "ok\n\n!!!\n", 3, "normalises to nothing"},
		{"emoji only", "# c\n😀\n", 2, "normalises to nothing"},
		{"zero-width only", "\u200b\u200b", 1, "normalises to nothing"},
		{"star only", "a\nb\n*\n", 3, "normalises to nothing"},
		{"star inside", "id*ot\n", 1, "only allowed at the end"},
		{"too long", "a\r\n" + long + "\r\n", 2, "limit is 100"},
		{"too many", "# header\n" + many.String(), MaxTerms + 2, "more than 5000 terms"},
	} {
		_, err := Parse(tc.text)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v; want *ParseError", tc.name, err)
			continue
		}
		if pe.Line != tc.line || !strings.Contains(err.Error(), tc.msg) ||
			!strings.Contains(err.Error(), fmt.Sprintf("line %d:", tc.line)) {
			t.Errorf("%s: err = %v (line %d); want line %d, %q", tc.name, err, pe.Line, tc.line, tc.msg)
		}
	}

	// Exactly at the limits is fine; blank and comment lines do not count.
	var ok strings.Builder
	for i := range MaxTerms {
		fmt.Fprintf(&ok, "# comment\n\n  term%d  \n", i)
	}
	ok.WriteString(strings.Repeat("b", MaxTermLen) + "\n")
	if _, err := Parse(ok.String()); err == nil {
		t.Error("5001 terms accepted")
	}
	l, err := Parse(strings.Repeat("é", MaxTermLen) + "\n")
	if err != nil || l.Len() != 1 {
		t.Errorf("100-character term: %v", err)
	}
}

func TestZeroList(t *testing.T) {
	var z List
	if z.Len() != 0 {
		t.Error("zero List has terms")
	}
	if term, ok := z.Match("idiot ass anything"); ok || term != "" {
		t.Errorf("zero List matched %q", term)
	}
	var nilList *List
	if _, ok := nilList.Match("idiot"); ok || nilList.Len() != 0 {
		t.Error("nil List matched")
	}
	empty := mustParse(t, "# only comments\n\n   \n")
	if _, ok := empty.Match("idiot"); ok || empty.Len() != 0 {
		t.Error("empty List matched")
	}
}

func TestConcurrent(t *testing.T) {
	l := mustParse(t, testList)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				text := fmt.Sprintf("comment %d %d i.d.i.o.t", g, i)
				if term, ok := l.Match(text); !ok || term != "idiot" {
					t.Errorf("Match(%q) = %q, %v", text, term, ok)
					return
				}
				if _, ok := l.Match("a perfectly nice comment"); ok {
					t.Error("false positive")
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzMatch(f *testing.F) {
	l := mustParse(f, testList)
	for _, s := range []string{
		"", "idiot", "i d i o t", "1d10t", "ｉｄｉｏｔ", "a$$", "id!ot", "idiooot",
		"go back to", "moronic", "你是笨蛋", "नमस्ते", "Straße", "İ", "ı", "ß",
		"\u200b", "a\u0301", "$5 @ !", "g o b a c k t o", "ǅ ℌ ﬁ ½",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		term, ok := l.Match(s)
		if ok != (term != "") {
			t.Fatalf("Match(%q) = %q, %v", s, term, ok)
		}
		n := Normalize(s)
		term2, ok2 := l.Match(n)
		if term2 != term || ok2 != ok {
			t.Fatalf("Match(%q) = %q, %v but Match(Normalize) = Match(%q) = %q, %v", s, term, ok, n, term2, ok2)
		}
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, n2)
		}
		if ok {
			// Parsing the term again and matching must also succeed.
			l2, err := Parse(term)
			if err != nil {
				t.Fatalf("Parse(%q): %v", term, err)
			}
			if _, ok := l2.Match(s); !ok {
				t.Fatalf("single-term list %q does not match %q", term, s)
			}
		}
	})
}

// benchData builds a 500-term list and a ~5,000-character comment that
// contains none of the terms (the common, worst case: every word is checked).
func benchData(tb testing.TB) (*List, string) {
	rng := rand.New(rand.NewPCG(1, 2))
	letters := "abcdefghijklmnopqrstuvwxyz"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	var terms []string
	for i := range 500 {
		switch i % 10 {
		case 0:
			terms = append(terms, word(4)+" "+word(5))
		case 1:
			terms = append(terms, word(5)+"*")
		default:
			terms = append(terms, "zq"+word(3+rng.IntN(6)))
		}
	}
	l := mustParse(tb, strings.Join(terms, "\n"))
	common := strings.Fields(`the of and to in is it that for on was with he as
		you at be this have from or one had by word but not what all were we when
		your can said there use an each which she do how their if will up other about
		out many then them these so some her would make like him into time has look
		two more write go see number no way could people my than first water been
		call who oil its now find long down day did get come made may part debate
		argument evidence policy, council! "housing" (budget) über naïve café`)
	var b strings.Builder
	for b.Len() < 5000 {
		b.WriteString(common[rng.IntN(len(common))])
		b.WriteByte(' ')
	}
	return l, b.String()[:5000]
}

func BenchmarkMatch(b *testing.B) {
	l, text := benchData(b)
	ascii := strings.Map(func(r rune) rune {
		if r > 127 {
			return 'e'
		}
		return r
	}, text)
	for _, bc := range []struct{ name, text string }{
		{"ascii5000", ascii},
		{"unicode5000", text},
		{"spaced5000", strings.Repeat("i d i o t ", 500)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if _, ok := l.Match(bc.text); ok {
				b.Fatal("unexpected match")
			}
			durs := make([]time.Duration, 0, 1<<16)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				start := time.Now()
				l.Match(bc.text)
				if len(durs) < cap(durs) {
					durs = append(durs, time.Since(start))
				}
			}
			slices.Sort(durs)
			p := func(q float64) float64 {
				return float64(durs[int(q*float64(len(durs)-1))].Nanoseconds()) / 1e3
			}
			b.ReportMetric(p(0.50), "p50-µs")
			b.ReportMetric(p(0.99), "p99-µs")
		})
	}
}

// TestMatchLatency guards the performance budget loosely (the race detector
// and shared CI machines are slow, so the bound is generous).
func TestMatchLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	l, text := benchData(t)
	const n = 200
	durs := make([]time.Duration, n)
	for i := range durs {
		start := time.Now()
		l.Match(text)
		durs[i] = time.Since(start)
	}
	slices.Sort(durs)
	if p50 := durs[n/2]; p50 > 5*time.Millisecond {
		t.Errorf("median Match latency %v on 5,000 characters / 500 terms", p50)
	}
}
