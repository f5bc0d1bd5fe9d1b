package http

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/billing"
)

// errMissing reports required parameters that were not sent; it is a
// request-shape error, so it lives here rather than in the domain.
var errMissing = domain.Errorf(domain.CodeInvalid, "missing argument")

func missingArgs(fields ...string) error { return domain.WithFields(errMissing, fields...) }

// errMissingNG is a missing parameter on routes where v1 answered "ng"
// rather than "error" (the account routes).
var errMissingNG = domain.Errorf(domain.CodeInvalid, "missing argument (v1: ng)")

func missingArgsNG(fields ...string) error { return domain.WithFields(errMissingNG, fields...) }

// errInvalidAction is a type (or describe name) the route does not know.
var errInvalidAction = domain.Errorf(domain.CodeInvalid, "invalid action")

// The fixed v1 texts. The web UI translates them by exact match: never
// change a character.
const (
	msgNotEnoughArgument = "Not enough argument."
	msgInvalidArgument   = "Invalid argument."
	msgDatabaseError     = "Database error."
	msgRequestError      = "Request error."
	msgParseError        = "Parse error."
	msgInvalidToken      = "Invalid token."
	msgInvalidAction     = "Invalid action."
	msgPermissionDenied  = "Permission denied."
	msgUsernameExists    = "Username already exists."
	msgUserNotExists     = "User not exists."
	msgExpiredToken      = "Expired token."
	msgNotVerified       = "Not verified."
	msgIllegalOperation  = "Illegal operation."
	msgInstanceExists    = "There is already an instance recorded in the database."
	msgNoInstance        = "No instance id found in database."
	msgNoInvocation      = "No invocation history found."
	msgNoOperation       = "No operation found." // not in v1: the operation route is new
	msgBalanceNotFound   = "Balance not found."
	msgNoTransaction     = "No transaction found."
	msgNoSearchResult    = "No search result."
	msgNoBilling         = "No billing information found."
)

// v1Answers maps domain sentinels to their v1 status and text. Anything not
// listed falls back by code in v1Failure.
var v1Answers = []struct {
	err    error
	status string
	msg    string
}{
	{errMissing, "error", msgNotEnoughArgument},
	{errMissingNG, "ng", msgNotEnoughArgument},
	{errParse, "error", msgParseError},
	{errInvalidAction, "error", msgInvalidAction},
	{billing.ErrInvalidDate, "ng", msgInvalidArgument}, // v1 answered a bad date ng
	// A search that would page past info.max_pages: narrowing the dates helps.
	{billing.ErrTooManyTransactions, "ng", msgNoSearchResult + " Details: startDate, endDate"},
	{domain.ErrUserNotFound, "ng", msgUserNotExists},
	{domain.ErrUsernameTaken, "ng", msgUsernameExists},
	{domain.ErrEmailTaken, "ng", msgInvalidArgument + " Details: email"},
	{domain.ErrWrongPassword, "ng", msgNotVerified},
	{domain.ErrTokenExpired, "ng", msgExpiredToken},
	{domain.ErrTokenInvalid, "error", msgInvalidToken},
	{domain.ErrPermissionDenied, "ng", msgPermissionDenied},
	{domain.ErrProtectedAccount, "error", msgIllegalOperation},
	{domain.ErrInstanceExists, "ng", msgInstanceExists},
	{domain.ErrNoInstance, "ng", msgNoInstance},
	{domain.ErrNoInvocation, "ng", msgNoInvocation},
	{domain.ErrNoOperation, "ng", msgNoOperation},
}

// cloudErrors are failures of a cloud call. v1 answers them as the
// action's "Request error." with our own description (never the SDK's).
var cloudErrors = []*domain.Error{
	domain.ErrNoStock, domain.ErrThrottled, domain.ErrCloudUnavailable, domain.ErrCloudAuth,
	domain.ErrNoBalance, domain.ErrQuota, domain.ErrCloudNotFound,
	domain.ErrCloudBusy, domain.ErrCloudMismatch, domain.ErrCloudConfig, domain.ErrSpotPriceTooLow,
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fail answers a v1 failure. fallback is the route's text for what has no
// text of its own (store trouble on the user routes: "Database error.").
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, fallback string) {
	writeV1(w, v1Failure(r, s.log, err, fallback))
}

// v1Failure turns any error into the v1 status and msg: the one place where
// errors become answers. Details only ever name arguments; internal errors
// are logged with their cause and answered with the route's fallback text.
func v1Failure(r *http.Request, log *slog.Logger, err error, fallback string) envelope {
	withFields := func(status, msg string) envelope {
		if f := domain.ErrorFields(err); len(f) > 0 && !strings.Contains(msg, "Details:") {
			msg += " Details: " + strings.Join(f, ", ")
		}
		return envelope{Status: status, Msg: msg}
	}
	for _, a := range v1Answers {
		if errors.Is(err, a.err) {
			return withFields(a.status, a.msg)
		}
	}
	if errors.Is(err, domain.ErrNoBillingData) {
		// The cloud had nothing: each account route has its own text.
		return envelope{Status: "ng", Msg: fallback}
	}
	var stateErr *domain.StateError
	if errors.As(err, &stateErr) {
		return envelope{Status: "ng", Msg: fallback + " Details: " + stateErr.Error()}
	}
	var budgetErr *domain.BudgetError
	if errors.As(err, &budgetErr) {
		return envelope{Status: "ng", Msg: fallback + " Details: " + budgetErr.Error()}
	}
	for _, c := range cloudErrors {
		if errors.Is(err, c) {
			log.WarnContext(r.Context(), "cloud call failed", "path", r.URL.Path, "err", err)
			return envelope{Status: "ng", Msg: fallback + " Details: " + capitalise(c.Message) + "."}
		}
	}
	switch domain.ErrorCode(err) {
	case domain.CodeInvalid:
		return withFields("error", msgInvalidArgument)
	case domain.CodeForbidden:
		return envelope{Status: "ng", Msg: msgPermissionDenied}
	case domain.CodeUnauthenticated:
		return envelope{Status: "error", Msg: msgInvalidToken}
	case domain.CodeExpired:
		return envelope{Status: "ng", Msg: msgExpiredToken}
	case domain.CodeUnavailable:
		log.WarnContext(r.Context(), "dependency unavailable", "path", r.URL.Path, "err", err)
		return envelope{Status: "error", Msg: fallback}
	}
	log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	return envelope{Status: "error", Msg: fallback}
}
