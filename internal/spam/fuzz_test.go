package spam

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var textSeeds = []string{
	"", "FREE Money", "ｆｒｅｅ ｍｏｎｅｙ", "𝐟𝐫𝐞𝐞 𝓶𝓸𝓷𝓮𝔂", "ﬁnal oﬀer", "frее mоnеy", "f r e e  m o n e y now",
	"c.l.i.c.k here", "W-I-N-N-E-R!!!", "pleassssse SUBSCRIBEEEEE", "call 08712345678 or text 87121",
	"see https://www.example.org/path?x=1 and www.x.org", "mail me: name@example.org, or @Anna", "£100 $5 €3",
	"Привет мир", "wow!!! 😀 great... (really)", "bad \xff\xfe bytes \xc3", "a\u0301\u200b\ufeff", "日本語のテキスト",
	strings.Repeat("spam ", 1300) + "é", strings.Repeat("a", 6001), "+44 (0) 20-7946.0958",
}

// FuzzAnalyse: whatever a comment holds, its features are well formed and
// its score is a probability the verdict agrees with.
func FuzzAnalyse(f *testing.F) {
	for i, s := range textSeeds {
		f.Add(s, i%5-1)
	}
	m, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	pending, spamAt := m.Thresholds()
	f.Fuzz(func(t *testing.T, text string, links int) {
		var a analysis
		a.analyse(text, links)
		if a.textFeats > len(a.feats) || len(a.facts) > len(a.feats)-a.textFeats {
			t.Fatalf("%d text features and %d facts of %d features", a.textFeats, len(a.facts), len(a.feats))
		}
		for i := range a.spans {
			w := a.word(int32(i))
			if len(w) == 0 {
				t.Fatalf("analyse(%q): empty token %d", text, i)
			}
			if utf8.ValidString(text) && !utf8.Valid(w) {
				t.Fatalf("analyse(%q): token %q is not valid UTF-8", text, w)
			}
			for j := 3; j < len(w); j++ {
				if isLetterByte(w[j]) && w[j] == w[j-1] && w[j] == w[j-2] && w[j] == w[j-3] {
					t.Fatalf("analyse(%q): token %q repeats a letter four times", text, w)
				}
			}
			if bytes.ContainsAny(w, " \t\n.,!?") {
				t.Fatalf("analyse(%q): token %q holds a separator", text, w)
			}
		}
		for _, ft := range a.feats {
			if ft.kind == kindFact && int(ft.word) >= len(a.facts) || ft.kind != kindFact && int(ft.word) >= len(a.spans) {
				t.Fatalf("analyse(%q): feature %+v names nothing", text, ft)
			}
		}
		// Bytes after maxAnalysed are not read.
		if len(text) > maxAnalysed+utf8.UTFMax {
			var b analysis
			b.analyse(text[:maxAnalysed+utf8.UTFMax]+"tail words", links)
			if !slices.Equal(a.feats, b.feats) {
				t.Fatalf("analyse reads past %d bytes", maxAnalysed)
			}
		}

		for _, r := range []Result{m.Score(text, links), m.Judge(text, links)} {
			if math.IsNaN(r.Score) || r.Score < 0 || r.Score > 1 {
				t.Fatalf("score %v of %q", r.Score, text)
			}
			if len(r.Reasons) > maxReasons {
				t.Fatalf("%d reasons", len(r.Reasons))
			}
			for i, re := range r.Reasons {
				if re.Feature == "" || re.Weight <= 0 || i > 0 && re.Weight > r.Reasons[i-1].Weight {
					t.Fatalf("reasons of %q out of order or empty: %+v", text, r.Reasons)
				}
			}
			if r.Verdict != Ham && r.Verdict != Pending && r.Verdict != Spam || r.Marginal && r.Verdict != Pending {
				t.Fatalf("verdict %q, marginal %v", r.Verdict, r.Marginal)
			}
			if r.Verdict == Spam && r.Score < spamAt || r.Verdict == Pending && r.Score < pending {
				t.Fatalf("verdict %s at score %v (thresholds %v, %v)", r.Verdict, r.Score, pending, spamAt)
			}
		}
		if s := m.Score(text, links); s.Verdict == Ham && s.Score >= pending {
			t.Fatalf("Score says ham at %v, pending from %v", s.Score, pending)
		}
	})
}

