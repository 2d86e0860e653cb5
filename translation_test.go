package parley

import "testing"

// TestTranslationOverADebate: a translation's texts replace the debate's
// in a copy; untranslated lines and answers stay, and the originals are
// left as they were (caches share them).
func TestTranslationOverADebate(t *testing.T) {
	d := &Debate{ID: 1, Title: "Rivers", Question: "What now?", BodyHTML: "<p>Text</p>", ImageCredit: "Photo: A"}
	qs := []*Question{
		{ID: 10, FramingHTML: "<p>Framing</p>", Answers: []*Answer{{ID: 100, LeadIn: "Lead", BodyHTML: "<p>Answer</p>"}, {ID: 101, BodyHTML: "<p>Other</p>"}}},
		{ID: 11, FramingHTML: "<p>Kept</p>"},
	}
	tr := &DebateTranslation{Language: "de", Title: "Flüsse", Question: "Was nun?", BodyHTML: "<p>Text (de)</p>",
		Framing: map[int64]string{10: "Rahmen"}, FramingHTML: map[int64]string{10: "<p>Rahmen</p>"}}
	answers := map[int64]map[string]*AnswerTranslation{100: {"de": {BodyHTML: "<p>Antwort</p>"}, "fr": {BodyHTML: "<p>Réponse</p>"}}}

	got := tr.Over(d)
	if got.Title != "Flüsse" || got.Question != "Was nun?" || got.BodyHTML != "<p>Text (de)</p>" || got.ImageCredit != "Photo: A" {
		t.Errorf("translated debate %+v", got)
	}
	q := tr.OverQuestions(qs, answers)
	if q[0].FramingHTML != "<p>Rahmen</p>" || q[1].FramingHTML != "<p>Kept</p>" {
		t.Errorf("framing lines %q, %q", q[0].FramingHTML, q[1].FramingHTML)
	}
	if a := q[0].Answers; a[0].BodyHTML != "<p>Antwort</p>" || a[0].LeadIn != "Lead" || a[1].BodyHTML != "<p>Other</p>" {
		t.Errorf("answers %+v %+v", a[0], a[1])
	}
	if d.Title != "Rivers" || qs[0].FramingHTML != "<p>Framing</p>" || qs[0].Answers[0].BodyHTML != "<p>Answer</p>" {
		t.Error("the originals changed")
	}
}
