// Package frontdoor is the front door's Minecraft (Java edition) listener:
// it answers status pings and login starts itself and relays the logins of
// an awake server to it as a plain TCP stream, the handshake and login
// start replayed, optionally behind a PROXY protocol v2 header. What to
// answer and whom to wake are the domain's rules (domain/frontdoor); this
// package only speaks the protocol, with a bound on everything a stranger
// can make it hold: connections, bytes per packet, time per handshake,
// logins and pings per address.
package frontdoor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	fd "github.com/seatidemc/seatide/domain/frontdoor"
)

// Rules decide what players are told; *fd.Service provides them.
type Rules interface {
	Status(ctx context.Context) fd.Status
	Join(ctx context.Context, name string) fd.Decision
}

// Observer hears what the listener does, for metrics; it must not block.
type Observer interface {
	// Handled reports how one connection's front-door part ended: status,
	// disconnect, relay, full (over MaxConns), limited (an address over its
	// rate), malformed, timeout (the handshake did not finish in time) or
	// unreachable (the game server could not be dialled).
	Handled(outcome string)
	// Relayed reports bytes relayed: direction "up" (player to server) or
	// "down".
	Relayed(direction string, n int)
	// Relays reports a relayed connection opening (+1) or closing (-1).
	Relays(delta int)
}

type nopObserver struct{}

func (nopObserver) Handled(string)      {}
func (nopObserver) Relayed(string, int) {}
func (nopObserver) Relays(int)          {}

// Options configure a Server; zero values take the defaults.
type Options struct {
	Rules Rules
	// MaxConns bounds connections open at once, relayed ones included
	// (default 1024); more are closed at once.
	MaxConns int
	// HandshakeTimeout bounds everything before a relay or a disconnect:
	// handshake, status exchange or login start (default 5s).
	HandshakeTimeout time.Duration
	// IdleTimeout ends a relayed connection when neither side has sent
	// anything for this long (default 2m; Minecraft sends a keep-alive
	// every 15 s).
	IdleTimeout time.Duration
	// DialTimeout bounds dialling the game server (default 5s).
	DialTimeout time.Duration
	// ProxyProtocol sends a PROXY protocol v2 header before the replayed
	// handshake, so the game server sees the player's address.
	ProxyProtocol bool
	// StatusRate and LoginRate bound status pings and login starts per
	// second from one address, with bursts of StatusBurst and LoginBurst
	// (defaults 10/20 and 1/5); over them a connection is closed.
	StatusRate, LoginRate   float64
	StatusBurst, LoginBurst int
	Observer                Observer
	Log                     *slog.Logger
	// Dial reaches the game server (default a net.Dialer).
	Dial func(ctx context.Context, address string) (net.Conn, error)
}

// Server is one front door listener.
type Server struct {
	o      Options
	slots  chan struct{}
	limits *addrLimits
	base   context.Context
	stop   context.CancelFunc

	mu     sync.Mutex
	closed bool
	lns    map[net.Listener]struct{}
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// New returns a Server; call Serve.
func New(o Options) *Server {
	if o.MaxConns <= 0 {
		o.MaxConns = 1024
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 5 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.StatusRate <= 0 {
		o.StatusRate, o.StatusBurst = 10, 20
	}
	if o.LoginRate <= 0 {
		o.LoginRate, o.LoginBurst = 1, 5
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Dial == nil {
		d := &net.Dialer{Timeout: o.DialTimeout}
		o.Dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
	}
	base, stop := context.WithCancel(context.Background())
	return &Server{o: o, slots: make(chan struct{}, o.MaxConns), base: base, stop: stop,
		limits: newAddrLimits(o.StatusRate, o.StatusBurst, o.LoginRate, o.LoginBurst),
		lns:    map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{}}
}

// Serve accepts on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTooManyFiles) {
				// Out of file descriptors and the like: back off as
				// net/http does rather than spin.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		select {
		case s.slots <- struct{}{}:
		default:
			_ = c.Close()
			s.o.Observer.Handled("full")
			continue
		}
		if !s.track(c) {
			<-s.slots
			_ = c.Close()
			return nil
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.slots }()
			defer s.untrack(c)
			defer c.Close()
			s.o.Observer.Handled(s.handle(c))
		}()
	}
}

