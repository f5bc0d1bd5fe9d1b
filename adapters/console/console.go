// Package console serves seatide's web console: a single-page application
// built from web/ (Preact, uPlot; see web/README.md) into dist/ and embedded
// in the binary, so `make run` serves it with Go alone and the page needs no
// network beyond seatide itself.
package console

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// contentSecurityPolicy allows the page's own files and API only: no inline
// script, no other origin, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the console. Hashed assets are cached for good; every
// other path is the application's page (its router reads the URL).
func Handler() http.Handler {
	files, err := fs.Sub(dist, "dist")
	if err != nil { // dist is embedded at build time: unreachable
		panic(err)
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		index = []byte("<!doctype html><title>seatide</title><p>The console was not built into this binary.")
	}
	static := http.FileServerFS(files)
	modTime := time.Time{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if strings.HasPrefix(p, "assets/") {
			if _, err := fs.Stat(files, p); err == nil {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
				static.ServeHTTP(w, r)
				return
			}
			http.NotFound(w, r)
			return
		}
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "index.html", modTime, bytes.NewReader(index))
	})
}
