package password

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// LegacyPBKDF2DefaultIterations is the iteration count assumed for a
// Werkzeug hash written without one ("pbkdf2:sha256$salt$hex"). Werkzeug
// never wrote that form itself (it always records the count it used), but
// check_password_hash accepts it and then uses its own
// DEFAULT_PBKDF2_ITERATIONS: 150000 in Werkzeug 0.15–1.0, 260000 from 2.0.0
// (CHANGES.rst: "Increase PBKDF2 iterations to 260000 from 150000", pr 1935)
// through 2.2.x, 600000 from 2.3. The original service ran Werkzeug 2.2.2,
// so such a hash, had one been stored, verified there with 260000.
const LegacyPBKDF2DefaultIterations = 260000

// Caps on legacy parameters (DoS guard); beyond them a hash is treated as
// unparseable. Werkzeug's own defaults are far below: pbkdf2 at most 1e6
// iterations (3.1), scrypt N=2^15, r=8, p=1 (32 MiB).
const (
	MaxPBKDF2Iterations = 2_000_000
	MaxScryptMemory     = 64 << 20 // bytes, 128·N·r
	maxScryptWork       = 1 << 22  // N·r·p, 16 times Werkzeug's default
	maxLegacySaltLen    = 256
	scryptKeyLen        = 64 // hashlib.scrypt's default dklen, used by Werkzeug
)

var pbkdf2Hashes = map[string]func() hash.Hash{
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha512": sha512.New,
}

// parseWerkzeug takes apart "method$salt$hex". The salt is used as its
// (UTF-8) bytes, as Werkzeug does, and the password as UTF-8.
func parseWerkzeug(s string) (parsedHash, error) {
	method, rest, ok := strings.Cut(s, "$")
	if !ok {
		return parsedHash{}, errMalformed
	}
	salt, hexKey, ok := strings.Cut(rest, "$")
	if !ok || salt == "" || len(salt) > maxLegacySaltLen {
		return parsedHash{}, errMalformed
	}
	want, err := hex.DecodeString(hexKey)
	if err != nil || len(want) == 0 {
		return parsedHash{}, errMalformed
	}
	legacy := func(Params) bool { return true }

	args := strings.Split(method, ":")
	switch args[0] {
	case "pbkdf2":
		if len(args) != 2 && len(args) != 3 {
			return parsedHash{}, errMalformed
		}
		newHash, ok := pbkdf2Hashes[args[1]]
		if !ok {
			return parsedHash{}, errMalformed
		}
		iter := uint64(LegacyPBKDF2DefaultIterations)
		if len(args) == 3 {
			if iter, err = parseDecimal(args[2], MaxPBKDF2Iterations); err != nil || iter == 0 {
				return parsedHash{}, errMalformed
			}
		}
		if len(want) != newHash().Size() {
			return parsedHash{}, errMalformed
		}
		return parsedHash{
			want: want,
			derive: func(password []byte) ([]byte, error) {
				return pbkdf2.Key(newHash, string(password), []byte(salt), int(iter), len(want))
			},
			outdated: legacy,
		}, nil

	case "scrypt":
		if len(args) != 4 || len(want) != scryptKeyLen {
			return parsedHash{}, errMalformed
		}
		var v [3]uint64
		for i := range v {
			if v[i], err = parseDecimal(args[i+1], MaxScryptMemory); err != nil || v[i] == 0 {
				return parsedHash{}, errMalformed
			}
		}
		n, r, p := v[0], v[1], v[2]
		if n < 2 || n&(n-1) != 0 || 128*n*r > MaxScryptMemory || n*r*p > maxScryptWork {
			return parsedHash{}, errMalformed
		}
		return parsedHash{
			want: want,
			derive: func(password []byte) ([]byte, error) {
				return scrypt.Key(password, []byte(salt), int(n), int(r), int(p), scryptKeyLen)
			},
			outdated: legacy,
		}, nil
	}
	return parsedHash{}, errMalformed
}
