package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a command's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func noEnv(string) string { return "" }

// startParley runs parley serve on a free port and returns its base URL and
// a function that stops it and returns run's error.
func startParley(t *testing.T, args ...string) (string, func() error, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		// Language detection loads 600 MB of models: only the tests that need
		// it turn it on.
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--detect-languages=false"}, args...), noEnv, stdout, stderr)
	}()
	addr := regexp.MustCompile(`running at (http://\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := addr.FindStringSubmatch(stdout.String()); m != nil {
			waitHealthy(t, m[1])
			stop := func() error {
				cancel()
				select {
				case err := <-done:
					return err
				case <-time.After(20 * time.Second):
					t.Fatal("parley did not stop within 20s")
					return nil
				}
			}
			return m[1], stop, stderr
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("parley exited early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("parley did not start within 20s\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s/healthz never answered 200", base)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeWithDemoContentAndRestart(t *testing.T) {
	dir := t.TempDir()
	base, stop, logs := startParley(t, "--data-dir", dir)
	code, home := get(t, base+"/")
	if code != 200 || strings.Count(home, `class="debate-card"`) != 3 {
		t.Fatalf("home: status %d with %d debates, want 200 and 3", code, strings.Count(home, `class="debate-card"`))
	}
	code, page := get(t, base+"/debates/car-free-city-centres")
	if code != 200 {
		t.Fatalf("demo debate: status %d", code)
	}
	comments := strings.Count(page, `<li class="comment`)
	langs := map[string]bool{}
	for _, m := range regexp.MustCompile(`class="body" lang="([a-z]+)"`).FindAllStringSubmatch(page, -1) {
		langs[m[1]] = true
	}
	if comments < 25 || len(langs) < 3 || !strings.Contains(page, `class="expert-answer"`) || !strings.Contains(page, `<figcaption`) {
		t.Fatalf("demo debate has %d comments in %d languages; want about 30 in 3 or more, with expert answers and a credited image", comments, len(langs))
	}
	// Replies three levels deep: a thread list inside a thread list inside a thread list inside the thread.
	if !strings.Contains(page, `<ol class="thread"><li class="comment" id="comment-`) || strings.Count(page, `<ol class="thread">`) < 10 {
		t.Errorf("demo thread is not nested")
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	if !strings.Contains(logs.String(), "loaded demo content") || !strings.Contains(logs.String(), "stopped") {
		t.Errorf("logs lack the demo load or the shutdown:\n%s", logs.String())
	}

	// A second start on the same data finds the debates and adds no demo content.
	base, stop, logs = startParley(t, "--data-dir", dir)
	_, home = get(t, base+"/")
	if n := strings.Count(home, `class="debate-card"`); n != 3 {
		t.Errorf("after restart: %d debates, want 3", n)
	}
	if strings.Contains(logs.String(), "loaded demo content") {
		t.Errorf("demo content loaded into a database that had some")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestServeWithoutDemo(t *testing.T) {
	base, stop, _ := startParley(t, "--data-dir", t.TempDir(), "--demo=false")
	defer stop()
	_, home := get(t, base+"/")
	if !strings.Contains(home, "No debates have been published yet.") {
		t.Errorf("an empty site does not say so")
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	base, stop, _ := startParley(t, "--data-dir", t.TempDir())
	// Open a slow request: send headers, then the body a moment later.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/api/v1/debates/car-free-city-centres/comments", pr)
	req.Header.Set("Content-Type", "application/json")
	result := make(chan int, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			result <- 0
			return
		}
		res.Body.Close()
		result <- res.StatusCode
	}()
	pw.Write([]byte(`{"author_name":"Late","author_email":"late@example.org",`))
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(100 * time.Millisecond)
	pw.Write([]byte(`"body":"Still counted."}`))
	pw.Close()
	if code := <-result; code != http.StatusCreated {
		t.Errorf("in-flight post during shutdown: status %d, want 201", code)
	}
	if err := <-stopped; err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestHelpExplainsEveryCommandAndOption(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serve", "migrate", "debate import", "help"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"help", "serve"}, noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-addr", "PARLEY_ADDR", "-database", "PARLEY_DATABASE_URL", "-base-url", "PARLEY_BASE_URL", "-demo", "PARLEY_DEMO", "-data-dir"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"help", "db", "copy"}, noEnv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "-from") || strings.Contains(out.String(), "-data-dir") {
		t.Errorf("help db copy: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, noEnv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "parley help") {
		t.Errorf("unknown command: got %v", err)
	}
}

func TestEnvironmentConfiguresServe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout lockedBuffer
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir, "PARLEY_DEMO": "false", "PARLEY_BASE_URL": "https://debate.example.org"}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &stdout, io.Discard) }()
	for i := 0; i < 400 && !strings.Contains(stdout.String(), "running at"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "https://debate.example.org") {
		t.Errorf("PARLEY_BASE_URL ignored: %q", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "parley.db")); err != nil {
		t.Errorf("PARLEY_DATA_DIR ignored: %v", err)
	}
}

