package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIURL is where the embedded openapi.json is registered with the
// schema compiler, so that "#/components/schemas/..." references resolve.
const openAPIURL = "file:///openapi.json"

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any // openapi.json, numbers as json.Number
	openAPIErr  error

	// The compiler is not safe for concurrent use; compiled schemas are.
	openAPICompileMu sync.Mutex
	openAPICompiler  *jsonschema.Compiler
	openAPISchemas   sync.Map // JSON pointer -> *jsonschema.Schema
)

// loadOpenAPI parses the embedded document once.
func loadOpenAPI() (map[string]any, error) {
	openAPIOnce.Do(func() {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPI))
		if err != nil {
			openAPIErr = fmt.Errorf("openapi.json does not parse: %w", err)
			return
		}
		doc, ok := v.(map[string]any)
		if !ok {
			openAPIErr = errors.New("openapi.json is not a JSON object")
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat() // date-time, uri-reference, email are checked, not just annotations
		if err := c.AddResource(openAPIURL, doc); err != nil {
			openAPIErr = fmt.Errorf("openapi.json: %w", err)
			return
		}
		openAPIDoc, openAPICompiler = doc, c
	})
	return openAPIDoc, openAPIErr
}

// openAPISchema compiles (once) the schema at a JSON pointer into openapi.json.
func openAPISchema(ptr string) (*jsonschema.Schema, error) {
	if s, ok := openAPISchemas.Load(ptr); ok {
		return s.(*jsonschema.Schema), nil
	}
	if _, err := loadOpenAPI(); err != nil {
		return nil, err
	}
	openAPICompileMu.Lock()
	defer openAPICompileMu.Unlock()
	if s, ok := openAPISchemas.Load(ptr); ok {
		return s.(*jsonschema.Schema), nil
	}
	s, err := openAPICompiler.Compile(openAPIURL + "#" + fragmentOf(ptr))
	if err != nil {
		return nil, err
	}
	openAPISchemas.Store(ptr, s)
	return s, nil
}

