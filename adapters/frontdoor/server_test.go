package frontdoor_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Tnze/go-mc/bot"
	"github.com/Tnze/go-mc/chat"

	"github.com/seatidemc/seatide/adapters/frontdoor"
	"github.com/seatidemc/seatide/domain"
	fd "github.com/seatidemc/seatide/domain/frontdoor"
)

// fakeRules answer from fields the test sets, and count what they are asked.
type fakeRules struct {
	status  fd.Status
	relayTo string
	message string
	joins   atomic.Int64
	pings   atomic.Int64
	names   sync.Map
}

func (r *fakeRules) Status(context.Context) fd.Status { r.pings.Add(1); return r.status }
func (r *fakeRules) Join(_ context.Context, name string) fd.Decision {
	r.joins.Add(1)
	r.names.Store(name, true)
	if r.relayTo != "" {
		return fd.Decision{RelayTo: r.relayTo}
	}
	return fd.Decision{Message: r.message}
}

// start runs a front door on loopback until the test ends.
func start(t testing.TB, rules frontdoor.Rules, change func(*frontdoor.Options)) (*frontdoor.Server, string) {
	t.Helper()
	o := frontdoor.Options{Rules: rules}
	if change != nil {
		change(&o)
	}
	srv := frontdoor.New(o)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, ln.Addr().String()
}

// helloServer is a game server that answers every login start with a login
// disconnect "hello NAME", as the simulator's does; it records the PROXY
// header it got, if any.
func helloServer(t testing.TB) (addr string, headers chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	headers = make(chan []byte, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				if sig, _ := r.Peek(12); bytes.Equal(sig, []byte("\r\n\r\n\x00\r\nQUIT\n")) {
					head := make([]byte, 16)
					io.ReadFull(r, head)
					rest := make([]byte, binary.BigEndian.Uint16(head[14:]))
					io.ReadFull(r, rest)
					headers <- append(head, rest...)
				}
				readPacket(r) // handshake
				p := readPacket(r)
				if len(p) < 2 {
					return
				}
				name := string(p[2 : 2+int(p[1])])
				writeString(c, 0x00, `{"text":"seatide-sim: hello `+name+`"}`)
				io.Copy(io.Discard, r)
			}()
		}
	}()
	return ln.Addr().String(), headers
}

func readPacket(r *bufio.Reader) []byte {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 1<<16 {
		return nil
	}
	p := make([]byte, n)
	io.ReadFull(r, p)
	return p
}

func writeString(w io.Writer, id byte, s string) {
	body := append([]byte{id}, binary.AppendUvarint(nil, uint64(len(s)))...)
	body = append(body, s...)
	w.Write(append(binary.AppendUvarint(nil, uint64(len(body))), body...))
}

// A real client (go-mc's) pings and joins.
func TestRealClient(t *testing.T) {
	hello, headers := helloServer(t)
	tests := []struct {
		name          string
		rules         *fakeRules
		proxyProtocol bool
		wantMOTD      string
		wantKick      string
	}{
		{"asleep", &fakeRules{status: fd.Status{MOTD: "§eAsleep: join to wake it"}, message: "Waking up, rejoin in about 2 minutes."},
			false, "§eAsleep: join to wake it", "Waking up, rejoin in about 2 minutes."},
		{"awake, relayed", &fakeRules{status: fd.Status{Awake: true, Server: domain.ServerStatus{Version: "1.20.2", MOTD: "§bSEATiDE", MaxPlayers: 20, OnlinePlayers: 1,
			Players: []domain.Player{{Name: "Alex", ID: "ec561538-f3fd-461d-aff5-086b22154bce"}}}}, relayTo: hello},
			false, "§bSEATiDE", "seatide-sim: hello Steve"},
		{"awake, relayed with a PROXY header", &fakeRules{status: fd.Status{Awake: true}, relayTo: hello},
			true, "", "seatide-sim: hello Steve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := start(t, tt.rules, func(o *frontdoor.Options) { o.ProxyProtocol = tt.proxyProtocol })
			resp, _, err := bot.PingAndListTimeout(addr, 5*time.Second)
			if err != nil {
				t.Fatalf("ping: %v", err)
			}
			var st struct {
				Description chat.Message
				Players     struct{ Max, Online int }
			}
			if err := json.Unmarshal(resp, &st); err != nil {
				t.Fatalf("status %s: %v", resp, err)
			}
			if st.Description.Text != tt.wantMOTD {
				t.Errorf("MOTD %q, want %q (%s)", st.Description.Text, tt.wantMOTD, resp)
			}
			c := bot.NewClient()
			c.Auth.Name = "Steve"
			err = c.JoinServer(addr)
			var kick bot.DisconnectErr
			if !errors.As(err, &kick) || chat.Message(kick).Text != tt.wantKick {
				t.Fatalf("join: %v, want a disconnect %q", err, tt.wantKick)
			}
			if tt.proxyProtocol {
				h := <-headers
				// Version 2 PROXY, TCP over IPv4, from the client's loopback port.
				if h[12] != 0x21 || h[13] != 0x11 || !bytes.Equal(h[16:20], []byte{127, 0, 0, 1}) {
					t.Errorf("PROXY header % x", h)
				}
			}
		})
	}
}

