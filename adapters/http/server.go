// Package http is seatide's HTTP adapter: the v1 routes the original web
// client speaks, on chi. Handlers parse requests, call domain services and
// turn their errors into answers in one place (v1errors.go).
package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/cors"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

// UserService is what the user routes need; *users.Service provides it.
type UserService interface {
	Login(ctx context.Context, username, password string) (string, error)
	Authenticate(ctx context.Context, token string) (domain.User, error)
	Check(ctx context.Context, username, token string) error
	Register(ctx context.Context, actor *domain.User, n users.NewUser) (domain.User, error)
	Get(ctx context.Context, actor *domain.User, username string) (domain.User, error)
	List(ctx context.Context, actor *domain.User, page, size int) ([]domain.User, error)
	Count(ctx context.Context) (int, error)
	Delete(ctx context.Context, actor *domain.User, usernames []string) (users.DeleteResult, error)
	Alter(ctx context.Context, actor *domain.User, username string, c users.Changes) (domain.User, error)
	ChangePassword(ctx context.Context, actor *domain.User, username, password string) error
	MayManage(actor *domain.User) error
}

var _ UserService = (*users.Service)(nil)

// Options configure the handler.
type Options struct {
	Users     UserService
	Instances InstanceService // nil: the ECS routes answer as unknown
	Billing   BillingService  // nil: the account (/api/info/v1) routes answer as unknown
	Backups   BackupService   // nil: no /api/v2/backups routes
	Logger    *slog.Logger
	// AllowedOrigins lists the origins a browser may call the API from
	// (the web UI runs on its own origin); "*" allows any.
	AllowedOrigins []string
	// Checks are what GET /readyz runs; none: always ready.
	Checks []Check
	// ObserveRequest hears every answered request (for metrics): its route
	// pattern (UnmatchedRoute when none matched, so that the label set stays
	// bounded), method, status, outcome (v1: the envelope's status; else the
	// status class) and duration. nil: none.
	ObserveRequest func(route, method string, status int, outcome string, elapsed time.Duration)
	// Metrics is served at GET /metrics; nil: no such route (e.g. when
	// metrics have a listener of their own).
	Metrics http.Handler
	// Console serves the web console's files for GET requests outside /api
	// (nil: none). SecureCookies marks the console's session cookies
	// Secure (production, behind HTTPS).
	Console       http.Handler
	SecureCookies bool
	// Settings returns the effective configuration with secrets hidden, for
	// GET /api/v2/settings (admins); nil: no such route.
	Settings func() any
	// ClientAddr says how to find a client's address (login limits).
	ClientAddr ClientAddrOptions
	// Accounts serves the v2 sign-in, user approval and API token routes;
	// nil: they are not served.
	Accounts AccountService

	// Events serves GET /api/v2/events (nil: no such route); Webhooks
	// reports GET /api/v2/webhooks. SSEHeartbeat paces the comment lines
	// that keep idle streams open through proxies (default 15s); SSETicker
	// makes its ticker (tests pass a manual one).
	Events       EventStream
	Webhooks     WebhookStatus
	SSEHeartbeat time.Duration
	SSETicker    func(time.Duration) (<-chan time.Time, func())

	// Minecraft binds Minecraft player names for the front door (issue
	// 19); nil: the /api/v2/.../minecraft routes answer as unknown.
	Minecraft MinecraftNameService
}

// Server holds the routes and what they call.
type Server struct {
	users     UserService
	instances InstanceService
	billing   BillingService
	backups   BackupService
	log       *slog.Logger
	router    chi.Router
	checks    []Check
	observe   func(route, method string, status int, outcome string, elapsed time.Duration)

	secureCookies bool
	settings      func() any
	clientAddr    ClientAddrOptions
	accounts      AccountService

	events       EventStream
	webhooks     WebhookStatus
	sseHeartbeat time.Duration
	sseTicker    func(time.Duration) (<-chan time.Time, func())

	minecraft MinecraftNameService
}