// pointer builds an RFC 6901 JSON pointer from reference tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// fragmentOf percent-encodes a JSON pointer for use as a URL fragment
// (path templates hold "{" and "}"); the compiler decodes it again.
func fragmentOf(ptr string) string {
	parts := strings.Split(ptr, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// resolvePointer returns the value at a JSON pointer ("" or "/a/b") in doc.
func resolvePointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	v := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// followRef follows OpenAPI Reference Objects ({"$ref": "#/..."}) from the
// object at ptr, returning the final object and its pointer.
func followRef(doc map[string]any, ptr string) (map[string]any, string, error) {
	for range 10 {
		v, ok := resolvePointer(doc, ptr)
		if !ok {
			return nil, ptr, fmt.Errorf("openapi.json has nothing at %s", ptr)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, ptr, fmt.Errorf("openapi.json: %s is not an object", ptr)
		}
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, ptr, nil
		}
		if !strings.HasPrefix(ref, "#") {
			return nil, ptr, fmt.Errorf("openapi.json: %s refers outside the document: %s", ptr, ref)
		}
		if ptr, ok = strings.CutPrefix(ref, "#"); !ok {
			return nil, ptr, fmt.Errorf("openapi.json: bad $ref %q", ref)
		}
	}
	return nil, ptr, fmt.Errorf("openapi.json: $ref loop at %s", ptr)
}

// matchOpenAPIPath finds the documented path template that a concrete path
// matches: equal segment counts, literal segments equal, "{name}" segments
// matching any non-empty segment. Literal matches win over templated ones.
func matchOpenAPIPath(paths map[string]any, concrete string) (string, bool) {
	segs := strings.Split(concrete, "/")
	best, bestLiterals := "", -1
	for tmpl := range paths {
		tsegs := strings.Split(tmpl, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for i, ts := range tsegs {
			if strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				continue
			}
			if ts != segs[i] {
				ok = false
				break
			}
			literals++
		}
		if ok && (literals > bestLiterals || literals == bestLiterals && tmpl < best) {
			best, bestLiterals = tmpl, literals
		}
	}
	return best, bestLiterals >= 0
}

// isJSONMediaType reports whether mt is application/json or a +json type.
func isJSONMediaType(mt string) bool {
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// checkAPIResponse validates one API response against openapi.json: the
// request's method and path must match a documented operation (match the
// concrete path against the path templates), the status must be documented
// for it, a JSON content type must be declared, and the body must validate
// against the documented schema. It reports failures with t.Errorf, naming
// the method, path and status.
//
// path may carry a query string, which is ignored. A HEAD request is checked
// against the GET operation, with no body. A request that no operation
// matches (another path under /api/, or a method a path does not take) may
// only get the catch-all's 404 not_found error, checked against
// #/components/responses/NoSuchEndpoint. A response documented without
// content (304) must have an empty body, whatever its Content-Type. The one
// documented non-JSON response (the text/plain 403 of cross-origin
// protection) is accepted as declared; every response documented as JSON
// must come as a declared JSON type and validate. It calls only t.Helper
// and t.Errorf.
func checkAPIResponse(t testing.TB, method, path string, status int, contentType string, body []byte) {
	t.Helper()
	where := fmt.Sprintf("%s %s: status %d", method, path, status)
	doc, err := loadOpenAPI()
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	concrete, _, _ := strings.Cut(path, "?")
	if u, err := url.Parse(concrete); err == nil && u.Scheme != "" {
		concrete = u.Path
	}
	paths, _ := doc["paths"].(map[string]any)
	op, head := strings.ToLower(method), false
	var respPtr string
	tmpl, ok := matchOpenAPIPath(paths, concrete)
	var pathItem map[string]any
	var pathItemPtr string
	if ok {
		if pathItem, pathItemPtr, err = followRef(doc, pointer("paths", tmpl)); err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if _, ok := pathItem[op]; !ok && op == "head" {
			op, head = "get", true
		}
	}
	if _, documented := pathItem[op].(map[string]any); !documented {
		// The "/api/" catch-all answers everything else with 404 not_found.
		what := "no path in openapi.json matches " + concrete
		if pathItem != nil {
			what = fmt.Sprintf("openapi.json documents no %s operation for %s", strings.ToUpper(op), tmpl)
		}
		if status != http.StatusNotFound {
			t.Errorf("%s: %s (only the catch-all 404 not_found may answer it)", where, what)
			return
		}
		if !bytes.Contains(body, []byte(`"not_found"`)) {
			t.Errorf("%s: %s, and the 404 is not a not_found error: %.200s", where, what, body)
			return
		}
		respPtr = "/components/responses/NoSuchEndpoint"
	} else {
		responses, _ := resolvePointer(doc, pathItemPtr+pointer(op, "responses"))
		respMap, _ := responses.(map[string]any)
		code := strconv.Itoa(status)
		key := ""
		for _, k := range []string{code, code[:1] + "XX", "default"} {
			if _, ok := respMap[k]; ok {
				key = k
				break
			}
		}
		if key == "" {
			t.Errorf("%s: status %d is not documented for %s %s", where, status, strings.ToUpper(op), tmpl)
			return
		}
		respPtr = pathItemPtr + pointer(op, "responses", key)
	}
	resp, respPtr, err := followRef(doc, respPtr)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 || head {
		if len(bytes.TrimSpace(body)) != 0 {
			t.Errorf("%s: documented without a body, but the response has %d bytes: %.200s", where, len(body), body)
		}
		return
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Errorf("%s: Content-Type %q does not parse: %v", where, contentType, err)
		return
	}
	documentsJSON := false
	var declared []string
	for k := range content {
		declared = append(declared, k)
		documentsJSON = documentsJSON || isJSONMediaType(k)
	}
	sort.Strings(declared)
	if _, listed := content[mt]; documentsJSON && !isJSONMediaType(mt) && !listed {
		t.Errorf("%s: Content-Type %q is not JSON (documented: %s); body: %.200s", where, contentType, strings.Join(declared, ", "), body)
		return
	}
	if _, ok := content[mt]; !ok {
		t.Errorf("%s: Content-Type %q is not documented for this response (documented: %s)", where, contentType, strings.Join(declared, ", "))
		return
	}
	if !isJSONMediaType(mt) {
		return
	}
	schemaPtr := respPtr + pointer("content", mt, "schema")
	if _, ok := resolvePointer(doc, schemaPtr); !ok {
		return // declared without a schema: any JSON will do
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: body is not JSON: %v; body: %.200s", where, err, body)
		return
	}
	sch, err := openAPISchema(schemaPtr)
	if err != nil {
		t.Errorf("%s: schema %s does not compile: %v", where, schemaPtr, err)
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s: body does not match openapi.json %s:\n%v\nbody: %s", where, schemaPtr, err, body)
	}
}

// walkJSON calls fn for every value in v with its JSON pointer, parents first.
func walkJSON(v any, ptr string, fn func(ptr string, v any)) {
	fn(ptr, v)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkJSON(x[k], ptr+pointer(k), fn)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, ptr+"/"+strconv.Itoa(i), fn)
		}
	}
}

