package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-org/parley"
)

// Every operation says who may call it, and says what routes.go enforces:
// an operation without "security" reads as "unspecified" to tools and
// linters, not as public.
func TestOpenAPISecurityMatchesRoutes(t *testing.T) {
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := doc["paths"].(map[string]any)
	brace := regexp.MustCompile(`\{([^}.]+)(\.\.\.)?\}`)
	checked := 0
	for _, r := range (&Server{}).routeTable() {
		method, p, ok := strings.Cut(r.pattern, " ")
		if !ok || !strings.HasPrefix(p, "/api/v1/") {
			continue
		}
		p = brace.ReplaceAllString(strings.ReplaceAll(p, "{$}", ""), "{$1}")
		item, _ := paths[p].(map[string]any)
		op, _ := item[strings.ToLower(method)].(map[string]any)
		if op == nil {
			continue // TestOpenAPICoversEveryAPIRoute reports it
		}
		checked++
		sec, declared := op["security"].([]any)
		if !declared {
			t.Errorf("%s declares no security; public operations say \"security\": []", r.pattern)
			continue
		}
		anonymous := len(sec) == 0
		for _, req := range sec {
			if m, _ := req.(map[string]any); len(m) == 0 {
				anonymous = true
			}
		}
		if public := r.access == anyone; public != anonymous {
			t.Errorf("%s: security %v lets anonymous callers in = %v, but routes.go says public = %v", r.pattern, sec, anonymous, public)
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d API operations; has the route syntax changed?", checked)
	}
}

// The error table in the document's description lists each status with
// the code the server sends with it, in order of status.
func TestOpenAPIErrorTable(t *testing.T) {
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	info, _ := doc["info"].(map[string]any)
	desc, _ := info["description"].(string)
	_, table, ok := strings.Cut(desc, "| Status | `code` | Meaning |\n|---|---|---|\n")
	if !ok {
		t.Fatal("the description has no error table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	row := regexp.MustCompile("^\\| (\\d{3}) \\| `([a-z_]+)` \\| [^|]+ \\|$")
	last, rows := 0, 0
	for _, line := range strings.Split(table, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("error table row is not | STATUS | `code` | meaning |: %s", line)
			continue
		}
		rows++
		st, _ := strconv.Atoi(m[1])
		if st < last {
			t.Errorf("error table: %d comes after %d", st, last)
		}
		last = st
		got := status(&parley.Error{Code: m[2]})
		if st == 408 {
			got = status(bodyTimedOut) // the one status not chosen by code
			if parley.ErrorCode(bodyTimedOut) != m[2] {
				t.Errorf("error table: 408 says %q, the server sends %q", m[2], parley.ErrorCode(bodyTimedOut))
			}
		}
		if got != st {
			t.Errorf("error table: %q listed as %d, the server answers %d", m[2], st, got)
		}
	}
	if rows < 10 {
		t.Errorf("error table has %d rows, want every error code", rows)
	}
}

// An array schema says what it holds (Spectral's array-items rule): without
// "items" any element validates.
func TestOpenAPIArraysSayTheirItems(t *testing.T) {
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	walkJSON(doc, "", func(ptr string, v any) {
		obj, _ := v.(map[string]any)
		if obj["type"] != "array" {
			return
		}
		if _, ok := obj["items"]; !ok {
			t.Errorf("%s: an array schema without items", ptr)
		}
	})
}