// Hostile input: each gets its connection closed (or a disconnect), never
// a panic, a wake or an allocation of what it claims.
func TestHostileInput(t *testing.T) {
	handshake := func(next byte) []byte {
		body := []byte{0x00, 0xfc, 0x05, 9}
		body = append(body, "127.0.0.1"...)
		body = append(body, 0x63, 0xdd, next)
		return append([]byte{byte(len(body))}, body...)
	}
	tests := []struct {
		name  string
		send  []byte
		hangs bool // sends nothing more: the handshake deadline ends it
	}{
		{"nothing", nil, true},
		{"half a handshake", handshake(2)[:5], true},
		{"claims 2 GiB", []byte{0xff, 0xff, 0xff, 0xff, 0x07, 0x00}, false},
		{"negative length", []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}, false},
		{"VarInt of six bytes", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, false},
		{"zero length", []byte{0x00}, false},
		{"legacy ping", []byte{0xfe, 0x01, 0xfa}, false},
		{"string longer than the packet", []byte{0x05, 0x00, 0x01, 0x7f, 'a', 'b'}, false},
		{"unknown next state", handshake(7), false},
		{"status request with a body", append(handshake(1), 0x03, 0x00, 'x', 'y'), false},
		{"oversized login start", append(handshake(2), 0xff, 0x7f), false},
		{"name of 17", append(handshake(2), append([]byte{19, 0x00, 17}, strings.Repeat("a", 17)...)...), false},
		{"name of invalid UTF-8", append(handshake(2), 0x05, 0x00, 0x03, 0xff, 0xfe, 0xfd), false},
	}
	rules := &fakeRules{relayTo: "127.0.0.1:1"}
	_, addr := start(t, rules, func(o *frontdoor.Options) { o.HandshakeTimeout = 200 * time.Millisecond; o.LoginRate = 1000 })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write(tt.send)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("the front door did not close the connection: %v", err)
			}
			if len(got) != 0 {
				t.Errorf("answered % x", got)
			}
		})
	}
	if n := rules.joins.Load(); n != 0 {
		t.Errorf("%d joins reached the rules", n)
	}
}

// A flood of pings and login starts from one address: the rules hear a
// bounded number, and nothing is left behind.
func TestFloodFromOneAddress(t *testing.T) {
	before := runtime.NumGoroutine()
	rules := &fakeRules{status: fd.Status{MOTD: "asleep"}, message: "no"}
	srv, addr := start(t, rules, nil)
	hs := func(next byte) []byte {
		body := append([]byte{0x00, 0xfc, 0x05, 1, 'x', 0x63, 0xdd}, next)
		return append([]byte{byte(len(body))}, body...)
	}
	ping := append(hs(1), 0x01, 0x00)
	login := append(hs(2), 0x07, 0x00, 0x05, 'S', 't', 'e', 'v', 'e')
	var wg sync.WaitGroup
	started := time.Now()
	for i := range 2000 {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return // the backlog may overflow under the flood
			}
			defer c.Close()
			if i%2 == 0 {
				c.Write(ping)
			} else {
				c.Write(login)
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			io.Copy(io.Discard, c)
		})
	}
	wg.Wait()
	// Defaults: 20 pings and 5 logins at once, then 10 and 1 a second.
	secs := time.Since(started).Seconds() + 1
	if p, j := float64(rules.pings.Load()), float64(rules.joins.Load()); p > 20+10*secs || j > 5+secs {
		t.Errorf("in %.1f s the rules heard %.0f pings and %.0f logins of 1000 each", secs, p, j)
	}
	srv.Close()
	for range 100 {
		if runtime.NumGoroutine() <= before+5 {
			return
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // goroutines ending after Close, not synchronisation of the test's own work
	}
	t.Errorf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
}

// Over MaxConns a connection is closed at once.
func TestMaxConns(t *testing.T) {
	_, addr := start(t, &fakeRules{}, func(o *frontdoor.Options) { o.MaxConns = 3; o.HandshakeTimeout = time.Minute })
	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte{0x10}) // part of a handshake: the front door holds it
		held = append(held, c)
	}
	// The three are accepted in order; the fourth finds no slot.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
		_, err = c.Read(make([]byte, 1))
		c.Close()
		if errors.Is(err, io.EOF) {
			break
		}
		if i > 20 {
			t.Fatalf("a fourth connection was held: %v", err)
		}
	}
	_ = held
}
