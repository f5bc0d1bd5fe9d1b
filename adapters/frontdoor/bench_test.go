package frontdoor_test

import (
	"io"
	"net"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/frontdoor"
	fd "github.com/seatidemc/seatide/domain/frontdoor"
)

// echoServer echoes every byte back, the replayed handshake included.
func echoServer(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

var loginStart = func() []byte {
	hs := []byte{0x00, 0xfc, 0x05, 1, 'x', 0x63, 0xdd, 0x02}
	p := append([]byte{byte(len(hs))}, hs...)
	return append(p, 0x07, 0x00, 0x05, 'S', 't', 'e', 'v', 'e')
}()

// relayed opens a connection through the front door to the echo server and
// reads back the replayed handshake.
func relayed(b *testing.B, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	c.Write(loginStart)
	if _, err := io.ReadFull(c, make([]byte, len(loginStart))); err != nil {
		b.Fatal(err)
	}
	return c
}

func direct(b *testing.B, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func roundTrips(b *testing.B, c net.Conn, n, size int) time.Duration {
	buf := make([]byte, size)
	started := time.Now()
	for range n {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(started)
}

// BenchmarkRelayLatency: a 64-byte round trip relayed, and the ratio to
// the same round trip made directly in the same run.
func BenchmarkRelayLatency(b *testing.B) {
	echo := echoServer(b)
	_, addr := start(b, &fakeRules{relayTo: echo}, func(o *frontdoor.Options) { o.LoginRate, o.LoginBurst = 1e6, 1e6 })
	d, r := direct(b, echo), relayed(b, addr)
	defer d.Close()
	defer r.Close()
	b.ResetTimer()
	rt := roundTrips(b, r, b.N, 64)
	b.StopTimer()
	dt := roundTrips(b, d, b.N, 64)
	b.ReportMetric(float64(rt.Nanoseconds())/float64(b.N), "relayed-ns/rtt")
	b.ReportMetric(float64(dt.Nanoseconds())/float64(b.N), "direct-ns/rtt")
	b.ReportMetric(float64(rt)/float64(dt), "latency-ratio")
}

// BenchmarkRelayThroughput: 64 KiB echoed through the relay per op, and
// the ratio of direct to relayed throughput in the same run.
func BenchmarkRelayThroughput(b *testing.B) {
	const size = 64 << 10
	echo := echoServer(b)
	_, addr := start(b, &fakeRules{relayTo: echo}, func(o *frontdoor.Options) { o.LoginRate, o.LoginBurst = 1e6, 1e6 })
	d, r := direct(b, echo), relayed(b, addr)
	defer d.Close()
	defer r.Close()
	b.SetBytes(size)
	b.ResetTimer()
	rt := roundTrips(b, r, b.N, size)
	b.StopTimer()
	dt := roundTrips(b, d, b.N, size)
	b.ReportMetric(float64(dt)/float64(rt), "throughput-ratio")
}

// BenchmarkStatus: one status ping, on a connection of its own.
func BenchmarkStatus(b *testing.B) {
	_, addr := start(b, &fakeRules{status: fd.Status{MOTD: "§6seatide §7- §eAsleep"}},
		func(o *frontdoor.Options) { o.StatusRate, o.StatusBurst = 1e6, 1e6 })
	ping := append(append([]byte(nil), loginStart[:9]...), 0x01, 0x00)
	ping[8] = 0x01 // next state: status
	buf := make([]byte, 512)
	b.ResetTimer()
	for range b.N {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		c.Write(ping)
		if _, err := c.Read(buf); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkIdleRelayMemory: the heap and stacks one idle relayed
// connection holds (both goroutines and buffers), over 500 of them.
func BenchmarkIdleRelayMemory(b *testing.B) {
	const n = 500
	echo := echoServer(b)
	_, addr := start(b, &fakeRules{relayTo: echo}, func(o *frontdoor.Options) { o.LoginRate, o.LoginBurst = 1e6, 1e6 })
	// Measured once per run: b.N only repeats the report.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = relayed(b, addr)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	// The echo server and the client sides live in this process too: the
	// figure is an upper bound of the relay's own share.
	perConn := float64((after.HeapInuse+after.StackInuse)-(before.HeapInuse+before.StackInuse)) / n
	for _, c := range conns {
		c.Close()
	}
	for range b.N {
	}
	b.ReportMetric(perConn, "bytes/idle-relay")
}

// BenchmarkStatusAt1000PerSecond: status pings sent at 1,000 a second from
// one address (the per-address limit raised), each on its own connection;
// reports the 99th percentile from dial to answer.
func BenchmarkStatusAt1000PerSecond(b *testing.B) {
	_, addr := start(b, &fakeRules{status: fd.Status{MOTD: "§6seatide §7- §eAsleep"}},
		func(o *frontdoor.Options) { o.StatusRate, o.StatusBurst = 1e6, 1e6 })
	ping := append(append([]byte(nil), loginStart[:9]...), 0x01, 0x00)
	ping[8] = 0x01
	lat := make([]time.Duration, b.N)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		wg.Go(func() {
			started := time.Now()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				lat[i] = time.Hour // counted as a failure in the tail
				return
			}
			defer c.Close()
			c.Write(ping)
			if _, err := c.Read(make([]byte, 512)); err != nil {
				lat[i] = time.Hour
				return
			}
			lat[i] = time.Since(started)
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
