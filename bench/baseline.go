package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// The baseline's answers, byte for byte those of the service (Python
// json.dumps spacing, final newline): a client cannot tell them apart.
var (
	answerOK      = []byte(`{"status": "ok", "data": null}` + "\n")
	answerExpired = []byte(`{"status": "ng", "msg": "Expired token."}` + "\n")
	answerInvalid = []byte(`{"status": "error", "msg": "Invalid token."}` + "\n")
	answerMissing = []byte(`{"status": "error", "msg": "Not enough argument. Details: token, username"}` + "\n")
	answerParse   = []byte(`{"status": "error", "msg": "Parse error."}` + "\n")
	answerAction  = []byte(`{"status": "error", "msg": "Invalid action."}` + "\n")
)

// baselineMaxBody matches the service's limit on a v1 body.
const baselineMaxBody = 1 << 20

// NewBaseline returns the bare comparison handler: POST /api/user/v1/auth
// with type=check, verified as the service's token adapter does (HS256 with
// secret, issuer, expiry with 5 s of skew, subject = username), but with
// no database: no revocation (token version) or group lookup, no router,
// no middleware. It is what "the lightest comparable Go service" does.
func NewBaseline(secret []byte, issuer string) http.Handler {
	key := append([]byte(nil), secret...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/user/v1/auth" || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, baselineMaxBody))
		var p struct {
			Type     string `json:"type"`
			Username string `json:"username"`
			Token    string `json:"token"`
		}
		if err != nil || json.Unmarshal(body, &p) != nil {
			_, _ = w.Write(answerParse)
			return
		}
		switch {
		case p.Type != "check":
			_, _ = w.Write(answerAction)
			return
		case p.Username == "" || p.Token == "":
			_, _ = w.Write(answerMissing)
			return
		}
		tok, err := jwt.ParseString(p.Token,
			jwt.WithKey(jwa.HS256, key),
			jwt.WithIssuer(issuer),
			jwt.WithAcceptableSkew(5*time.Second),
			jwt.WithRequiredClaim(jwt.SubjectKey),
			jwt.WithRequiredClaim(jwt.ExpirationKey),
		)
		switch {
		case errors.Is(err, jwt.ErrTokenExpired()):
			_, _ = w.Write(answerExpired)
		case err != nil || !strings.EqualFold(tok.Subject(), p.Username):
			_, _ = w.Write(answerInvalid)
		default:
			_, _ = w.Write(answerOK)
		}
	})
}

// RunBaseline serves NewBaseline on listen until ctx ends, printing the
// address it listens on as its first line of out.
func RunBaseline(ctx context.Context, listen string, secret []byte, out io.Writer) error {
	if len(secret) == 0 {
		return errors.New("baseline: empty secret")
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	srv := &http.Server{Handler: NewBaseline(secret, "seatide"), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "baseline listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