// duplicateKeys reports object keys that appear twice in one JSON object,
// which encoding/json would otherwise silently collapse.
func duplicateKeys(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var dups []string
	var walk func(ptr string) error
	walk = func(ptr string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if seen[k] {
					dups = append(dups, ptr+pointer(k))
				}
				seen[k] = true
				if err := walk(ptr + pointer(k)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(ptr + "/" + strconv.Itoa(i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return dups, walk("")
}

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if dups, err := duplicateKeys(openAPI); err != nil {
		t.Fatalf("openapi.json: %v", err)
	} else if len(dups) > 0 {
		t.Errorf("openapi.json repeats keys: %v", dups)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] != "Parley API" || info["version"] != "1" || info["description"] == "" {
		t.Errorf("info = %v, want title, version and description", info)
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("openapi.json documents no paths")
	}

	// Every $ref resolves within the document.
	refs := 0
	walkJSON(doc, "", func(ptr string, v any) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		ref, ok := obj["$ref"].(string)
		if !ok {
			return
		}
		refs++
		target, ok := strings.CutPrefix(ref, "#")
		if !ok {
			t.Errorf("%s: $ref %q is not within the document", ptr, ref)
			return
		}
		if _, ok := resolvePointer(doc, target); !ok {
			t.Errorf("%s: $ref %q does not resolve", ptr, ref)
		}
	})
	if refs == 0 {
		t.Error("found no $ref at all; the walk is broken")
	}

	// Every schema compiles: the named ones, and every "schema" of a
	// parameter, header or media type. Examples must match their schema.
	var schemaPtrs []string
	schemas, _ := resolvePointer(doc, "/components/schemas")
	for name := range schemas.(map[string]any) {
		schemaPtrs = append(schemaPtrs, pointer("components", "schemas", name))
	}
	type example struct{ ptr, schema string }
	var examples []example
	walkJSON(doc, "", func(ptr string, v any) {
		if strings.HasPrefix(ptr, "/components/schemas/") {
			return
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		if _, ok := obj["schema"]; !ok {
			return
		}
		schemaPtrs = append(schemaPtrs, ptr+"/schema")
		if _, ok := obj["example"]; ok {
			examples = append(examples, example{ptr + "/example", ptr + "/schema"})
		}
		if exs, ok := obj["examples"].(map[string]any); ok {
			for name := range exs {
				examples = append(examples, example{ptr + pointer("examples", name, "value"), ptr + "/schema"})
			}
		}
	})
	sort.Strings(schemaPtrs)
	for _, ptr := range schemaPtrs {
		if _, err := openAPISchema(ptr); err != nil {
			t.Errorf("schema %s does not compile: %v", ptr, err)
		}
	}
	for _, ex := range examples {
		v, ok := resolvePointer(doc, ex.ptr)
		if !ok {
			continue // an example Reference Object; its $ref was checked above
		}
		sch, err := openAPISchema(ex.schema)
		if err != nil {
			continue // reported above
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("example %s does not match %s: %v", ex.ptr, ex.schema, err)
		}
	}

	// Every object schema with properties refuses undocumented ones, so
	// that checkAPIResponse catches a field added to the code only.
	walkJSON(doc, "", func(ptr string, v any) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		if _, ok := obj["properties"].(map[string]any); !ok {
			return
		}
		if obj["additionalProperties"] != false {
			t.Errorf("%s: object schema without \"additionalProperties\": false", ptr)
		}
	})

	// Operations: unique IDs, a description on every response, and a
	// required path parameter for every {name} in the path.
	ids := map[string]string{}
	for tmpl := range paths {
		item, itemPtr, err := followRef(doc, pointer("paths", tmpl))
		if err != nil {
			t.Error(err)
			continue
		}
		for _, m := range openAPIMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			name := strings.ToUpper(m) + " " + tmpl
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", name)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s and %s share operationId %q", name, other, id)
			}
			ids[id] = name
			if d, _ := op["description"].(string); d == "" {
				t.Errorf("%s has no description", name)
			}
			responses, _ := op["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s documents no responses", name)
			}
			for code := range responses {
				resp, _, err := followRef(doc, itemPtr+pointer(m, "responses", code))
				if err != nil {
					t.Errorf("%s %s: %v", name, code, err)
				} else if d, _ := resp["description"].(string); d == "" {
					t.Errorf("%s: response %s has no description", name, code)
				}
			}
			var pathParams []string
			params, _ := op["parameters"].([]any)
			for i := range params {
				p, _, err := followRef(doc, itemPtr+pointer(m, "parameters", strconv.Itoa(i)))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if p["in"] == "path" {
					if p["required"] != true {
						t.Errorf("%s: path parameter %v is not required", name, p["name"])
					}
					pathParams = append(pathParams, p["name"].(string))
				}
			}
			var inPath []string
			for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(tmpl, -1) {
				inPath = append(inPath, m[1])
			}
			slices.Sort(pathParams)
			slices.Sort(inPath)
			if !slices.Equal(pathParams, inPath) {
				t.Errorf("%s declares path parameters %v, want %v", name, pathParams, inPath)
			}
		}
	}
}

