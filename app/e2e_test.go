package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	httpadapter "github.com/seatidemc/seatide/adapters/http"
	"github.com/seatidemc/seatide/adapters/http/openapitest"
	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

const testSecret = "0123456789abcdef0123456789abcdef"

// service is one running seatide, reached over loopback.
type service struct {
	t    *testing.T
	app  *app.App
	base string
	// client checks every request and answer against the OpenAPI
	// document, failing the test at its end on any mismatch.
	client *http.Client
	stop   func() // shut down as on SIGTERM; also done when the test ends
}

// openAPI is the service's OpenAPI document, loaded and validated once for
// the whole test binary.
var openAPI = sync.OnceValues(func() (*openapitest.Validator, error) {
	return openapitest.New(httpadapter.OpenAPI())
})

// checkedClient is an HTTP client whose exchanges must fit the OpenAPI
// document; mismatches fail t when it ends.
func checkedClient(t *testing.T) *http.Client {
	t.Helper()
	v, err := openAPI()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: openapitest.NewTransport(t, v, nil)}
}

// startService runs the whole service on a free port with the given
// configuration changes, on a fresh SQLite database unless cfg says otherwise.
func startService(t *testing.T, change func(c *app.Config)) *service {
	t.Helper()
	cfg, err := app.LoadConfig("", []string{
		"SEATIDE_LISTEN=127.0.0.1:0",
		"SEATIDE_SECRET=" + testSecret,
		"SEATIDE_DATABASE_DSN=" + filepath.Join(t.TempDir(), "seatide.db"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&cfg)
	}
	return startServiceConfig(t, cfg)
}

// startServiceConfig runs the whole service with cfg and creates the
// accounts admin and steve (passwords NAME-password).
func startServiceConfig(t *testing.T, cfg app.Config) *service {
	t.Helper()
	s := runService(t, cfg)
	for _, u := range []struct {
		name string
		g    domain.Group
	}{{"admin", domain.GroupAdmin}, {"steve", domain.GroupStd}} {
		if _, err := s.app.Users().CreateAccount(context.Background(), users.NewUser{Username: u.name, Password: u.name + "-password", Email: u.name + "@example.com"}, u.g); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// runService runs the whole service with cfg until the test ends or
// s.stop is called.
func runService(t *testing.T, cfg app.Config) *service {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: runs the whole service (skipped by -short)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	s := &service{t: t, app: a, base: "http://" + a.Addr(), client: checkedClient(t)}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
			_ = a.Close()
		})
	}
	t.Cleanup(s.stop)
	return s
}

