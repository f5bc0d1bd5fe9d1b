package portstest

import (
	"context"
	"testing"

	"github.com/seatidemc/seatide/ports"
)

// DNSView reads a record the way the DNS service keeps it: its value, TTL
// and how many times it was rewritten after being added (ok false when
// absent).
type DNSView func(rr, typ string) (value string, ttl, updates int, ok bool)

// RunDNSRecordsTests runs the ports.DNSRecords contract on records that
// keep the A and SRV records of rr "mc" in example.com with a TTL of 600.
func RunDNSRecordsTests(t *testing.T, newRecords func(t *testing.T) (ports.DNSRecords, DNSView)) {
	t.Helper()
	t.Run("FollowsTheTarget", func(t *testing.T) {
		t.Parallel()
		recs, view := newRecords(t)
		ctx := context.Background()
		steps := []struct {
			target       ports.DNSTarget
			a, srv       string
			aUpdates     int
			wantWritesOK bool
		}{
			{ports.DNSTarget{IP: "203.0.113.1", Port: 25565}, "203.0.113.1", "1 1 25565 mc.example.com", 0, true},
			{ports.DNSTarget{IP: "203.0.113.1", Port: 25565}, "203.0.113.1", "1 1 25565 mc.example.com", 0, true}, // unchanged: no write
			{ports.DNSTarget{IP: "198.51.100.7", Port: 25565}, "198.51.100.7", "1 1 25565 mc.example.com", 1, true},
			{ports.DNSTarget{IP: "203.0.113.1", Port: 25566}, "203.0.113.1", "1 1 25566 mc.example.com", 2, true},
		}
		for i, st := range steps {
			if err := recs.Point(ctx, st.target); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			a, ttl, updates, ok := view("mc", "A")
			if !ok || a != st.a || ttl != 600 || updates != st.aUpdates {
				t.Fatalf("step %d: A %q ttl %d updates %d (present %v), want %q, 600, %d", i, a, ttl, updates, ok, st.a, st.aUpdates)
			}
			if srv, _, _, ok := view("_minecraft._tcp.mc", "SRV"); !ok || srv != st.srv {
				t.Fatalf("step %d: SRV %q (present %v), want %q", i, srv, ok, st.srv)
			}
		}
	})
}
