package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-org/parley/internal/spam"
)

// spamFixture is hand-written data in the layout of ../shared/data/spam.
const spamFixture = "../../internal/spam/testdata/spamdata"

func runSpam(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestSpamTrainWritesModel(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.bin"), filepath.Join(dir, "b.bin")
	out, _, err := runSpam(t, noEnv, "spam", "train", "--data", spamFixture, "--out", first)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Trained on 44 comments") || !strings.Contains(out, first) {
		t.Errorf("train said %q", out)
	}
	// The data folder may come from the environment instead.
	env := func(k string) string {
		if k == "PARLEY_SPAM_DATA" {
			return spamFixture
		}
		return ""
	}
	if _, _, err := runSpam(t, env, "spam", "train", "--out", second); err != nil {
		t.Fatal(err)
	}
	a, errA := os.ReadFile(first)
	b, errB := os.ReadFile(second)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if !bytes.Equal(a, b) {
		t.Error("two trainings on the same data wrote different model files")
	}
	var m spam.Model
	if err := m.UnmarshalBinary(a); err != nil {
		t.Fatalf("the model file does not load: %v", err)
	}
	if r := m.Score("WINNER! Call 09061234567 now to claim your cash prize", 0); r.Score < 0.5 {
		t.Errorf("the trained model scores fixture-like spam %.3f", r.Score)
	}
}

var (
	evalLine  = regexp.MustCompile(`^(youtube|sms|blog-comments) precision=[01]\.\d{4} recall=[01]\.\d{4} f1=[01]\.\d{4} fpr=[01]\.\d{4}$`)
	judgeLine = regexp.MustCompile(`^(youtube|sms|blog-comments)/judge precision=[01]\.\d{4} recall=[01]\.\d{4} f1=[01]\.\d{4} fpr=[01]\.\d{4} pending-ham=[01]\.\d{4} spam-stopped=[01]\.\d{4}$`)
)

func TestSpamEvalCrossValidation(t *testing.T) {
	comments := filepath.Join(t.TempDir(), "eu-haveyoursay", "c.json")
	os.MkdirAll(filepath.Dir(comments), 0o755)
	os.WriteFile(comments, []byte(`[{"text":"The 2035 date should stay."},{"text":"Please keep the targets for vans."}]`), 0o644)
	args := []string{"spam", "eval", "--data", spamFixture, "--folds", "2", "--comments", comments}
	out, _, err := runSpam(t, noEnv, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 {
		t.Fatalf("eval printed %d lines, want 8:\n%s", len(lines), out)
	}
	for i, ds := range spam.Datasets {
		if !evalLine.MatchString(lines[i]) || !strings.HasPrefix(lines[i], ds+" ") {
			t.Errorf("line %d: %q, want the figures of %s", i+1, lines[i], ds)
		}
		// Then Judge's, under a name of their own (.ci/run keys figures
		// by the line's first word).
		if j := lines[3+i]; !judgeLine.MatchString(j) || !strings.HasPrefix(j, ds+"/judge ") {
			t.Errorf("line %d: %q, want Judge's figures of %s", 4+i, j, ds)
		}
	}
	if !regexp.MustCompile(`^eu-haveyoursay marked-spam=[01]\.\d{4} \(n=2\)$`).MatchString(lines[6]) {
		t.Errorf("line 7: %q", lines[6])
	}
	if !regexp.MustCompile(`^eu-haveyoursay/judge marked-spam=[01]\.\d{4} pending=[01]\.\d{4} \(n=2\)$`).MatchString(lines[7]) {
		t.Errorf("last line %q", lines[7])
	}
	if again, _, _ := runSpam(t, noEnv, args...); again != out {
		t.Errorf("eval is not deterministic:\n%s\nthen\n%s", out, again)
	}
}

func TestSpamEvalTrainTest(t *testing.T) {
	test := t.TempDir()
	os.MkdirAll(filepath.Join(test, "sms"), 0o755)
	msgs, err := os.ReadFile(filepath.Join(spamFixture, "sms", "SMSSpamCollection"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(test, "sms", "SMSSpamCollection"), msgs, 0o644)
	out, errOut, err := runSpam(t, noEnv, "spam", "eval", "--train", spamFixture, "--test", test, "--comments", "")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !evalLine.MatchString(lines[0]) || !strings.HasPrefix(lines[0], "sms ") ||
		!judgeLine.MatchString(lines[1]) || !strings.HasPrefix(lines[1], "sms/judge ") {
		t.Errorf("eval printed %q, want an sms line and an sms/judge line", out)
	}
	for _, ds := range []string{"youtube", "blog-comments"} {
		if !strings.Contains(errOut, "no "+ds+"/ folder") {
			t.Errorf("stderr does not note the missing %s: %q", ds, errOut)
		}
	}
}

func TestSpamCommandErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"spam", "eval", "--train", spamFixture}, "both --train and --test"},
		{[]string{"spam", "eval", "--data", spamFixture, "--folds", "1"}, "--folds"},
		{[]string{"spam", "eval", "--data", "no/such/folder"}, "no spam data folder"},
		{[]string{"spam", "eval", "--data", spamFixture, "--comments", "no/such.json"}, "no/such.json"},
		{[]string{"spam", "train", "--data", t.TempDir(), "--out", filepath.Join(t.TempDir(), "m.bin")}, "no labelled comments"},
		{[]string{"spam", "train", "extra"}, "takes no arguments"},
	}
	for _, tt := range tests {
		_, _, err := runSpam(t, noEnv, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one saying %q", tt.args, err, tt.want)
		}
	}
}

func TestSpamHelp(t *testing.T) {
	out, _, err := runSpam(t, noEnv, "help")
	if err != nil || !strings.Contains(out, "spam train") || !strings.Contains(out, "spam eval") {
		t.Errorf("help: %v\n%s", err, out)
	}
	for _, cmd := range []string{"train", "eval"} {
		out, _, err := runSpam(t, noEnv, "help", "spam", cmd)
		if err != nil || !strings.Contains(out, "Usage: parley spam "+cmd) || !strings.Contains(out, "PARLEY_SPAM_DATA") {
			t.Errorf("help spam %s: %v\n%s", cmd, err, out)
		}
	}
}
