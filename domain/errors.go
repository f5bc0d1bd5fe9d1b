// Package domain holds seatide's entities, value types and the coded error
// that every layer speaks. It imports only the standard library.
package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error by what a caller can do about it. Adapters turn
// driver and SDK failures into one of these; the HTTP adapter turns codes into
// answers in exactly one place.
type Code string

const (
	CodeInvalid         Code = "invalid"             // input is malformed or breaks a rule of shape
	CodeNotFound        Code = "not_found"           // the thing asked for does not exist
	CodeConflict        Code = "conflict"            // it would duplicate something that exists
	CodeUnauthenticated Code = "unauthenticated"     // credentials are missing, wrong or forged
	CodeExpired         Code = "expired"             // credentials were good but have run out
	CodeForbidden       Code = "forbidden"           // the caller is known but may not do this
	CodePrecondition    Code = "failed_precondition" // the thing is in the wrong state for this
	CodeUnavailable     Code = "unavailable"         // a dependency is busy or down; retrying may help
	CodeInternal        Code = "internal"            // a bug or an unexpected failure
)

// Error is a coded domain error. Message is safe to log; Fields names the
// arguments concerned and is the only detail ever shown to clients.
type Error struct {
	Code    Code
	Message string
	Fields  []string
	cause   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(e.Fields, ", "))
		b.WriteString(")")
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.cause }

// Is lets a sentinel match any error of the same code and message, so that a
// sentinel enriched with fields or a cause still satisfies errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == e.Message
}

// Errorf builds a coded error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports that the named arguments are malformed.
func Invalid(fields ...string) *Error {
	return &Error{Code: CodeInvalid, Message: "invalid argument", Fields: fields}
}

// ErrInvalid matches every error made by Invalid.
var ErrInvalid = Invalid()

// Internal wraps an unexpected failure; its text is for logs only.
func Internal(cause error, what string) *Error {
	return &Error{Code: CodeInternal, Message: what, cause: cause}
}

// Wrap returns a copy of sentinel carrying cause, so errors.Is matches the
// sentinel and errors.Unwrap reaches the cause.
func Wrap(sentinel *Error, cause error) *Error {
	c := *sentinel
	c.cause = cause
	return &c
}

// WithFields returns a copy of sentinel naming the arguments concerned.
func WithFields(sentinel *Error, fields ...string) *Error {
	c := *sentinel
	c.Fields = fields
	return &c
}

// ErrorCode returns the code of the first domain error in err's chain, or
// CodeInternal for anything else: foreign errors are never trusted as safe.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorFields returns the argument names carried by err, if any.
func ErrorFields(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// CodeRateLimited: the caller tried too often; retrying after a wait helps.
const CodeRateLimited Code = "rate_limited"

// ErrTooManyAttempts is a login or sign-up refused before any check because
// the account or the address failed too often lately.
var ErrTooManyAttempts = Errorf(CodeRateLimited, "too many attempts")

// WaitError is ErrTooManyAttempts with how long to wait before trying again.
type WaitError struct{ After time.Duration }

func (e *WaitError) Error() string {
	return ErrTooManyAttempts.Message + "; retry after " + e.After.String()
}

func (e *WaitError) Unwrap() error { return ErrTooManyAttempts }

// RetryAfter returns how long err says to wait, when it says so.
func RetryAfter(err error) (time.Duration, bool) {
	var w *WaitError
	if errors.As(err, &w) {
		return w.After, true
	}
	return 0, false
}
