package portstest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// RunPasswordHasherTests runs the ports.PasswordHasher contract. newHasher is
// called once per subtest (the subtests run in parallel) with the subtest's
// t; it may return a hasher with cheap parameters to keep the suite fast.
func RunPasswordHasherTests(t *testing.T, newHasher func(t *testing.T) ports.PasswordHasher) {
	t.Helper()
	runSuite(t, newHasher, []suiteCase[ports.PasswordHasher]{
		{"RoundTrip", testHasherRoundTrip},
		{"WrongPassword", testHasherWrongPassword},
		{"OtherUsersHash", testHasherOtherUsersHash},
		{"Salted", testHasherSalted},
		{"UnicodeAndLongPasswords", testHasherUnicodeAndLong},
		{"UnparseableHash", testHasherUnparseable},
		{"TamperedHash", testHasherTampered},
		{"CancelledContext", testHasherCancelledContext},
		{"Concurrent", testHasherConcurrent},
	})
}

func hasherMustHash(t *testing.T, h ports.PasswordHasher, password string) string {
	t.Helper()
	hash, err := h.Hash(context.Background(), password)
	if err != nil {
		t.Fatalf("Hash(%q): %v", password, err)
	}
	if hash == "" || strings.Contains(hash, password) && password != "" {
		t.Fatalf("Hash(%q) = %q: empty or contains the password", password, hash)
	}
	return hash
}

// hasherExpect checks one Verify call.
func hasherExpect(t *testing.T, h ports.PasswordHasher, hash, password string, wantOK bool) {
	t.Helper()
	ok, rehash, err := h.Verify(context.Background(), hash, password)
	if err != nil {
		t.Fatalf("Verify(%.40q, %q): unexpected error %v", hash, password, err)
	}
	if ok != wantOK {
		t.Fatalf("Verify(%.40q, %q) ok = %v, want %v", hash, password, ok, wantOK)
	}
	if !ok && rehash {
		t.Errorf("Verify(%.40q, %q) = (false, rehash true): rehash only makes sense for a match", hash, password)
	}
}

func testHasherRoundTrip(t *testing.T, h ports.PasswordHasher) {
	hash := hasherMustHash(t, h, "correct horse battery staple")
	ok, rehash, err := h.Verify(context.Background(), hash, "correct horse battery staple")
	if err != nil || !ok {
		t.Fatalf("Verify of a fresh hash = (%v, %v, %v), want ok", ok, rehash, err)
	}
	if rehash {
		t.Errorf("a hash just made by Hash asks for a rehash")
	}
}

func testHasherWrongPassword(t *testing.T, h ports.PasswordHasher) {
	hash := hasherMustHash(t, h, "s3cret-password")
	for _, wrong := range []string{"", "s3cret-passwor", "s3cret-password ", "S3cret-password", "s3cret-password\x00"} {
		hasherExpect(t, h, hash, wrong, false)
	}
}

func testHasherOtherUsersHash(t *testing.T, h ports.PasswordHasher) {
	a := hasherMustHash(t, h, "password-of-alice")
	b := hasherMustHash(t, h, "password-of-bob")
	hasherExpect(t, h, a, "password-of-bob", false)
	hasherExpect(t, h, b, "password-of-alice", false)
}

func testHasherSalted(t *testing.T, h ports.PasswordHasher) {
	a := hasherMustHash(t, h, "same password")
	b := hasherMustHash(t, h, "same password")
	if a == b {
		t.Fatalf("two hashes of one password are equal (%q): no random salt", a)
	}
	hasherExpect(t, h, a, "same password", true)
	hasherExpect(t, h, b, "same password", true)
}

func testHasherUnicodeAndLong(t *testing.T, h ports.PasswordHasher) {
	for _, pw := range []string{
		"密码-ünïcode-🔑",
		strings.Repeat("x", domain.PasswordMaxLen),
		strings.Repeat("é", domain.PasswordMaxLen), // 256 bytes
		"with $ and : and , and = inside",
	} {
		hash := hasherMustHash(t, h, pw)
		hasherExpect(t, h, hash, pw, true)
		hasherExpect(t, h, hash, pw[:len(pw)-1], false)
	}
}

func testHasherUnparseable(t *testing.T, h ports.PasswordHasher) {
	for _, hash := range []string{
		"",
		"x",
		"password",
		"$",
		"$$$",
		"$argon2id$",
		"$argon2id$v=19$m=19456,t=2,p=1$$",
		"plain$$password",
		"pbkdf2:sha256:1000$salt$",
		"bcrypt:$2b$12$abcdefghijklmnopqrstuu",
		strings.Repeat("$argon2id", 1000),
	} {
		hasherExpect(t, h, hash, "password", false)
	}
}

// testHasherTampered changes one character at several places of a good hash:
// whether the result still parses or not, it must never verify.
func testHasherTampered(t *testing.T, h ports.PasswordHasher) {
	hash := hasherMustHash(t, h, "tamper-proof")
	for _, i := range []int{0, len(hash) / 3, len(hash) / 2, len(hash) - 5, len(hash) - 1} {
		b := []byte(hash)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		hasherExpect(t, h, string(b), "tamper-proof", false)
	}
	hasherExpect(t, h, hash+"A", "tamper-proof", false)
	hasherExpect(t, h, hash[:len(hash)-2], "tamper-proof", false)
}

// testHasherCancelledContext: a hasher with a free slot may still do the
// work, but when it refuses it must say CodeUnavailable.
func testHasherCancelledContext(t *testing.T, h ports.PasswordHasher) {
	hash := hasherMustHash(t, h, "cancel me")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(what string, err error) {
		t.Helper()
		if err != nil && domain.ErrorCode(err) != domain.CodeUnavailable {
			t.Errorf("%s with a cancelled context: error %v has code %q, want %q",
				what, err, domain.ErrorCode(err), domain.CodeUnavailable)
		}
	}
	got, err := h.Hash(ctx, "cancel me")
	check("Hash", err)
	if err == nil {
		hasherExpect(t, h, got, "cancel me", true)
	}
	ok, _, err := h.Verify(ctx, hash, "cancel me")
	check("Verify", err)
	if err == nil && !ok {
		t.Errorf("Verify with a cancelled context gave no error and no match")
	}
}

func testHasherConcurrent(t *testing.T, h ports.PasswordHasher) {
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := strings.Repeat("p", 8+i)
			hash, err := h.Hash(context.Background(), pw)
			if err != nil {
				errs <- err
				return
			}
			ok, _, err := h.Verify(context.Background(), hash, pw)
			if err == nil && !ok {
				err = errors.New("concurrent round trip did not verify")
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
