package jwt

import (
	"sync"

	"github.com/seatidemc/seatide/domain"
)

// verified remembers tokens whose signature and claims checked out, so a
// client's repeated checks (the web UI asks on every page) skip the HMAC
// and the JSON parsing. Only the exact token string that was verified
// hits, and times are checked again on every hit; revocation is the
// user service's business (it compares the version claim on every
// request), so remembering a verification never outlives a revoked user.
type verified struct {
	max int

	mu sync.RWMutex
	m  map[string]domain.TokenClaims
}

func newVerified(max int) *verified {
	return &verified{max: max, m: make(map[string]domain.TokenClaims)}
}

func (v *verified) get(token string) (domain.TokenClaims, bool) {
	if v == nil {
		return domain.TokenClaims{}, false
	}
	v.mu.RLock()
	c, ok := v.m[token]
	v.mu.RUnlock()
	return c, ok
}

func (v *verified) put(token string, c domain.TokenClaims) {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.m) >= v.max {
		// Forget an arbitrary eighth (map order is random): cheap, and a
		// forgotten token is only verified again.
		n := v.max/8 + 1
		for k := range v.m {
			delete(v.m, k)
			if n--; n == 0 {
				break
			}
		}
	}
	v.m[token] = c
}
