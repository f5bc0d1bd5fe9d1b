package password

import (
	"bufio"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// cheap keeps tests that are not about the default cost fast.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestContract(t *testing.T) {
	portstest.RunPasswordHasherTests(t, func(t *testing.T) ports.PasswordHasher {
		return New(Options{Params: cheap})
	})
}

// The one test that computes with the real Default parameters (a hash and
// two checks): every other test uses cheap ones, which the race detector
// makes affordable.
func TestDefaultParamsRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=7168,t=5,p=1$") {
		t.Fatalf("hash %q does not carry the Default parameters", hash)
	}
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"correct horse battery staple", true}, {"correct horse battery stapler", false}} {
		ok, rehash, err := h.Verify(ctx, hash, tc.pw)
		if err != nil || ok != tc.ok || rehash {
			t.Errorf("Verify(%q) = (%v, %v, %v), want (%v, false, nil)", tc.pw, ok, rehash, err, tc.ok)
		}
	}
}

// A hash made with the previous defaults (m=19 MiB t=2) still verifies and
// asks to be rehashed, which the user service does at login.
func TestPreviousDefaultsVerifyAndAskRehash(t *testing.T) {
	const previous = "$argon2id$v=19$m=19456,t=2,p=1$CKK7h8WNcjDnzY7lYf0FsA$08F501FmWM5LhguclJ8pmYLXcShjN8KI3RZL7+VNjvQ"
	if Previous == Default {
		t.Fatal("Previous equals Default")
	}
	ok, rehash, err := New(Options{}).Verify(context.Background(), previous, "correct horse battery staple")
	if err != nil || !ok || !rehash {
		t.Fatalf("Verify = (%v, %v, %v), want (true, true, nil)", ok, rehash, err)
	}
}

type vector struct {
	line     int
	password string
	hash     string
}

// readVectors reads "password<TAB>hash" lines, skipping # comments.
func readVectors(t *testing.T, path string) []vector {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pw, hash, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: no tab", path, n)
		}
		vs = append(vs, vector{n, pw, hash})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatalf("%s: no vectors", path)
	}
	return vs
}

