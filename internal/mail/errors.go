package mail

import (
	"errors"
	"net/textproto"
	"regexp"

	gomail "github.com/wneessen/go-mail"
)

// Error is a failed send. Its text has the recipient's address replaced by "[recipient]"; the
// error it wraps may still contain the address, so log that at debug level only.
type Error struct {
	// Code is the SMTP reply code that caused the failure, or 0 when there was none (a
	// connection failure, a timeout).
	Code int
	// Permanent reports whether sending the same message again cannot succeed: the receiving
	// server refused the recipient or the message with a 5xx reply.
	Permanent bool

	text string
	err  error
}

func (e *Error) Error() string { return e.text }
func (e *Error) Unwrap() error { return e.err }

// IsPermanent reports whether err means the message can never be delivered as it is, so the
// outbox should stop retrying it: the message was invalid, or the server answered RCPT or DATA
// with a 5xx reply (such as 550, mailbox unavailable). It is false for nil, connection failures,
// timeouts, 4xx replies (451: try again later) and failures of our own setup (STARTTLS, AUTH, a
// refused sender), which need retrying once the outage or the configuration is fixed.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalid) {
		return true
	}
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// classify turns an error from go-mail into an *Error. ctxErr is the send context's error, if any.
func classify(err, ctxErr error, recipient string) *Error {
	e := &Error{err: err}
	var se *gomail.SendError
	var te *textproto.Error
	switch {
	case errors.As(err, &se):
		e.Code = se.ErrorCode()
		switch se.Reason {
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			e.Permanent = e.Code >= 500 && e.Code <= 599
		}
	case errors.As(err, &te):
		e.Code = te.Code
	}
	if ctxErr != nil {
		e.Permanent = false
		e.err = errors.Join(ctxErr, err)
	}
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	text := err.Error()
	if ctxErr != nil {
		text = ctxErr.Error() + ": " + text
	}
	if recipient != "" {
		text = regexp.MustCompile("(?i)"+regexp.QuoteMeta(recipient)).ReplaceAllLiteralString(text, "[recipient]")
	}
	e.text = "mail: send (" + kind + "): " + text
	return e
}
