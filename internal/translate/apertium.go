package translate

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// apertium is an Apertium APy server: POST /translate with a form body
// (langpair=spa|eng&q=…). APy has no key.
type apertium struct{ httpClient }

// alpha3 maps ISO 639-1 to the ISO 639-3 codes Apertium's pairs are named
// by (apertium-eng-spa serves spa|eng). Norwegian is Bokmål, as in Apertium.
var alpha3 = map[string]string{
	"af": "afr", "an": "arg", "ar": "ara", "be": "bel", "bg": "bul", "br": "bre", "bs": "bos",
	"ca": "cat", "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng",
	"eo": "epo", "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin", "fo": "fao",
	"fr": "fra", "fy": "fry", "ga": "gle", "gd": "gla", "gl": "glg", "gv": "glv", "he": "heb",
	"hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind", "is": "isl", "it": "ita",
	"ja": "jpn", "ka": "kat", "kk": "kaz", "ko": "kor", "ky": "kir", "la": "lat", "lb": "ltz",
	"lt": "lit", "lv": "lav", "mk": "mkd", "ms": "msa", "mt": "mlt", "nb": "nob", "nl": "nld",
	"nn": "nno", "no": "nob", "oc": "oci", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus",
	"sc": "srd", "se": "sme", "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe",
	"tr": "tur", "tt": "tat", "uk": "ukr", "ur": "urd", "uz": "uzb", "zh": "zho",
}

func (a *apertium) Translate(ctx context.Context, text, from, to string) (string, error) {
	from, to, err := a.pair(from, to)
	if err != nil {
		return "", err
	}
	if trivial(text, from, to) {
		return text, nil
	}
	src, to3 := apertiumCode(from), apertiumCode(to)
	if src == "" || to3 == "" {
		return "", a.fail(ErrUnsupportedPair, 0, "no Apertium code for "+from+" or "+to, nil)
	}
	// POST keeps the comment out of URLs (and their length limits and logs).
	// format=txt: the source is plain text, so "<" and "&" are words, not
	// HTML. markUnknown=no: no "*" before the words APy does not know.
	form := url.Values{
		"langpair":    {src + "|" + to3},
		"q":           {text},
		"markUnknown": {"no"},
		"format":      {"txt"},
	}
	status, data, err := a.post(ctx, "/translate", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	if err != nil {
		return "", err
	}
	if status == http.StatusOK {
		out, err := parseApertium(data)
		if err == nil {
			return out, nil
		}
		// Older APy answers 200 with the error in responseStatus.
		code, msg := apertiumError(data)
		if code == 0 || code == http.StatusOK {
			return "", a.fail(ErrUnavailable, status, err.Error(), nil)
		}
		return "", a.fail(apertiumKind(code, msg), code, msg, nil)
	}
	_, msg := apertiumError(data)
	return "", a.fail(apertiumKind(status, msg), status, msg, nil)
}

// apertiumCode is the code APy knows a language by; a three-letter code is
// taken as ISO 639-3 already.
func apertiumCode(lang string) string {
	if len(lang) == 3 {
		return lang
	}
	return alpha3[lang]
}

// apertiumKind sorts APy's errors: a 400 about the pair ("That pair is not
// installed", "That pair is invalid") is a pair it cannot translate; any
// other failure (503 for a stuck pipeline, 5xx, a bad request) means no
// translation now. APy has no quota.
func apertiumKind(status int, msg string) error {
	if status == http.StatusBadRequest && strings.Contains(strings.ToLower(msg), "pair") {
		return ErrUnsupportedPair
	}
	return ErrUnavailable
}

// parseApertium reads a successful APy answer: {"responseData":
// {"translatedText": "…"}, "responseDetails": null, "responseStatus": 200}.
func parseApertium(data []byte) (string, error) {
	var r struct {
		ResponseData struct {
			TranslatedText *string `json:"translatedText"`
		} `json:"responseData"`
		ResponseStatus int `json:"responseStatus"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return "", errors.New("answer is not the documented JSON")
	}
	if r.ResponseStatus != http.StatusOK || r.ResponseData.TranslatedText == nil {
		return "", errors.New("answer holds no translation")
	}
	return *r.ResponseData.TranslatedText, nil
}

// apertiumError reads APy's explanation of an error: {"status": "error",
// "code": 400, "message": "Bad Request", "explanation": "That pair is not
// installed"}, or from older APy {"responseStatus": 400, "responseDetails":
// "…"}. code is 0 when the answer has none; msg falls back to the start of
// whatever came.
func apertiumError(data []byte) (code int, msg string) {
	var r struct {
		Code            int    `json:"code"`
		ResponseStatus  int    `json:"responseStatus"`
		Explanation     string `json:"explanation"`
		ResponseDetails string `json:"responseDetails"`
		Message         string `json:"message"`
	}
	// A field of another type is skipped and the others still read; a body
	// that is no JSON leaves them all empty.
	_ = json.Unmarshal(data, &r)
	code = r.Code
	if r.ResponseStatus != 0 {
		code = r.ResponseStatus
	}
	switch {
	case r.Explanation != "":
		msg = r.Explanation
	case r.ResponseDetails != "":
		msg = r.ResponseDetails
	case r.Message != "":
		msg = r.Message
	default:
		msg = bodyText(data)
	}
	return code, msg
}