// FuzzUnmarshalModel: loading arbitrary bytes as a model returns an error,
// or a model that scores; it never panics or takes more than the largest
// model's memory.
func FuzzUnmarshalModel(f *testing.F) {
	good, err := func() ([]byte, error) {
		m, err := Load()
		if err != nil {
			return nil, err
		}
		return m.MarshalBinary()
	}()
	if err != nil {
		f.Fatal(err)
	}
	header := func(bits byte, pending, spam, bias float64) []byte {
		b := []byte(modelMagic)
		b = binary.AppendUvarint(b, featureScheme)
		b = append(b, bits)
		for _, v := range []float64{pending, spam, bias} {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add(good[:min(len(good), 4096)])
	f.Add(good[:len(modelMagic)+2])
	f.Add(append(header(12, 0.5, 0.9, 0), 2, 1, 0x80, 0x3f, 0, 0x80, 0xbf))
	f.Add(append(header(12, 0.5, 0.9, math.NaN()), 0))
	f.Add(append(header(12, 0.5, 0.9, 0), 1, 5, 0x80, 0x7f)) // an infinite weight
	f.Add(append(header(12, 0.5, 0.9, 0), 1, 5, 0xc0, 0x7f)) // NaN
	f.Add(header(40, 0.5, 0.9, 0)[:len(modelMagic)+10])      // truncated after 40 bits
	f.Add(header(255, 0.5, 0.9, 0)[:len(modelMagic)+2])
	f.Add(append(header(26, 0.5, 0.9, 0), 0xff, 0xff, 0xff, 0xff, 0x0f))
	f.Add([]byte("not a model"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(Model)
		if err := m.UnmarshalBinary(b); err != nil {
			return
		}
		if m.bits < 10 || m.bits > 26 || len(m.weights) != 1<<m.bits {
			t.Fatalf("model of %d bits with %d weights", m.bits, len(m.weights))
		}
		if !(0 <= m.pending && m.pending <= m.spam && m.spam <= 1) || math.IsNaN(m.bias) || math.IsInf(m.bias, 0) {
			t.Fatalf("thresholds %v, %v, bias %v", m.pending, m.spam, m.bias)
		}
		for _, text := range []string{"", "Free money, click https://spam.example now!!!", "I agree with the council."} {
			if s := m.Score(text, 0).Score; math.IsNaN(s) || s < 0 || s > 1 {
				t.Fatalf("the loaded model scores %q %v", text, s)
			}
		}
		// Written out, it reads back to the same bytes.
		out, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		m2 := new(Model)
		if err := m2.UnmarshalBinary(out); err != nil {
			t.Fatalf("a model's own file does not load: %v", err)
		}
		if out2, _ := m2.MarshalBinary(); !bytes.Equal(out, out2) {
			t.Fatal("a model's file changes when loaded and written again")
		}
	})
}

// FuzzApplyLearned: saved lessons are read back from storage; bad bytes
// are an error and leave the model as it was.
func FuzzApplyLearned(f *testing.F) {
	// A small model keeps each run cheap; lessons must match its size.
	small := func() *Model {
		b := []byte(modelMagic)
		b = binary.AppendUvarint(b, featureScheme)
		b = append(b, 10)
		for _, v := range []float64{0.5, 0.9, 0} {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		m := new(Model)
		if err := m.UnmarshalBinary(append(b, 0)); err != nil {
			f.Fatal(err)
		}
		return m
	}
	taught := small()
	taught.Learn("Buy cheap watches at https://spam.example", 1, true)
	taught.Learn("I think the council should build more trams.", 0, false)
	f.Add(taught.MarshalLearned())
	f.Add(small().MarshalLearned())
	f.Add([]byte(learnedMagic))
	f.Add(append([]byte(learnedMagic), 1, 10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0))
	f.Add(append([]byte(learnedMagic), 1, 10, 1, 1, 3, 0, 0, 0xc0, 0x7f))                                  // a NaN change
	f.Add(append([]byte(learnedMagic), 1, 10, 0, 2, 5, 0xff, 0xff, 0x7f, 0x7f, 0, 0xff, 0xff, 0x7f, 0x7f)) // summing to +Inf
	f.Fuzz(func(t *testing.T, b []byte) {
		m := small()
		before := m.MarshalLearned()
		if err := m.ApplyLearned(b); err != nil {
			if after := m.MarshalLearned(); !bytes.Equal(before, after) {
				t.Fatalf("ApplyLearned failed (%v) but changed the model", err)
			}
			return
		}
		if m.Decisions() < 0 {
			t.Fatalf("%d decisions", m.Decisions())
		}
		for s, w := range m.weights {
			if math.IsNaN(float64(w)) || math.IsInf(float64(w), 0) {
				t.Fatalf("after the lessons weight %d is %v", s, w)
			}
		}
		for _, text := range []string{"Free money, click https://spam.example now!!!", "I agree with the council."} {
			if s := m.Score(text, 0).Score; math.IsNaN(s) || s < 0 || s > 1 {
				t.Fatalf("after the lessons the model scores %q %v", text, s)
			}
		}
	})
}
