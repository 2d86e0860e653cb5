package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/parley-org/parley/internal/langid"
)

// `parley lang eval FILE.tsv` measures the language detection of reader
// comments (internal/langid) on labelled texts, in the layout of
// ../shared/data/langid: under a heading for each kind (`# sentence`,
// `# word_pair`, then `# all`), one line per language and one overall,
// `LANG n=N accuracy=A`. .ci/lang-eval compares them with
// internal/langid/eval_baseline.txt.

func langEval(_ context.Context, e *env, args []string) error {
	flags := flag.NewFlagSet("parley lang eval", flag.ContinueOnError)
	flags.SetOutput(e.stderr)
	flags.Usage = func() { usage(e.stderr, "lang eval", flags) }
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return fmt.Errorf("lang eval takes one file of labelled texts (lang<TAB>kind<TAB>text), got %q", flags.Args())
	}
	samples, err := readLangSamples(flags.Arg(0))
	if err != nil {
		return err
	}
	kind := ""
	for _, s := range langid.Evaluate(langid.Default(), samples) {
		if s.Kind != kind {
			kind = s.Kind
			fmt.Fprintln(e.stdout, "# "+kind)
		}
		fmt.Fprintln(e.stdout, s)
	}
	return nil
}

// readLangSamples reads a file of labelled texts; its errors name the file
// and line.
func readLangSamples(file string) ([]langid.Sample, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("lang eval: %w", err)
	}
	defer f.Close()
	samples, err := langid.ReadSamples(f)
	if err != nil {
		return nil, fmt.Errorf("lang eval: %s: %w", file, err)
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("lang eval: %s: no labelled texts after the header", file)
	}
	return samples, nil
}
