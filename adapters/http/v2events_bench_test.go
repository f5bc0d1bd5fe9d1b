package http

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// rawStream is an SSE reader on a bare connection with a small buffer, so
// that what the benchmark measures per client is mostly the server's.
type rawStream struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialStream(tb testing.TB, addr string) *rawStream {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	if _, err := fmt.Fprintf(conn, "GET /api/v2/events HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer member\r\n\r\n"); err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReaderSize(conn, 1024)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		tb.Fatalf("%v %v", resp, err)
	}
	s := &rawStream{conn: conn, r: bufio.NewReaderSize(resp.Body, 512)}
	if line, err := s.r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		tb.Fatalf("preamble %q %v", line, err)
	}
	return s
}

// nextID reads up to the next id: line and returns the id.
func (s *rawStream) nextID() (int64, error) {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return 0, err
		}
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
}

// BenchmarkEventStreamFanOut1000 sends each event to 1,000 SSE readers on
// loopback (one of which never reads) and reports the 99th percentile of
// emit-to-read latency and the heap each connected reader costs. Every
// reader must get every event, in order.
func BenchmarkEventStreamFanOut1000(b *testing.B) {
	const readers = 1000
	f := newEventsFixture(b, 1024)
	addr := strings.TrimPrefix(f.srv.URL, "http://")

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	streams := make([]*rawStream, readers-1)
	for i := range streams {
		streams[i] = dialStream(b, addr)
	}
	_ = dialStream(b, addr) // connected, never read
	runtime.GC()
	runtime.ReadMemStats(&after)

	var (
		mu      sync.Mutex
		sentAt  []time.Time // by event id - 1
		lat     []time.Duration
		arrived = make(chan struct{}, readers)
	)
	var wg sync.WaitGroup
	for _, s := range streams {
		wg.Go(func() {
			want := int64(1)
			for {
				id, err := s.nextID()
				if err != nil {
					return // the benchmark ended and closed the connection
				}
				now := time.Now()
				if id != want {
					b.Errorf("got event %d, want %d", id, want)
					return
				}
				want++
				mu.Lock()
				lat = append(lat, now.Sub(sentAt[id-1]))
				mu.Unlock()
				arrived <- struct{}{}
			}
		})
	}
	b.ResetTimer()
	for i := range b.N {
		mu.Lock()
		sentAt = append(sentAt, time.Now())
		mu.Unlock()
		f.emit(domain.EventPlayerJoined, "p"+strconv.Itoa(i))
		for range readers - 1 {
			<-arrived
		}
	}
	b.StopTimer()
	for _, s := range streams {
		s.conn.Close()
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/readers, "heap-bytes/client")
}
