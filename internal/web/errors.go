package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/parley-org/parley"
)

// statusClientClosed is the status logged for a reader who hung up (nginx's 499).
const statusClientClosed = 499

// status maps a domain error code to its HTTP status.
func status(err error) int {
	if errors.Is(err, context.Canceled) {
		return statusClientClosed
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	if errors.Is(err, bodyTimedOut) {
		return http.StatusRequestTimeout
	}
	switch parley.ErrorCode(err) {
	case parley.ENOTFOUND:
		return http.StatusNotFound
	case parley.EINVALID:
		return http.StatusUnprocessableEntity
	case parley.EBADREQUEST:
		return http.StatusBadRequest
	case parley.ECONFLICT, parley.ECLOSED:
		return http.StatusConflict
	case parley.EFORBIDDEN:
		return http.StatusForbidden
	case parley.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case parley.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case parley.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case parley.ERATELIMIT:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// bodyTooLarge is the domain error for a request body over the limit.
var bodyTooLarge = &parley.Error{Code: parley.ETOOLARGE,
	Message: "What you sent is larger than this site accepts, more than any comment can be. Please shorten it."}

// Reading a request's body fails only by the client's doing: it sent too
// slowly for the server's ReadTimeout, or stopped before the end.
var (
	bodyTimedOut = &parley.Error{Code: parley.EBADREQUEST,
		Message: "What you sent arrived too slowly, and the server stopped waiting for it. Please try again."}
	bodyCutShort = &parley.Error{Code: parley.EBADREQUEST,
		Message: "What you sent arrived incomplete: the connection ended before it did. Please try again."}
)

// bodyError is a failure to read a request's body (see clientBody).
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "read request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// clientBody marks errors reading a request body as the client's, so that
// a slow or vanished client is answered as such (408, 400) rather than
// taken for a failure of the server, as a timeout elsewhere would be.
type clientBody struct{ io.ReadCloser }

func (b clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyError{err}
	}
	return n, err
}

// asDomain turns transport errors into domain errors.
func asDomain(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return bodyTooLarge
	}
	var body *bodyError
	if errors.As(err, &body) {
		var ne net.Error
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return bodyTimedOut
		}
		return bodyCutShort
	}
	return err
}

// fail answers a page request with an error page. Only internal errors are
// logged; the reader never sees their details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.failForm(w, r, err, commentForm{})
}

// failForm is fail for a form post: the error page keeps the reader's text.
func (s *Server) failForm(w http.ResponseWriter, r *http.Request, err error, form commentForm) {
	err = asDomain(err)
	code := status(err)
	if code == statusClientClosed {
		w.WriteHeader(code)
		return
	}
	if code >= 500 && code != http.StatusServiceUnavailable {
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiFail(w, r, err)
		return
	}
	setRetryAfter(w, err)
	// The message stays English here: the page translates it (msg).
	s.render(w, r, code, "error", errorPage{pageMeta: s.meta(r, lang(r).T(errorTitle(code))), Status: code, Message: parley.ErrorMessage(err), Form: form})
}

// errorTitle is an error page's title: a catalogue key.
func errorTitle(code int) string {
	switch code {
	case http.StatusUnauthorized:
		return "Please sign in"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusRequestTimeout:
		return "Too slow"
	case http.StatusConflict:
		return "Not possible"
	case http.StatusRequestEntityTooLarge:
		return "Too large"
	case http.StatusUnprocessableEntity:
		return "Please check your input"
	case http.StatusTooManyRequests:
		return "Please slow down"
	case http.StatusServiceUnavailable:
		return "Temporarily unavailable"
	}
	return "Something went wrong"
}

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// apiFail answers an API request with a JSON error.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	err = asDomain(err)
	code := status(err)
	if code == statusClientClosed {
		w.WriteHeader(code)
		return
	}
	if code >= 500 && code != http.StatusServiceUnavailable {
		s.log.Error("api request failed", "path", r.URL.Path, "err", err)
	}
	ecode := parley.ErrorCode(err)
	setRetryAfter(w, err)
	// The message and fields are read by people, in their language; the
	// codes and field names are for programs, and stay as they are.
	l := lang(r)
	var fields map[string]string
	if f := parley.ErrorFields(err); f != nil {
		fields = make(map[string]string, len(f))
		for k, m := range f {
			fields[k] = l.Message(m)
		}
	}
	writeJSON(w, code, apiError{Error: apiErrorBody{Code: ecode, Message: l.Message(parley.ErrorMessage(err)), Fields: fields}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