func TestOpenAPICoversEveryAPIRoute(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	// "GET /api/v1/debates/{slug}" and the like; the method-less "/api/"
	// catch-all is not an operation.
	re := regexp.MustCompile(`"(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|CONNECT|TRACE) (/api/v1/[^"]*)"`)
	routes := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		p := strings.ReplaceAll(m[2], "{$}", "")
		p = regexp.MustCompile(`\{([^}.]+)\.\.\.\}`).ReplaceAllString(p, "{$1}")
		routes[m[1]+" "+p] = true
	}
	if len(routes) < 6 {
		t.Fatalf("found only %d API routes in routes.go: %v; has the pattern syntax changed?", len(routes), routes)
	}
	paths, _ := doc["paths"].(map[string]any)
	for route := range routes {
		method, p, _ := strings.Cut(route, " ")
		item, _ := paths[p].(map[string]any)
		if _, ok := item[strings.ToLower(method)]; !ok {
			t.Errorf("routes.go serves %s, which openapi.json does not document", route)
		}
	}
	for p, v := range paths {
		item, _ := v.(map[string]any)
		for _, m := range openAPIMethods {
			if _, ok := item[m]; ok && !routes[strings.ToUpper(m)+" "+p] {
				t.Errorf("openapi.json documents %s %s, which routes.go does not serve", strings.ToUpper(m), p)
			}
		}
	}
}

