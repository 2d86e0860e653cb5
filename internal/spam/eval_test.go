package spam

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"
)

func TestSpamMetrics(t *testing.T) {
	tests := []struct {
		m                          Metrics
		precision, recall, f1, fpr float64
		line                       string
	}{
		{Metrics{"sms", 90, 10, 890, 10}, 0.9, 0.9, 0.9, 10.0 / 900, "sms precision=0.9000 recall=0.9000 f1=0.9000 fpr=0.0111"},
		{Metrics{"youtube", 50, 0, 100, 50}, 1, 0.5, 2.0 / 3, 0, "youtube precision=1.0000 recall=0.5000 f1=0.6667 fpr=0.0000"},
		{Metrics{"none", 0, 0, 10, 5}, 0, 0, 0, 0, "none precision=0.0000 recall=0.0000 f1=0.0000 fpr=0.0000"},
		{Metrics{Dataset: "empty"}, 0, 0, 0, 0, "empty precision=0.0000 recall=0.0000 f1=0.0000 fpr=0.0000"},
	}
	near := func(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
	for _, tt := range tests {
		m := tt.m
		if !near(m.Precision(), tt.precision) || !near(m.Recall(), tt.recall) || !near(m.F1(), tt.f1) || !near(m.FPR(), tt.fpr) {
			t.Errorf("%+v: precision %v recall %v f1 %v fpr %v", m, m.Precision(), m.Recall(), m.F1(), m.FPR())
		}
		if m.String() != tt.line {
			t.Errorf("%+v prints %q, want %q", m, m.String(), tt.line)
		}
	}
}

func TestSpamEvaluateAndCrossValidateCount(t *testing.T) {
	examples := fixture(t)
	check := func(name string, got []Metrics) {
		t.Helper()
		var names []string
		for _, m := range got {
			names = append(names, m.Dataset)
			n := 0
			for _, e := range examples {
				if e.Dataset == m.Dataset {
					n++
				}
			}
			if m.TP+m.FP+m.TN+m.FN != n {
				t.Errorf("%s: %s counts %d verdicts for %d examples", name, m.Dataset, m.TP+m.FP+m.TN+m.FN, n)
			}
		}
		if !slices.Equal(names, Datasets) {
			t.Errorf("%s: datasets %q, want %q", name, names, Datasets)
		}
	}
	o := Options{Bits: 16, Folds: 2}
	m := Train(examples, o)
	check("Evaluate", Evaluate(m, examples))
	cv := CrossValidate(examples, 3, o)
	check("CrossValidate", cv)
	if again := CrossValidate(examples, 3, o); !slices.Equal(again, cv) {
		t.Errorf("cross-validation is not deterministic: %v, then %v", cv, again)
	}
}

// The figures `parley spam eval` prints for the dev data, checked against
// the product's targets where they are met (the package documentation
// says by how much the others are missed). .ci/run guards every figure against regressions.
func TestSpamCrossValidationMeetsTargets(t *testing.T) {
	if raceEnabled {
		t.Skip("slow under the race detector; .ci/run runs this evaluation without it")
	}
	data := spamData(t)
	examples, missing, err := LoadDir(filepath.Join(data, "spam"))
	if err != nil || len(missing) > 0 {
		t.Fatalf("LoadDir: %v, missing %q", err, missing)
	}
	for _, m := range CrossValidate(examples, 5, Options{}) {
		t.Log(m)
		if m.FPR() > 0.01 {
			t.Errorf("%s: false-positive rate %.4f, target at most 0.01", m.Dataset, m.FPR())
		}
		if m.Precision() < 0.95 {
			t.Errorf("%s: precision %.4f; a spam verdict should almost always be right", m.Dataset, m.Precision())
		}
		switch m.Dataset {
		case "sms":
			if m.F1() < 0.95 {
				t.Errorf("sms: F1 %.4f, target at least 0.95", m.F1())
			}
		case "youtube":
			// Target 0.95, not reached: see the package documentation.
			if m.F1() < 0.90 {
				t.Errorf("youtube: F1 %.4f, below the 0.90 reached", m.F1())
			}
		}
	}
	comments, err := LoadComments(filepath.Join(data, "comments", "eu-haveyoursay", "eu_consultation_responses.json"))
	if err != nil {
		t.Skipf("no legitimate comments to check against: %v", err)
	}
	m := Train(examples, Options{})
	if share := m.MarkedSpam(comments); share > 0.01 {
		t.Errorf("%.4f of the eu-haveyoursay comments marked spam, target at most 0.01", share)
	}
}

// model.bin must be what `parley spam train` makes of the data today.
func TestSpamModelFileUpToDate(t *testing.T) {
	if raceEnabled {
		t.Skip("slow under the race detector")
	}
	data := spamData(t)
	examples, _, err := LoadDir(filepath.Join(data, "spam"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(marshal(t, Train(examples, Options{})), embedded) {
		t.Error("model.bin is not what training on ../shared/data/spam makes: run go generate ./internal/spam (or parley spam train) and commit it")
	}
}
