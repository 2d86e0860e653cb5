package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail/mailtest"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/store"
)

// The shape of TestNotificationsSurviveAKill.
const (
	crashSubscribers = 1500
	// crashKillAfter is how many messages the sink has received when the
	// process is killed.
	crashKillAfter = 200
	// crashRecovery bounds the wait, after the restart, for every message.
	crashRecovery = 60 * time.Second
)

// TestNotificationsSurviveAKill runs parley as a real process, has it send
// a comment's notifications to 1,500 subscribers and kills it (SIGKILL)
// while it sends. Restarted on the same data, it must deliver the rest: no
// message lost and none duplicated. A message the SMTP server had accepted
// just before the kill, but whose sending the dead process had not yet
// recorded, is sent again with the same Message-ID, which receivers drop;
// the test counts those and checks that they are exactly such messages.
func TestNotificationsSurviveAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds parley and sends 1,500 messages; skipped with -short")
	}
	ctx := context.Background()
	bin := buildParley(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "parley.db")

	// The data: a published debate with 1,500 confirmed subscribers who want
	// every comment at once.
	st, err := store.Open(ctx, "sqlite:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := &parley.Debate{Slug: "crash", Title: "Should the trams run all night?", Question: "Would you ride one at 3 a.m.?",
		Status: parley.DebatePublished, BodyMD: "An article about night trams.", Topics: []string{"transport"}}
	d.BodyHTML = markup.NewArticle().Render(d.BodyMD)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	subscribers := make(map[string]bool, crashSubscribers)
	err = st.Atomically(ctx, func(ctx context.Context) error {
		for i := range crashSubscribers {
			email := fmt.Sprintf("reader%04d@example.org", i)
			subscribers[email] = true
			if _, _, err := st.Subscribe(ctx, store.NewSubscription{Email: email, DebateID: d.ID, Scope: parley.ScopeDebate,
				Delivery: parley.DeliverImmediately, Proven: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	smtp := mailtest.New(t, mailtest.Options{})
	// timeout=2s makes the outbox's lease 2×2s+1s: a message the dead
	// process held comes due again 5 s after the kill.
	smtpURL := smtp.URL() + "&timeout=2s"

	first := startParleyProcess(t, bin, dir, smtpURL)
	postGuestComment(t, first.base, d.Slug)
	// Kill it once the sink has some of the messages and the fan-out is
	// done, so that the kill lands among the senders.
	for start := time.Now(); len(smtp.Received()) < crashKillAfter || !readJobQueue(t, dbPath).fannedOut; {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("after 30s the sink has %d messages, want %d before the kill\n%s", len(smtp.Received()), crashKillAfter,
				first.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	first.kill(t)
	// A message whose data was on the wire at the kill may still be landing.
	time.Sleep(200 * time.Millisecond)
	atKill := smtp.Received()

	// What the dead process left: every message queued (the fan-out was
	// done), some sent, some held under a lease.
	q := readJobQueue(t, dbPath)
	t.Logf("killed with %d messages at the sink: the queue holds %d messages, %d sent, %d held by the dead process, %d failed; fan-out done: %v",
		len(atKill), len(q.mail), q.done, len(q.leased), q.failed, q.fannedOut)
	if len(q.mail) != crashSubscribers || q.done == crashSubscribers {
		t.Fatalf("at the kill %d of %d messages were queued and %d sent: the kill missed the sending", len(q.mail), crashSubscribers, q.done)
	}
	// The messages that will be sent twice: those the sink has but whose
	// sending the dead process had not recorded.
	idsAtKill := map[string]bool{}
	for _, m := range atKill {
		idsAtKill[outboxKey(m)] = true
	}
	var resent []string
	for _, key := range q.leased {
		if idsAtKill[key] {
			resent = append(resent, key)
		}
	}
	for _, key := range q.pending {
		if idsAtKill[key] {
			resent = append(resent, key)
		}
	}

	// Restarted on the same data, parley sends the rest.
	second := startParleyProcess(t, bin, dir, smtpURL)
	deadline := time.Now().Add(crashRecovery)
	for {
		if q := readJobQueue(t, dbPath); q.done == crashSubscribers && len(q.leased) == 0 {
			break
		}
		if time.Now().After(deadline) {
			q := readJobQueue(t, dbPath)
			t.Fatalf("%v after the restart: %d of %d messages sent, %d held, %d failed; the sink has %d\n%s", crashRecovery,
				q.done, crashSubscribers, len(q.leased), q.failed, len(smtp.Received()), second.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	recovered := crashRecovery - time.Until(deadline)
	// A copy sent late would be on the wire now.
	time.Sleep(500 * time.Millisecond)
	second.stop(t)

	all := smtp.Received()
	ids := map[string]int{}            // Message-ID: copies
	byAddress := map[string][]string{} // address: Message-IDs
	for _, m := range all {
		id := m.Header.Get("Message-ID")
		ids[id]++
		for _, to := range m.To {
			byAddress[to] = append(byAddress[to], id)
		}
	}
	var missing, strangers []string
	for email := range subscribers {
		if len(byAddress[email]) == 0 {
			missing = append(missing, email)
		}
	}
	for email, got := range byAddress {
		if !subscribers[email] {
			strangers = append(strangers, email)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got)))) > 1 {
			t.Errorf("%s received %d messages with different Message-IDs: %v", email, len(got), got)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("%d subscribers received nothing, such as %v", len(missing), missing[:min(5, len(missing))])
	}
	if len(strangers) > 0 {
		t.Errorf("mail went to %d addresses that subscribed to nothing, such as %v", len(strangers), strangers[:min(5, len(strangers))])
	}
	if len(ids) != crashSubscribers {
		t.Errorf("%d distinct Message-IDs, want %d", len(ids), crashSubscribers)
	}
	var twice []string // keys of messages delivered twice
	for id, n := range ids {
		if n > 2 {
			t.Errorf("%s was delivered %d times", id, n)
		}
		if n > 1 {
			key, _, _ := strings.Cut(strings.Trim(id, "<>"), "@")
			twice = append(twice, key)
		}
	}
	slices.Sort(twice)
	slices.Sort(resent)
	t.Logf("after the restart every message was sent within %v; %d messages in all, %d distinct; "+
		"%d delivered twice with the same Message-ID (the sink had them at the kill, the dead process had not recorded them)",
		recovered.Round(100*time.Millisecond), len(all), len(ids), len(twice))
	// Only a message the dead process was sending may come twice, and each
	// of those does: the restarted process cannot know the sink had it.
	if !slices.Equal(twice, resent) {
		t.Errorf("delivered twice: %v; want exactly the messages at the sink whose sending was not recorded at the kill: %v", twice, resent)
	}
}

// outboxKey is the outbox key of a received message: its Message-ID
// without the domain.
func outboxKey(m mailtest.Received) string {
	key, _, _ := strings.Cut(strings.Trim(m.Header.Get("Message-ID"), "<>"), "@")
	return key
}

// buildParley builds the binary under test into a temporary folder.
func buildParley(t *testing.T) string {
	t.Helper()
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	bin := filepath.Join(t.TempDir(), "parley")
	cmd := exec.Command(goCmd, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// parleyProcess is parley running as a process of its own.
type parleyProcess struct {
	cmd    *exec.Cmd
	base   string
	logs   *lockedBuffer
	exited chan error
}

// startParleyProcess runs parley serve on the data folder and waits until it
// answers. Settings come from the flags only, never from the test's
// environment.
func startParleyProcess(t *testing.T, bin, dataDir, smtpURL string) *parleyProcess {
	t.Helper()
	// Without the 600 MB of language models, which would only slow it down.
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--demo=false",
		"--smtp-url", smtpURL, "--post-rate", "0", "--detect-languages=false")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARLEY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &parleyProcess{cmd: cmd, logs: logs, exited: make(chan error, 1)}
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
	})
	running := make(chan string, 1)
	go func() {
		addr := regexp.MustCompile(`running at (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				running <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
		p.exited <- cmd.Wait()
		close(p.exited)
	}()
	select {
	case p.base = <-running:
	case err := <-p.exited:
		t.Fatalf("parley exited early: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("parley did not start within 30s\n%s", logs.String())
	}
	waitHealthy(t, p.base)
	return p
}

// kill ends the process at once, as a crash or the OOM killer would.
func (p *parleyProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// stop shuts the process down gracefully.
func (p *parleyProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("parley stopped with %v\n%s", err, p.logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Errorf("parley did not stop within 20s")
	}
}

// postGuestComment posts a comment through the API as a guest who follows nothing.
func postGuestComment(t *testing.T, base, slug string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"author_name": "Night Owl", "author_email": "owl@example.org",
		"body": "Yes, and the buses too."})
	res, err := http.Post(base+"/api/v1/debates/"+slug+"/comments", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if got, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusCreated {
		t.Fatalf("post a comment: status %d: %s", res.StatusCode, got)
	}
}

// jobQueue is the state of the outbox and the notification jobs in the database.
type jobQueue struct {
	mail    []string // every message's key
	done    int      // messages sent
	leased  []string // keys of messages a worker holds under a lease
	pending []string // keys of messages neither sent nor held
	failed  int
	// fannedOut: the comment's fan-out job is done.
	fannedOut bool
}

// readJobQueue reads the jobs table beside the running process, which SQLite's
// WAL allows; the store has no call for it.
func readJobQueue(t *testing.T, dbPath string) jobQueue {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var q jobQueue
	now := time.Now().UnixMilli()
	rows, err := db.Query(`SELECT kind, COALESCE(key, ''), done_at IS NOT NULL, failed_at IS NOT NULL,
		COALESCE(locked_until, 0) FROM jobs WHERE kind IN ('mail', ?)`, store.CommentJob)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, key string
		var done, failed bool
		var lockedUntil int64
		if err := rows.Scan(&kind, &key, &done, &failed, &lockedUntil); err != nil {
			t.Fatal(err)
		}
		if kind == store.CommentJob {
			q.fannedOut = done
			continue
		}
		q.mail = append(q.mail, key)
		switch {
		case done:
			q.done++
		case failed:
			q.failed++
		case lockedUntil >= now:
			q.leased = append(q.leased, key)
		default:
			q.pending = append(q.pending, key)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return q
}
