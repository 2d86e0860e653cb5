package spam

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// readLines returns the non-empty lines of a testdata file.
func readLines(t testing.TB, name string) []string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	s := bufio.NewScanner(strings.NewReader(string(b)))
	for s.Scan() {
		if line := strings.TrimSpace(s.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// judgeCounts judges each text and counts the verdicts.
func judgeCounts(t *testing.T, m *Model, texts []string, log Verdicts) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, text := range texts {
		r := m.Judge(text, 0)
		n[r.Verdict]++
		if log[r.Verdict] {
			t.Logf("%s %.3f %q %v", r.Verdict, r.Score, text, r.Reasons)
		}
	}
	return n
}

// Verdicts selects which verdicts judgeCounts logs.
type Verdicts map[string]bool

// Legitimate debate comments (testdata/debate_ham.txt, written for this
// test: short replies, questions, arguments, sources, other languages,
// numbers, anger): none may be marked spam, and about 5% at most held.
func TestJudgeDebateComments(t *testing.T) {
	m := loadModel(t)
	ham := readLines(t, "testdata/debate_ham.txt")
	if len(ham) < 150 {
		t.Fatalf("%d comments in the fixture, want at least 150", len(ham))
	}
	n := judgeCounts(t, m, ham, Verdicts{Spam: true, Pending: true})
	t.Logf("Judge on %d legitimate debate comments: %d ham, %d pending, %d spam", len(ham), n[Ham], n[Pending], n[Spam])
	if n[Spam] > 0 {
		t.Errorf("Judge marked %d legitimate comments spam, want none", n[Spam])
	}
	if share := float64(n[Pending]) / float64(len(ham)); share > 0.055 {
		t.Errorf("Judge held %.1f%% of the legitimate comments as pending, want at most about 5%%", 100*share)
	}
	// Score, for comparison (what Judge corrects).
	s := map[string]int{}
	for _, text := range ham {
		s[m.Score(text, 0).Verdict]++
	}
	t.Logf("Score on the same: %d ham, %d pending, %d spam", s[Ham], s[Pending], s[Spam])
}

// Comment spam as it reaches a debate site (testdata/debate_spam.txt):
// most of it must be stopped (spam or pending), and much of it marked
// spam outright.
func TestJudgeDebateSpam(t *testing.T) {
	m := loadModel(t)
	spam := readLines(t, "testdata/debate_spam.txt")
	if len(spam) < 40 {
		t.Fatalf("%d comments in the fixture, want at least 40", len(spam))
	}
	n := judgeCounts(t, m, spam, Verdicts{Ham: true})
	total := float64(len(spam))
	t.Logf("Judge on %d spam comments: %d spam (%.0f%%), %d pending; stopped %.0f%%, published %d",
		len(spam), n[Spam], 100*float64(n[Spam])/total, n[Pending], 100*float64(n[Spam]+n[Pending])/total, n[Ham])
	if stopped := float64(n[Spam]+n[Pending]) / total; stopped < 0.80 {
		t.Errorf("Judge stopped %.0f%% of the spam (spam or pending), want at least 80%%", 100*stopped)
	}
	if caught := float64(n[Spam]) / total; caught < 0.15 {
		t.Errorf("Judge marked %.0f%% of the spam as spam, want at least 15%%", 100*caught)
	}
}

// Short comments that Score marks spam or pending are at most pending
// for Judge; those without a spammer's words are published.
func TestJudgeShortComments(t *testing.T) {
	m := loadModel(t)
	for _, c := range []struct {
		text string
		want string // the verdict wanted; "" for Ham or Pending
	}{
		{"A comment by person.", Ham},
		{"Browser check: bike lanes make the centre *much* calmer.", Ham},
		{"More trees, please.", Ham},
		{"Danke!", Ham},
		{"Agreed.", Ham},
		{"Merci pour ce débat", Ham},
		{"Why not?", Ham},
		{"", Ham},
		{"Check out my channel and subscribe!!!", Pending},
		{"subscribe subscribe subscribe", ""},
	} {
		r := m.Judge(c.text, 0)
		if r.Verdict == Spam || c.want != "" && r.Verdict != c.want {
			want := c.want
			if want == "" {
				want = "ham or pending"
			}
			t.Errorf("Judge(%q) = %.3f %s (Score %.3f), want %s", c.text, r.Score, r.Verdict, m.Score(c.text, 0).Score, want)
		}
	}
}

// The rule's parts: a short comment with a phone number or several links
// can be spam; one link or a currency symbol alone cannot make it so;
// long spam is still spam; Judge's score is Score's for long comments
// without facts, up to the shrinkage.
func TestJudgeRule(t *testing.T) {
	m := loadModel(t)
	for _, text := range []string{
		"WINNER!! You have won a £1000 cash prize. Call 09061701461 now to claim, T&C apply",
		"Kaspersky antivirus support phone number 1-800-555-0199, call our experts 24x7 for any installation error",
	} {
		if r := m.Judge(text, 0); r.Verdict != Spam {
			t.Errorf("Judge(%q) = %.3f %s, want spam: a phone number is a strong fact", text, r.Score, r.Verdict)
		}
	}
	// One link on neutral text: held at most, whatever the link.
	cite := "The figures for 2023 are in the council's report, page 12: https://www.example.org/report.pdf"
	if r := m.Judge(cite, 0); r.Verdict == Spam {
		t.Errorf("Judge(%q) = %.3f spam: one link must not decide", cite, r.Score)
	}
	// Shrinkage: the longer the comment, the more its words count.
	for _, text := range legitimate {
		if r := m.Judge(text, 0); r.Verdict != Ham {
			t.Errorf("Judge(%q) = %.3f %s, want ham", text, r.Score, r.Verdict)
		}
	}
	long := strings.Repeat("Check out my channel and subscribe, I post new videos every day, please subscribe back. ", 3)
	if r := m.Judge(long, 0); r.Verdict != Spam {
		t.Errorf("Judge(long channel spam) = %.3f %s, want spam", r.Score, r.Verdict)
	}
	if s, j := m.Score(long, 0), m.Judge(long, 0); !(j.Score <= s.Score) {
		t.Errorf("Judge's score %.3f above Score's %.3f on text evidence for spam", j.Score, s.Score)
	}
}

// The consultation answers of eu-haveyoursay, when the shared data is
// there: Judge marks no more of them spam than Score does, and holds at
// most 5%.
func TestJudgeConsultationComments(t *testing.T) {
	data := spamData(t)
	comments, err := LoadComments(data + "/comments/eu-haveyoursay/eu_consultation_responses.json")
	if err != nil {
		t.Skipf("no legitimate comments: %v", err)
	}
	m := loadModel(t)
	spam, pending := m.Judged(comments)
	t.Logf("Judge on %d consultation comments: %.4f spam, %.4f pending (Score: %.4f spam)", len(comments), spam, pending, m.MarkedSpam(comments))
	if spam > m.MarkedSpam(comments) {
		t.Errorf("Judge marks %.4f spam, more than Score's %.4f", spam, m.MarkedSpam(comments))
	}
	if pending > 0.05 {
		t.Errorf("Judge holds %.4f as pending, want at most 0.05", pending)
	}
}
