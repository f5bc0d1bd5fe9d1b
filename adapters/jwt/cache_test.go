package jwt

import (
	"fmt"
	"testing"

	"github.com/seatidemc/seatide/domain"
)

func TestVerifiedIsBounded(t *testing.T) {
	v := newVerified(64)
	for i := range 1000 {
		v.put(fmt.Sprint(i), domain.TokenClaims{Subject: fmt.Sprint(i)})
		if n := len(v.m); n > 64 {
			t.Fatalf("%d entries after %d puts, max 64", n, i+1)
		}
	}
	if c, ok := v.get("999"); !ok || c.Subject != "999" {
		t.Fatalf("the newest entry is gone: %+v %v", c, ok)
	}
	var off *verified
	off.put("x", domain.TokenClaims{})
	if _, ok := off.get("x"); ok {
		t.Fatal("a nil cache remembered")
	}
}
