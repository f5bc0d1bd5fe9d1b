// Package password implements ports.PasswordHasher.
//
// New hashes are argon2id in the PHC string format
//
//	$argon2id$v=19$m=7168,t=5,p=1$<salt>$<hash>
//
// (salt and hash in unpadded standard base64). Verify also accepts the hashes
// stored by the original Python service, made by Werkzeug's
// generate_password_hash:
//
//	pbkdf2:<sha1|sha256|sha512>:<iterations>$<salt>$<hex>
//	pbkdf2:<sha1|sha256|sha512>$<salt>$<hex>   (iterations: see LegacyPBKDF2DefaultIterations)
//	scrypt:<N>:<r>:<p>$<salt>$<hex>
//
// and asks for a rehash whenever such a legacy hash, or an argon2id hash with
// other parameters than the configured ones, verifies.
//
// Every computation holds one of a fixed number of slots (Options.MaxConcurrent)
// so that a flood of logins cannot exhaust memory or CPU; a caller waiting for
// a slot gives up with a CodeUnavailable error when its context ends.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// DefaultMaxConcurrent is the number of computations allowed at once when
// Options.MaxConcurrent is zero. Each argon2id computation with Default
// params holds 7 MiB, each legacy scrypt one up to 64 MiB.
const DefaultMaxConcurrent = 2

// ErrBusy is returned (wrapping the context's error) when the context ends
// while a caller waits for a free computation slot.
var ErrBusy = domain.Errorf(domain.CodeUnavailable, "password hashing busy")

// Options configures a Hasher.
type Options struct {
	// Params are the argon2id parameters of new hashes; the zero value means
	// Default. New panics when non-zero Params fail Params.Validate.
	Params Params

	// MaxConcurrent bounds how many hash or verify computations run at
	// once; zero or less means DefaultMaxConcurrent.
	MaxConcurrent int

	// Background runs every computation on an OS thread of its own whose
	// scheduling priority is the lowest (where the system allows it; see
	// lowerThreadPriority), so that a login flood takes only the CPU that
	// requests leave: a token check that arrives meanwhile preempts the
	// hashing. It only helps when the Go scheduler has a P free for that
	// request, i.e. GOMAXPROCS above MaxConcurrent (app sees to it).
	Background bool

	// Done, when set, runs after every computation (the caller may return
	// the computation's memory to the system once they pause).
	Done func()
}

// Hasher hashes new passwords with argon2id and verifies argon2id and legacy
// Werkzeug hashes. It is safe for concurrent use.
type Hasher struct {
	params     Params
	slots      chan struct{}
	background bool
	done       func()

	// Test hooks, nil outside tests: waiting runs when a caller finds no
	// free slot and starts waiting; computing runs while a slot is held,
	// before the computation.
	waiting   func()
	computing func()
}

var _ ports.PasswordHasher = (*Hasher)(nil)

// New returns a Hasher. It panics if opts.Params is non-zero and invalid,
// which is a programming or configuration error: check Params.Validate
// first when the params come from configuration.
func New(opts Options) *Hasher {
	p := opts.Params
	if p == (Params{}) {
		p = Default
	}
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("password.New: %v", err))
	}
	n := opts.MaxConcurrent
	if n <= 0 {
		n = DefaultMaxConcurrent
	}
	return &Hasher{params: p, slots: make(chan struct{}, n), background: opts.Background, done: opts.Done}
}

// Params returns the argon2id parameters used for new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns an argon2id PHC string of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", domain.Internal(err, "reading random salt")
	}
	var key []byte
	err := h.compute(ctx, func() {
		key = argon2idKey([]byte(password), salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	})
	if err != nil {
		return "", err
	}
	return encodeArgon2id(h.params, salt, key), nil
}

// Verify reports whether password matches hash; see ports.PasswordHasher.
// A hash it cannot parse, of an unknown scheme, or with parameters beyond
// the caps (a DoS guard) gives ok=false and no error, without computing.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (ok, rehash bool, err error) {
	ph, perr := parseHash(hash)
	if perr != nil {
		return false, false, nil
	}
	var got []byte
	var kerr error
	err = h.compute(ctx, func() { got, kerr = ph.derive([]byte(password)) })
	if err != nil {
		return false, false, err
	}
	if kerr != nil {
		return false, false, domain.Internal(kerr, "deriving password key")
	}
	if subtle.ConstantTimeCompare(got, ph.want) != 1 {
		return false, false, nil
	}
	return true, ph.outdated(h.params), nil
}

// compute runs fn while holding a slot. Waiting for the slot respects ctx;
// once fn has started it runs to completion whatever ctx does.
func (h *Hasher) compute(ctx context.Context, fn func()) error {
	if err := ctx.Err(); err != nil {
		return domain.Wrap(ErrBusy, err)
	}
	select {
	case h.slots <- struct{}{}:
	default:
		if h.waiting != nil {
			h.waiting()
		}
		select {
		case h.slots <- struct{}{}:
		case <-ctx.Done():
			return domain.Wrap(ErrBusy, ctx.Err())
		}
	}
	defer func() {
		<-h.slots
		if h.done != nil {
			h.done()
		}
	}()
	if h.computing != nil {
		h.computing()
	}
	if !h.background {
		fn()
		return nil
	}
	done := make(chan struct{})
	go func() {
		// Never unlocked: when this goroutine ends, its thread, whose
		// priority it lowered, ends too rather than run other goroutines.
		runtime.LockOSThread()
		lowerThreadPriority()
		fn()
		close(done)
	}()
	<-done
	return nil
}

// parsedHash is a stored hash taken apart: want is the stored key, derive
// recomputes it from a password with the stored parameters.
type parsedHash struct {
	want     []byte
	derive   func(password []byte) ([]byte, error)
	outdated func(current Params) bool
}

// parseHash recognises every supported scheme; the error only says why a
// hash is unusable (for tests), callers treat all errors alike.
func parseHash(s string) (parsedHash, error) {
	if len(s) > maxHashLen {
		return parsedHash{}, errMalformed
	}
	if len(s) > 0 && s[0] == '$' {
		return parseArgon2id(s)
	}
	return parseWerkzeug(s)
}

// maxHashLen bounds the stored strings we even look at; the longest valid
// hash (sha512 hex with a long salt) is far shorter.
const maxHashLen = 1024
