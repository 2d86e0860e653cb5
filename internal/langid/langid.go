// Package langid tells which language a reader's comment is written in.
//
// It wraps lingua (github.com/pemistahl/lingua-go), restricted to the
// languages below, and answers with an ISO 639-1 code, or "" when a text
// gives too little to go on.
//
// # Languages
//
// The 23 official languages of the EU that lingua knows (it has no
// Maltese), and five neighbours that European debates see often: Russian
// and Ukrainian (large communities in the Baltic states and since 2022 all
// over the EU), Turkish (the largest language of immigrants in several
// member states, and a candidate country's), Arabic (the largest from
// outside Europe) and Catalan (co-official in Spain, spoken by ten million
// people). Each was kept only if adding it cost the EU languages little on
// the evaluation sample (`parley lang eval`): Russian takes a few Bulgarian
// word pairs, Catalan a few Spanish ones, none costs a sentence.
//
// Left out on purpose: Bosnian, which lingua cannot tell from Croatian
// (with it, one Croatian sentence in eight was called Bosnian), and
// Norwegian Bokmål, which took 4% of the Danish sentences and 6% of the
// Danish word pairs. Both are read easily by readers of the EU language
// they are confused with, so calling them that is the smaller harm.
// Serbian, Macedonian, Albanian, Icelandic, Basque, Belarusian, Armenian
// and Georgian cost the EU languages little or nothing but are rare in the
// comments Parley sees, and each language written in Latin or Cyrillic
// letters costs about 20 MB of memory.
//
// # Accuracy, memory, time
//
// On ../shared/data/langid (`parley lang eval`, whose lines are in
// eval_baseline.txt) Detect gets 0.986 of the sentences right, 0.943 in the
// worst language (Irish), and 0.886 of the word pairs, 0.543 in the worst
// (Spanish: most of the misses unanswered, the others taken for
// Portuguese).
//
// It uses lingua's high accuracy mode. The low accuracy mode (trigrams
// only) needs 22 MB for the EU languages, but got only 0.973 of their
// sentences, Czech 0.895, and 0.860 of the word pairs: too little for short
// comments. The price of high accuracy, measured:
//
//   - heap: 602 MB in use once the models of the 28 languages are loaded
//     (runtime.MemStats.HeapInuse after a GC; TestModelMemory logs it).
//     Loading peaks at about twice that; afterwards the process's resident
//     memory is about 730 MB. With the default GOGC the heap may grow to
//     twice what is live before a collection, so set GOMEMLIMIT on small
//     machines.
//   - binary: 128 MB more (cmd/parley went from 37 MB to 166 MB), because
//     lingua embeds the models of all its 75 languages; ours are 78 MB of
//     them.
//
// The models are loaded all at once, in parallel, the first time Default
// is called (3 to 4 s on two cores): not at program start, and not one by
// one as the first detections need them, which made the first take 14 s. Then
// a comment takes about 1.1 ms at the median and 3 to 4 ms at the 99th
// percentile, on two busy cores (BenchmarkDetect).
package langid

import (
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/pemistahl/lingua-go"
)

// language is one language Detect may return.
type language struct {
	code, name string
	lingua     lingua.Language
}

// languages are the languages detected, by code. The names are English; the
// UI translates them.
var languages = []language{
	{"ar", "Arabic", lingua.Arabic},
	{"bg", "Bulgarian", lingua.Bulgarian},
	{"ca", "Catalan", lingua.Catalan},
	{"cs", "Czech", lingua.Czech},
	{"da", "Danish", lingua.Danish},
	{"de", "German", lingua.German},
	{"el", "Greek", lingua.Greek},
	{"en", "English", lingua.English},
	{"es", "Spanish", lingua.Spanish},
	{"et", "Estonian", lingua.Estonian},
	{"fi", "Finnish", lingua.Finnish},
	{"fr", "French", lingua.French},
	{"ga", "Irish", lingua.Irish},
	{"hr", "Croatian", lingua.Croatian},
	{"hu", "Hungarian", lingua.Hungarian},
	{"it", "Italian", lingua.Italian},
	{"lt", "Lithuanian", lingua.Lithuanian},
	{"lv", "Latvian", lingua.Latvian},
	{"nl", "Dutch", lingua.Dutch},
	{"pl", "Polish", lingua.Polish},
	{"pt", "Portuguese", lingua.Portuguese},
	{"ro", "Romanian", lingua.Romanian},
	{"ru", "Russian", lingua.Russian},
	{"sk", "Slovak", lingua.Slovak},
	{"sl", "Slovenian", lingua.Slovene},
	{"sv", "Swedish", lingua.Swedish},
	{"tr", "Turkish", lingua.Turkish},
	{"uk", "Ukrainian", lingua.Ukrainian},
}

// minDistance is how far lingua's confidence in the likeliest language must
// lie above that in the next one for Detect to answer. Below it are mostly
// texts like "ok", "lol", "Bravo!" or a name, which lingua would otherwise
// give to some language at random. On the evaluation sample 0.1 halves the
// wrong answers (sentences 20 to 10, word pairs 60 to 31) for 24 sentences
// and 61 word pairs answered "" instead.
const minDistance = 0.1

// Detector detects the language of texts. It is safe for concurrent use.
type Detector struct {
	lingua lingua.LanguageDetector
	codes  map[lingua.Language]string
}

// Default returns the process's detector, built on the first call, which
// loads the language models and so takes seconds. There is one because
// lingua keeps the models it loads in its own package for every detector.
func Default() *Detector { return defaultDetector() }

var defaultDetector = sync.OnceValue(func() *Detector {
	d := &Detector{codes: make(map[lingua.Language]string, len(languages))}
	ls := make([]lingua.Language, len(languages))
	for i, l := range languages {
		ls[i] = l.lingua
		d.codes[l.lingua] = l.code
	}
	d.lingua = lingua.NewLanguageDetectorBuilder().
		FromLanguages(ls...).
		WithMinimumRelativeDistance(minDistance).
		WithPreloadedLanguageModels().
		Build()
	// Loading leaves about as much garbage as it keeps (the unzipped
	// models), which the runtime would otherwise hold on to for a while.
	debug.FreeOSMemory()
	return d
})

// Detect returns the ISO 639-1 code of the language text is written in, or
// "" when it cannot tell: no words (only numbers, links, emoji), or too few
// to be confident. Links, @mentions, quotes, code and Markdown are left out,
// and only the first MaxRunes characters of the rest are read.
func (d *Detector) Detect(text string) string {
	text = clean(text)
	if !strings.ContainsFunc(text, unicode.IsLetter) {
		return ""
	}
	l, ok := d.lingua.DetectLanguageOf(text)
	if !ok {
		return ""
	}
	return d.codes[l]
}

// Supported returns the codes Detect may return, sorted.
func Supported() []string {
	codes := make([]string, len(languages))
	for i, l := range languages {
		codes[i] = l.code
	}
	return codes
}

// Name returns the English name of the language with the code, or "" for a
// code Detect does not return.
func Name(code string) string {
	i, ok := slices.BinarySearchFunc(languages, code, func(l language, code string) int {
		return strings.Compare(l.code, code)
	})
	if !ok {
		return ""
	}
	return languages[i].name
}
