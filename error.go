// Package parley holds Parley's domain: debates, reader comments, experts and
// their answers, the rules that validate them and the errors every layer
// speaks. It imports only the standard library.
package parley

import (
	"errors"
	"fmt"
)

// Error codes are stable strings: the web layer maps them to HTTP statuses and
// the JSON API returns them to clients.
const (
	ENOTFOUND     = "not_found"
	EBADREQUEST   = "bad_request"
	EINVALID      = "invalid"
	ECONFLICT     = "conflict"
	ECLOSED       = "debate_closed"
	EFORBIDDEN    = "forbidden"
	EUNAVAILABLE  = "unavailable"
	ETOOLARGE     = "too_large"
	ERATELIMIT    = "rate_limited"
	EINTERNAL     = "internal"
	EUNAUTHORIZED = "unauthorized"
)

// Error is a domain error that is safe to show to the person who caused it.
//
// Its Message and Fields are English sentences, translated where they are
// shown: each is a key of the domain catalogue (internal/i18n/locales/
// domain.en.json), or is made with Errorf or fmt.Sprintf from one literal
// format that is, never pieced together, so that the catalogue can read its
// values back out of it.
type Error struct {
	Code    string
	Message string
	// Fields maps an input field to what is wrong with it.
	Fields map[string]string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns a domain error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error, or EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the message of a domain error, or a generic one that
// reveals nothing about internal failures.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again in a moment."
}

// ErrorFields returns the per-field problems of a validation error.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects per-field validation messages.
type Problems map[string]string

// Add records a problem with a field; the first problem for a field wins.
func (p Problems) Add(field, message string) {
	if _, ok := p[field]; !ok {
		p[field] = message
	}
}

// Err returns nil when there are no problems, else an EINVALID error.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Fields: p}
}
