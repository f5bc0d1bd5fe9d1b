package http

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/seatidemc/seatide/domain"
)

// problem is an RFC 9457 problem details object, the body of every v2
// failure. Type is a stable URI naming the kind of problem; clients branch
// on it (or on status), never on Title or Detail, which are for people.
type problem struct {
	Type     string   `json:"type"`
	Title    string   `json:"title"`
	Status   int      `json:"status"`
	Detail   string   `json:"detail,omitempty"`
	Instance string   `json:"instance,omitempty"`
	Fields   []string `json:"fields,omitempty"` // extension: the arguments concerned
}

// problemTypeBase prefixes the problem types: documented in openapi.yaml,
// not dereferenced by clients (RFC 9457 §3.1.1 allows non-resolvable URIs).
const problemTypeBase = "https://seatide.dev/problems/"

// v2Statuses is the one mapping from domain error codes to v2 answers.
var v2Statuses = map[domain.Code]struct {
	status int
	slug   string
	title  string
}{
	domain.CodeInvalid:         {http.StatusBadRequest, "invalid", "The request is malformed."},
	domain.CodeNotFound:        {http.StatusNotFound, "not-found", "Not found."},
	domain.CodeConflict:        {http.StatusConflict, "conflict", "It conflicts with what exists."},
	domain.CodeUnauthenticated: {http.StatusUnauthorized, "unauthenticated", "Sign in first."},
	domain.CodeExpired:         {http.StatusUnauthorized, "expired", "The credentials have expired."},
	domain.CodeForbidden:       {http.StatusForbidden, "forbidden", "Permission denied."},
	domain.CodePrecondition:    {http.StatusConflict, "failed-precondition", "Not in a state that allows it."},
	domain.CodeUnavailable:     {http.StatusServiceUnavailable, "unavailable", "A dependency is unavailable; try again later."},
	domain.CodeInternal:        {http.StatusInternalServerError, "internal", "Internal error."},
	domain.CodeRateLimited:     {http.StatusTooManyRequests, "rate-limited", "Too many attempts; wait before trying again."},
}

// writeProblem answers a v2 failure that has no domain error behind it
// (an unknown route, a method not allowed, a body that is not JSON).
func writeProblem(w http.ResponseWriter, r *http.Request, status int, slug, title, detail string) {
	writeProblemBody(w, problem{Type: problemTypeBase + slug, Title: title, Status: status, Detail: detail,
		Instance: r.URL.Path})
}

func writeProblemBody(w http.ResponseWriter, p problem) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// v2Failure turns any error into its problem answer: by the error's code,
// with the domain message as detail (domain messages are written to be
// safe to show). Internal errors show no detail and are logged with their
// cause, never sent.
func (s *Server) v2Failure(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	m, ok := v2Statuses[code]
	if !ok {
		m = v2Statuses[domain.CodeInternal]
	}
	p := problem{Type: problemTypeBase + m.slug, Title: m.title, Status: m.status, Instance: r.URL.Path,
		Fields: domain.ErrorFields(err)}
	var de *domain.Error
	if code == domain.CodeInternal || !errors.As(err, &de) {
		s.log.ErrorContext(r.Context(), "v2 request failed", "path", r.URL.Path, "err", err,
			"request_id", domain.RequestIDFrom(r.Context()))
	} else {
		p.Detail = sentence(de.Message)
	}
	setRetryAfter(w, err)
	if code == domain.CodeUnauthenticated || code == domain.CodeExpired {
		w.Header().Set("WWW-Authenticate", `Bearer realm="seatide"`)
	}
	if m.status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "v2 answered a server error", slog.Int("status", m.status),
			slog.String("code", string(code)))
	}
	writeProblemBody(w, p)
}

// sentence capitalises a domain message and ends it with a full stop.
func sentence(msg string) string {
	if msg == "" {
		return ""
	}
	if c := msg[0]; c >= 'a' && c <= 'z' {
		msg = string(c-'a'+'A') + msg[1:]
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
