package langid

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Sample is a text labelled with its language, for measuring Detect.
type Sample struct {
	Lang, Kind, Text string
}

// kinds are the kinds of sample, in the order Evaluate reports them.
var kinds = []string{"sentence", "word_pair"}

// header is the first line of a samples file.
const header = "lang\tkind\ttext"

// ReadSamples reads labelled texts in the layout of
// ../shared/data/langid/*.tsv: the header line "lang<TAB>kind<TAB>text",
// then one sample a line. Empty lines are skipped; errors name the line.
func ReadSamples(r io.Reader) ([]Sample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	var samples []Sample
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text() // without its "\n" or "\r\n"
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
			if line != header {
				return nil, fmt.Errorf("line 1: the header is %q, want %q", line, header)
			}
			continue
		}
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		switch {
		case len(f) != 3:
			return nil, fmt.Errorf("line %d: %d tab-separated fields, want 3 (lang, kind, text)", n, len(f))
		case !isCode(f[0]):
			return nil, fmt.Errorf("line %d: bad language %q, want an ISO 639 code like de", n, f[0])
		case !slices.Contains(kinds, f[1]):
			return nil, fmt.Errorf("line %d: unknown kind %q, want %s", n, f[1], strings.Join(kinds, " or "))
		}
		samples = append(samples, Sample{Lang: f[0], Kind: f[1], Text: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if n == 0 {
		return nil, errors.New("empty: no header line")
	}
	return samples, nil
}

// isCode reports whether s looks like an ISO 639 code: two or three
// lowercase letters (so never "overall").
func isCode(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, c := range []byte(s) {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Score is how many of the samples of one kind and language (or all
// languages, Lang "overall"; all kinds, Kind "all") Detect got right.
type Score struct {
	Kind, Lang string
	N, Correct int
}

// Accuracy is the share of samples detected right.
func (s Score) Accuracy() float64 {
	if s.N == 0 {
		return 0
	}
	return float64(s.Correct) / float64(s.N)
}

// String is the line `parley lang eval` prints under its kind's heading,
// as eval_baseline.txt holds it: `LANG n=N accuracy=A`.
func (s Score) String() string {
	return fmt.Sprintf("%s n=%d accuracy=%.4f", s.Lang, s.N, s.Accuracy())
}

// Evaluate detects the language of each sample and scores the answers: for
// each kind present (in the order of kinds), then for all kinds together
// (Kind "all"), one score per language (sorted) and one overall. An answer
// of "" is wrong.
func Evaluate(d *Detector, samples []Sample) []Score {
	type key struct{ kind, lang string }
	byKey := map[key]*Score{}
	for _, s := range samples {
		ok := d.Detect(s.Text) == s.Lang
		for _, k := range []key{{s.Kind, s.Lang}, {s.Kind, "overall"}, {"all", s.Lang}, {"all", "overall"}} {
			sc := byKey[k]
			if sc == nil {
				sc = &Score{Kind: k.kind, Lang: k.lang}
				byKey[k] = sc
			}
			sc.N++
			if ok {
				sc.Correct++
			}
		}
	}
	var scores []Score
	for _, kind := range append(slices.Clone(kinds), "all") {
		var langs []string
		for k := range byKey {
			if k.kind == kind && k.lang != "overall" {
				langs = append(langs, k.lang)
			}
		}
		if len(langs) == 0 {
			continue
		}
		slices.Sort(langs)
		for _, l := range append(langs, "overall") {
			scores = append(scores, *byKey[key{kind, l}])
		}
	}
	return scores
}