// Close stops every listener and ends every connection, relayed ones
// included, and waits for their goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.lns {
		_ = ln.Close()
	}
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.stop()
	s.wg.Wait()
	return nil
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// handle serves one connection and says how it ended.
func (s *Server) handle(c net.Conn) string {
	_ = c.SetDeadline(time.Now().Add(s.o.HandshakeTimeout))
	r := bufio.NewReaderSize(c, 512)
	body, hsRaw, err := readFrame(r, maxHandshake)
	if err != nil {
		return failure(err)
	}
	hs, err := parseHandshake(body)
	if err != nil {
		return "malformed"
	}
	addr := remoteAddr(c)
	if hs.Next == nextStatus {
		if !s.limits.allowStatus(addr) {
			return "limited"
		}
		return s.status(c, r, hs)
	}
	if !s.limits.allowLogin(addr) {
		return "limited"
	}
	body, loginRaw, err := readFrame(r, maxLoginStart)
	if err != nil {
		return failure(err)
	}
	name, err := parseLoginStart(body)
	if err != nil {
		return "malformed"
	}
	ctx, cancel := context.WithTimeout(s.base, s.o.HandshakeTimeout+10*time.Second)
	d := s.o.Rules.Join(ctx, name)
	cancel()
	if d.RelayTo == "" {
		s.disconnect(c, d.Message)
		return "disconnect"
	}
	return s.relay(c, r, d.RelayTo, append(hsRaw, loginRaw...))
}

// failure names a read that ended a connection.
func failure(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "malformed"
}

// status answers a status request from the rules, then a ping.
func (s *Server) status(c net.Conn, r *bufio.Reader, hs handshake) string {
	body, _, err := readFrame(r, maxStatusPacket)
	if err != nil {
		return failure(err)
	}
	if len(body) != 1 || body[0] != 0x00 {
		return "malformed"
	}
	ctx, cancel := context.WithTimeout(s.base, s.o.HandshakeTimeout+10*time.Second)
	st := s.o.Rules.Status(ctx)
	cancel()
	out, err := stringPacket(0x00, string(statusJSON(st, hs.Protocol)))
	if err != nil {
		return "malformed"
	}
	if _, err := c.Write(out); err != nil {
		return failure(err)
	}
	// The ping: echo its 8 bytes. A client may also just leave.
	body, raw, err := readFrame(r, maxStatusPacket)
	if err == nil && len(body) == 9 && body[0] == 0x01 {
		_, _ = c.Write(raw)
	}
	return "status"
}

// statusBody is a status response. The protocol is the client's own: the
// front door speaks every version's status, and the game server itself
// judges versions at login.
type statusBody struct {
	Version struct {
		Name     string `json:"name"`
		Protocol int    `json:"protocol"`
	} `json:"version"`
	Players struct {
		Max    int          `json:"max"`
		Online int          `json:"online"`
		Sample []playerJSON `json:"sample,omitempty"`
	} `json:"players"`
	Description struct {
		Text string `json:"text"`
	} `json:"description"`
}

type playerJSON struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

func statusJSON(st fd.Status, protocol int) []byte {
	var b statusBody
	b.Version.Protocol = protocol
	if st.Awake {
		b.Version.Name = st.Server.Version
		b.Players.Max, b.Players.Online = st.Server.MaxPlayers, st.Server.OnlinePlayers
		for _, p := range st.Server.Players {
			b.Players.Sample = append(b.Players.Sample, playerJSON{Name: p.Name, ID: p.ID})
		}
		b.Description.Text = st.Server.MOTD
	} else {
		b.Version.Name = "seatide"
		b.Players.Max = st.MaxPlayers
		b.Description.Text = st.MOTD
	}
	out, _ := json.Marshal(b)
	return out
}

// disconnect sends a login disconnect: a JSON text component, even on
// versions whose play state moved to NBT.
func (s *Server) disconnect(c net.Conn, message string) {
	reason, _ := json.Marshal(struct {
		Text string `json:"text"`
	}{message})
	if out, err := stringPacket(0x00, string(reason)); err == nil {
		_, _ = c.Write(out)
	}
}

func remoteAddr(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}
