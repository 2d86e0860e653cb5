package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley/internal/demo"
	"github.com/parley-org/parley/internal/media"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

// demoSite makes a SQLite database holding the demo site and returns its URL.
func demoSite(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	u := "sqlite:" + filepath.Join(dir, "source.db")
	st, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	md, err := media.Open(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	if loaded, err := demo.Load(ctx, st, md, time.Now(), "http://localhost:8080"); !loaded || err != nil {
		t.Fatalf("load demo: %v %v", loaded, err)
	}
	return u
}

// reportTable is the per-table part of db copy's output.
var reportTable = regexp.MustCompile(`(?m)^TABLE[\s\S]*?\n(?:verified|$)`)

func TestDBCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	source := demoSite(t, dir)
	copyOK := func(from, to string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		start := time.Now()
		if err := run(ctx, []string{"db", "copy", "--from", from, "--to", to}, noEnv, &out, &errOut); err != nil {
			t.Fatalf("db copy --from %s --to %s: %v\n%s%s", from, to, err, out.String(), errOut.String())
		}
		t.Logf("db copy %s → %s: %v\n%s", from[:strings.Index(from, ":")], to[:strings.Index(to, ":")], time.Since(start).Round(time.Millisecond), out.String())
		if !strings.Contains(out.String(), "verified: all 31 tables") || !strings.Contains(errOut.String(), "copying comments:") {
			t.Fatalf("db copy output lacks the progress or the verdict:\n%s%s", errOut.String(), out.String())
		}
		return out.String()
	}

	// Onto SQLite, onto the test database (PostgreSQL with
	// PARLEY_TEST_DATABASE=postgres) and from there back onto SQLite: the
	// same rows and checksums every time.
	copied := "sqlite:" + filepath.Join(dir, "copy.db")
	first := reportTable.FindString(copyOK(source, copied))
	other := storetest.URL(t)
	if got := reportTable.FindString(copyOK(source, other)); got != first {
		t.Errorf("copy onto %s reports\n%s\nwant\n%s", storetest.Dialect(), got, first)
	}
	if got := reportTable.FindString(copyOK(other, "sqlite:"+filepath.Join(dir, "back.db"))); got != first {
		t.Errorf("copy back reports\n%s\nwant\n%s", got, first)
	}
	if !regexp.MustCompile(`(?m)^comments +[1-9]\d* +0 +[1-9]\d* +[0-9a-f]{64}$`).MatchString(first) {
		t.Errorf("report lacks the comments copied:\n%s", first)
	}
	// Again: nothing new to copy, still verified.
	again := copyOK(source, copied)
	if !regexp.MustCompile(`(?m)^comments +0 +[1-9]`).MatchString(again) {
		t.Errorf("second copy copied comments again:\n%s", again)
	}

	// The copy serves the site.
	base, stop, _ := startParley(t, "--database", copied, "--data-dir", dir, "--demo=false")
	_, home := get(t, base+"/")
	if n := strings.Count(home, `class="debate-card"`); n != 3 {
		t.Errorf("the copy serves %d debates, want 3", n)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// A destination with a row of its own fails verification.
	st, err := store.Open(ctx, copied)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Secret(ctx, "only-in-the-copy")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = run(ctx, []string{"db", "copy", "--from", source, "--to", copied}, noEnv, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "verify settings") || !strings.Contains(err.Error(), "not empty") || strings.Contains(out.String(), "verified") {
		t.Errorf("copy onto a destination with an extra row: %v\n%s", err, out.String())
	}
}

func TestDBCopyRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	source := demoSite(t, dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", source}, "both --from and --to"},
		{[]string{"--from", source, "--to", "sqlite:" + filepath.Join(dir, ".", "source.db")}, "same database"},
		{[]string{"--from", "postgres://u:pw@db.example.org/site", "--to", "postgresql://u@DB.example.org:5432/site"}, "same database"},
		{[]string{"--from", "sqlite:" + filepath.Join(dir, "typo.db"), "--to", "sqlite:" + filepath.Join(dir, "b.db")}, "no such file"},
		{[]string{"--from", source, "--to", "sqlite:b.db", "extra"}, "no arguments"},
		// A server that is not there: the password shows nowhere.
		{[]string{"--from", source, "--to", "postgres://parley:s3cret@127.0.0.1:1/site?sslmode=disable&password=s3cret"}, "--to postgres://parley:xxxxx@127.0.0.1:1/site"},
	} {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"db", "copy"}, tc.args...), noEnv, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("db copy %q: got %v, want an error with %q", tc.args, err, tc.want)
			continue
		}
		if all := err.Error() + out.String() + errOut.String(); strings.Contains(all, "s3cret") {
			t.Errorf("db copy %q shows the password:\n%s", tc.args, all)
		}
	}
}