// do sends a request and returns the status and body. body is a JSON value
// (sent as JSON), url.Values (sent as a form), or nil.
func (s *service) do(method, path string, body any, header ...string) (int, string) {
	s.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = strings.NewReader(string(j)), "application/json"
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *service) login(name, pw string) string {
	s.t.Helper()
	_, body := s.do("POST", "/api/user/v1/auth", map[string]string{"type": "auth", "username": name, "password": pw})
	var env struct {
		Status string `json:"status"`
		Data   string `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil || env.Status != "ok" {
		s.t.Fatalf("login %s: %s", name, body)
	}
	return env.Data
}

func ok(data string) string  { return `{"status": "ok", "data": ` + data + "}\n" }
func ng(msg string) string   { return `{"status": "ng", "msg": "` + msg + "\"}\n" }
func fail(msg string) string { return `{"status": "error", "msg": "` + msg + "\"}\n" }
func userJSON(id int, name, email, group, nick, created string) string {
	return fmt.Sprintf(`{"id": %d, "created_at": "%s", "username": "%s", "email": "%s", "group": "%s", "nickname": %s}`,
		id, created, name, email, group, nick)
}

type m = map[string]any

// TestV1UserRoutes walks every v1 user route through every answer of the
// api-v1 tables, comparing whole bodies byte for byte.
func TestV1UserRoutes(t *testing.T) {
	s := startService(t, nil)
	admin := s.login("admin", "admin-password")
	steve := s.login("steve", "steve-password")
	adminUser, err := s.app.Users().Authenticate(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	steveUser, err := s.app.Users().Get(context.Background(), &adminUser, "steve")
	if err != nil {
		t.Fatal(err)
	}
	created := steveUser.CreatedAt.UTC().Format("2006-01-02 15:04:05")

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		header []string
		want   string // exact body; "~" prefix: a substring
	}{
		// auth
		{"auth: no type", "POST", "/api/user/v1/auth", m{}, nil, fail("Not enough argument. Details: type")},
		{"auth: unknown type", "POST", "/api/user/v1/auth", m{"type": "nope"}, nil, fail("Invalid action.")},
		{"auth: unknown user", "POST", "/api/user/v1/auth", m{"type": "auth", "username": "alex", "password": "whatever1"}, nil, ng("User not exists.")},
		{"auth: wrong password", "POST", "/api/user/v1/auth", m{"type": "auth", "username": "steve", "password": "wrong-password"}, nil, ng("Not verified.")},
		{"auth: no password", "POST", "/api/user/v1/auth", m{"type": "auth", "username": "steve"}, nil, fail("Not enough argument. Details: password")},
		{"auth: form body", "POST", "/api/user/v1/auth", url.Values{"type": {"auth"}, "username": {"steve"}, "password": {"steve-password"}}, nil, `~{"status": "ok", "data": "ey`},
		{"check: empty values (the UI before login)", "POST", "/api/user/v1/auth", m{"type": "check", "username": "", "token": ""}, nil, fail("Not enough argument. Details: token, username")},
		{"check: missing", "POST", "/api/user/v1/auth", m{"type": "check"}, nil, fail("Not enough argument. Details: token, username")},
		{"check: valid", "POST", "/api/user/v1/auth", m{"type": "check", "username": "steve", "token": steve}, nil, ok("null")},
		{"check: valid, form", "POST", "/api/user/v1/auth", url.Values{"type": {"check"}, "username": {"steve"}, "token": {steve}}, nil, ok("null")},
		{"check: bearer", "POST", "/api/user/v1/auth", m{"type": "check", "username": "steve"}, []string{"Authorization", "Bearer " + steve}, ok("null")},
		{"check: other user's token", "POST", "/api/user/v1/auth", m{"type": "check", "username": "admin", "token": steve}, nil, fail("Invalid token.")},
		{"check: garbage", "POST", "/api/user/v1/auth", m{"type": "check", "username": "steve", "token": "garbage"}, nil, fail("Invalid token.")},
		{"checkAdmin: admin", "POST", "/api/user/v1/auth", m{"type": "checkAdmin", "token": admin}, nil, ok("true")},
		{"checkAdmin: member", "POST", "/api/user/v1/auth", m{"type": "checkAdmin", "token": steve}, nil, ok("false")},
		{"checkAdmin: no token", "POST", "/api/user/v1/auth", m{"type": "checkAdmin"}, nil, fail("Not enough argument. Details: token")},
		{"checkAdmin: garbage", "POST", "/api/user/v1/auth", m{"type": "checkAdmin", "token": "x.y.z"}, nil, fail("Invalid token.")},

		// action
		{"action: no type", "POST", "/api/user/v1/action", m{}, nil, fail("Not enough argument. Details: type")},
		{"action: unknown type", "POST", "/api/user/v1/action", m{"type": "drop", "token": admin}, nil, fail("Invalid action.")},
		{"create: no token", "POST", "/api/user/v1/action", m{"type": "create", "username": "alex", "password": "alex-password", "email": "alex@example.com"}, nil, ok("null")},
		{"create: form", "POST", "/api/user/v1/action", url.Values{"type": {"create"}, "username": {"herobrine"}, "password": {"herobrine1"}, "email": {"h@example.com"}}, nil, ok("null")},
		{"create: taken", "POST", "/api/user/v1/action", m{"type": "create", "username": "Steve", "password": "steve-password", "email": "other@example.com"}, nil, ng("Username already exists.")},
		{"create: missing all", "POST", "/api/user/v1/action", m{"type": "create"}, nil, fail("Not enough argument. Details: username, password, email")},
		{"create: bad username", "POST", "/api/user/v1/action", m{"type": "create", "username": "no way", "password": "password1", "email": "n@example.com"}, nil, fail("Invalid argument. Details: username")},
		{"create: short password", "POST", "/api/user/v1/action", m{"type": "create", "username": "shorty", "password": "short", "email": "s@example.com"}, nil, fail("Invalid argument. Details: password")},
		{"get: no token", "POST", "/api/user/v1/action", m{"type": "get", "username": "steve"}, nil, fail("Not enough argument. Details: token")},
		{"get: member", "POST", "/api/user/v1/action", m{"type": "get", "username": "steve", "token": steve}, nil, ng("Permission denied.")},
		{"get: expired-looking garbage", "POST", "/api/user/v1/action", m{"type": "get", "username": "steve", "token": "abc"}, nil, fail("Invalid token.")},
		{"get: admin", "POST", "/api/user/v1/action", m{"type": "get", "username": "steve", "token": admin}, nil,
			ok(userJSON(2, "steve", "steve@example.com", "std", "null", created))},
		{"get: admin, bearer", "POST", "/api/user/v1/action", m{"type": "get", "username": "steve"}, []string{"Authorization", "Bearer " + admin}, `~"username": "steve", "email": "steve@example.com", "group": "std", "nickname": null}}`},
		{"get: missing user", "POST", "/api/user/v1/action", m{"type": "get", "username": "nobody", "token": admin}, nil, ng("User not exists.")},
		{"get: no username", "POST", "/api/user/v1/action", m{"type": "get", "token": admin}, nil, fail("Not enough argument. Details: username")},
		{"alter: password key", "POST", "/api/user/v1/action", m{"type": "alter", "username": "alex", "toAlter": m{"password": "x"}, "token": admin}, nil, fail("Invalid argument. Details: password")},
		{"alter: id key", "POST", "/api/user/v1/action", m{"type": "alter", "username": "alex", "toAlter": m{"id": 1}, "token": admin}, nil, fail("Invalid argument. Details: id")},
		{"alter: admin account", "POST", "/api/user/v1/action", m{"type": "alter", "username": "admin", "toAlter": m{"nickname": "x"}, "token": admin}, nil, fail("Illegal operation. Details: admin")},
		{"alter: bad group", "POST", "/api/user/v1/action", m{"type": "alter", "username": "alex", "toAlter": m{"group": "root"}, "token": admin}, nil, fail("Invalid argument. Details: group")},
		{"alter: as the UI sends it", "POST", "/api/user/v1/action", m{"type": "alter", "username": "alex", "token": admin,
			"toAlter": m{"username": "alex", "nickname": "Alex", "email": "alex2@example.com", "group": "std"}}, nil, ok("null")},
		{"alter: form with JSON text", "POST", "/api/user/v1/action", url.Values{"type": {"alter"}, "username": {"alex"}, "token": {admin},
			"toAlter": {`{"nickname": null}`}}, nil, ok("null")},
		{"alter: rename into taken", "POST", "/api/user/v1/action", m{"type": "alter", "username": "alex", "toAlter": m{"username": "steve"}, "token": admin}, nil, ng("Username already exists.")},
		{"alter: missing user", "POST", "/api/user/v1/action", m{"type": "alter", "username": "nobody", "toAlter": m{"nickname": "x"}, "token": admin}, nil, ng("User not exists.")},
		{"alter: member", "POST", "/api/user/v1/action", m{"type": "alter", "username": "alex", "toAlter": m{"nickname": "x"}, "token": steve}, nil, ng("Permission denied.")},
		{"changepasswd: missing user", "POST", "/api/user/v1/action", m{"type": "changepasswd", "username": "nobody", "newPassword": "password9", "token": admin}, nil, ng("User not exists.")},
		{"changepasswd: ok", "POST", "/api/user/v1/action", m{"type": "changepasswd", "username": "herobrine", "newPassword": "password9", "token": admin}, nil, ok("null")},
		{"changepasswd: no new password", "POST", "/api/user/v1/action", m{"type": "changepasswd", "username": "herobrine", "token": admin}, nil, fail("Not enough argument. Details: newPassword")},
		{"delete: list with admin", "POST", "/api/user/v1/action", m{"type": "delete", "usernames": []string{"alex", "admin"}, "token": admin}, nil, fail("Illegal operation. Details: admin")},
		{"delete: one missing", "POST", "/api/user/v1/action", m{"type": "delete", "usernames": []string{"nobody"}, "token": admin}, nil, ng("User not exists.")},
		{"delete: not a list", "POST", "/api/user/v1/action", m{"type": "delete", "usernames": "alex", "token": admin}, nil, fail("Invalid argument. Details: usernames")},
		{"delete: member", "POST", "/api/user/v1/action", m{"type": "delete", "usernames": []string{"alex"}, "token": steve}, nil, ng("Permission denied.")},
		{"delete: several", "POST", "/api/user/v1/action", m{"type": "delete", "usernames": []string{"herobrine", "nobody"}, "token": admin}, nil, ok(`{"deleted": 1, "error": true}`)},
		{"delete: one", "POST", "/api/user/v1/action", url.Values{"type": {"delete"}, "usernames": {`["alex"]`}, "token": {admin}}, nil, ok("null")},

		// get
		{"get/count", "GET", "/api/user/v1/get/count", nil, nil, ok("2")},
		{"get/all: no page", "GET", "/api/user/v1/get/all", nil, nil, fail("Not enough argument. Details: page, pagin")},
		{"get/all: bad page", "GET", "/api/user/v1/get/all?page=x&pagin=10", nil, nil, fail("Invalid argument. Details: page")},
		{"get/all: no token", "GET", "/api/user/v1/get/all?page=0&pagin=10", nil, nil, fail("Not enough argument. Details: token")},
		{"get/all: member", "GET", "/api/user/v1/get/all?page=0&pagin=10&token=" + steve, nil, nil, ng("Permission denied.")},
		{"get/all: admin, query token", "GET", "/api/user/v1/get/all?page=0&pagin=1&token=" + admin, nil, nil, `~{"status": "ok", "data": [{"id": 1, `},
		{"get/all: admin, bearer, page 1", "GET", "/api/user/v1/get/all?page=1&pagin=1", nil, []string{"Authorization", "Bearer " + admin}, `~"username": "steve"`},
		{"get/all: past the end", "GET", "/api/user/v1/get/all?page=9&pagin=10", nil, []string{"Authorization", "Bearer " + admin}, ok("[]")},

		// http errors
		{"GET /api", "GET", "/api", nil, nil, `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := s.do(tt.method, tt.path, tt.body, tt.header...)
			if code != http.StatusOK {
				t.Errorf("HTTP %d, want 200", code)
			}
			if sub, isSub := strings.CutPrefix(tt.want, "~"); isSub {
				if !strings.Contains(body, sub) {
					t.Errorf("body %q\nlacks    %q", body, sub)
				}
			} else if body != tt.want {
				t.Errorf("body %q\nwant     %q", body, tt.want)
			}
		})
	}
}

// TestTokensRejected proves each kind of bad token gets its v1 answer.
func TestTokensRejected(t *testing.T) {
	s := startService(t, nil)
	good := s.login("steve", "steve-password")
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	reclaim := func(change func(map[string]any)) string {
		c := map[string]any{}
		for k, v := range claims {
			c[k] = v
		}
		change(c)
		j, _ := json.Marshal(c)
		return string(j)
	}
	expiredPayload := reclaim(func(c map[string]any) {
		c["iat"] = time.Now().Add(-8 * 24 * time.Hour).Unix()
		c["exp"] = time.Now().Add(-24 * time.Hour).Unix()
	})

	tests := []struct {
		name  string
		token func(t *testing.T) string
		want  string
	}{
		{"expired", func(t *testing.T) string { return signHS(t, "HS256", testSecret, expiredPayload) }, ng("Expired token.")},
		{"wrong signature", func(t *testing.T) string {
			return signHS(t, "HS256", "another-secret-another-secret-xx", string(payload))
		}, fail("Invalid token.")},
		{"tampered payload", func(*testing.T) string {
			return parts[0] + "." + b64(reclaim(func(c map[string]any) { c["grp"] = "admin" })) + "." + parts[2]
		}, fail("Invalid token.")},
		{"alg none", func(*testing.T) string { return b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + "." }, fail("Invalid token.")},
		{"other algorithm HS512", func(t *testing.T) string { return signHS(t, "HS512", testSecret, string(payload)) }, fail("Invalid token.")},
		{"wrong issuer", func(t *testing.T) string {
			return signHS(t, "HS256", testSecret, reclaim(func(c map[string]any) { c["iss"] = "someone-else" }))
		}, fail("Invalid token.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := s.do("POST", "/api/user/v1/auth", m{"type": "check", "username": "steve", "token": tt.token(t)})
			if body != tt.want {
				t.Errorf("body %q, want %q", body, tt.want)
			}
		})
	}
}

// TestTokensEndWithTheirUser proves a password change or a deletion ends
// earlier tokens, and a demotion takes effect at once.
func TestTokensEndWithTheirUser(t *testing.T) {
	s := startService(t, nil)
	admin := s.login("admin", "admin-password")
	check := func(name, tok string) string {
		_, body := s.do("POST", "/api/user/v1/auth", m{"type": "check", "username": name, "token": tok})
		return body
	}
	action := func(body m) string {
		body["token"] = admin
		_, out := s.do("POST", "/api/user/v1/action", body)
		return out
	}

	steve := s.login("steve", "steve-password")
	if got := action(m{"type": "changepasswd", "username": "steve", "newPassword": "new-password"}); got != ok("null") {
		t.Fatal(got)
	}
	if got := check("steve", steve); got != fail("Invalid token.") {
		t.Errorf("token from before the password change: %q", got)
	}
	steve = s.login("steve", "new-password")
	if got := check("steve", steve); got != ok("null") {
		t.Errorf("fresh token: %q", got)
	}

	// Promote, then demote: the token is the same, the rights follow the store.
	promote := func(g string) {
		if got := action(m{"type": "alter", "username": "steve", "toAlter": m{"group": g}}); got != ok("null") {
			t.Fatal(got)
		}
	}
	promote("admin")
	if _, body := s.do("POST", "/api/user/v1/auth", m{"type": "checkAdmin", "token": steve}); body != ok("true") {
		t.Errorf("after promotion: %q", body)
	}
	promote("std")
	if _, body := s.do("POST", "/api/user/v1/action", m{"type": "get", "username": "admin", "token": steve}); body != ng("Permission denied.") {
		t.Errorf("after demotion: %q", body)
	}

	if got := action(m{"type": "delete", "usernames": []string{"steve"}}); got != ok("null") {
		t.Fatal(got)
	}
	if got := check("steve", steve); got != fail("Invalid token.") {
		t.Errorf("token of a deleted user: %q", got)
	}
	// The same name registered again must not inherit the old token.
	if _, body := s.do("POST", "/api/user/v1/action", m{"type": "create", "username": "steve", "password": "other-password", "email": "s2@example.com"}); body != ok("null") {
		t.Fatal(body)
	}
	if got := check("steve", steve); got != fail("Invalid token.") {
		t.Errorf("old token of a recreated name: %q", got)
	}
}

func TestSwitches(t *testing.T) {
	closed := startService(t, func(c *app.Config) { c.Users.OpenSignup = false; c.V1.OpenReads = true })
	admin := closed.login("admin", "admin-password")
	create := m{"type": "create", "username": "alex", "password": "alex-password", "email": "alex@example.com"}
	if _, body := closed.do("POST", "/api/user/v1/action", create); body != fail("Not enough argument. Details: token") {
		t.Errorf("closed sign-up, anonymous: %q", body)
	}
	create["token"] = admin
	if _, body := closed.do("POST", "/api/user/v1/action", create); body != ok("null") {
		t.Errorf("closed sign-up, admin: %q", body)
	}
	if _, body := closed.do("GET", "/api/user/v1/get/all?page=0&pagin=10", nil); !strings.HasPrefix(body, `{"status": "ok", "data": [{"id": 1`) {
		t.Errorf("open reads: %q", body)
	}
}

func TestCORSPreflight(t *testing.T) {
	s := startService(t, func(c *app.Config) { c.CORS.AllowedOrigins = []string{"https://ui.example"} })
	for _, tt := range []struct{ origin, want string }{
		{"https://ui.example", "https://ui.example"},
		{"https://evil.example", ""},
	} {
		req, _ := http.NewRequest("OPTIONS", s.base+"/api/user/v1/auth", nil)
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 || resp.Header.Get("Access-Control-Allow-Origin") != tt.want {
			t.Errorf("preflight from %s: HTTP %d, Allow-Origin %q, want %q", tt.origin, resp.StatusCode,
				resp.Header.Get("Access-Control-Allow-Origin"), tt.want)
		}
	}
}

// signHS signs payload by hand (an oracle independent of the JWT library).
func signHS(t *testing.T, alg, secret, payload string) string {
	t.Helper()
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS512":
		h = sha512.New
	default:
		t.Fatalf("alg %s", alg)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"`+alg+`","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(h, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}
