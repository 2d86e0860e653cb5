package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
	"github.com/parley-org/parley/internal/testnote"
)

// copyOpen opens and migrates the database at url, closed when the test ends.
func copyOpen(t *testing.T, url string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// copyFixture is what copySeed made and the tests look up again.
type copyFixture struct {
	published, held  *parley.Debate
	pending, trashed *parley.Comment
	comments         int64 // rows in comments
	maxCommentID     int64
}

func copyPost(t *testing.T, s *store.Store, p store.CreateComment) *parley.Comment {
	t.Helper()
	if p.AuthorEmail == "" {
		p.AuthorEmail = strings.ToLower(p.AuthorName) + "@example.org"
	}
	p.AvatarKey, p.MaxDepth = "k-"+p.AuthorName, 3
	if p.BodyMD == "" {
		p.BodyMD = "Grüße from " + p.AuthorName + " 🚲 — \"quoted\"\n\nA second paragraph."
	}
	p.BodyHTML = "<p>" + p.BodyMD + "</p>"
	c, _, err := s.CreateComment(context.Background(), p)
	if err != nil {
		t.Fatalf("comment by %s: %v", p.AuthorName, err)
	}
	return c
}

// copySeed builds a source site on SQLite with every kind of row, and
// enough settings, topics and comments that each spans two batches.
func copySeed(t *testing.T) (*store.Store, copyFixture) {
	t.Helper()
	ctx := context.Background()
	s := copyOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "source.db"))
	var fx copyFixture

	// Secret names that order differently by bytes than in most locales
	// ("Zeta" before "alpha"), which the checksums' row order must not mind.
	names := []string{"avatars", "Zeta", "alpha", "élan"}
	for i := range 1050 {
		names = append(names, fmt.Sprintf("k%04d", i))
	}
	for _, n := range names {
		if _, err := s.Secret(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	var topics []string
	for i := range 700 {
		topics = append(topics, fmt.Sprintf("t%03d", i))
	}
	save := func(d *parley.Debate) *parley.Debate {
		if _, err := s.SaveDebate(ctx, d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	fx.published = save(&parley.Debate{Slug: "car-free", Title: "Car-free centres?", Question: "Would you?", BodyMD: "Body",
		BodyHTML: "<p>Body</p>", ImageURL: "/media/x.svg", ImageCredit: "Photo: Ö", Status: parley.DebatePublished,
		Topics: append([]string{"Ökologie", "cities", "Transport"}, topics...)})
	fx.held = save(&parley.Debate{Slug: "held", Title: "Held", Question: "Q?", Status: parley.DebatePublished, HoldForReview: true, Topics: topics})
	save(&parley.Debate{Slug: "draft", Title: "Draft", Question: "Q?", Status: parley.DebateDraft})

	// Threads of five: a root and a chain of replies, the last one too deep
	// for MaxDepth 3 and so placed beside its parent (reply_to_id != parent_id).
	var last *parley.Comment
	for i := range 1200 {
		p := store.CreateComment{DebateID: fx.published.ID, AuthorName: fmt.Sprintf("Reader%d", i)}
		if i%5 != 0 {
			p.ParentID = last.ID
		}
		if i%3 == 0 {
			p.SubmissionKey = fmt.Sprintf("sub-%d", i)
		}
		if i%4 == 0 {
			p.Language, p.Source = "de", "email"
		}
		last = copyPost(t, s, p)
	}
	fx.trashed = copyPost(t, s, store.CreateComment{DebateID: fx.published.ID, AuthorName: "Spammer", SubmissionKey: "spam-1"})
	if err := s.SetCommentStatus(ctx, fx.trashed.ID, parley.CommentTrash); err != nil {
		t.Fatal(err)
	}
	fx.pending = copyPost(t, s, store.CreateComment{DebateID: fx.held.ID, AuthorName: "Waiting", BodyMD: ""})
	if fx.pending.Status != parley.CommentPending {
		t.Fatalf("comment on a held debate is %s, want pending", fx.pending.Status)
	}
	fx.comments, fx.maxCommentID = 1202, fx.pending.ID

	var experts []*parley.Expert
	for _, e := range []*parley.Expert{
		{Slug: "novak", Name: "Dr. Novak", Title: "Urbanist", BioMD: "Bio", BioHTML: "<p>Bio</p>", ContactEmail: "novak@example.org"},
		{Slug: "moreau", Name: "Moreau", Affiliation: "Université"},
	} {
		if err := s.SaveExpert(ctx, e); err != nil {
			t.Fatal(err)
		}
		experts = append(experts, e)
	}
	q := &parley.Question{DebateID: fx.published.ID, CommentID: 1, Position: 1, FramingMD: "Why?", FramingHTML: "<p>Why?</p>"}
	if err := s.AddQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	for i, st := range []parley.AnswerStatus{parley.AnswerPublished, parley.AnswerDraft} {
		a := &parley.Answer{QuestionID: q.ID, ExpertID: experts[i].ID, LeadIn: "She says", BodyMD: "Yes.", BodyHTML: "<p>Yes.</p>", Position: i, Status: st}
		if err := s.AddAnswer(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, j := range []store.Job{{Kind: "mail", Key: "comment-1", Payload: `{"to":"ö@example.org"}`}, {Kind: "reminder"}} {
		if err := s.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	return s, fx
}

// siteView is what readers and moderators see of the seeded site.
type siteView struct {
	Debates   []*parley.Debate
	Threads   *parley.ThreadPage
	Questions []*parley.Question
	Pending   []*parley.Comment
	Trashed   *parley.Comment
	Secret    []byte
}

func viewSite(t *testing.T, s *store.Store, fx copyFixture) siteView {
	t.Helper()
	ctx := context.Background()
	var v siteView
	var err error
	if v.Debates, _, err = s.Debates(ctx, parley.DebateFilter{Limit: 100}); err != nil {
		t.Fatal(err)
	}
	for _, d := range v.Debates {
		slices.Sort(d.Topics) // the order of ORDER BY topic is the database's collation
	}
	if v.Threads, err = s.Threads(ctx, parley.CommentFilter{DebateID: fx.published.ID, Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	if v.Questions, err = s.Questions(ctx, fx.published.ID); err != nil {
		t.Fatal(err)
	}
	if v.Pending, err = s.PendingComments(ctx, fx.held.ID, []int64{fx.pending.ID}); err != nil {
		t.Fatal(err)
	}
	if v.Trashed, err = s.Comment(ctx, fx.trashed.ID); err != nil {
		t.Fatal(err)
	}
	if v.Secret, err = s.Secret(ctx, "avatars"); err != nil {
		t.Fatal(err)
	}
	if len(v.Debates) != 3 || len(v.Threads.Comments) != 1200 || len(v.Questions) != 1 || len(v.Questions[0].Answers) != 1 || len(v.Pending) != 1 {
		t.Fatalf("site has %d debates, %d comments in threads, %d questions, %d pending; want 3, 1200, 1 with one published answer, 1",
			len(v.Debates), len(v.Threads.Comments), len(v.Questions), len(v.Pending))
	}
	return v
}

func TestCopy(t *testing.T) {
	src, fx := copySeed(t)
	want := viewSite(t, src, fx)
	var first *store.CopyReport
	t.Run("sqlite", func(t *testing.T) {
		first = checkCopy(t, src, fx, want, "sqlite:"+filepath.Join(t.TempDir(), "copy.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		if storetest.Dialect() != "postgres" {
			testnote.Skip(t, "PostgreSQL tests", testnote.NoPostgres)
		}
		rep := checkCopy(t, src, fx, want, storetest.URL(t))
		// The checksums do not depend on the database holding the rows.
		if first != nil && !reflect.DeepEqual(rep, first) {
			t.Errorf("SQLite → PostgreSQL report %+v differs from SQLite → SQLite %+v", rep, first)
		}
	})
}

// checkCopy copies src to a new database at url and back to a new SQLite
// database, and checks both hold the same site; then that copying again
// changes nothing, new comments get new ids, and an extra row fails verification.
func checkCopy(t *testing.T, src *store.Store, fx copyFixture, want siteView, url string) *store.CopyReport {
	ctx := context.Background()
	dst := copyOpen(t, url)
	heard := map[string]int64{}
	start := time.Now()
	rep, err := store.Copy(ctx, src, dst, func(table string, rows int64) { heard[table] = rows })
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	t.Logf("copied %d rows from sqlite to %s in %v", rep.Rows(), dst.Dialect(), time.Since(start).Round(time.Millisecond))

	wantRows := map[string]int64{"settings": 1054, "debates": 3, "debate_topics": 1403, "comments": fx.comments, "experts": 2, "questions": 1, "answers": 2,
		"jobs": 2 + fx.comments - 1} // two queued by hand, one announcing each comment approved when posted (all but the pending one)
	var order []string
	for _, tb := range rep.Tables {
		order = append(order, tb.Name)
		if tb.Rows != wantRows[tb.Name] || tb.Copied != tb.Rows || tb.Present != 0 || len(tb.Checksum) != 64 || heard[tb.Name] != tb.Rows {
			t.Errorf("%s: copied %d, present %d, rows %d (progress said %d), checksum %q; want all %d rows copied and a SHA-256",
				tb.Name, tb.Copied, tb.Present, tb.Rows, heard[tb.Name], tb.Checksum, wantRows[tb.Name])
		}
	}
	if got := strings.Join(order, " "); got != "settings users sessions email_tokens api_tokens sign_in_failures form_stamp_uses debates debate_topics comments experts questions answers jobs partners uploads addresses subscriptions digest_items reports moderation_actions appeals bans spam_lessons answer_requests digest_answers debate_translations question_translations answer_translations comment_translations translation_usage" {
		t.Errorf("tables copied in the order %s", got)
	}
	if got := viewSite(t, dst, fx); !reflect.DeepEqual(got, want) {
		t.Errorf("the copy reads differently from the source")
	}

	// Again: nothing to do, and it still verifies.
	again, err := store.Copy(ctx, src, dst, nil)
	if err != nil {
		t.Fatalf("second copy: %v", err)
	}
	for i, tb := range again.Tables {
		if tb.Copied != 0 || tb.Present != tb.Rows || tb.Checksum != rep.Tables[i].Checksum {
			t.Errorf("second copy of %s: copied %d, present %d of %d, checksum %s; want none copied and the same checksum",
				tb.Name, tb.Copied, tb.Present, tb.Rows, tb.Checksum)
		}
	}

	// And back to SQLite, from whichever database the copy is on.
	back := copyOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "back.db"))
	rep2, err := store.Copy(ctx, dst, back, nil)
	if err != nil {
		t.Fatalf("copy back: %v", err)
	}
	for i, tb := range rep2.Tables {
		if tb.Rows != rep.Tables[i].Rows || tb.Checksum != rep.Tables[i].Checksum {
			t.Errorf("copy back of %s: %d rows, checksum %s; want %d, %s", tb.Name, tb.Rows, tb.Checksum, rep.Tables[i].Rows, rep.Tables[i].Checksum)
		}
	}
	if got := viewSite(t, back, fx); !reflect.DeepEqual(got, want) {
		t.Errorf("the copy of the copy reads differently from the source")
	}

	// A new comment on the copy gets the next id: the sequences moved on.
	c := copyPost(t, dst, store.CreateComment{DebateID: fx.published.ID, AuthorName: "After"})
	if c.ID != fx.maxCommentID+1 {
		t.Errorf("new comment on the copy has id %d, want %d", c.ID, fx.maxCommentID+1)
	}
	// Now the destination has a row the source lacks, and a changed counter.
	rep3, err := store.Copy(ctx, src, dst, nil)
	if err == nil || rep3 == nil {
		t.Fatalf("copy onto a changed destination: report %v, error %v; want a report and an error", rep3, err)
	}
	for _, want := range []string{"verify comments", "not empty", fmt.Sprintf("id=%d", c.ID), "verify debates: checksums differ", fmt.Sprintf("id=%d is not the same", fx.published.ID)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	return rep
}

func TestCopyRefusesOtherSchemas(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := copyOpen(t, "sqlite:"+filepath.Join(dir, "a.db"))
	dst := copyOpen(t, "sqlite:"+filepath.Join(dir, "b.db"))
	exec := func(file, stmt string) {
		db, err := sql.Open("sqlite", filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Copy(ctx, src, src, nil); err == nil {
		t.Errorf("copy onto itself: no error")
	}
	exec("a.db", `CREATE TABLE polls (id INTEGER PRIMARY KEY)`)
	if _, err := store.Copy(ctx, src, dst, nil); err == nil || !strings.Contains(err.Error(), "table polls") {
		t.Errorf("copy of a table Copy does not know: got %v", err)
	}
	exec("b.db", `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`)
	if _, err := store.Copy(ctx, src, dst, nil); err == nil || !strings.Contains(err.Error(), "different schema versions") {
		t.Errorf("copy onto a newer schema: got %v", err)
	}
}