func TestMigrateAndImportDebate(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--data-dir", dir}, noEnv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "up to date") {
		t.Fatalf("migrate: %v %q", err, out.String())
	}
	md := filepath.Join(dir, "debate.md")
	os.WriteFile(filepath.Join(dir, "hero.png"), []byte("\x89PNG\r\n\x1a\nfake"), 0o644)
	os.WriteFile(md, []byte("---\ntitle: Night trains for Europe\nquestion: Would you take one?\nimage: hero.png\ncredit: \"Photo: Test\"\nstatus: published\ntopics: [transport]\n---\nSleepers are back.\n"), 0o644)
	out.Reset()
	if err := run(ctx, []string{"debate", "import", "--data-dir", dir, md}, noEnv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Created debate") {
		t.Fatalf("import: %v %q", err, out.String())
	}
	os.WriteFile(md, []byte("---\ntitle: Night trains for Europe?\nslug: night-trains-for-europe\nquestion: Would you take one?\nimage: hero.png\nstatus: closed\n---\nSleepers are back, again.\n"), 0o644)
	out.Reset()
	if err := run(ctx, []string{"debate", "import", "--data-dir", dir, md}, noEnv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Updated debate") {
		t.Fatalf("re-import: %v %q", err, out.String())
	}
	os.WriteFile(md, []byte("---\ntitle: \"\"\nquestion: \"\"\n---\n"), 0o644)
	err := run(ctx, []string{"debate", "import", "--data-dir", dir, md}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "title") || !strings.Contains(err.Error(), "question") {
		t.Fatalf("invalid import: got %v, want problems with title and question", err)
	}
	base, stop, _ := startParley(t, "--data-dir", dir, "--demo=false")
	defer stop()
	code, page := get(t, base+"/debates/night-trains-for-europe")
	if code != 200 || !strings.Contains(page, "Sleepers are back, again.") || !strings.Contains(page, "This debate is closed") || !strings.Contains(page, "/media/") {
		t.Errorf("imported debate page: status %d", code)
	}
}

func TestUserCreatePrintsASignInLinkForTheFirstAdmin(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"user", "create", "--data-dir", dir, "--email", "Boss@Example.org", "--role", "admin", "--base-url", "http://parley.test"}
	if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
		t.Fatalf("user create: %v\n%s", err, errOut.String())
	}
	link := regexp.MustCompile(`http://parley\.test(/links/signin/\S+)`).FindStringSubmatch(out.String())
	if link == nil || !strings.Contains(out.String(), "Created the account boss@example.org with the role admin") {
		t.Fatalf("user create printed:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"user", "create", "--data-dir", dir, "--email", "x@example.org", "--role", "emperor"}, noEnv, &out, &errOut); err == nil {
		t.Error("an unknown role was accepted")
	}

	base, stop, _ := startParley(t, "--data-dir", dir, "--demo=false")
	defer stop()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	res, err := browser.Get(base + link[1])
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("open the link: %v %v", res, err)
	}
	res.Body.Close()
	res, err = browser.PostForm(base+link[1], url.Values{"next": {"/admin/users"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "People and roles") || !strings.Contains(string(body), "boss@example.org") {
		t.Fatalf("after the link, /admin/users answered %d:\n%.1500s", res.StatusCode, body)
	}
	// The link works once.
	res, err = browser.PostForm(base+link[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusGone {
		t.Errorf("the link worked twice: %d", res.StatusCode)
	}
}
