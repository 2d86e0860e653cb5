package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-org/parley/internal/spam"
)

// The spam classifier's commands: `parley spam train` regenerates the
// model built into Parley (internal/spam/model.bin) from the spam
// collections in ../shared/data/spam; `parley spam eval` measures how well
// a model trained that way does: first Score's verdicts, then, on lines
// named "<dataset>/judge", those of Judge, which is what posting a comment
// uses. Both read the data only from local files.

func spamTrain(_ context.Context, e *env, args []string) error {
	flags := flag.NewFlagSet("parley spam train", flag.ContinueOnError)
	data := flags.String("data", spamEnv(e, "PARLEY_SPAM_DATA", defaultSpamData()),
		"folder of labelled spam collections: youtube/, sms/ and blog-comments/ as in ../shared/data/spam (PARLEY_SPAM_DATA)")
	out := flags.String("out", "", "model file to write (default internal/spam/model.bin in this repository)")
	if err := parseSpamFlags(e, "spam train", flags, args); err != nil {
		return err
	}
	examples, err := loadSpamData(e, *data)
	if err != nil {
		return err
	}
	file := *out
	if file == "" {
		root, err := repoRoot()
		if err != nil {
			return fmt.Errorf("%w; give --out", err)
		}
		file = filepath.Join(root, "internal", "spam", "model.bin")
	}
	m := spam.Train(examples, spam.Options{})
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		return err
	}
	pending, spamAt := m.Thresholds()
	fmt.Fprintf(e.stdout, "Trained on %d comments; pending from %.3f, spam from %.3f. Wrote %s (%d bytes).\n",
		len(examples), pending, spamAt, file, len(b))
	return nil
}

func spamEval(_ context.Context, e *env, args []string) error {
	flags := flag.NewFlagSet("parley spam eval", flag.ContinueOnError)
	data := flags.String("data", spamEnv(e, "PARLEY_SPAM_DATA", defaultSpamData()),
		"folder of labelled spam collections to cross-validate on (PARLEY_SPAM_DATA)")
	folds := flags.Int("folds", 5, "folds of the cross-validation")
	train := flags.String("train", "", "instead of cross-validating, train on this folder (same layout as --data) …")
	test := flags.String("test", "", "… and score this one")
	comments := flags.String("comments", spamEnv(e, "PARLEY_SPAM_COMMENTS", defaultSpamComments()),
		"legitimate comments (a JSON array of {\"text\": …}) of which to report the share marked spam; empty for none (PARLEY_SPAM_COMMENTS)")
	if err := parseSpamFlags(e, "spam eval", flags, args); err != nil {
		return err
	}
	if (*train == "") != (*test == "") {
		return errors.New("spam eval: give both --train and --test, or neither")
	}
	if *folds < 2 {
		return errors.New("spam eval: --folds must be 2 or more")
	}
	var legit []string
	if *comments != "" {
		var err error
		legit, err = spam.LoadComments(*comments)
		switch {
		case errors.Is(err, fs.ErrNotExist) && !explicitFlag(flags, "comments") && e.getenv("PARLEY_SPAM_COMMENTS") == "":
			fmt.Fprintf(e.stderr, "spam eval: no legitimate comments at %s; skipping that check\n", *comments)
		case err != nil:
			return err
		}
	}

	var model *spam.Model // the model the legitimate comments are scored with
	if *train != "" {
		trainSet, err := loadSpamData(e, *train)
		if err != nil {
			return err
		}
		testSet, err := loadSpamData(e, *test)
		if err != nil {
			return err
		}
		model = spam.Train(trainSet, spam.Options{})
		for _, m := range spam.Evaluate(model, testSet) {
			fmt.Fprintln(e.stdout, m)
		}
		for _, m := range spam.EvaluateJudged(model, testSet) {
			fmt.Fprintln(e.stdout, m)
		}
	} else {
		examples, err := loadSpamData(e, *data)
		if err != nil {
			return err
		}
		score, judged := spam.CrossValidateJudged(examples, *folds, spam.Options{})
		for _, m := range score {
			fmt.Fprintln(e.stdout, m)
		}
		for _, m := range judged {
			fmt.Fprintln(e.stdout, m)
		}
		if legit != nil {
			model = spam.Train(examples, spam.Options{}) // the model `spam train` would ship
		}
	}
	if legit != nil {
		name := filepath.Base(filepath.Dir(*comments))
		fmt.Fprintf(e.stdout, "%s marked-spam=%.4f (n=%d)\n", name, model.MarkedSpam(legit), len(legit))
		spamShare, pendingShare := model.Judged(legit)
		fmt.Fprintf(e.stdout, "%s/judge marked-spam=%.4f pending=%.4f (n=%d)\n", name, spamShare, pendingShare, len(legit))
	}
	return nil
}

// parseSpamFlags parses a spam command's flags, with help in the format
// of the other commands'.
func parseSpamFlags(e *env, cmd string, flags *flag.FlagSet, args []string) error {
	flags.SetOutput(e.stderr)
	flags.Usage = func() { usage(e.stderr, cmd, flags) }
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", cmd, flags.Args())
	}
	return nil
}

// explicitFlag reports whether the flag was given on the command line.
func explicitFlag(flags *flag.FlagSet, name string) bool {
	set := false
	flags.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func spamEnv(e *env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// loadSpamData reads a data folder, noting on stderr the datasets it lacks.
func loadSpamData(e *env, dir string) ([]spam.Example, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("no spam data folder at %s (see --data; the collections live in ../shared/data/spam)", dir)
	}
	examples, missing, err := spam.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, ds := range missing {
		fmt.Fprintf(e.stderr, "spam: %s has no %s/ folder; skipping that dataset\n", dir, ds)
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("no labelled comments in %s (expected %s)", dir, strings.Join(spam.Datasets, "/, ")+"/")
	}
	return examples, nil
}

// sharedData is the shared/data folder beside the repository (found from
// the working directory), or "../shared/data" if there is none.
func sharedData() string {
	if d := spam.FindData("."); d != "" {
		return d
	}
	return filepath.Join("..", "shared", "data")
}

func defaultSpamData() string { return filepath.Join(sharedData(), "spam") }

func defaultSpamComments() string {
	return filepath.Join(sharedData(), "comments", "eu-haveyoursay", "eu_consultation_responses.json")
}

// repoRoot is the nearest folder up from the working directory that holds
// Parley's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/parley-org/parley\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the Parley repository")
		}
		dir = parent
	}
}
