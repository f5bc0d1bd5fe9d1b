package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// fakeBackups keeps backups in a map with the service's rules of who may
// do what: any signed-in user lists, admins act.
type fakeBackups struct {
	rows   map[string]domain.Backup
	forced bool // DeleteWorld was asked to force
}

var backupT0 = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)

func (f *fakeBackups) Backups(_ context.Context, actor *domain.User) ([]domain.Backup, error) {
	if actor == nil {
		return nil, domain.ErrPermissionDenied
	}
	return []domain.Backup{f.rows["bk-2"], f.rows["bk-1"]}, nil
}

func (f *fakeBackups) BackupNow(_ context.Context, actor *domain.User) (domain.Backup, error) {
	if !actor.IsAdmin() {
		return domain.Backup{}, domain.ErrPermissionDenied
	}
	return domain.Backup{ID: "bk-3", Source: domain.BackupManual, State: domain.BackupCreating, InstanceID: "i-1", CreatedAt: backupT0.Add(time.Hour)}, nil
}

func (f *fakeBackups) ChooseBackup(_ context.Context, actor *domain.User, id string) (domain.Backup, error) {
	if !actor.IsAdmin() {
		return domain.Backup{}, domain.ErrPermissionDenied
	}
	b, ok := f.rows[id]
	switch {
	case !ok:
		return b, domain.ErrNoBackup
	case b.State != domain.BackupReady:
		return b, domain.ErrBackupNotReady
	}
	b.RestoreNext = true
	return b, nil
}

func (f *fakeBackups) RemoveBackup(_ context.Context, actor *domain.User, id string) error {
	if !actor.IsAdmin() {
		return domain.ErrPermissionDenied
	}
	if _, ok := f.rows[id]; !ok {
		return domain.ErrNoBackup
	}
	return nil
}

func (f *fakeBackups) DeleteWorld(_ context.Context, actor *domain.User, force bool) error {
	if !actor.IsAdmin() {
		return domain.ErrPermissionDenied
	}
	f.forced = force
	return nil
}

func TestV2Backups(t *testing.T) {
	users := &fakeUsers{AuthenticateFn: func(_ context.Context, t string) (domain.User, error) {
		switch t {
		case "admin":
			return domain.User{ID: 1, Username: "admin", Group: domain.GroupAdmin}, nil
		case "steve":
			return domain.User{ID: 7, Username: "steve", Group: domain.GroupStd}, nil
		}
		return domain.User{}, domain.ErrTokenInvalid
	}}
	srv := New(Options{Users: users, Backups: &fakeBackups{rows: map[string]domain.Backup{
		"bk-1": {ID: "bk-1", SnapshotID: "s-1", InstanceID: "i-1", Source: domain.BackupOnDelete, State: domain.BackupReady, SizeGiB: 20, CreatedAt: backupT0},
		"bk-2": {ID: "bk-2", InstanceID: "i-1", Source: domain.BackupOnSchedule, State: domain.BackupFailed, Error: "the save script ended Failed (exit code 1)",
			CreatedAt: backupT0.Add(30 * time.Minute)},
	}}})
	tests := []struct {
		name, method, path, token string
		status                    int
		want                      string // the whole body of a success, or the problem type
	}{
		{"list, any user", "GET", "/api/v2/backups", "steve", 200, `{"backups":[` +
			`{"id":"bk-2","created_at":"2026-12-01T06:30:00Z","size_gib":0,"state":"failed","source":"schedule","instance":"i-1","restore_next":false,"error":"the save script ended Failed (exit code 1)"},` +
			`{"id":"bk-1","created_at":"2026-12-01T06:00:00Z","size_gib":20,"state":"ready","source":"delete","instance":"i-1","restore_next":false,"error":null}]}`},
		{"list, signed out", "GET", "/api/v2/backups", "", 401, "unauthenticated"},
		{"back up, member", "POST", "/api/v2/backups", "steve", 403, "forbidden"},
		{"back up, admin", "POST", "/api/v2/backups", "admin", 202,
			`{"id":"bk-3","created_at":"2026-12-01T07:00:00Z","size_gib":0,"state":"creating","source":"manual","instance":"i-1","restore_next":false,"error":null}`},
		{"restore a ready one", "POST", "/api/v2/backups/bk-1/restore", "admin", 200,
			`{"id":"bk-1","created_at":"2026-12-01T06:00:00Z","size_gib":20,"state":"ready","source":"delete","instance":"i-1","restore_next":true,"error":null}`},
		{"restore a failed one", "POST", "/api/v2/backups/bk-2/restore", "admin", 409, "failed-precondition"},
		{"restore an unknown one", "POST", "/api/v2/backups/bk-9/restore", "admin", 404, "not-found"},
		{"restore, member", "POST", "/api/v2/backups/bk-1/restore", "steve", 403, "forbidden"},
		{"delete", "DELETE", "/api/v2/backups/bk-1", "admin", 204, ""},
		{"delete an unknown one", "DELETE", "/api/v2/backups/bk-9", "admin", 404, "not-found"},
		{"delete, member", "DELETE", "/api/v2/backups/bk-1", "steve", 403, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			checkOpenAPI(t, req, "", rec)
			body := strings.TrimSpace(rec.Body.String())
			if tt.status >= 400 {
				if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" || !strings.Contains(body, `"type":"https://seatide.dev/problems/`+tt.want+`"`) {
					t.Fatalf("problem %s %s, want type %s", ct, body, tt.want)
				}
				return
			}
			if body != tt.want {
				t.Errorf("body\n%s\nwant\n%s", body, tt.want)
			}
		})
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/api/v2/backups", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d, want 405", rec.Code)
	}
}

// An admin's explicit force goes to DeleteWorld; a plain delete does not.
func TestV2ForceDelete(t *testing.T) {
	users := &fakeUsers{AuthenticateFn: func(context.Context, string) (domain.User, error) {
		return domain.User{ID: 1, Username: "admin", Group: domain.GroupAdmin}, nil
	}}
	for _, tc := range []struct {
		query  string
		forced bool
	}{{"?force=true", true}, {"", false}, {"?force=false", false}} {
		fb := &fakeBackups{}
		srv := New(Options{Users: users, Instances: fakeInstances{}, Backups: fb})
		req := httptest.NewRequest(http.MethodPost, "/api/v2/instance/delete"+tc.query, nil)
		req.Header.Set("Authorization", "Bearer admin")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted || fb.forced != tc.forced {
			t.Errorf("%q: %d %s, forced %v, want %v", tc.query, rec.Code, rec.Body, fb.forced, tc.forced)
		}
	}
}
