package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley/internal/store/storetest"
	"github.com/parley-org/parley/internal/testnote"
)

// TestTwoNodesShareOneDatabase runs two Parley servers on one PostgreSQL
// database, as behind a load balancer: a comment posted on one shows on the
// other's next page view, although the other had the page cached.
func TestTwoNodesShareOneDatabase(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		testnote.Skip(t, "PostgreSQL tests", testnote.NoPostgres)
	}
	url := storetest.URL(t)
	dir := t.TempDir()
	md := filepath.Join(dir, "d.md")
	os.WriteFile(md, []byte("---\ntitle: Shared debate\nslug: shared\nquestion: Does it scale?\nstatus: published\n---\nTwo nodes.\n"), 0o644)
	if err := run(context.Background(), []string{"debate", "import", "--database", url, "--data-dir", dir, md}, noEnv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, stopA, _ := startParley(t, "--database", url, "--data-dir", filepath.Join(dir, "a"), "--demo=false")
	defer stopA()
	b, stopB, _ := startParley(t, "--database", url, "--data-dir", filepath.Join(dir, "b"), "--demo=false")
	defer stopB()

	for i := 0; i < 3; i++ { // B's page cache now holds the page
		if _, page := get(t, b+"/debates/shared"); strings.Contains(page, "Posted on node A") {
			t.Fatal("comment shown before it was posted")
		}
	}
	for round := 0; round < 5; round++ {
		body := `{"author_name":"Ana","author_email":"ana@example.org","body":"Posted on node A, round ` + string(rune('0'+round)) + `"}`
		res, err := http.Post(a+"/api/v1/debates/shared/comments", "application/json", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("post on A: status %d", res.StatusCode)
		}
		_, page := get(t, b+"/debates/shared")
		if !strings.Contains(page, "Posted on node A, round "+string(rune('0'+round))) {
			t.Fatalf("round %d: node B's next page view lacks the comment posted on node A", round)
		}
		_, api := get(t, b+"/api/v1/debates/shared/comments")
		if !strings.Contains(api, "round "+string(rune('0'+round))) {
			t.Fatalf("round %d: node B's API lacks the comment posted on node A", round)
		}
	}
	// Site-wide pages hear of other nodes' writes by notification alone,
	// within moments rather than by the next request.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, home := get(t, b+"/")
		if strings.Contains(home, "5 comments") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B's home page does not count the comments posted on A after 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
