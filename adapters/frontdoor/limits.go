package frontdoor

import (
	"net/netip"
	"sync"

	"golang.org/x/time/rate"
)

// addrLimits bounds status pings and login starts per client address with
// token buckets (golang.org/x/time/rate, the Go team's limiter). The table
// is bounded: when it holds maxAddrs addresses it starts afresh, which
// can only give a flood from very many addresses fresh buckets, while
// MaxConns still bounds what they hold.
type addrLimits struct {
	statusRate, loginRate   rate.Limit
	statusBurst, loginBurst int

	mu    sync.Mutex
	addrs map[netip.Addr]*addrLimit
}

type addrLimit struct{ status, login *rate.Limiter }

const maxAddrs = 10000

func newAddrLimits(statusRate float64, statusBurst int, loginRate float64, loginBurst int) *addrLimits {
	return &addrLimits{statusRate: rate.Limit(statusRate), statusBurst: max(statusBurst, 1),
		loginRate: rate.Limit(loginRate), loginBurst: max(loginBurst, 1), addrs: map[netip.Addr]*addrLimit{}}
}

func (l *addrLimits) get(a netip.Addr) *addrLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	al, ok := l.addrs[a]
	if !ok {
		if len(l.addrs) >= maxAddrs {
			clear(l.addrs)
		}
		al = &addrLimit{status: rate.NewLimiter(l.statusRate, l.statusBurst), login: rate.NewLimiter(l.loginRate, l.loginBurst)}
		l.addrs[a] = al
	}
	return al
}

func (l *addrLimits) allowStatus(a netip.Addr) bool { return l.get(a).status.Allow() }
func (l *addrLimits) allowLogin(a netip.Addr) bool  { return l.get(a).login.Allow() }
