package langid

import (
	"slices"
	"strings"
	"testing"
)

// FuzzReadSamples: ReadSamples never panics, and what it accepts is well
// formed and reads the same when written out again.
func FuzzReadSamples(f *testing.F) {
	for _, s := range []string{
		"lang\tkind\ttext\nde\tsentence\tHallo Welt\nen\tword_pair\tgood idea\n",
		"\uFEFFlang\tkind\ttext\r\nfr\tsentence\tBonjour\r\n\r\n",
		"lang\tkind\ttext\nde\tsentence\t\n",
		"lang\tkind\ttext\nde\tsentence\tx\r\r\n",
		"lang\tkind\ttext\nde\tsentence\n",
		"lang\tkind\ttext\nde\tother\tx\n",
		"lang\tkind\ttext\noverall\tsentence\tx\n",
		"lang kind text\n",
		"",
		"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		samples, err := ReadSamples(strings.NewReader(in))
		if err != nil {
			if samples != nil {
				t.Errorf("ReadSamples returned samples with the error %v", err)
			}
			return
		}
		// Lines end in "\r\n", of which the reader drops both: a text
		// may end in "\r".
		var b strings.Builder
		b.WriteString(header + "\r\n")
		for _, s := range samples {
			if !isCode(s.Lang) || !slices.Contains(kinds, s.Kind) || strings.ContainsAny(s.Text, "\t\n") {
				t.Fatalf("ReadSamples accepted %+v", s)
			}
			b.WriteString(s.Lang + "\t" + s.Kind + "\t" + s.Text + "\r\n")
		}
		again, err := ReadSamples(strings.NewReader(b.String()))
		if err != nil || !slices.Equal(again, samples) {
			t.Errorf("written out and read again: %v, %+v; was %+v", err, again, samples)
		}
	})
}
