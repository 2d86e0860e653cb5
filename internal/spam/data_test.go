package spam

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSpamLoadDirFixture(t *testing.T) {
	examples := fixture(t)
	count := map[string][2]int{} // dataset → {examples, spam}
	var order []string
	for _, e := range examples {
		c := count[e.Dataset]
		c[0]++
		if e.Spam {
			c[1]++
		}
		count[e.Dataset] = c
		if !slices.Contains(order, e.Dataset) {
			order = append(order, e.Dataset)
		}
	}
	want := map[string][2]int{"youtube": {16, 8}, "sms": {16, 8}, "blog-comments": {12, 6}}
	if len(count) != len(want) {
		t.Errorf("datasets %v, want %v", count, want)
	}
	for ds, w := range want {
		if count[ds] != w {
			t.Errorf("%s: %d examples (%d spam), want %d (%d)", ds, count[ds][0], count[ds][1], w[0], w[1])
		}
	}
	if !slices.Equal(order, Datasets) {
		t.Errorf("datasets in the order %q, want %q", order, Datasets)
	}
	// HTML is turned into text.
	for _, e := range examples {
		if strings.Contains(e.Text, "<br") || strings.Contains(e.Text, "&#39;") || strings.Contains(e.Text, "<a ") {
			t.Errorf("HTML left in %q", e.Text)
		}
	}
	if !slices.ContainsFunc(examples, func(e Example) bool { return e.Text == "best deals http://promo.example.test/x click now, subscribe" }) {
		t.Error("a link's address was not kept beside its text")
	}
}

func TestSpamLoadDirLayout(t *testing.T) {
	fixtureFile := func(ds, name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata/spamdata", ds, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	youtube := fixtureFile("youtube", "Youtube09-Fixture.csv")
	tests := []struct {
		name    string
		files   map[string]string // path → content
		count   int
		missing []string
		err     string
	}{
		{
			name:    "any number of YouTube files, other files ignored",
			files:   map[string]string{"youtube/Youtube04-Eminem.csv": string(youtube), "youtube/Youtube09-Fixture.csv": string(youtube), "youtube/SOURCE.txt": "about", "youtube/notes.md": "x"},
			count:   32,
			missing: []string{"sms", "blog-comments"},
		},
		{
			name:    "an SMS file with a header line",
			files:   map[string]string{"sms/messages.tsv": "Label\tSMS\nspam\tWin now\r\nham\tsee you\n\n"},
			count:   2,
			missing: []string{"youtube", "blog-comments"},
		},
		{
			name:    "an unlabelled blog file only",
			files:   map[string]string{"blog-comments/blog_comments_unlabeled.csv": "orig_row,comment,label,articleName\n1,hello,,A\n"},
			count:   0,
			missing: []string{"youtube", "sms"},
		},
		{
			name:    "nothing",
			files:   map[string]string{"other/x.csv": "a,b\n"},
			missing: Datasets,
		},
		{
			name:    "YouTube with the header of the collection's later copies",
			files:   map[string]string{"youtube/Youtube02-KatyPerry.csv": "COMMENT_ID,AUTHOR,DATE,CONTENT,label\na,b,c,text,1\nd,e,f,more,0\n"},
			count:   2,
			missing: []string{"sms", "blog-comments"},
		},
		{
			name:  "a bad label",
			files: map[string]string{"youtube/Youtube01-Psy.csv": "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\na,b,c,text,2\n"},
			err:   "Youtube01-Psy.csv: line 2: label \"2\"",
		},
		{
			name:  "no text column",
			files: map[string]string{"blog-comments/x.csv": "orig_row,text,label\n1,hello,1\n"},
			err:   "no \"comment\" and \"label\" columns",
		},
		{
			name:  "not SMS",
			files: map[string]string{"sms/SMSSpamCollection": "spam\tone\nmaybe\ttwo\n"},
			err:   "line 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for path, content := range tt.files {
				path = filepath.Join(dir, path)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			examples, missing, err := LoadDir(dir)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(examples) != tt.count || !slices.Equal(missing, tt.missing) {
				t.Errorf("%d examples, missing %q; want %d, %q", len(examples), missing, tt.count, tt.missing)
			}
		})
	}
}

func TestSpamUnHTML(t *testing.T) {
	tests := map[string]string{
		"plain text, 5 < 6 & so on":                         "plain text, 5 < 6 & so on",
		"I&#39;m here<br />and there<br>":                   "I'm here\nand there\n",
		`<a href="http://x.test/a?b=1&amp;c=2">my site</a>`: "my site http://x.test/a?b=1&c=2",
		"<b>bold</b> &quot;quoted&quot; &amp;":              `bold "quoted" &`,
		"<p>para</p>":                                       "\npara\n",
	}
	for in, want := range tests {
		if got := unHTML(in); got != want {
			t.Errorf("unHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpamLoadComments(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(file, []byte(`[{"page":1,"text":"First comment"},{"page":1,"text":"  "},{"page":2,"text":"Second"}]`), 0o644)
	texts, err := LoadComments(file)
	if err != nil || !slices.Equal(texts, []string{"First comment", "Second"}) {
		t.Errorf("LoadComments = %q, %v", texts, err)
	}
	os.WriteFile(file, []byte(`{"text":"not an array"}`), 0o644)
	if _, err := LoadComments(file); err == nil {
		t.Error("no error for a JSON object")
	}
}

func TestSpamFindData(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "repo", "internal", "spam")
	os.MkdirAll(deep, 0o755)
	if got := FindData(deep); got != "" {
		t.Errorf("FindData without shared/data = %q", got)
	}
	os.MkdirAll(filepath.Join(root, "shared", "data"), 0o755)
	if got, want := FindData(deep), filepath.Join(root, "shared", "data"); got != want {
		t.Errorf("FindData = %q, want %q", got, want)
	}
}

// spamData returns ../shared/data (found from here), or skips the test.
func spamData(t *testing.T) string {
	t.Helper()
	dir := FindData(".")
	if dir == "" {
		t.Skip("no shared/data beside the repository (../shared/data/spam, ../shared/data/comments): " +
			"this test evaluates the classifier on those collections and has nothing to read")
	}
	if _, err := os.Stat(filepath.Join(dir, "spam")); err != nil {
		t.Skipf("no spam collections in %s: %v", dir, err)
	}
	return dir
}
