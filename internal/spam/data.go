package spam

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Datasets are the collections a data folder may hold, each in a folder of
// that name, laid out as in ../shared/data/spam:
//
//	youtube/*.csv            COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS (CLASS 1 = spam), any number of files
//	sms/*                    one message a line, "spam<TAB>text" or "ham<TAB>text" (SMSSpamCollection)
//	blog-comments/*.csv      orig_row,comment,label,articleName (label 1 = spam, empty = unlabelled)
//
// Files named SOURCE*, README* or LICENSE* describe the data and are not
// read; unlabelled rows are skipped.
var Datasets = []string{"youtube", "sms", "blog-comments"}

// LoadDir reads the labelled examples of every dataset in dir, in a fixed
// order (datasets as in Datasets, files by name, rows as written). missing
// names the datasets whose folder is absent.
func LoadDir(dir string) (examples []Example, missing []string, err error) {
	for _, ds := range Datasets {
		sub := filepath.Join(dir, ds)
		entries, err := os.ReadDir(sub)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, ds)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries { // sorted by name
			name := e.Name()
			if !e.Type().IsRegular() || isAboutFile(name) {
				continue
			}
			if ds != "sms" && !strings.EqualFold(filepath.Ext(name), ".csv") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(sub, name))
			if err != nil {
				return nil, nil, err
			}
			var got []Example
			switch ds {
			case "youtube":
				got, err = readCSV(data, ds, "content", "class", "label")
			case "blog-comments":
				got, err = readCSV(data, ds, "comment", "label")
			case "sms":
				got, err = readSMS(data)
			}
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", filepath.Join(sub, name), err)
			}
			examples = append(examples, got...)
		}
	}
	return examples, missing, nil
}

func isAboutFile(name string) bool {
	up := strings.ToUpper(name)
	return strings.HasPrefix(name, ".") || strings.HasPrefix(up, "SOURCE") || strings.HasPrefix(up, "README") || strings.HasPrefix(up, "LICENSE")
}

// readCSV reads a CSV file with a header naming its text column and its
// label column (the first of labelCols present), in any case; label 1 is
// spam, 0 not, and rows without one are unlabelled and skipped.
func readCSV(data []byte, dataset, textCol string, labelCols ...string) ([]Example, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	ti, li := -1, -1
	for _, l := range slices.Backward(labelCols) {
		for i, h := range header {
			switch strings.ToLower(strings.TrimSpace(h)) {
			case textCol:
				ti = i
			case l:
				li = i
			}
		}
	}
	if ti < 0 || li < 0 {
		return nil, fmt.Errorf("the header has no %q and %q columns", textCol, labelCols[0])
	}
	var out []Example
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) <= max(ti, li) {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("line %d: %d fields", line, len(rec))
		}
		switch label := strings.TrimSpace(rec[li]); label {
		case "":
			continue
		case "0", "1":
			out = append(out, Example{Text: unHTML(rec[ti]), Spam: label == "1", Dataset: dataset})
		default:
			line, _ := r.FieldPos(li)
			return nil, fmt.Errorf("line %d: label %q is neither 0 nor 1", line, label)
		}
	}
}

// readSMS reads the SMS Spam Collection's format. A first line that is not
// a message ("Label<TAB>SMS") is taken for a header.
func readSMS(data []byte) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" {
			continue
		}
		label, msg, ok := strings.Cut(text, "\t")
		if !ok || label != "spam" && label != "ham" {
			if line == 1 {
				continue
			}
			return nil, fmt.Errorf("line %d: not \"spam<TAB>text\" or \"ham<TAB>text\"", line)
		}
		out = append(out, Example{Text: msg, Spam: label == "spam", Dataset: "sms"})
	}
	return out, sc.Err()
}

// LoadComments reads legitimate comments from a JSON array of objects with
// a "text" field (../shared/data/comments/eu-haveyoursay).
func LoadComments(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	texts := make([]string, 0, len(rows))
	for _, r := range rows {
		if strings.TrimSpace(r.Text) != "" {
			texts = append(texts, r.Text)
		}
	}
	return texts, nil
}

// FindData looks for a "shared/data" folder beside a parent of dir (the
// repository's ../shared/data, wherever in the repository dir is) and
// returns it, or "" if there is none.
func FindData(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(filepath.Dir(dir), "shared", "data")
		if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// datasetOrder sorts dataset names as in Datasets, unknown ones last.
func datasetOrder(names []string) []string {
	slices.SortStableFunc(names, func(a, b string) int {
		ia, ib := slices.Index(Datasets, a), slices.Index(Datasets, b)
		if ia < 0 {
			ia = len(Datasets)
		}
		if ib < 0 {
			ib = len(Datasets)
		}
		return ia - ib
	})
	return names
}

// The YouTube and blog collections hold comments as HTML ("I&#39;m",
// "<br />", "<a href=…>"); Parley's comments are plain text with Markdown.
// unHTML turns the first into the second so that the model learns from text
// as readers type it: a link becomes its text and address, line breaks
// become new lines, other tags go, and character references are decoded.
func unHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	s = anchorTag.ReplaceAllString(s, "$2 $1")
	s = breakTag.ReplaceAllString(s, "\n")
	s = otherTag.ReplaceAllString(s, "")
	return html.UnescapeString(s)
}

var (
	anchorTag = regexp.MustCompile(`(?is)<a\s[^>]*?href\s*=\s*["']([^"']*)["'][^>]*>(.*?)</a\s*>`)
	breakTag  = regexp.MustCompile(`(?i)<br\s*/?>|</?p\s*>`)
	otherTag  = regexp.MustCompile(`(?i)</?[a-z][a-z0-9]*(\s[^<>]*)?/?>`)
)
