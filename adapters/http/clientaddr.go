package http

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/seatidemc/seatide/domain"
)

// ClientAddrOptions say whom to believe about a client's address. Without
// a Header the socket peer is the client. With one (e.g. X-Forwarded-For),
// it is read only when the peer is one of TrustedProxies, and the client is
// its right-most address that is not itself a trusted proxy: every address
// left of that was written by someone we do not trust.
type ClientAddrOptions struct {
	Header         string
	TrustedProxies []netip.Prefix
}

func (o ClientAddrOptions) trusted(a netip.Addr) bool {
	for _, p := range o.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr finds the client's address of r.
func (o ClientAddrOptions) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if o.Header == "" || !o.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values(o.Header), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a hop we cannot read: trust nothing further left
		}
		a = a.Unmap()
		if !o.trusted(a) {
			return a.String()
		}
	}
	return peer.String()
}

// withClientAddr puts the client's address in the request's context, where
// the login and sign-up limits look for it.
func (s *Server) withClientAddr(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := domain.WithClientAddr(r.Context(), s.clientAddr.clientAddr(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// apiHeaders keeps every answer out of shared caches and stops browsers
// from guessing its type: answers carry tokens and account data.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
