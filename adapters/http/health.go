package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Check is one readiness condition: Run returns nil when it holds. Only the
// Message of a domain error reaches the answer; any other text is logged
// and shown as "failed", so a driver's words (a host, a DSN) never leak.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// checkTimeout bounds each check, so that a hung database makes /readyz
// answer "not ready" instead of hanging the orchestrator's probe.
const checkTimeout = 2 * time.Second

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// GET /healthz: the process is alive and serving; no I/O.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// GET /readyz: 200 when every check holds, else 503, naming each check.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	out := readiness{Status: "ready", Checks: make(map[string]string, len(s.checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range s.checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
			defer cancel()
			res := "ok"
			if err := c.Run(ctx); err != nil {
				res = "failed"
				var de *domain.Error
				switch {
				case errors.As(err, &de) && de.Message != "":
					res = de.Message
				case ctx.Err() != nil:
					res = "timed out"
				}
				s.log.WarnContext(r.Context(), "not ready", "check", c.Name, "err", err,
					"request_id", domain.RequestIDFrom(r.Context()))
			}
			mu.Lock()
			defer mu.Unlock()
			out.Checks[c.Name] = res
			if res != "ok" {
				out.Status = "not ready"
			}
		})
	}
	wg.Wait()
	code := http.StatusOK
	if out.Status != "ready" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, out)
}

// writeJSON writes plain JSON: the operational routes are not v1 routes.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
