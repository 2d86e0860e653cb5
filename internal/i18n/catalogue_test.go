package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
)

// TestEveryCatalogueTranslatesEveryKey fails when a language lacks a key
// of the English catalogue or holds one that English does not.
func TestEveryCatalogueTranslatesEveryKey(t *testing.T) {
	load()
	if len(langs) < 2 {
		t.Fatalf("only %d language(s) loaded", len(langs))
	}
	for code, m := range entries {
		var lacks, extra []string
		for k := range entries["en"] {
			if _, ok := m[k]; !ok {
				lacks = append(lacks, k)
			}
		}
		for k := range m {
			if _, ok := entries["en"][k]; !ok {
				extra = append(extra, k)
			}
		}
		sort.Strings(lacks)
		sort.Strings(extra)
		if len(lacks) > 0 {
			t.Errorf("%s lacks %d key(s): %q", code, len(lacks), lacks)
		}
		if len(extra) > 0 {
			t.Errorf("%s has %d key(s) English does not: %q", code, len(extra), extra)
		}
	}
}

// TestEnglishTextIsItsKey keeps keys and English text one thing.
func TestEnglishTextIsItsKey(t *testing.T) {
	load()
	for k, e := range entries["en"] {
		if e.plural == nil && e.text != k {
			t.Errorf("English %q reads %q: the key is the English text", k, e.text)
		}
		if e.plural != nil && e.plural["other"] != k {
			t.Errorf("English plural %q: its \"other\" form must be the key, is %q", k, e.plural["other"])
		}
	}
}

// TestPluralMessagesHaveEveryForm checks each language's plural messages
// against its CLDR plural rules.
func TestPluralMessagesHaveEveryForm(t *testing.T) {
	load()
	for code, m := range entries {
		want := PluralForms(code)
		for k, e := range m {
			english := entries["en"][k]
			switch {
			case english.plural == nil && e.plural != nil:
				t.Errorf("%s %q: plural forms for a message without a count", code, k)
			case english.plural != nil && e.plural == nil && code != "en":
				t.Errorf("%s %q: one text for a message with a count; want forms %v", code, k, want)
			case e.plural != nil:
				var got []string
				for f := range e.plural {
					got = append(got, f)
				}
				slices.SortFunc(got, func(a, b string) int {
					return slices.Index(pluralForms, a) - slices.Index(pluralForms, b)
				})
				if !slices.Equal(got, want) {
					t.Errorf("%s %q: forms %v, the language's counts take %v", code, k, got, want)
				}
			}
		}
	}
}

var markup = regexp.MustCompile(`<[^>]*>`)

// verbsOf lists a text's values by argument, the way fmt reads them.
func verbsOf(s string) []string {
	var out []string
	next := 0
	for _, m := range verb.FindAllStringSubmatch(s, -1) {
		if m[2] == "%" {
			continue
		}
		arg := next
		if m[1] != "" {
			fmt.Sscan(m[1], &arg)
			arg--
		}
		next = arg + 1
		out = append(out, fmt.Sprintf("%d:%s", arg, m[2]))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// TestTranslationsKeepValuesAndMarkup fails when a translation drops or
// changes a value (%d, %s) or the markup of its English text: either would
// break the page or let a catalogue inject markup.
func TestTranslationsKeepValuesAndMarkup(t *testing.T) {
	load()
	for code, m := range entries {
		for k, e := range m {
			english := entries["en"][k]
			texts := map[string]string{"": e.text}
			if e.plural != nil {
				texts = e.plural
			}
			for form, text := range texts {
				want := verbsOf(k)
				got := verbsOf(text)
				// A plural form may leave out the count ("one comment").
				if e.plural != nil && !slices.Contains(got, "0:d") {
					want = slices.DeleteFunc(slices.Clone(want), func(v string) bool { return v == "0:d" })
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s %q %s: values %v, English has %v", code, k, form, got, want)
				}
				wantTags := markup.FindAllString(english.text+english.plural["other"], -1)
				gotTags := markup.FindAllString(text, -1)
				sort.Strings(wantTags)
				sort.Strings(gotTags)
				if !slices.Equal(wantTags, gotTags) {
					t.Errorf("%s %q: markup %q, English has %q", code, k, gotTags, wantTags)
				}
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s %q: empty translation", code, k)
				}
			}
		}
	}
}

// TestDatesPerLanguage checks each language's date layouts: the day, its
// month and the year all appear, whatever the order.
func TestDatesPerLanguage(t *testing.T) {
	day := time.Date(2026, time.June, 19, 7, 5, 0, 0, time.UTC)
	for _, l := range All() {
		month := l.T("June")
		for _, s := range []string{l.Date(day), l.DateTime(day)} {
			if !strings.Contains(s, "19") || !strings.Contains(s, "2026") || !strings.Contains(s, month) {
				t.Errorf("%s: %q lacks the day, the month %q or the year", l.Code, s, month)
			}
		}
		if s := l.DateTime(day); !strings.Contains(s, "07:05") {
			t.Errorf("%s: %q lacks the time", l.Code, s)
		}
	}
	if got := English().Date(day); got != "19 June 2026" {
		t.Errorf("English date %q", got)
	}
}

// TestMessageReadsDomainSentencesBack checks that a sentence made from a
// format is translated with its values.
func TestMessageReadsDomainSentencesBack(t *testing.T) {
	de := Get("de")
	if de == nil {
		t.Skip("no German catalogue")
	}
	en := English()
	for k, e := range entries["en"] {
		v := verbsOf(k)
		if len(v) == 0 || e.plural != nil || !strings.ContainsFunc(verb.ReplaceAllString(k, ""), unicode.IsLetter) {
			continue // joins of translated clauses are not read back
		}
		args := make([]any, len(v))
		for i, s := range v {
			if strings.HasSuffix(s, ":d") {
				args[i] = 1234 + i
			} else {
				args[i] = fmt.Sprintf("value%d", i)
			}
		}
		sentence := en.T(k, args...)
		if got, want := de.Message(sentence), de.T(k, args...); got != want {
			t.Errorf("Message(%q) = %q, want %q", sentence, got, want)
		}
	}
	inner := "The form was sent back faster than a person writes"
	if got, want := de.Message("After an edit: "+inner), de.T("After an edit: %s", de.T(inner)); got != want {
		t.Errorf("a sentence in a sentence: %q, want %q", got, want)
	}
	if got := de.Message("1,234 comments"); got != "1.234 Kommentare" {
		t.Errorf("plural sentence read back as %q", got)
	}
	if got := de.Message("A sentence no catalogue holds."); got != "A sentence no catalogue holds." {
		t.Errorf("unknown sentence became %q", got)
	}
	if got := Missing(); !slices.Contains(got, "A sentence no catalogue holds.") {
		t.Errorf("Missing() = %q does not record the unknown sentence", got)
	}
}

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{
		"":               "en",
		"de-AT,de;q=0.9": "de",
		"ja, zh;q=0.5":   "en",
		"xx;;q=garbage":  "en",
	} {
		if got := Match(header).Code; got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestHTMLEscapesValues(t *testing.T) {
	got := string(English().HTML("%d comments", 2))
	if got != "2 comments" {
		t.Errorf("got %q", got)
	}
	if got := English().HTML("%[1]s", "<b>"); got != "&lt;b&gt;" {
		t.Errorf("a value was not escaped: %q", got)
	}
}