func TestLegacyVectors(t *testing.T) {
	h := New(Options{Params: cheap, MaxConcurrent: 4})
	ctx := context.Background()
	for _, file := range []string{
		"../../testdata/password/werkzeug-hashes.tsv",  // real Werkzeug 2.2.2 output
		"../../testdata/password/generated-hashes.tsv", // gen_vectors.py, hashlib in Werkzeug's format
	} {
		for _, v := range readVectors(t, file) {
			t.Run(strings.TrimPrefix(file, "../../testdata/password/")+":"+itoa(v.line), func(t *testing.T) {
				t.Parallel()
				ok, rehash, err := h.Verify(ctx, v.hash, v.password)
				if err != nil || !ok || !rehash {
					t.Fatalf("Verify(%q, %q) = (%v, %v, %v), want (true, true, nil)", v.hash, v.password, ok, rehash, err)
				}
				for _, wrong := range []string{v.password + "x", strings.ToUpper(v.password), ""} {
					if wrong == v.password {
						continue
					}
					ok, rehash, err := h.Verify(ctx, v.hash, wrong)
					if err != nil || ok || rehash {
						t.Errorf("Verify(%q, wrong %q) = (%v, %v, %v), want all false", v.hash, wrong, ok, rehash, err)
					}
				}
			})
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashFormat(t *testing.T) {
	if got := New(Options{}).Params(); got != Default {
		t.Fatalf("New(Options{}) params = %+v, want Default %+v", got, Default)
	}
	if Default != (Params{Memory: 7168, Time: 5, Threads: 1, SaltLen: 16, KeyLen: 32}) {
		t.Fatalf("Default changed: %+v", Default)
	}
	h := New(Options{Params: cheap})
	hash, err := h.Hash(context.Background(), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !phcRE.MatchString(hash) {
		t.Fatalf("hash %q is not the PHC argon2id form", hash)
	}
	ph, err := parseHash(hash)
	if err != nil {
		t.Fatal(err)
	}
	if ph.outdated(cheap) {
		t.Errorf("fresh hash reported outdated")
	}
}

// TestArgon2idKnownAnswers verifies PHC strings built from the argon2id
// known-answer vectors of golang.org/x/crypto/argon2's own tests (password
// "password", salt "somesalt", 24-byte keys), which checks our parsing,
// parameter order and base64 against independently fixed values.
func TestArgon2idKnownAnswers(t *testing.T) {
	h := New(Options{Params: cheap})
	for _, hash := range []string{
		"$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$Bo1ismRVk2qm6+YAYLCmWHDb+j3fjUH3",
		"$argon2id$v=19$m=256,t=3,p=2$c29tZXNhbHQ$RmjTCsQYfmh47t6s8P2DxaCjDbLMFu8L",
	} {
		ok, rehash, err := h.Verify(context.Background(), hash, "password")
		if err != nil || !ok || !rehash {
			t.Errorf("Verify(%q) = (%v, %v, %v), want (true, true, nil)", hash, ok, rehash, err)
		}
		if ok, _, _ := h.Verify(context.Background(), hash, "Password"); ok {
			t.Errorf("Verify(%q, wrong) matched", hash)
		}
	}
	// And our encoder writes the same form for the same input.
	key := argon2idKey([]byte("password"), []byte("somesalt"), 2, 64, 1, 24)
	got := encodeArgon2id(Params{Memory: 64, Time: 2, Threads: 1}, []byte("somesalt"), key)
	if want := "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$Bo1ismRVk2qm6+YAYLCmWHDb+j3fjUH3"; got != want {
		t.Errorf("encodeArgon2id = %q, want %q", got, want)
	}
}

func TestRehash(t *testing.T) {
	ctx := context.Background()
	made := New(Options{Params: cheap})
	hash, err := made.Hash(ctx, "pw-rehash")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params Params
		rehash bool
	}{
		{"same params", cheap, false},
		{"more memory", Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more time", Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more threads", Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, true},
		{"longer key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64}, true},
		{"longer salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32}, true},
		{"default", Default, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := New(Options{Params: tc.params}).Verify(ctx, hash, "pw-rehash")
			if err != nil || !ok || rehash != tc.rehash {
				t.Fatalf("Verify = (%v, %v, %v), want (true, %v, nil)", ok, rehash, err, tc.rehash)
			}
			ok, rehash, err = New(Options{Params: tc.params}).Verify(ctx, hash, "wrong")
			if err != nil || ok || rehash {
				t.Fatalf("Verify(wrong) = (%v, %v, %v), want all false", ok, rehash, err)
			}
		})
	}
}

func TestMalformedHashes(t *testing.T) {
	const (
		salt = "MDEyMzQ1Njc4OWFiY2RlZg"                      // 16 bytes
		key  = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" // 32 bytes
		hex  = "c4c80c2b3246f13f53ad903285786ee5aeb995023a3427154156d4436c01a75f"
	)
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"dollar", "$"},
		{"argon2id only", "$argon2id"},
		{"too few fields", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"too many fields", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$"},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"param order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"missing param", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"extra param", "$argon2id$v=19$m=64,t=1,p=1,k=1$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key},
		{"plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key},
		{"negative", "$argon2id$v=19$m=64,t=-1,p=1$" + salt + "$" + key},
		{"empty value", "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + key},
		{"spaces", "$argon2id$v=19$m=64, t=1,p=1$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"url base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("_", 43)},
		{"non-canonical base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt[:21] + "h$" + key},
		{"empty salt", "$argon2id$v=19$m=64,t=1,p=1$$" + key},
		{"empty key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$MDEy$" + key},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$MDEyMzQ1Njc4OQ"},
		{"time zero", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"threads zero", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"memory below 8p", "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + key},
		{"memory 4 GiB (cap)", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"memory just over cap", "$argon2id$v=19$m=262145,t=1,p=1$" + salt + "$" + key},
		{"time over cap", "$argon2id$v=19$m=64,t=17,p=1$" + salt + "$" + key},
		{"time huge", "$argon2id$v=19$m=64,t=4294967295,p=1$" + salt + "$" + key},
		{"threads over cap", "$argon2id$v=19$m=1024,t=1,p=17$" + salt + "$" + key},
		{"threads over uint8", "$argon2id$v=19$m=4096,t=1,p=257$" + salt + "$" + key},
		{"overflow", "$argon2id$v=19$m=99999999999999999999999,t=1,p=1$" + salt + "$" + key},
		{"no dollar", "pbkdf2:sha256:1000"},
		{"one dollar", "pbkdf2:sha256:1000$salt"},
		{"plain", "plain$$password"},
		{"werkzeug hmac sha1", "sha1$salt$2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"},
		{"unknown pbkdf2 hash", "pbkdf2:md5:1000$salt$0123456789abcdef0123456789abcdef"},
		{"bare pbkdf2", "pbkdf2$salt$" + hex},
		{"pbkdf2 too many args", "pbkdf2:sha256:1000:1$salt$" + hex},
		{"iterations zero", "pbkdf2:sha256:0$salt$" + hex},
		{"iterations empty", "pbkdf2:sha256:$salt$" + hex},
		{"iterations negative", "pbkdf2:sha256:-1$salt$" + hex},
		{"iterations over cap", "pbkdf2:sha256:2000001$salt$" + hex},
		{"iterations huge", "pbkdf2:sha256:99999999999$salt$" + hex},
		{"empty salt", "pbkdf2:sha256:1000$$" + hex},
		{"long salt", "pbkdf2:sha256:1000$" + strings.Repeat("s", 257) + "$" + hex},
		{"odd hex", "pbkdf2:sha256:1000$salt$" + hex[1:]},
		{"non hex", "pbkdf2:sha256:1000$salt$" + strings.Repeat("zz", 32)},
		{"short digest", "pbkdf2:sha256:1000$salt$" + hex[:62]},
		{"sha256 digest for sha512", "pbkdf2:sha512:1000$salt$" + hex},
		{"third dollar", "pbkdf2:sha256:1000$salt$" + hex + "$"},
		{"empty hex", "pbkdf2:sha256:1000$salt$"},
		{"scrypt defaults form", "scrypt$salt$" + hex + hex},
		{"scrypt missing p", "scrypt:16384:8$salt$" + hex + hex},
		{"scrypt N not power of two", "scrypt:1000:8:1$salt$" + hex + hex},
		{"scrypt N one", "scrypt:1:8:1$salt$" + hex + hex},
		{"scrypt r zero", "scrypt:16384:0:1$salt$" + hex + hex},
		{"scrypt p zero", "scrypt:16384:8:0$salt$" + hex + hex},
		{"scrypt memory over cap", "scrypt:131072:8:1$salt$" + hex + hex},
		{"scrypt N 2^30", "scrypt:1073741824:1:1$salt$" + hex + hex},
		{"scrypt work over cap", "scrypt:32768:8:32$salt$" + hex + hex},
		{"scrypt short key", "scrypt:16384:8:1$salt$" + hex},
		{"too long", "pbkdf2:sha256:1000$" + strings.Repeat("s", 2000) + "$" + hex},
	}
	h := New(Options{Params: cheap, MaxConcurrent: 1})
	// None of these may cost a computation: that is the DoS guard.
	h.computing = func() { t.Errorf("a malformed hash reached a computation") }
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseHash(tc.hash); err == nil {
				t.Errorf("parseHash(%q) accepted it", tc.hash)
			}
			ok, rehash, err := h.Verify(context.Background(), tc.hash, "password")
			if ok || rehash || err != nil {
				t.Errorf("Verify(%q) = (%v, %v, %v), want (false, false, nil)", tc.hash, ok, rehash, err)
			}
		})
	}
}

// TestWellFormedEdges: hashes right at the caps still parse.
func TestWellFormedEdges(t *testing.T) {
	const (
		salt = "MDEyMzQ1Njc4OWFiY2RlZg"
		key  = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"
		hex  = "c4c80c2b3246f13f53ad903285786ee5aeb995023a3427154156d4436c01a75f"
	)
	for _, hash := range []string{
		"$argon2id$v=19$m=262144,t=16,p=16$" + salt + "$" + key,
		"$argon2id$v=19$m=8,t=1,p=1$" + salt + "$" + key,
		"pbkdf2:sha256:2000000$salt$" + hex,
		"pbkdf2:sha256:1$s$" + hex,
		"pbkdf2:sha256$salt$" + hex,
		"pbkdf2:sha1:1000$salt$" + hex[:40],
		"pbkdf2:sha256:1000$salt$" + strings.ToUpper(hex),
		"scrypt:65536:8:1$salt$" + hex + hex,
		"scrypt:2:1:1$salt$" + hex + hex,
	} {
		if _, err := parseHash(hash); err != nil {
			t.Errorf("parseHash(%q): %v", hash, err)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		ok   bool
	}{
		{"default", Default, true},
		{"cheap", cheap, true},
		{"at caps", Params{Memory: MaxArgon2Memory, Time: MaxArgon2Time, Threads: MaxArgon2Threads, SaltLen: 64, KeyLen: 64}, true},
		{"zero", Params{}, false},
		{"memory over cap", Params{Memory: MaxArgon2Memory + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"memory below 8p", Params{Memory: 15, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, false},
		{"time zero", Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"time over cap", Params{Memory: 64, Time: MaxArgon2Time + 1, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"threads zero", Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}, false},
		{"threads over cap", Params{Memory: 1024, Time: 1, Threads: MaxArgon2Threads + 1, SaltLen: 16, KeyLen: 32}, false},
		{"salt short", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 7, KeyLen: 32}, false},
		{"salt long", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 65, KeyLen: 32}, false},
		{"key short", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 15}, false},
		{"key long", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 65}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate(%+v) = %v, want ok=%v", tc.p, err, tc.ok)
			}
			if tc.p == (Params{}) {
				return // New takes zero Params as Default
			}
			defer func() {
				if r := recover(); (r == nil) != tc.ok {
					t.Fatalf("New panic = %v, want panic=%v", r, !tc.ok)
				}
			}()
			New(Options{Params: tc.p})
		})
	}
}

// TestBoundedConcurrency proves with hooks, not sleeps, that no more than
// MaxConcurrent computations run at once, that a waiter whose context ends
// gives up with CodeUnavailable, and that a running computation finishes
// even when its context ends.
func TestBoundedConcurrency(t *testing.T) {
	const limit, callers = 2, 5
	h := New(Options{Params: cheap, MaxConcurrent: limit})
	entered := make(chan struct{}, 100)
	waiting := make(chan struct{}, 100)
	release := make(chan struct{})
	h.computing = func() { entered <- struct{}{}; <-release }
	h.waiting = func() { waiting <- struct{}{} }

	hash, err := New(Options{Params: cheap}).Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}

	// The first computation gets a context that ends while it runs.
	runCtx, endRun := context.WithCancel(context.Background())
	defer endRun()
	var wg sync.WaitGroup
	results := make(chan error, callers)
	for i := range callers {
		ctx := context.Background()
		if i == 0 {
			ctx = runCtx
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, err := h.Hash(ctx, "pw")
				results <- err
				return
			}
			ok, _, err := h.Verify(ctx, hash, "pw")
			if err == nil && !ok {
				err = errors.New("no match")
			}
			results <- err
		}()
		if i == 0 {
			<-entered // caller 0 holds a slot
			endRun()
		}
	}
	// limit callers compute, the rest wait: all callers are accounted for.
	for range limit - 1 {
		<-entered
	}
	for range callers - limit {
		<-waiting
	}
	if n := len(entered); n != 0 {
		t.Fatalf("%d computations beyond the limit of %d started", n, limit)
	}

	// One more caller whose context ends while it waits gives up.
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, _, err := h.Verify(ctx, hash, "pw")
		gaveUp <- err
	}()
	<-waiting
	cancel()
	err = <-gaveUp
	if domain.ErrorCode(err) != domain.CodeUnavailable || !errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter with cancelled context: err = %v (code %q), want ErrBusy wrapping context.Canceled",
			err, domain.ErrorCode(err))
	}

	close(release)
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Errorf("caller failed: %v", err) // includes caller 0, whose ctx ended mid-computation
		}
	}
	if n := len(entered); n != callers-limit {
		t.Errorf("%d waiters computed after release, want %d", n, callers-limit)
	}
}

