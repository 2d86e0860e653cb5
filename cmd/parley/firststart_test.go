package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// Cookies are per host name: the address the README gives, the link "user
// create" prints and the base URL of every mailed link must name the same
// host, or an admin following a mailed link arrives signed out.
func TestTheFirstStartNamesOneHost(t *testing.T) {
	if got := displayAddr(defaultAddr, "127.0.0.1:8080"); got != "localhost:8080" {
		t.Errorf("the default address listening on 127.0.0.1:8080 is shown as %s, want localhost:8080", got)
	}
	for _, c := range []struct{ configured, listened, want string }{
		{":8080", "[::]:8080", "localhost:8080"},
		{"127.0.0.1:0", "127.0.0.1:41234", "127.0.0.1:41234"},
		{"[::1]:8080", "[::1]:8080", "[::1]:8080"},
		{"parley.example.org:80", "192.0.2.1:80", "parley.example.org:80"},
	} {
		if got := displayAddr(c.configured, c.listened); got != c.want {
			t.Errorf("displayAddr(%q, %q) = %q, want %q", c.configured, c.listened, got, c.want)
		}
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("http://"+defaultAddr)) || bytes.Contains(readme, []byte("127.0.0.1:8080")) {
		t.Errorf("the README does not send people to http://%s alone", defaultAddr)
	}

	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "create", "--data-dir", dir, "--email", "boss@example.org", "--role", "admin"}, noEnv, &out, &out); err != nil {
		t.Fatalf("user create: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "\nhttp://"+defaultAddr+"/links/signin/") {
		t.Errorf("user create printed a link to another host:\n%s", out.String())
	}

	base, stop, _ := startParley(t, "--addr", "localhost:0", "--data-dir", dir, "--demo=false")
	defer stop()
	if !regexp.MustCompile(`^http://localhost:\d+$`).MatchString(base) {
		t.Errorf("listening on localhost, the base URL for mailed links is %s", base)
	}
}

func TestUserCreateSaysWhatItDid(t *testing.T) {
	dir := t.TempDir()
	create := func(role string) string {
		t.Helper()
		var out bytes.Buffer
		args := []string{"user", "create", "--data-dir", dir, "--email", "boss@example.org", "--role", role, "--base-url", "http://parley.test"}
		if err := run(context.Background(), args, noEnv, &out, &out); err != nil {
			t.Fatalf("user create: %v\n%s", err, out.String())
		}
		first, _, _ := strings.Cut(out.String(), "\n")
		return first
	}
	if got, want := create("admin"), "Created the account boss@example.org with the role admin."; got != want {
		t.Errorf("new account: %q, want %q", got, want)
	}
	if got, want := create("editor"), "Gave the existing account boss@example.org the role editor."; got != want {
		t.Errorf("existing account: %q, want %q", got, want)
	}
}

// The first start compiles everything the binary imports, so modules that
// only tests need stay out of its import graph.
func TestTheBinaryLeavesOutTestOnlyModules(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	modules := map[string]bool{}
	for _, m := range strings.Fields(string(out)) {
		modules[m] = true
	}
	if !modules["modernc.org/sqlite"] {
		t.Fatalf("go list found no modernc.org/sqlite among %v", modules)
	}
	for _, m := range []string{"github.com/chromedp/chromedp", "github.com/chromedp/cdproto", "github.com/emersion/go-smtp",
		"github.com/emersion/go-sasl", "github.com/santhosh-tekuri/jsonschema/v6"} {
		if modules[m] {
			t.Errorf("parley's binary imports %s, which only tests need", m)
		}
	}
}