// recordingTB is a testing.TB that records Errorf calls instead of failing.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckAPIResponseCatchesMismatch(t *testing.T) {
	at := time.Date(2025, 3, 1, 10, 12, 44, 0, time.UTC)
	ptr := func(n int64) *int64 { return &n }
	answer := apiAnswer{ID: 7, CommentID: 118, LeadIn: "What does a researcher say?", BodyHTML: "<p>Yes.</p>", PublishedAt: at,
		URL: "/debates/cars#answer-7", Expert: apiExpert{Slug: "maria-costa", Name: "Maria Costa", Title: "Professor",
			Affiliation: "University of Ghent", PortraitURL: "/media/b71d2e.jpg", PortraitCredit: "Photo: UGent"}}
	reply := &apiComment{ID: 131, Debate: "cars", ParentID: ptr(118), ReplyToID: ptr(125), Depth: 1,
		Author:   apiAuthor{Name: "Tom", AvatarURL: "/avatars/0c4e.svg", InReplyTo: "Ana"},
		BodyHTML: "<p>Bikes.</p>", Status: "approved", Language: "en", Source: "email", CreatedAt: at, URL: "/debates/cars#comment-131"}
	root := &apiComment{ID: 118, Debate: "cars", Author: apiAuthor{Name: "Ana", AvatarURL: "/avatars/9b1c.svg"},
		BodyHTML: "<p>Who?</p>", Status: "approved", Language: "", CreatedAt: at, URL: "/debates/cars#comment-118",
		Answers: []apiAnswer{answer}, Replies: []*apiComment{reply}}
	next := "118"
	debate := apiDebate{Slug: "cars", Title: "Ban cars?", Question: "Would you?", Image: &apiImage{URL: "https://img.example.org/a.jpg", Credit: "A. Lens"},
		Topics: []string{"cities"}, Status: "published", PublishedAt: &at, CommentCount: 2, Open: true,
		URL: "/debates/cars", CommentsURL: "/api/v1/debates/cars/comments"}
	full := debate
	full.BodyHTML = "<p>Article.</p>"
	full.Questions = []apiQuestion{{ID: 3, FramingHTML: "<p>Is she right?</p>", Comment: &apiComment{ID: 118, Debate: "cars",
		Author: apiAuthor{Name: "Ana", AvatarURL: "/avatars/9b1c.svg"}, BodyHTML: "<p>Who?</p>", Status: "approved",
		CreatedAt: at, URL: "/debates/cars#comment-118"}, Answers: []apiAnswer{answer}}}
	unpublished := debate
	unpublished.PublishedAt, unpublished.Image, unpublished.Topics = nil, nil, []string{}

	// encode renders v exactly as the handlers do.
	encode := func(code int, v any) (int, string, []byte) {
		rec := httptest.NewRecorder()
		writeJSON(rec, code, v)
		return rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()
	}
	served := httptest.NewRecorder()
	(&Server{}).handleOpenAPI(served, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))

	type response struct {
		method, path string
		status       int
		contentType  string
		body         []byte
	}
	resp := func(method, path string, status int, ct string, body []byte) response {
		return response{method, path, status, ct, body}
	}
	enc := func(method, path string, code int, v any) response {
		status, ct, body := encode(code, v)
		return response{method, path, status, ct, body}
	}
	const jsonCT = "application/json; charset=utf-8"
	goodComment := `{"id":131,"debate":"cars","parent_id":118,"reply_to_id":118,"depth":1,"author":{"name":"Tom","avatar_url":"/avatars/0c4e.svg"},` +
		`"body_html":"<p>Bikes.</p>","status":"approved","language":"en","created_at":"2025-03-01T10:12:44Z","url":"/debates/cars#comment-131"}`
	withField := func(field string) []byte {
		return []byte(strings.Replace(goodComment, `"id":131`, `"id":131,`+field, 1))
	}

	pass := []response{
		enc("GET", "/api/v1/debates", 200, apiDebateList{Debates: []apiDebate{debate, unpublished}, Total: 2, Page: 1, PerPage: 20}),
		enc("GET", "/api/v1/debates?page=2&per_page=5", 200, apiDebateList{Debates: []apiDebate{}, Total: 2, Page: 2, PerPage: 5}),
		enc("GET", "/api/v1/debates/cars", 200, full),
		enc("GET", "/api/v1/debates/cars", 200, unpublished),
		enc("GET", "/api/v1/debates/cars/comments?sort=newest&limit=1000", 200, apiThreadPage{Comments: []*apiComment{root}, NextCursor: &next, Total: 2}),
		enc("GET", "/api/v1/debates/cars/comments", 200, apiThreadPage{Comments: []*apiComment{}, Total: 0}),
		enc("POST", "/api/v1/debates/cars/comments", 201, &apiComment{ID: 140, Debate: "cars", Author: apiAuthor{Name: "Eve", AvatarURL: "/avatars/1.svg"},
			BodyHTML: "<p>Hi</p>", Status: "pending", CreatedAt: at, URL: "/debates/cars#comment-140"}),
		enc("GET", "/api/v1/comments/131", 200, reply),
		enc("GET", "/api/v1/debates/nope", 404, apiError{Error: apiErrorBody{Code: "not_found", Message: "There is no debate at this address."}}),
		enc("POST", "/api/v1/debates/cars/comments", 422, apiError{Error: apiErrorBody{Code: "invalid", Message: "Please correct the highlighted fields.",
			Fields: map[string]string{"body": "Please write a comment."}}}),
		enc("POST", "/api/v1/debates/cars/comments", 409, apiError{Error: apiErrorBody{Code: "debate_closed", Message: "Closed."}}),
		enc("GET", "/api/v1/comments/1", 503, apiError{Error: apiErrorBody{Code: "unavailable", Message: "Busy."}}),
		resp("GET", "/api/v1/debates/cars/comments", 304, jsonCT, nil),
		resp("HEAD", "/api/v1/debates/cars", 200, jsonCT, nil),
		resp("POST", "/api/v1/debates/cars/comments", 403, "text/plain; charset=utf-8", []byte("cross-origin request detected from Sec-Fetch-Site header\n")),
		resp("GET", "/api/v1/openapi.json", served.Code, served.Header().Get("Content-Type"), served.Body.Bytes()),
		resp("GET", "/api/v1/comments/131", 200, jsonCT, []byte(goodComment)),
		enc("GET", "/api/v1/nothing", 404, apiError{Error: apiErrorBody{Code: "not_found", Message: "There is no API endpoint GET /api/v1/nothing."}}),
		enc("DELETE", "/api/v1/comments/131", 404, apiError{Error: apiErrorBody{Code: "not_found", Message: "There is no API endpoint DELETE /api/v1/comments/131."}}),
	}
	for _, r := range pass {
		rec := &recordingTB{TB: t}
		checkAPIResponse(rec, r.method, r.path, r.status, r.contentType, r.body)
		if len(rec.errs) > 0 {
			t.Errorf("%s %s %d: want no error, got:\n%s", r.method, r.path, r.status, strings.Join(rec.errs, "\n"))
		}
	}

	fail := []struct {
		name string
		r    response
		want string // in the report
	}{
		{"undocumented field", resp("GET", "/api/v1/comments/131", 200, jsonCT, withField(`"email":"ana@example.org"`)), "email"},
		{"undocumented field in a nested reply", enc("GET", "/api/v1/debates/cars/comments", 200, map[string]any{
			"comments": []any{map[string]any{"id": 118, "debate": "cars", "parent_id": nil, "reply_to_id": nil, "depth": 0,
				"author": map[string]any{"name": "Ana", "avatar_url": "/a.svg"}, "body_html": "", "status": "approved", "language": "",
				"created_at": "2025-03-01T10:12:44Z", "url": "/c",
				"replies": []any{json.RawMessage(withField(`"secret":1`))}}},
			"next_cursor": nil, "total": 2}), "secret"},
		{"wrong type", resp("GET", "/api/v1/comments/131", 200, jsonCT, []byte(strings.Replace(goodComment, `"id":131`, `"id":"131"`, 1))), "/id"},
		{"null where not nullable", resp("GET", "/api/v1/comments/131", 200, jsonCT, []byte(strings.Replace(goodComment, `"depth":1`, `"depth":null`, 1))), "/depth"},
		{"missing required field", resp("GET", "/api/v1/comments/131", 200, jsonCT, []byte(strings.Replace(goodComment, `"language":"en",`, ``, 1))), "language"},
		{"bad date-time", resp("GET", "/api/v1/comments/131", 200, jsonCT, []byte(strings.Replace(goodComment, `2025-03-01T10:12:44Z`, `yesterday`, 1))), "created_at"},
		{"status outside the enum", resp("GET", "/api/v1/comments/131", 200, jsonCT, []byte(strings.Replace(goodComment, `"approved"`, `"spam"`, 1))), "status"},
		{"empty omitempty array", resp("GET", "/api/v1/comments/131", 200, jsonCT, withField(`"replies":[]`)), "replies"},
		{"undocumented status", resp("GET", "/api/v1/comments/131", 418, jsonCT, []byte(`{}`)), "418"},
		{"status of another operation", enc("GET", "/api/v1/comments/131", 201, reply), "201"},
		{"error code outside the enum", enc("GET", "/api/v1/comments/1", 404, apiError{Error: apiErrorBody{Code: "gone", Message: "x"}}), "code"},
		{"error shape", resp("GET", "/api/v1/comments/1", 404, jsonCT, []byte(`{"message":"not found"}`)), "404"},
		{"undocumented path", resp("GET", "/api/v1/users/1", 200, jsonCT, []byte(`{}`)), "/api/v1/users/1"},
		{"undocumented method", resp("DELETE", "/api/v1/comments/131", 200, jsonCT, []byte(`{}`)), "DELETE"},
		{"undocumented path, 404 of another shape", resp("GET", "/api/v1/users/1", 404, jsonCT, []byte(`{"error":{"code":"not_found","message":"x","extra":1}}`)), "extra"},
		{"undocumented path, 404 of another code", enc("GET", "/api/v1/users/1", 404, apiError{Error: apiErrorBody{Code: "internal", Message: "x"}}), "not_found"},
		{"not JSON", resp("GET", "/api/v1/comments/131", 200, "text/html; charset=utf-8", []byte("<p>hi</p>")), "text/html"},
		{"text/plain where JSON is documented", resp("POST", "/api/v1/debates/cars/comments", 422, "text/plain; charset=utf-8", []byte("invalid\n")), "text/plain"},
		{"undeclared JSON type", resp("GET", "/api/v1/comments/131", 200, "application/problem+json", []byte(goodComment)), "application/problem+json"},
		{"broken JSON", resp("GET", "/api/v1/comments/131", 200, jsonCT, []byte(`{"id":`)), "not JSON"},
		{"body on 304", resp("GET", "/api/v1/debates/cars/comments", 304, jsonCT, []byte(`{}`)), "304"},
	}
	for _, c := range fail {
		rec := &recordingTB{TB: t}
		checkAPIResponse(rec, c.r.method, c.r.path, c.r.status, c.r.contentType, c.r.body)
		if len(rec.errs) == 0 {
			t.Errorf("%s: checkAPIResponse reported nothing", c.name)
			continue
		}
		msg := strings.Join(rec.errs, "\n")
		head := fmt.Sprintf("%s %s: status %d", c.r.method, c.r.path, c.r.status)
		if !strings.Contains(msg, head) || !strings.Contains(msg, c.want) {
			t.Errorf("%s: report does not name %q and %q:\n%s", c.name, head, c.want, msg)
		}
	}
}
