package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// benchUser is an account the harness made, as the service numbered it.
type benchUser struct {
	ID   int64
	Name string
}

// mintToken signs the token seatide itself would issue to u at iat (HS256,
// the claims of adapters/jwt): the harness knows the secret, so it can make
// as many distinct tokens as a realistic mix needs without as many logins.
func mintToken(secret []byte, u benchUser, iat time.Time) (string, error) {
	tok, err := jwt.NewBuilder().
		Issuer(issuer).Subject(u.Name).
		IssuedAt(iat).Expiration(iat.Add(7*24*time.Hour)).
		Claim("uid", u.ID).Claim("grp", "std").Claim("ver", 0).
		Build()
	if err != nil {
		return "", err
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, secret))
	return string(signed), err
}

// tokenMix is the check load's bodies: hot ones (every user's few live
// tokens, picked at random, as a community's browsers send them) and cold
// ones (a token the service has never seen, each sent once: a verification
// cache miss by construction).
type tokenMix struct {
	HotFile, ColdFile string
	Hot, Cold         int
	Probe             [][]byte // a few hot bodies for the fixed-rate probe
}

func checkBody(name, token string) []byte {
	return mustJSON(map[string]string{"type": "check", "username": name, "token": token})
}

// writeTokenMix writes perUser hot tokens for each user and cold more, all
// valid now, into dir.
func writeTokenMix(dir string, secret []byte, users []benchUser, perUser, cold int, now time.Time) (tokenMix, error) {
	m := tokenMix{HotFile: dir + "/check-hot.txt", ColdFile: dir + "/check-cold.txt"}
	var hot, cb strings.Builder
	for _, u := range users {
		for j := range perUser {
			tok, err := mintToken(secret, u, now.Add(-time.Duration(j+1)*time.Minute))
			if err != nil {
				return m, err
			}
			b := checkBody(u.Name, tok)
			hot.Write(b)
			hot.WriteByte('\n')
			m.Hot++
			if len(m.Probe) < 64 {
				m.Probe = append(m.Probe, b)
			}
		}
	}
	// Distinct issue times, an hour and more ago, make distinct tokens.
	for i := range cold {
		u := users[i%len(users)]
		tok, err := mintToken(secret, u, now.Add(-time.Hour-time.Duration(i)*time.Second))
		if err != nil {
			return m, err
		}
		cb.Write(checkBody(u.Name, tok))
		cb.WriteByte('\n')
		m.Cold++
	}
	if err := os.WriteFile(m.HotFile, []byte(hot.String()), 0o644); err != nil {
		return m, err
	}
	return m, os.WriteFile(m.ColdFile, []byte(cb.String()), 0o644)
}

// writeBodies writes one JSON body a line.
func writeBodies(path string, bodies []map[string]string) error {
	var b strings.Builder
	for _, body := range bodies {
		js, err := json.Marshal(body)
		if err != nil {
			return err
		}
		if strings.ContainsRune(string(js), '\n') {
			return fmt.Errorf("body with a newline: %s", js)
		}
		b.Write(js)
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
