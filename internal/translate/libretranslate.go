package translate

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// libreTranslate is a LibreTranslate server: POST /translate with a JSON
// body, the key (if any) in it.
type libreTranslate struct{ httpClient }

type libreRequest struct {
	Q      string `json:"q"`
	Source string `json:"source"`
	Target string `json:"target"`
	Format string `json:"format"`
	APIKey string `json:"api_key,omitempty"`
}

func (l *libreTranslate) Translate(ctx context.Context, text, from, to string) (string, error) {
	from, to, err := l.pair(from, to)
	if err != nil {
		return "", err
	}
	if trivial(text, from, to) {
		return text, nil
	}
	// "text", not "html": the Markdown source goes as it is, and comes back
	// without HTML entities.
	body, err := json.Marshal(libreRequest{Q: text, Source: from, Target: to, Format: "text", APIKey: l.key})
	if err != nil {
		return "", l.fail(ErrUnavailable, 0, "", err)
	}
	status, data, err := l.post(ctx, "/translate", "application/json", body, nil)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		msg := libreMessage(data)
		return "", l.fail(libreKind(status, msg), status, msg, nil)
	}
	out, err := parseLibreTranslate(data)
	if err != nil {
		return "", l.fail(ErrUnavailable, status, err.Error(), nil)
	}
	return out, nil
}

// libreKind sorts LibreTranslate's statuses. 400 names a language it lacks
// ("xx is not supported", "… is not available as a target language from
// …") or a bad request; 429 is a request limit ("Slowdown: 20 per 1 day");
// 403 is a client banned for exceeding limits, or a key it does not know.
func libreKind(status int, msg string) error {
	msg = strings.ToLower(msg)
	switch status {
	case http.StatusBadRequest:
		if strings.Contains(msg, "not supported") && !strings.Contains(msg, "format") ||
			strings.Contains(msg, "not available as a target language") {
			return ErrUnsupportedPair
		}
	case http.StatusTooManyRequests:
		return ErrQuota
	case http.StatusForbidden:
		for _, w := range []string{"limit", "quota", "too many", "slow", "banned"} {
			if strings.Contains(msg, w) {
				return ErrQuota
			}
		}
	}
	return ErrUnavailable
}

// parseLibreTranslate reads a 200 answer: {"translatedText": "…"} (a string,
// as one text was sent).
func parseLibreTranslate(data []byte) (string, error) {
	var r struct {
		TranslatedText *string `json:"translatedText"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return "", errors.New("answer is not the documented JSON")
	}
	if r.TranslatedText == nil {
		return "", errors.New("answer has no translatedText")
	}
	return *r.TranslatedText, nil
}

// libreMessage is LibreTranslate's explanation of an error: {"error": …}, or
// the start of whatever else came.
func libreMessage(data []byte) string {
	var r struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(data, &r) != nil || r.Error == "" {
		return bodyText(data)
	}
	return r.Error
}
