package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// Default is one of OWASP's equivalent argon2id minimums (Password Storage
// Cheat Sheet: m=19 MiB t=2, m=12 MiB t=3, m=9 MiB t=4, m=7 MiB t=5, all
// p=1): the one with the least memory, 7 MiB and 5 passes, with a 16-byte
// salt and a 32-byte key. Its CPU cost is about that of 19 MiB t=2 (the
// work is memory times passes), but two logins at once hold 14 MiB, not 38,
// so a login flood can use both cores within the memory limit.
var Default = Params{Memory: 7168, Time: 5, Threads: 1, SaltLen: 16, KeyLen: 32}

// Previous are the defaults of earlier releases (m=19 MiB t=2): hashes made
// with them keep verifying and are rehashed with Default at login.
var Previous = Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Caps on argon2id parameters, for configured params and stored hashes
// alike: a stored hash beyond them is treated as unparseable rather than
// computed (a corrupt or planted hash must not cost gigabytes or minutes).
const (
	MaxArgon2Memory  = 256 * 1024 // KiB, i.e. 256 MiB
	MaxArgon2Time    = 16
	MaxArgon2Threads = 16
	minArgon2SaltLen = 8
	maxArgon2SaltLen = 64
	minArgon2KeyLen  = 16
	maxArgon2KeyLen  = 64
)

var errMalformed = errors.New("malformed hash")

// Validate checks p against the caps and argon2's own rules.
func (p Params) Validate() error {
	switch {
	case p.Time < 1 || p.Time > MaxArgon2Time:
		return fmt.Errorf("argon2id time %d outside 1..%d", p.Time, MaxArgon2Time)
	case p.Threads < 1 || p.Threads > MaxArgon2Threads:
		return fmt.Errorf("argon2id threads %d outside 1..%d", p.Threads, MaxArgon2Threads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > MaxArgon2Memory:
		return fmt.Errorf("argon2id memory %d KiB outside %d..%d", p.Memory, 8*uint32(p.Threads), MaxArgon2Memory)
	case p.SaltLen < minArgon2SaltLen || p.SaltLen > maxArgon2SaltLen:
		return fmt.Errorf("argon2id salt length %d outside %d..%d", p.SaltLen, minArgon2SaltLen, maxArgon2SaltLen)
	case p.KeyLen < minArgon2KeyLen || p.KeyLen > maxArgon2KeyLen:
		return fmt.Errorf("argon2id key length %d outside %d..%d", p.KeyLen, minArgon2KeyLen, maxArgon2KeyLen)
	}
	return nil
}

var argon2idKey = argon2.IDKey

var b64 = base64.RawStdEncoding.Strict()

func encodeArgon2id(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parseArgon2id accepts exactly the canonical form written by libargon2 and
// by encodeArgon2id: version 19, parameters in the order m,t,p, decimal
// without leading zeros, unpadded base64. Anything else is malformed.
func parseArgon2id(s string) (parsedHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return parsedHash{}, errMalformed
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return parsedHash{}, errMalformed
	}
	var nums [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok {
			return parsedHash{}, errMalformed
		}
		n, err := parseDecimal(v, MaxArgon2Memory)
		if err != nil {
			return parsedHash{}, err
		}
		nums[i] = n
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return parsedHash{}, errMalformed
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return parsedHash{}, errMalformed
	}
	if nums[2] > MaxArgon2Threads {
		return parsedHash{}, errMalformed
	}
	p := Params{
		Memory:  uint32(nums[0]),
		Time:    uint32(nums[1]),
		Threads: uint8(nums[2]),
		SaltLen: uint32(len(salt)),
		KeyLen:  uint32(len(key)),
	}
	if err := p.Validate(); err != nil {
		return parsedHash{}, err
	}
	return parsedHash{
		want: key,
		derive: func(password []byte) ([]byte, error) {
			return argon2idKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
		},
		outdated: func(current Params) bool { return p != current },
	}, nil
}

// parseDecimal parses a non-negative decimal without sign or leading zeros,
// at most max.
func parseDecimal(s string, max uint64) (uint64, error) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, errMalformed
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errMalformed
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, fmt.Errorf("%w: %q out of range", errMalformed, s)
	}
	return n, nil
}
