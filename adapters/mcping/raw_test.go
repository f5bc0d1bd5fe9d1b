package mcping_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/mcping"
	"github.com/seatidemc/seatide/domain"
)

// rawServer accepts one connection, reads the handshake and the status
// request, tells read, writes answer and closes (hold keeps it open until
// the test ends instead).
func rawServer(t *testing.T, answer []byte, hold bool) (port int, read <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	gotRequest := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for range 2 { // handshake, status request
			n, err := readVarInt(r)
			if err != nil || n < 0 || n > 1024 {
				return
			}
			if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
				return
			}
		}
		close(gotRequest)
		_, _ = c.Write(answer)
		if hold {
			_, _ = io.Copy(io.Discard, r) // until the client hangs up
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, gotRequest
}

func readVarInt(r io.ByteReader) (int, error) {
	var v uint32
	for i := range 5 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		v |= uint32(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return int(int32(v)), nil
		}
	}
	return 0, errors.New("too long")
}

func varInt(v int) []byte {
	var b []byte
	u := uint32(int32(v))
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// statusPacket frames a status response carrying s.
func statusPacket(s string) []byte {
	body := append([]byte{0x00}, varInt(len(s))...)
	body = append(body, s...)
	return append(varInt(len(body)), body...)
}

func probe(t *testing.T, answer []byte) (domain.ServerStatus, error) {
	t.Helper()
	port, _ := rawServer(t, answer, false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return mcping.New(mcping.Options{}).Status(ctx, "127.0.0.1", port)
}

func TestMalformedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer []byte
	}{
		{"nothing", nil},
		{"huge packet length", []byte{0xff, 0xff, 0xff, 0xff, 0x07, 0x00}},
		{"negative packet length", []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"VarInt too long", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"negative string length", []byte{0x0a, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0}},
		{"string longer than the packet", []byte{0x04, 0x00, 0x7f, '{', '}'}},
		{"truncated packet", []byte{0x20, 0x00, 0x1e, '{'}},
		{"wrong packet id", append([]byte{0x03, 0x05}, 0x01, '{')},
		{"not JSON", statusPacket("<html>")},
		{"JSON without players", statusPacket(`{"description":"hi"}`)},
		{"players of the wrong type", statusPacket(`{"players":{"max":"many"}}`)},
		{"HTTP", []byte("HTTP/1.1 400 Bad Request\r\n\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := probe(t, tc.answer)
			if !errors.Is(err, domain.ErrServerSilent) {
				t.Fatalf("want ErrServerSilent, got %v, %+v", err, st)
			}
		})
	}
}

func TestAnswerShapes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status any
		want   domain.ServerStatus
	}{
		{"chat component with extra and colours", map[string]any{
			"version": map[string]any{"name": "Paper 1.20.4", "protocol": 765},
			"players": map[string]any{"max": 50, "online": 0},
			"description": map[string]any{"text": "", "extra": []any{
				map[string]any{"text": "Sea", "color": "gold"}, map[string]any{"text": "tide", "color": "aqua"}}},
		}, domain.ServerStatus{Version: "Paper 1.20.4", MaxPlayers: 50, MOTD: "§6Sea§btide"}},
		{"legacy string description, FML1 modinfo", map[string]any{
			"version": map[string]any{"name": "1.12.2"}, "players": map[string]any{"max": 8, "online": 1},
			"description": "§aold", "modinfo": map[string]any{"type": "FML", "modList": []any{
				map[string]any{"modid": "minecraft", "version": "1.12.2"}, map[string]any{"modid": "forge", "version": "14.23.5.2860"}}},
		}, domain.ServerStatus{Version: "1.12.2", MaxPlayers: 8, OnlinePlayers: 1, MOTD: "§aold",
			Mods: []domain.Mod{{ID: "minecraft", Version: "1.12.2"}, {ID: "forge", Version: "14.23.5.2860"}}}},
		{"forgeData with no mods, coloured names, odd id", map[string]any{
			"version": map[string]any{"name": "§cForge 1.20.1"}, "players": map[string]any{"max": 2, "online": 1,
				"sample": []any{map[string]any{"name": "§eSteve", "id": []any{1, 2, 3, 4}}}},
			"description": map[string]any{"text": "trailing §"}, "forgeData": map[string]any{"mods": []any{}},
		}, domain.ServerStatus{Version: "Forge 1.20.1", MaxPlayers: 2, OnlinePlayers: 1, MOTD: "trailing §",
			Players: []domain.Player{{Name: "Steve"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := json.Marshal(tc.status)
			got, err := probe(t, statusPacket(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

// A cancel (no deadline anywhere near) ends a probe stuck waiting for the
// answer.
func TestCancelWhileWaiting(t *testing.T) {
	port, read := rawServer(t, nil, true)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := mcping.New(mcping.Options{Timeout: time.Hour}).Status(ctx, "127.0.0.1", port)
		errc <- err
	}()
	<-read
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, domain.ErrServerSilent) || !errors.Is(err, context.Canceled) {
			t.Fatalf("want ErrServerSilent and context.Canceled, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the probe ignored the cancel")
	}
}

func TestBadPort(t *testing.T) {
	for _, p := range []int{0, -1, 70000} {
		if _, err := mcping.New(mcping.Options{}).Status(context.Background(), "127.0.0.1", p); !errors.Is(err, domain.ErrServerSilent) {
			t.Errorf("port %d: %v", p, err)
		}
	}
}
