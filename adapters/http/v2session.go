package http

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// The console signs in with a cookie session rather than a token in
// JavaScript's reach: the login token lives in an HttpOnly, SameSite=Strict
// cookie (Secure in production), so a script injected into the page cannot
// read it. Cookies ride along on every request, so unsafe methods also need
// the CSRF token: a second, readable cookie whose value the page echoes in
// X-CSRF-Token (double submit). A cross-site page can make the browser send
// the cookies but cannot read the CSRF cookie to echo it; SameSite=Strict
// already keeps the cookies off cross-site requests in current browsers.
const (
	sessionCookie = "seatide_session"
	csrfCookie    = "seatide_csrf"
	csrfHeader    = "X-CSRF-Token"
	// sessionMaxAge matches the login token's lifetime.
	sessionMaxAge = 7 * 24 * time.Hour
)

type sessionRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// POST /api/v2/session: sign in; the answer sets the cookies and says who.
func (s *Server) v2SignIn(w http.ResponseWriter, r *http.Request) {
	var in sessionRequest
	if err := decodeJSON(r, &in); err != nil {
		s.v2Failure(w, r, err)
		return
	}
	if in.Username == "" || in.Password == "" {
		s.v2Failure(w, r, domain.Invalid("username", "password"))
		return
	}
	token, err := s.users.Login(r.Context(), in.Username, in.Password)
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	u, err := s.users.Authenticate(r.Context(), token)
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	csrf := make([]byte, 24)
	_, _ = rand.Read(csrf)
	s.setCookie(w, sessionCookie, token, true, sessionMaxAge)
	s.setCookie(w, csrfCookie, hex.EncodeToString(csrf), false, sessionMaxAge)
	writeJSON(w, http.StatusOK, toV2User(u))
}

// DELETE /api/v2/session: sign out. It needs no valid session, so a page
// whose session already expired can still clear its cookies.
func (s *Server) v2SignOut(w http.ResponseWriter, _ *http.Request) {
	s.setCookie(w, sessionCookie, "", true, -1)
	s.setCookie(w, csrfCookie, "", false, -1)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, httpOnly bool, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: httpOnly, Secure: s.secureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge / time.Second)}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// sessionToken returns the cookie session's token for r, or "" when there
// is none. ok is false when a cookie session makes an unsafe request
// without the matching CSRF token.
func sessionToken(r *http.Request) (token string, ok bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", true
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return c.Value, true
	}
	want, err := r.Cookie(csrfCookie)
	got := r.Header.Get(csrfHeader)
	if err != nil || want.Value == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want.Value)) != 1 {
		return "", false
	}
	return c.Value, true
}
