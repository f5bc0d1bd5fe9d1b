package console

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	files, _ := fs.Sub(dist, "dist")
	var asset string
	_ = fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".js") {
			asset = "/" + p
		}
		return nil
	})
	if asset == "" {
		t.Fatal("the embedded console has no script: run `npm run build` in adapters/console/web")
	}
	tests := []struct {
		path, wantType, wantCache string
		status                    int
	}{
		{"/", "text/html", "no-cache", 200},
		{"/history", "text/html", "no-cache", 200}, // the application's own route
		{asset, "text/javascript", "immutable", 200},
		{"/assets/nothing.js", "", "", 404},
	}
	h := Handler()
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("no CSP: %v", rec.Header())
			}
			if tt.status != 200 {
				return
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %s", ct, tt.wantType)
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, tt.wantCache) {
				t.Errorf("Cache-Control %q, want %s", cc, tt.wantCache)
			}
		})
	}
}