func TestAlreadyCancelledContext(t *testing.T) {
	h := New(Options{Params: cheap})
	h.computing = func() { t.Errorf("computed for a caller that had already gone") }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, ErrBusy) || domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Errorf("Hash: err = %v, want ErrBusy", err)
	}
	if _, _, err := h.Verify(ctx, "pbkdf2:sha256:1$s$"+strings.Repeat("00", 32), "pw"); !errors.Is(err, ErrBusy) {
		t.Errorf("Verify: err = %v, want ErrBusy", err)
	}
}

func BenchmarkHash(b *testing.B) {
	h := New(Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := New(Options{})
	ctx := context.Background()
	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, hash, "correct horse battery staple"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkVerifyLegacyPBKDF2(b *testing.B) {
	h := New(Options{})
	ctx := context.Background()
	const hash = "pbkdf2:sha256:260000$m3dCWUBWUNem7DnB$c4c80c2b3246f13f53ad903285786ee5aeb995023a3427154156d4436c01a75f"
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, hash, "correct horse battery"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func TestDoneRunsAfterEachComputation(t *testing.T) {
	var mu sync.Mutex
	done := 0
	h := New(Options{Params: cheap, Done: func() { mu.Lock(); done++; mu.Unlock() }})
	ctx := context.Background()
	hash, err := h.Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Verify(ctx, hash, "pw"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Verify(ctx, "not a hash", "pw"); err != nil { // nothing computed
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if done != 2 {
		t.Errorf("Done ran %d times after 2 computations, want 2", done)
	}
}