// New builds the handler tree.
func New(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{users: opts.Users, instances: opts.Instances, billing: opts.Billing, backups: opts.Backups, log: log, router: chi.NewRouter(),
		checks: opts.Checks, observe: opts.ObserveRequest, secureCookies: opts.SecureCookies, settings: opts.Settings,
		minecraft: opts.Minecraft, clientAddr: opts.ClientAddr, accounts: opts.Accounts}
	s.events, s.webhooks, s.sseHeartbeat, s.sseTicker = opts.Events, opts.Webhooks, opts.SSEHeartbeat, opts.SSETicker
	if s.sseHeartbeat <= 0 {
		s.sseHeartbeat = 15 * time.Second
	}
	if s.sseTicker == nil {
		s.sseTicker = realTicker
	}
	r := s.router
	r.Use(requestID, s.logRequests, s.recoverPanics, apiHeaders, s.withClientAddr)
	if len(opts.AllowedOrigins) > 0 {
		r.Use(cors.Handler(cors.Options{
			AllowedOrigins: opts.AllowedOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
			AllowedHeaders: []string{"Content-Type", "Authorization", "X-Request-Id"},
			ExposedHeaders: []string{"X-Request-Id"},
			MaxAge:         600,
		}))
	}
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.notFound)
	r.Route(v2Prefix, s.v2Routes)
	r.Get("/api/openapi.yaml", serveOpenAPI)
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	if opts.Metrics != nil {
		r.Method(http.MethodGet, "/metrics", opts.Metrics)
	}
	r.Route("/api/user/v1", func(r chi.Router) {
		r.Post("/auth", s.userAuth)
		r.Post("/action", s.userAction)
		r.Get("/get/all", s.userGetAll)
		r.Get("/get/count", s.userGetCount)
	})
	if s.instances != nil {
		r.Route("/api/ecs/v1", s.ecsRoutes)
		r.Get("/api/server/v1/get/ip", s.serverIP)
		r.Get("/api/server/v1/get/server", s.serverStatus)
	}
	if s.billing != nil {
		r.Route("/api/info/v1", s.infoRoutes)
	}
	if opts.Console != nil {
		console := opts.Console
		r.Get("/*", func(w http.ResponseWriter, r *http.Request) {
			// An unknown API route, or an operational one served elsewhere
			// (metrics on their own listener), stays a JSON answer.
			if isAPI(r) || probes[r.URL.Path] {
				s.notFound(w, r)
				return
			}
			console.ServeHTTP(w, r)
		})
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// notFound answers unknown routes. Under /api/ the v1 client needs HTTP 200
// with status "http-error" (its health check probes GET /api); elsewhere a
// plain JSON 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.markUnmatched(r)
	writeHTTPError(w, r, http.StatusNotFound, "NOT_FOUND")
}

// markUnmatched tells the logging middleware that no route matched, so the
// metrics label stays bounded.
func (s *Server) markUnmatched(r *http.Request) {
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		info.unmatched = true
	}
}

func writeHTTPError(w http.ResponseWriter, r *http.Request, code int, name string) {
	if isV2(r) {
		writeProblem(w, r, code, strings.ToLower(strings.ReplaceAll(name, "_", "-")), http.StatusText(code)+".", "")
		return
	}
	status := code
	if isAPI(r) {
		status = http.StatusOK
	}
	writePython(w, status, httpError{Error: name, Code: code, Status: "http-error"})
}

func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

type ctxKey int

const requestInfoKey ctxKey = iota

// requestInfo is what handlers tell the logging middleware.
type requestInfo struct {
	unmatched bool // answered by notFound
}

// requestID takes a well-formed X-Request-Id from the caller (so a proxy's
// id follows the request) or makes one, and echoes it in the answer.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(domain.WithRequestID(r.Context(), id)))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	outcome string // the v1 envelope's status, told by writePython
}

// setOutcome is how writePython tells the access log and the metrics a v1
// answer's outcome, which its HTTP 200 hides.
func (s *statusRecorder) setOutcome(o string) { s.outcome = o }

// outcomeLabel is the v1 envelope's status (ok, ng, error, http-error)
// when a v1 writer answered, else the status class (2xx, 4xx, 5xx): a
// bounded label either way.
func (s *statusRecorder) outcomeLabel() string {
	switch s.outcome {
	case "ok", "ng", "error", "http-error":
		return s.outcome
	}
	return strconv.Itoa(s.status/100) + "xx"
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (flushes and
// write deadlines for event streams).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// UnmatchedRoute is the route label of requests no route matched.
const UnmatchedRoute = "unmatched"

// probes are polled by orchestrators and scrapers: logged at debug only.
var probes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// logRequests logs one line per request: never bodies, which hold passwords
// and tokens, and never the query string, which may hold a token. It also
// tells ObserveRequest, by route pattern rather than path.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey, info))
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		if rec.status == 0 {
			rec.status = http.StatusOK // nothing written: net/http answers 200
		}
		level := slog.LevelInfo
		if probes[r.URL.Path] && rec.status < 500 {
			level = slog.LevelDebug
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", domain.RequestIDFrom(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.String("outcome", rec.outcomeLabel()),
			slog.Duration("duration", elapsed))
		if s.observe != nil {
			s.observe(routeOf(r, info), methodLabel(r.Method), rec.status, rec.outcomeLabel(), elapsed)
		}
	})
}

// routeOf is the pattern chi matched, e.g. "/api/ecs/v1/describe/{what}".
func routeOf(r *http.Request, info *requestInfo) string {
	rctx := chi.RouteContext(r.Context())
	if info.unmatched || rctx == nil {
		return UnmatchedRoute
	}
	if p := rctx.RoutePattern(); p != "" {
		return p
	}
	return UnmatchedRoute
}

// methodLabel keeps a client's invented methods out of the label set.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// recoverPanics turns a handler bug into the v1 server-error answer, so a
// client never sees a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "handler panicked", "path", r.URL.Path, "panic", v,
					"request_id", domain.RequestIDFrom(r.Context()))
				writeHTTPError(w, r, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
