package frontdoor

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var errTooManyFiles = syscall.EMFILE

// relay dials the game server, replays what the player sent so far (the
// handshake, the login start and anything already buffered after them)
// and then copies both ways until either side ends or both stay silent
// for IdleTimeout.
func (s *Server) relay(c net.Conn, r *bufio.Reader, addr string, replay []byte) string {
	ctx, cancel := context.WithTimeout(s.base, s.o.DialTimeout)
	up, err := s.o.Dial(ctx, addr)
	cancel()
	if err != nil {
		s.o.Log.Warn("frontdoor: dialling the game server", "addr", addr, "err", err)
		s.disconnect(c, "The server did not answer; try again in a moment.")
		return "unreachable"
	}
	if !s.track(up) {
		_ = up.Close()
		return "relay"
	}
	defer s.untrack(up)
	defer up.Close()
	var head []byte
	if s.o.ProxyProtocol {
		head = proxyHeader(c.RemoteAddr(), c.LocalAddr())
	}
	head = append(head, replay...)
	if n := r.Buffered(); n > 0 {
		b, _ := r.Peek(n)
		head = append(head, b...)
		_, _ = r.Discard(n)
	}
	_ = c.SetDeadline(time.Time{})
	if err := writeIdle(up, head, s.o.IdleTimeout); err != nil {
		return "unreachable"
	}
	s.o.Observer.Relayed("up", len(replay))
	s.o.Observer.Relays(1)
	defer s.o.Observer.Relays(-1)

	// Each direction ends the other: a player who leaves closes the
	// server's side, and the other way round.
	act := &activity{}
	act.touch()
	var wg sync.WaitGroup
	wg.Go(func() {
		s.pipe(up, c, "up", act)
		_ = up.Close()
		_ = c.Close()
	})
	s.pipe(c, up, "down", act)
	_ = up.Close()
	_ = c.Close()
	wg.Wait()
	return "relay"
}

// activity is when either direction last moved a byte: a player who only
// listens is not idle while the server talks.
type activity struct{ last atomic.Int64 } // Unix nanoseconds

func (a *activity) touch() { a.last.Store(time.Now().UnixNano()) }

func (a *activity) since() time.Duration { return time.Since(time.Unix(0, a.last.Load())) }

// pipe copies src to dst with io.Copy, which between two TCP connections
// is splice(2) on Linux: the bytes never enter this process. The copy is
// cut every window (a tenth of IdleTimeout, at most 10 s) to count the
// bytes and to see whether both directions have been silent for
// IdleTimeout, which ends the relay.
func (s *Server) pipe(dst, src net.Conn, direction string, act *activity) {
	window := min(s.o.IdleTimeout/10, 10*time.Second)
	window = max(window, time.Millisecond)
	for {
		deadline := time.Now().Add(window)
		_ = src.SetReadDeadline(deadline)
		_ = dst.SetWriteDeadline(deadline.Add(s.o.IdleTimeout))
		n, err := io.Copy(dst, src)
		if n > 0 {
			act.touch()
			s.o.Observer.Relayed(direction, int(n))
		}
		var ne net.Error
		switch {
		case err == nil: // src ended
			return
		case errors.As(err, &ne) && ne.Timeout() && act.since() < s.o.IdleTimeout:
			continue // a window ended; one side or the other is still talking
		default:
			return
		}
	}
}

func writeIdle(c net.Conn, b []byte, idle time.Duration) error {
	_ = c.SetWriteDeadline(time.Now().Add(idle))
	_, err := c.Write(b)
	return err
}

// proxySignature starts every PROXY protocol v2 header (haproxy's
// proxy-protocol.txt, section 2.2).
var proxySignature = []byte("\r\n\r\n\x00\r\nQUIT\n")

// proxyHeader is a PROXY protocol v2 header for a TCP connection from src
// to dst: version 2, command PROXY, TCP over IPv4 or IPv6 (both as IPv6
// when the families differ), no TLVs.
func proxyHeader(src, dst net.Addr) []byte {
	s, _ := netip.ParseAddrPort(src.String())
	d, _ := netip.ParseAddrPort(dst.String())
	sa, da := s.Addr().Unmap(), d.Addr().Unmap()
	h := append([]byte(nil), proxySignature...)
	h = append(h, 0x21) // version 2, PROXY
	if sa.Is4() && da.Is4() {
		h = append(h, 0x11)                      // AF_INET, STREAM
		h = binary.BigEndian.AppendUint16(h, 12) // two addresses and two ports
		a, b := sa.As4(), da.As4()
		h = append(append(h, a[:]...), b[:]...)
	} else {
		h = append(h, 0x21) // AF_INET6, STREAM
		h = binary.BigEndian.AppendUint16(h, 36)
		a, b := sa.As16(), da.As16()
		h = append(append(h, a[:]...), b[:]...)
	}
	h = binary.BigEndian.AppendUint16(h, s.Port())
	return binary.BigEndian.AppendUint16(h, d.Port())
}
