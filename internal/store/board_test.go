package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

func TestBoardReadsOneStagePageAtATime(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "board", parley.DebatePublished)
	var experts []*parley.Expert
	for i := range 14 {
		e := &parley.Expert{Slug: fmt.Sprintf("e%d", i), Name: fmt.Sprintf("Expert %02d", i), ContactEmail: fmt.Sprintf("e%d@example.org", i)}
		if err := s.CreateExpert(ctx, e); err != nil {
			t.Fatal(err)
		}
		experts = append(experts, e)
	}
	var qs []*parley.Question
	for i := range 7 {
		c := post(t, s, d.ID, 0, fmt.Sprintf("Reader %d", i))
		q := &parley.Question{DebateID: d.ID, CommentID: c.ID, Position: i + 1}
		if err := s.AddQuestion(ctx, q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	later := time.Now().Add(time.Hour)
	send := func(q *parley.Question, e *parley.Expert, expires time.Time) *parley.AnswerRequest {
		t.Helper()
		r, err := s.SendQuestion(ctx, q.ID, e.ID, expires, store.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Questions 0-2 are not sent; 3 and 4 await answers, 3 from all
	// fourteen experts (two of whose links are answered or expired); 5 is
	// answered; 6 is published.
	for i, e := range experts {
		expires := later
		if i == 0 {
			expires = time.Now().Add(-time.Hour)
		}
		send(qs[3], e, expires)
	}
	send(qs[4], experts[0], later)
	a, err := s.SubmitAnswer(ctx, send(qs[5], experts[1], later).ID, "Yes.", "<p>Yes.</p>")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.SubmitAnswer(ctx, send(qs[6], experts[2], later).ID, "No.", "<p>No.</p>")
	if err != nil {
		t.Fatal(err)
	}
	p.Status = parley.AnswerPublished
	if err := s.SaveAnswer(ctx, p); err != nil {
		t.Fatal(err)
	}

	counts, err := s.BoardCounts(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{store.StageNotSent: 3, store.StageAwaiting: 2, store.StageAnswered: 1, store.StagePublished: 1}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", counts, want)
	}

	page, err := s.BoardQuestions(ctx, d.ID, store.StageNotSent, 1, 2, 5)
	if err != nil || len(page) != 2 || page[0].ID != qs[1].ID || page[1].ID != qs[2].ID || page[0].Comment == nil {
		t.Fatalf("not sent, from the second: %+v, %v", page, err)
	}
	// A question shows its first requests, waiting ones first, and counts the rest.
	page, err = s.BoardQuestions(ctx, d.ID, store.StageAwaiting, 0, 10, 5)
	if err != nil || len(page) != 2 || page[0].ID != qs[3].ID {
		t.Fatalf("awaiting: %+v, %v", page, err)
	}
	if q := page[0]; len(q.Requests) != 5 || q.RequestCount != 14 || q.Requests[0].ExpertID != experts[1].ID || q.Requests[0].Expert.Name != "Expert 01" {
		t.Errorf("the question sent to every expert shows %d of %d requests, the first to %d", len(q.Requests), q.RequestCount, q.Requests[0].ExpertID)
	}
	if q := page[1]; len(q.Requests) != 1 || q.RequestCount != 1 || q.Stage != store.StageAwaiting {
		t.Errorf("the question sent to one expert: %+v", q)
	}
	page, err = s.BoardQuestions(ctx, d.ID, store.StageAnswered, 0, 10, 5)
	if err != nil || len(page) != 1 || len(page[0].Answers) != 1 || page[0].Answers[0].ID != a.ID || page[0].Answers[0].Expert.Name != "Expert 01" ||
		page[0].Answers[0].SubmittedMD != "Yes." || page[0].AnswerCount != 1 {
		t.Errorf("answered: %+v, %v", page, err)
	}

	stage, before, err := s.BoardPlace(ctx, d.ID, qs[2].ID)
	if err != nil || stage != store.StageNotSent || before != 2 {
		t.Errorf("the third question's place: %q, %d, %v", stage, before, err)
	}
	if _, _, err := s.BoardPlace(ctx, d.ID+1, qs[2].ID); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("another debate's question: %v", err)
	}
	if id, err := s.QuestionOfComment(ctx, d.ID, qs[4].CommentID); err != nil || id != qs[4].ID {
		t.Errorf("the question of a comment: %d, %v", id, err)
	}

	// The experts to send to: found by a search, paged, each with where
	// they stand with the question.
	list, total, err := s.ExpertChoices(ctx, store.ExpertFilter{QuestionID: qs[5].ID, Limit: 5, Offset: 0})
	if err != nil || len(list) != 5 || total != 14 || list[1].Name != "Expert 01" || !list[1].Answered || list[0].Request != nil {
		t.Errorf("experts for the answered question: %d of %d, %v", len(list), total, err)
	}
	list, total, err = s.ExpertChoices(ctx, store.ExpertFilter{QuestionID: qs[3].ID, Query: "  EXPERT 1", Limit: 5, Offset: 5})
	if err != nil || total != 4 || len(list) != 0 {
		t.Errorf("past the last match: %d of %d, %v", len(list), total, err)
	}
	list, total, err = s.ExpertChoices(ctx, store.ExpertFilter{QuestionID: qs[3].ID, Query: "pert 00"})
	if err != nil || total != 1 || len(list) != 1 || list[0].Request == nil || list[0].Request.State(time.Now()) != parley.RequestExpired {
		t.Errorf("the expert with an expired link: %+v, %d, %v", list, total, err)
	}
	for _, q := range []string{"%", "_", `\`} {
		if _, total, err := s.ExpertChoices(ctx, store.ExpertFilter{QuestionID: qs[3].ID, Query: q}); err != nil || total != 0 {
			t.Errorf("a search for %q finds %d, %v", q, total, err)
		}
	}
}
