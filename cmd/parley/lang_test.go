package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runLang(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out bytes.Buffer
	err = run(context.Background(), append([]string{"lang", "eval"}, args...), noEnv, &out, &bytes.Buffer{})
	return out.String(), err
}

func TestLangEval(t *testing.T) {
	out, err := runLang(t, filepath.Join("testdata", "langid.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	// "ok" is too short to tell: Detect answers "", which counts as wrong.
	want := `# sentence
de n=2 accuracy=1.0000
en n=2 accuracy=0.5000
fr n=1 accuracy=1.0000
overall n=5 accuracy=0.8000
# word_pair
de n=1 accuracy=1.0000
en n=1 accuracy=1.0000
fr n=1 accuracy=1.0000
overall n=3 accuracy=1.0000
# all
de n=3 accuracy=1.0000
en n=3 accuracy=0.6667
fr n=2 accuracy=1.0000
overall n=8 accuracy=0.8750
`
	if out != want {
		t.Errorf("lang eval printed\n%s\nwant\n%s", out, want)
	}
}

func TestLangEvalErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name string
		args []string
		want string // in the error
	}{
		{"no file", nil, "one file"},
		{"two files", []string{"a.tsv", "b.tsv"}, "one file"},
		{"missing file", []string{filepath.Join(dir, "none.tsv")}, "no such file"},
		{"empty file", []string{write("empty.tsv", "")}, "no header"},
		{"only the header", []string{write("header.tsv", "lang\tkind\ttext\n")}, "no labelled texts"},
		{"bad header", []string{write("h.tsv", "language\tkind\ttext\nde\tsentence\tHallo Welt\n")}, "h.tsv: line 1: the header"},
		{"two fields", []string{write("f.tsv", "lang\tkind\ttext\nde\tsentence\tHallo\nde\tsentence\n")}, "f.tsv: line 3: 2 tab-separated fields"},
		{"four fields", []string{write("g.tsv", "lang\tkind\ttext\nde\tsentence\tHallo\tWelt\n")}, "line 2: 4 tab-separated fields"},
		{"unknown kind", []string{write("k.tsv", "lang\tkind\ttext\nde\tparagraph\tHallo Welt\n")}, `line 2: unknown kind "paragraph"`},
		{"bad language", []string{write("l.tsv", "lang\tkind\ttext\n\n\nGerman\tsentence\tHallo Welt\n")}, `line 4: bad language "German"`},
	} {
		_, err := runLang(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: lang eval %q gave %v, want an error with %q", c.name, c.args, err, c.want)
		}
	}
}

func TestLangEvalHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help", "lang", "eval"}, noEnv, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Usage: parley lang eval [OPTIONS] FILE.tsv") {
		t.Errorf("help lang eval:\n%s", out.String())
	}
}
