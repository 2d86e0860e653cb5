package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
	"github.com/parley-org/parley/internal/testnote"
)

// The shape of the outage: readers and writers are busy for outageLoad; a
// second into it the database is cut off for outageCut, then comes back.
const (
	outageWorkers     = 8
	outageLoad        = 3 * time.Second
	outageCutAfter    = time.Second
	outageCut         = time.Second
	outageMaxRequests = 6000
	// outageBackOff is how long a worker waits after a 503.
	outageBackOff = 10 * time.Millisecond
	// outageClientTimeout bounds every request: a request that takes longer hangs.
	outageClientTimeout = 10 * time.Second
	// outageRecovery is how soon after the database is back Parley must serve again.
	outageRecovery = 5 * time.Second
)

// TestDatabaseOutageFailsCleanlyAndRecovers cuts Parley off from PostgreSQL
// while readers and writers are busy. Every request must end in a success or
// a clean 503 that says to retry, never a 500 or a hang; Parley must serve
// again by itself once the database is back; and the database must hold
// exactly the comments whose posting succeeded, each whole.
func TestDatabaseOutageFailsCleanlyAndRecovers(t *testing.T) {
	o, proxy, realURL := newOutageRun(t)
	s, d := o.s, o.debate

	// Before the outage everything works, and the pool holds connections
	// that the cut will kill under Parley's feet.
	o.wantServing("before the outage")

	// Under load, cut the database off and bring it back.
	var (
		wg      sync.WaitGroup
		budget  atomic.Int64
		results []outageResult
		mu      sync.Mutex
	)
	start := time.Now()
	stop := start.Add(outageLoad)
	for w := range outageWorkers {
		wg.Go(func() {
			var mine []outageResult
			for i := 0; time.Now().Before(stop) && budget.Add(1) <= outageMaxRequests; i++ {
				var r outageResult
				switch i % 4 {
				case 0:
					r = o.post(fmt.Sprintf("Worker %d says plant tree number %d on the square.", w, i))
				case 1:
					// A query string of its own: the page is rendered for this
					// request, not taken from the page cache.
					r = o.page(fmt.Sprintf("/debates/%s?reader=%d-%d", d.Slug, w, i))
				case 2:
					r = o.postForm(fmt.Sprintf("Worker %d writes in the form about tree number %d.", w, i))
				case 3:
					// Shared addresses: concurrent misses wait for one
					// rendering in the page cache.
					r = o.page([]string{"/debates/" + d.Slug, "/api/v1/debates/" + d.Slug + "/comments"}[i/4%2])
				}
				mine = append(mine, r)
				if r.status == http.StatusServiceUnavailable {
					time.Sleep(outageBackOff) // as a client told to retry would
				}
			}
			mu.Lock()
			results = append(results, mine...)
			mu.Unlock()
		})
	}
	time.Sleep(time.Until(start.Add(outageCutAfter)))
	cutAt := time.Now()
	proxy.cut()
	time.Sleep(100 * time.Millisecond)
	health := o.health()
	time.Sleep(time.Until(cutAt.Add(outageCut)))
	restoredAt := time.Now()
	proxy.restore()
	wg.Wait()

	if health.err != nil || health.status != http.StatusServiceUnavailable {
		t.Errorf("GET /healthz during the outage: %s, want 503", health)
	}

	// Every response is a success or a clean 503.
	acked := map[string]int64{}          // comment body -> ID, for posts that succeeded
	refused := map[string]outageResult{} // comment body -> its post answered 503
	var lost []string                    // posts without an answer; these count as failures too
	var ok, unavailable, unavailableDuringCut, bad, textLost int
	for _, r := range results {
		switch {
		case r.err != nil:
			// The HTTP hop is not proxied: no request may fail in transport
			// (a client timeout here is a hang).
			t.Errorf("%s: no response: %v", r.what(), r.err)
			bad++
			if r.post != "" {
				lost = append(lost, r.post)
			}
		case r.post != "" && r.status == r.success():
			id, err := r.commentID()
			if err != nil {
				t.Errorf("%s: %v", r.what(), err)
				bad++
				continue
			}
			acked[r.post] = id
			ok++
		case r.post == "" && r.status == http.StatusOK:
			want := "text/html"
			if strings.HasPrefix(r.path, "/api/") {
				want = "application/json"
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
				t.Errorf("%s: 200 with Content-Type %q, want %s", r.what(), ct, want)
			}
			ok++
		case r.status == http.StatusServiceUnavailable:
			if problem := r.unclean503(); problem != "" {
				t.Errorf("%s: unclean 503: %s", r.what(), problem)
				bad++
			}
			if r.post != "" {
				refused[r.post] = r
			}
			if r.form && !bytes.Contains(r.body, []byte(r.post)) {
				textLost++
			}
			unavailable++
			if r.end.After(cutAt) && r.start.Before(restoredAt) {
				unavailableDuringCut++
			}
		default:
			t.Errorf("%s: status %d, want %d or 503; body:\n%.500s", r.what(), r.status, r.success(), r.body)
			bad++
		}
	}
	var slowest time.Duration
	var firstOKAfterRestore time.Time
	for _, r := range results {
		slowest = max(slowest, r.end.Sub(r.start))
		if r.err == nil && r.status < 300 && r.start.After(restoredAt) &&
			(firstOKAfterRestore.IsZero() || r.end.Before(firstOKAfterRestore)) {
			firstOKAfterRestore = r.end
		}
	}
	pc := proxy.counts()
	t.Logf("%d requests in %v, the slowest %v: %d succeeded, %d answered 503 (%d overlapping the cut), %d failed; "+
		"proxy: %d commits answered, %d commits cut before their answer, %d connections refused while cut",
		len(results), time.Since(start).Round(time.Millisecond), slowest.Round(time.Millisecond), ok, unavailable, unavailableDuringCut, bad,
		pc.commits, pc.unsureCommits, pc.refused)
	if textLost > 0 {
		t.Logf("%d refused form posts showed the error page instead of the form with the reader's text", textLost)
	}
	if !firstOKAfterRestore.IsZero() {
		t.Logf("the load succeeded again %v after the database came back", firstOKAfterRestore.Sub(restoredAt).Round(time.Millisecond))
	}
	if unavailableDuringCut == 0 {
		t.Errorf("no request answered 503 while the database was cut off: the test did not see the outage")
	}
	if pc.refused == 0 {
		t.Errorf("Parley never tried to reconnect while the database was cut off")
	}

	// Parley recovers by itself.
	deadline := restoredAt.Add(outageRecovery)
	for {
		if o.serving() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Parley still fails %v after the database came back", outageRecovery)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// …and keeps working: no dead connection is left in the pool to fail later.
	for i := range 2 * outageWorkers {
		o.wantServing(fmt.Sprintf("after recovery (%d)", i))
	}
	for _, r := range o.probes() {
		id, err := r.commentID()
		switch {
		case err == nil:
			acked[r.post] = id
		case r.err == nil && r.status == http.StatusServiceUnavailable:
			if problem := r.unclean503(); problem != "" {
				t.Errorf("%s: unclean 503: %s", r.what(), problem)
			}
			refused[r.post] = r
		default:
			t.Errorf("%s: %v", r.what(), err)
			lost = append(lost, r.post)
		}
	}

	// The database holds every comment acknowledged (201 from the API, 303
	// to the comment from the form), and no comment refused. One exception is
	// unavoidable: a COMMIT that reached PostgreSQL but whose answer the cut
	// swallowed did commit, though Parley could only answer 503. The proxy
	// counts such commits; no more comments than that may be stored behind a 503.
	stored := o.storedComments(t, realURL, d)
	var storedRefused []string
	for body, id := range acked {
		if got, ok := stored[body]; !ok {
			t.Errorf("comment %q was acknowledged as %d but is not in the database", body, id)
		} else if got != id {
			t.Errorf("comment %q was acknowledged as %d but is stored as %d", body, id, got)
		}
	}
	for body := range stored {
		switch {
		case acked[body] != 0:
		case refused[body].post != "":
			storedRefused = append(storedRefused, refused[body].what()+" "+strconv.Quote(body))
		case slices.Contains(lost, body):
			// Its request failed in transport, reported above.
		default:
			t.Errorf("comment %q is in the database but was never acknowledged", body)
		}
	}
	if len(storedRefused) > pc.unsureCommits {
		t.Errorf("%d comments are stored although posting them answered 503, but only %d commits were cut before "+
			"their answer: 503s were given for writes that went through:\n%s", len(storedRefused), pc.unsureCommits, strings.Join(storedRefused, "\n"))
	} else if len(storedRefused) > 0 {
		t.Logf("%d comments whose posting answered 503 are stored: their COMMIT reached PostgreSQL but the cut swallowed its answer",
			len(storedRefused))
	}

	// A 503 tells the client to retry; retrying is safe. A comment that was
	// stored after all comes back as it is (no duplicate); any other is stored now.
	for body, first := range refused {
		if acked[body] != 0 {
			continue
		}
		r := o.send(body, first.form)
		id, err := r.commentID()
		if err != nil {
			t.Errorf("retrying %s after recovery: %v", r.what(), err)
			continue
		}
		// The API says when it replays; the form redirects to the comment either way.
		replayed := r.header.Get("Idempotent-Replayed") == "true" || r.form
		if was, ok := stored[body]; ok && (!replayed || id != was) {
			t.Errorf("retrying %s, stored as %d despite its 503: got comment %d, Idempotent-Replayed %q; want the stored comment replayed",
				r.what(), was, id, r.header.Get("Idempotent-Replayed"))
		} else if !ok && r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("retrying %s, never stored: answered as a replay of comment %d", r.what(), id)
		}
		acked[body] = id
	}
	stored = o.storedComments(t, realURL, d)
	for body := range acked {
		if _, ok := stored[body]; !ok {
			t.Errorf("comment %q was acknowledged but is not in the database", body)
		}
	}
	for body := range stored {
		if acked[body] == 0 && !slices.Contains(lost, body) {
			t.Errorf("comment %q is in the database but was never acknowledged", body)
		}
	}

	// Nothing went wrong inside Parley either.
	logs := s.logs.String()
	for _, bad := range []string{"panic", `msg="request failed"`, `msg="api request failed"`, `msg="post comment"`, `msg=render`} {
		if strings.Contains(logs, bad) {
			t.Errorf("the log has %s:\n%s", bad, grepLines(logs, bad, 10))
		}
	}
}

