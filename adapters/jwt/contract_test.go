package jwt_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/jwt"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestContract(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cache int
	}{{"remembering", 0}, {"tiny cache", 1}, {"no cache", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			portstest.RunTokenServiceTests(t, func(t *testing.T, clock ports.Clock) ports.TokenService {
				s, err := jwt.New(jwt.Options{Secret: []byte("contract-secret-0123456789abcdef"), Clock: clock, CacheSize: tc.cache})
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}
