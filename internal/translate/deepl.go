package translate

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// deepL is the DeepL API (v2): POST /v2/translate with the key in the
// Authorization header and a JSON body.
type deepL struct{ httpClient }

type deeplRequest struct {
	Text       []string `json:"text"`
	SourceLang string   `json:"source_lang"`
	TargetLang string   `json:"target_lang"`
}

func (d *deepL) Translate(ctx context.Context, text, from, to string) (string, error) {
	from, to, err := d.pair(from, to)
	if err != nil {
		return "", err
	}
	if trivial(text, from, to) {
		return text, nil
	}
	body, err := json.Marshal(deeplRequest{Text: []string{text}, SourceLang: deeplSource(from), TargetLang: deeplTarget(to)})
	if err != nil {
		return "", d.fail(ErrUnavailable, 0, "", err)
	}
	header := http.Header{"Authorization": {"DeepL-Auth-Key " + d.key}}
	status, data, err := d.post(ctx, "/v2/translate", "application/json", body, header)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", d.fail(deeplKind(status, deeplMessage(data)), status, deeplMessage(data), nil)
	}
	out, err := parseDeepL(data)
	if err != nil {
		return "", d.fail(ErrUnavailable, status, err.Error(), nil)
	}
	return out, nil
}

// deeplSource is DeepL's source code: the bare language in capitals.
func deeplSource(lang string) string {
	if lang == "no" {
		return "NB" // DeepL knows Norwegian as Bokmål only
	}
	return strings.ToUpper(lang)
}

// deeplTarget is DeepL's target code. English and Portuguese need a variant
// (the bare codes are deprecated); Parley's readers are mostly in Europe.
func deeplTarget(lang string) string {
	switch lang {
	case "en":
		return "EN-GB"
	case "pt":
		return "PT-PT"
	}
	return deeplSource(lang)
}

// deeplKind sorts DeepL's documented statuses: 456 is the quota (Free's
// monthly characters or Pro's cost control), a 400 about a language is a
// pair DeepL does not offer, and everything else (403 key, 404, 413, 429
// rate limit, 5xx) means no translation now.
func deeplKind(status int, msg string) error {
	msg = strings.ToLower(msg)
	switch {
	case status == 456:
		return ErrQuota
	case status == http.StatusBadRequest && (strings.Contains(msg, "source_lang") || strings.Contains(msg, "target_lang")):
		return ErrUnsupportedPair
	}
	return ErrUnavailable
}

// parseDeepL reads a 200 answer: exactly one translation, for the one text
// sent.
func parseDeepL(data []byte) (string, error) {
	var r struct {
		Translations []struct {
			Text *string `json:"text"`
		} `json:"translations"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return "", errors.New("answer is not the documented JSON")
	}
	if len(r.Translations) != 1 || r.Translations[0].Text == nil {
		return "", errors.New("answer does not hold one translation")
	}
	return *r.Translations[0].Text, nil
}

// deeplMessage is DeepL's explanation of an error: {"message": …, "detail": …},
// or the start of whatever else came.
func deeplMessage(data []byte) string {
	var r struct {
		Message string `json:"message"`
		Detail  string `json:"detail"`
	}
	if json.Unmarshal(data, &r) != nil || r.Message == "" && r.Detail == "" {
		return bodyText(data)
	}
	if r.Detail != "" && r.Message != "" {
		return r.Message + ": " + r.Detail
	}
	return r.Message + r.Detail
}