// TestDatabaseOutageDuringAPost cuts the database off at the two moments of
// a post that matter: as its transaction begins, and just after it commits.
func TestDatabaseOutageDuringAPost(t *testing.T) {
	o, proxy, realURL := newOutageRun(t)
	// ready waits until Parley serves (the pool may hold connections a cut
	// killed, each good for one 503), then reads the debate so that its
	// threads are in the thread cache: a refused form post can show them
	// again without the database.
	ready := func(t *testing.T) {
		t.Helper()
		deadline := time.Now().Add(outageRecovery)
		for !o.serving() {
			if time.Now().After(deadline) {
				t.Fatalf("Parley does not serve %v after the database came back", outageRecovery)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if r := o.page("/debates/" + o.debate.Slug); r.err != nil || r.status != http.StatusOK {
			t.Fatalf("%s: %s", r.what(), r)
		}
	}

	t.Run("refused", func(t *testing.T) {
		for _, form := range []bool{false, true} {
			body := fmt.Sprintf("Refused (form %v): nobody is listening.", form)
			ready(t)
			proxy.cutAt(pgBegin)
			r := o.send(body, form)
			proxy.restore()
			if r.err != nil || r.status != http.StatusServiceUnavailable {
				t.Errorf("%s: %s, want 503", r.what(), r)
			} else if problem := r.unclean503(); problem != "" {
				t.Errorf("%s: unclean 503: %s", r.what(), problem)
			}
			if form && r.status == http.StatusServiceUnavailable && !bytes.Contains(r.body, []byte(body)) {
				t.Errorf("%s: the refused form does not come back with the reader's text", r.what())
			}
			if _, stored := o.storedComments(t, realURL, o.debate)[body]; stored {
				t.Errorf("%s: answered 503 but stored", r.what())
			}
		}
	})

	t.Run("committed", func(t *testing.T) {
		for _, form := range []bool{false, true} {
			body := fmt.Sprintf("Committed (form %v): then the lights went out.", form)
			ready(t)
			proxy.cutAt(pgCommitted)
			r := o.send(body, form)
			proxy.restore()
			// The comment is stored: the reader must hear so, whatever the
			// database does afterwards, or they would post it again.
			id, err := r.commentID()
			if err != nil {
				t.Errorf("%s: %v", r.what(), err)
			}
			if got, ok := o.storedComments(t, realURL, o.debate)[body]; !ok {
				t.Errorf("%s: the comment is not stored", r.what())
			} else if err == nil && got != id {
				t.Errorf("%s: answered with comment %d, stored as %d", r.what(), id, got)
			}
		}
	})
	if c := proxy.counts(); c.unsureCommits != 0 {
		t.Errorf("the proxy cut %d commits before their answer; the test means to cut none", c.unsureCommits)
	}
}

// newOutageRun starts Parley on a fresh PostgreSQL database that it reaches
// only through a proxy the test can cut, with one published debate.
func newOutageRun(t *testing.T) (o *outageRun, proxy *pgProxy, realURL string) {
	t.Helper()
	if storetest.Dialect() != "postgres" {
		testnote.Skip(t, "PostgreSQL tests", testnote.NoPostgres)
	}
	ctx := context.Background()
	realURL = storetest.URL(t)
	u, err := url.Parse(realURL)
	if err != nil || u.Host == "" {
		t.Fatalf("storetest.URL gave a URL with no host:port to proxy (%v)", err)
	}
	proxy = startPGProxy(t, u.Host)
	// The proxy reads the protocol, so the link is plain text (loopback only).
	viaProxy := *u
	viaProxy.Host = proxy.addr()
	q := viaProxy.Query()
	q.Set("sslmode", "disable")
	viaProxy.RawQuery = q.Encode()
	st, err := store.Open(ctx, viaProxy.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// No background work: the proxy cuts the connection after "the" commit,
	// which must be the post's.
	// Its form posts come from a program: no minimum time to fill them in.
	s := newSiteWith(t, st, Config{MinFillTime: -1}, false)
	d := s.debate("outage", parley.DebatePublished, false)
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * outageWorkers}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: outageClientTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &outageRun{t: t, s: s, client: client, debate: d}, proxy, realURL
}

// outageRun sends the test's requests; unlike site.do it never stops the
// test, so it can run in many goroutines and record transport errors.
type outageRun struct {
	t      *testing.T
	s      *site
	client *http.Client
	debate *parley.Debate

	mu     sync.Mutex
	probed []outageResult // posts made while checking that Parley serves
	n      int
}

type outageResult struct {
	method, path string
	post         string // the comment's body, for posts
	form         bool   // posted through the HTML form, not the API
	status       int
	header       http.Header
	body         []byte
	err          error
	start, end   time.Time
}

func (r outageResult) what() string {
	return fmt.Sprintf("%s %s at %s", r.method, r.path, r.start.Format("15:04:05.000"))
}

func (r outageResult) String() string {
	if r.err != nil {
		return "no response: " + r.err.Error()
	}
	return fmt.Sprintf("status %d: %.300s", r.status, r.body)
}

func (r outageResult) success() int {
	switch {
	case r.form:
		return http.StatusSeeOther
	case r.post != "":
		return http.StatusCreated
	}
	return http.StatusOK
}

// commentID returns the ID of the comment a successful post stored.
func (r outageResult) commentID() (int64, error) {
	if r.err != nil || r.status != r.success() {
		return 0, fmt.Errorf("%s, want %d", r, r.success())
	}
	if r.form {
		// The form redirects to the comment: /debates/slug[?after=N]#comment-ID.
		_, frag, _ := strings.Cut(r.header.Get("Location"), "#comment-")
		id, err := strconv.ParseInt(frag, 10, 64)
		if err != nil || id <= 0 {
			return 0, fmt.Errorf("303 to %q, not to a comment", r.header.Get("Location"))
		}
		return id, nil
	}
	var c apiComment
	if err := json.Unmarshal(r.body, &c); err != nil || c.ID <= 0 {
		return 0, fmt.Errorf("201 without a comment: %.300s", r.body)
	}
	return c.ID, nil
}

// unclean503 says what is wrong with a 503, or "".
func (r outageResult) unclean503() string {
	if r.header.Get("Retry-After") == "" {
		return "no Retry-After header"
	}
	ct := r.header.Get("Content-Type")
	if strings.HasPrefix(r.path, "/api/") {
		var e apiError
		if !strings.HasPrefix(ct, "application/json") {
			return fmt.Sprintf("Content-Type %q, want JSON", ct)
		}
		if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code != parley.EUNAVAILABLE || e.Error.Message == "" {
			return fmt.Sprintf(`body %.300s, want {"error":{"code":"unavailable","message":…}}`, r.body)
		}
		return ""
	}
	if !strings.HasPrefix(ct, "text/html") {
		return fmt.Sprintf("Content-Type %q, want HTML", ct)
	}
	// A refused form post shows the form again, with the reader's text; any
	// other page is the error page.
	if !bytes.Contains(r.body, []byte("Temporarily unavailable")) &&
		!(r.form && bytes.Contains(r.body, []byte(`id="comment-form"`)) && bytes.Contains(r.body, []byte(r.post))) {
		return fmt.Sprintf("body %.300s; want the error page", r.body)
	}
	return ""
}

func (o *outageRun) do(method, path, post string, form bool) outageResult {
	r := outageResult{method: method, path: path, post: post, form: form, start: time.Now()}
	var body io.Reader
	ct := ""
	switch {
	case form:
		body = strings.NewReader(formValues("Outage Tester", "outage@example.org", post).Encode())
		ct = "application/x-www-form-urlencoded"
	case post != "":
		raw, _ := json.Marshal(apiNewComment{AuthorName: "Outage Tester", AuthorEmail: "outage@example.org", Body: post})
		body = bytes.NewReader(raw)
		ct = "application/json"
	}
	req, err := http.NewRequest(method, o.s.http.URL+path, body)
	if err != nil {
		r.err = err
		return r
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := o.client.Do(req)
	if err == nil {
		r.body, err = io.ReadAll(res.Body)
		res.Body.Close()
		r.status, r.header = res.StatusCode, res.Header
	}
	r.err, r.end = err, time.Now()
	if err == nil && strings.HasPrefix(path, "/api/v1/") {
		checkAPIResponse(o.t, method, path, r.status, r.header.Get("Content-Type"), r.body)
	}
	return r
}

func (o *outageRun) post(body string) outageResult {
	return o.do(http.MethodPost, "/api/v1/debates/"+o.debate.Slug+"/comments", body, false)
}

func (o *outageRun) postForm(body string) outageResult {
	return o.do(http.MethodPost, "/debates/"+o.debate.Slug+"/comments", body, true)
}

// send posts a comment through the API or the form.
func (o *outageRun) send(body string, form bool) outageResult {
	if form {
		return o.postForm(body)
	}
	return o.post(body)
}

func (o *outageRun) page(path string) outageResult { return o.do(http.MethodGet, path, "", false) }

func (o *outageRun) health() outageResult { return o.do(http.MethodGet, "/healthz", "", false) }

// serving reports whether posting, reading and the health check all work,
// recording a comment posted.
func (o *outageRun) serving() bool { return o.try() == "" }

// wantServing fails the test unless posting, reading and the health check all work.
func (o *outageRun) wantServing(when string) {
	if problem := o.try(); problem != "" {
		o.t.Errorf("%s: %s", when, problem)
	}
}

func (o *outageRun) try() string {
	o.mu.Lock()
	o.n++
	n := o.n
	o.mu.Unlock()
	p := o.post(fmt.Sprintf("Check %d: the square needs shade.", n))
	f := o.postForm(fmt.Sprintf("Check %d in the form: the square needs benches.", n))
	o.mu.Lock()
	o.probed = append(o.probed, p, f)
	o.mu.Unlock()
	for _, r := range []outageResult{p, f, o.page(fmt.Sprintf("/debates/%s?check=%d", o.debate.Slug, n)), o.health()} {
		if r.err != nil || r.status != r.success() {
			return fmt.Sprintf("%s: %s", r.what(), r)
		}
	}
	return ""
}

// probes returns the posts made while checking that Parley serves.
func (o *outageRun) probes() []outageResult {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.probed)
}

// storedComments reads the debate's comments straight from the database,
// bypassing the proxy, and checks each is whole and the debate's counter
// agrees with them. It returns each comment's ID by body.
func (o *outageRun) storedComments(t *testing.T, realURL string, d *parley.Debate) map[string]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	direct, err := store.Open(ctx, realURL)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	got, err := direct.DebateBySlug(ctx, d.Slug)
	if err != nil {
		t.Fatal(err)
	}
	approved, err := direct.RecentComments(ctx, d.ID, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if got.CommentCount != len(approved) {
		t.Errorf("debates.comment_count is %d, but %d comments are approved", got.CommentCount, len(approved))
	}
	byBody := map[string]int64{}
	for _, c := range approved {
		if prev, dup := byBody[c.BodyMD]; dup {
			t.Errorf("comment %q is stored twice, as %d and %d", c.BodyMD, prev, c.ID)
		}
		byBody[c.BodyMD] = c.ID
	}

	// Half-written rows would not show as approved comments: look at every row.
	conn, err := pgx.Connect(ctx, realURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT id, body_md, status, root_id, depth, parent_id IS NULL FROM comments WHERE debate_id = $1`, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id, root, depth int64
		var body, status string
		var top bool
		if err := rows.Scan(&id, &body, &status, &root, &depth, &top); err != nil {
			t.Fatal(err)
		}
		n++
		if status != string(parley.CommentApproved) || root != id || depth != 0 || !top {
			t.Errorf("comment %d (%q) is not whole: status %s, root_id %d, depth %d, top-level %v", id, body, status, root, depth, top)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(approved) {
		t.Errorf("the debate has %d comment rows but %d approved comments", n, len(approved))
	}
	return byBody
}

// grepLines returns up to limit lines of text that hold s.
func grepLines(text, s string, limit int) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) && len(out) < limit {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// pgProxy is a TCP proxy from Parley to PostgreSQL that a test can cut and
// restore. A cut closes every link at once and closes new connections as
// they arrive, as a database that went away would.
//
// The proxy follows the protocol's message framing in order to know which
// links were waiting for the answer to a COMMIT when it cut them. Such a
// transaction may have committed although Parley never heard so: no
// database client can tell, so tests must allow that many.
type pgProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu     sync.Mutex
	down   bool
	closed bool
	links  map[*pgLink]struct{}
	n      pgProxyCounts
	// armed is the moment at which the proxy cuts by itself, or "".
	armed pgMoment
}

// pgMoment is a moment in a transaction at which the proxy can cut.
type pgMoment string

const (
	// pgBegin is when Parley sends BEGIN, which never reaches the server.
	pgBegin pgMoment = "begin"
	// pgCommitted is just after the proxy passed back the answer to a COMMIT.
	pgCommitted pgMoment = "committed"
)

type pgProxyCounts struct {
	// commits counts COMMITs whose answer the proxy passed back.
	commits int
	// unsureCommits counts COMMITs passed on whose answer had not been
	// passed back when a cut closed their link.
	unsureCommits int
	// refused counts connections closed on arrival during a cut.
	refused int
}

type pgLink struct {
	client, server net.Conn
	// committing is set when a COMMIT has been passed to the server and its
	// ReadyForQuery not yet back to the client. Guarded by pgProxy.mu.
	committing bool
}

func startPGProxy(t testing.TB, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: target, links: map[*pgLink]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *pgProxy) addr() string { return p.ln.Addr().String() }

func (p *pgProxy) counts() pgProxyCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// cut closes every link and every new connection until restore.
func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	p.dropAll()
}

// cutAt arms a cut at the next such moment.
func (p *pgProxy) cutAt(m pgMoment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = m
}

// restore lets connections through again, and disarms any cut not yet made.
func (p *pgProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.armed = false, ""
}

// cutNow cuts when the armed moment m has come. Call with p.mu held.
func (p *pgProxy) cutNow(m pgMoment) bool {
	if p.armed != m {
		return false
	}
	p.armed, p.down = "", true
	p.dropAll()
	return true
}

func (p *pgProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.dropAll()
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

// dropAll closes every link. Call with p.mu held.
func (p *pgProxy) dropAll() {
	for l := range p.links {
		if l.committing {
			p.n.unsureCommits++
			l.committing = false
		}
		l.client.Close()
		l.server.Close()
		delete(p.links, l)
	}
}

func (p *pgProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		refuse := p.down || p.closed
		if refuse {
			p.n.refused++
		}
		p.mu.Unlock()
		if refuse {
			c.Close()
			continue
		}
		p.wg.Add(1)
		go p.link(c)
	}
}

func (p *pgProxy) link(client net.Conn) {
	defer p.wg.Done()
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	l := &pgLink{client: client, server: server}
	p.mu.Lock()
	if p.down || p.closed { // cut while dialling
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.frontend(l); done <- struct{}{} }()
	go func() { p.backend(l); done <- struct{}{} }()
	<-done
	// One side ended: end the other.
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
	client.Close()
	server.Close()
	<-done
}

// frontend passes Parley's messages to PostgreSQL, noting each COMMIT.
func (p *pgProxy) frontend(l *pgLink) {
	r := bufio.NewReader(l.client)
	// The startup packet, or a cancel request, has no type byte.
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return
	}
	n := binary.BigEndian.Uint32(size[:])
	if n < 8 || n > 1<<16 {
		return
	}
	startup := make([]byte, n)
	copy(startup, size[:])
	if _, err := io.ReadFull(r, startup[4:]); err != nil {
		return
	}
	if _, err := l.server.Write(startup); err != nil {
		return
	}
	for {
		msg, err := readPGMessage(r)
		if err != nil {
			return
		}
		if msg[0] == 'Q' {
			q := simpleQuery(msg[5:])
			p.mu.Lock()
			if strings.HasPrefix(q, "begin") && p.cutNow(pgBegin) {
				p.mu.Unlock()
				return
			}
			l.committing = l.committing || q == "commit" || q == "end"
			p.mu.Unlock()
		}
		if _, err := l.server.Write(msg); err != nil {
			return
		}
	}
}

// backend passes PostgreSQL's messages to Parley, noting when the answer to a
// COMMIT (up to its ReadyForQuery) has been passed on.
func (p *pgProxy) backend(l *pgLink) {
	r := bufio.NewReader(l.server)
	for {
		msg, err := readPGMessage(r)
		if err != nil {
			return
		}
		// The client sends nothing while it waits for ReadyForQuery, so
		// whether this one answers a COMMIT is decided before passing it on.
		p.mu.Lock()
		answersCommit := msg[0] == 'Z' && l.committing
		p.mu.Unlock()
		if _, err := l.client.Write(msg); err != nil {
			return
		}
		if answersCommit {
			p.mu.Lock()
			if l.committing {
				l.committing = false
				p.n.commits++
			}
			p.cutNow(pgCommitted)
			p.mu.Unlock()
		}
	}
}

// readPGMessage reads one typed protocol message: type, length, body.
func readPGMessage(r *bufio.Reader) ([]byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[1:])
	if n < 4 || n > 64<<20 {
		return nil, errors.New("pgproxy: bad message length")
	}
	msg := make([]byte, 1+n)
	copy(msg, head[:])
	if _, err := io.ReadFull(r, msg[5:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// simpleQuery returns the text of a simple query message, in lower case.
func simpleQuery(body []byte) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimRight(string(body), "\x00; \t\n")))
}
