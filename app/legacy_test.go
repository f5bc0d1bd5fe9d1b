package app_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// legacyVectors reads password/hash pairs made by real Werkzeug (and one made
// with hashlib in its format), as the original service stored them.
func legacyVectors(t *testing.T) [][2]string {
	t.Helper()
	var out [][2]string
	for _, name := range []string{"werkzeug-hashes.tsv", "generated-hashes.tsv"} {
		f, err := os.Open(filepath.Join("..", "testdata", "password", name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			pw, hash, found := strings.Cut(sc.Text(), "\t")
			if found && !strings.HasPrefix(pw, "#") {
				out = append(out, [2]string{pw, hash})
			}
		}
		f.Close()
	}
	if len(out) < 5 {
		t.Fatalf("only %d vectors", len(out))
	}
	return out
}

// TestLegacyLogin logs in through the API as users imported from the
// original service, and proves each hash is upgraded to argon2id.
func TestLegacyLogin(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "seatide.db")
	s := startService(t, func(c *app.Config) { c.Database.DSN = dsn })
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, sqlstore.Config{Driver: "sqlite", DSN: dsn, Clock: ports.SystemClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := db.Users()

	// Besides Werkzeug's hashes, one made with seatide's own previous
	// argon2id defaults (m=19 MiB t=2).
	vectors := append(legacyVectors(t), [2]string{"correct horse battery staple",
		"$argon2id$v=19$m=19456,t=2,p=1$CKK7h8WNcjDnzY7lYf0FsA$08F501FmWM5LhguclJ8pmYLXcShjN8KI3RZL7+VNjvQ"})
	for i, v := range vectors {
		pw, hash := v[0], v[1]
		name := "legacy" + string(rune('a'+i))
		scheme := hash[:strings.IndexByte(hash, '$')]
		if scheme == "" {
			scheme = "argon2id-previous-defaults"
		}
		t.Run(scheme, func(t *testing.T) {
			// As import-v1 writes them: the old hash, kept verbatim.
			if _, err := store.CreateUser(ctx, domain.User{Username: name, Email: name + "@example.com", Group: domain.GroupStd, PasswordHash: hash}); err != nil {
				t.Fatal(err)
			}
			if _, body := s.do("POST", "/api/user/v1/auth", m{"type": "auth", "username": name, "password": pw + "x"}); body != ng("Not verified.") {
				t.Errorf("wrong password: %q", body)
			}
			tok := s.login(name, pw)
			u, err := store.UserByName(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=1$", testPasswordParams.Memory, testPasswordParams.Time)
			if !strings.HasPrefix(u.PasswordHash, want) {
				t.Errorf("hash after login = %.30q..., want %s...", u.PasswordHash, want)
			}
			if _, body := s.do("POST", "/api/user/v1/auth", m{"type": "check", "username": name, "token": tok}); body != ok("null") {
				t.Errorf("token after upgrade: %q", body)
			}
			s.login(name, pw) // and the upgraded hash verifies too
		})
	}
}
