package alidns_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seatidemc/seatide/adapters/alidns"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

func startSim(t *testing.T) *ecssim.Server {
	t.Helper()
	srv, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true, DNSDomains: []string{"example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func config(srv *ecssim.Server) alidns.Config {
	id, secret := srv.Credentials()
	return alidns.Config{AccessKeyID: id, AccessKeySecret: secret, RegionID: srv.RegionID(), Endpoint: srv.Addr,
		Protocol: "http", Domain: "example.com", RR: "mc", Records: []string{"A", "SRV"}, TTL: 600}
}

// The official SDK against the simulator's Alidns, signatures checked.
func TestDNSRecords(t *testing.T) {
	portstest.RunDNSRecordsTests(t, func(t *testing.T) (ports.DNSRecords, portstest.DNSView) {
		srv := startSim(t)
		recs, err := alidns.New(config(srv))
		if err != nil {
			t.Fatal(err)
		}
		return recs, func(rr, typ string) (string, int, int, bool) {
			for _, r := range srv.DNSRecords() {
				if r.RR == rr && r.Type == typ {
					return r.Value, r.TTL, r.Updates, true
				}
			}
			return "", 0, 0, false
		}
	})
}

func TestRefusals(t *testing.T) {
	srv := startSim(t)
	target := ports.DNSTarget{IP: "203.0.113.1", Port: 25565}
	tests := []struct {
		name   string
		change func(c *alidns.Config)
		code   domain.Code
	}{
		{"a wrong secret", func(c *alidns.Config) { c.AccessKeySecret = "wrong" }, domain.CodeUnauthenticated},
		{"a domain not in the account", func(c *alidns.Config) { c.Domain = "example.org" }, domain.CodeInternal},
		{"a TTL below the free edition's 600 s", func(c *alidns.Config) { c.TTL = 60 }, domain.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(srv)
			tt.change(&cfg)
			recs, err := alidns.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = recs.Point(context.Background(), target)
			if domain.ErrorCode(err) != tt.code {
				t.Fatalf("%v, want code %s", err, tt.code)
			}
		})
	}
	if _, err := alidns.New(alidns.Config{}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("an empty config: %v", err)
	}
	if n := len(srv.DNSRecords()); n != 0 {
		t.Fatalf("%d records written by refused calls", n)
	}
}
