// Package mcping implements ports.ServerProbe with the Java edition Server
// List Ping (handshake with next state 1, status request, status response).
//
// The wire primitives (VarInt, strings) and the chat-component/§ parsing of
// the description come from github.com/mcstatus-io/mcutil/v4. The exchange
// itself is not status.Modern: v4.0.1 reads the response string with
// make([]byte, length) on an unchecked VarInt, so a 7-byte answer with a
// negative length panics inside the library's own goroutine, where no
// recover can reach it, and takes the whole service down (reproduced by the
// contract suite's "garbage" case). Here every length is bounded before it
// is trusted, no SRV record is looked up, and the context bounds the dial
// and every read and write.
package mcping

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/mcstatus-io/mcutil/v4/formatting"
	"github.com/mcstatus-io/mcutil/v4/proto"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// DefaultTimeout bounds a probe whose context has no deadline.
const DefaultTimeout = 5 * time.Second

// maxPacket is the largest packet the protocol can frame without
// compression (a 3-byte VarInt length); a status with a favicon is well
// under it.
const maxPacket = 1<<21 - 1

// protocolVersion -1 asks the server for its own version, as status
// clients that do not know it do.
const protocolVersion = -1

// Options configures a Probe. The zero value is usable.
type Options struct {
	// Timeout bounds a probe whose context has no deadline (default
	// DefaultTimeout). A context deadline always wins.
	Timeout time.Duration
}

// Probe is a ports.ServerProbe. It holds no connection: each Status dials.
type Probe struct {
	timeout time.Duration
	dialer  net.Dialer
}

var _ ports.ServerProbe = (*Probe)(nil)

// New returns a probe.
func New(o Options) *Probe {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return &Probe{timeout: o.Timeout}
}

// Status pings host:port. Every failure, the context's end included, is
// domain.ErrServerSilent wrapping the cause.
func (p *Probe) Status(ctx context.Context, host string, port int) (domain.ServerStatus, error) {
	if port <= 0 || port > 65535 {
		return domain.ServerStatus{}, domain.Wrap(domain.ErrServerSilent, fmt.Errorf("port %d out of range", port))
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	st, err := p.status(ctx, host, uint16(port))
	if err != nil {
		// Say which end came: the connection's deadline is the context's,
		// and may fire a moment before the context notices.
		if cerr := ctx.Err(); cerr != nil {
			err = fmt.Errorf("%w (%v)", cerr, err)
		} else if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
		}
		return domain.ServerStatus{}, domain.Wrap(domain.ErrServerSilent, err)
	}
	return st, nil
}

func (p *Probe) status(ctx context.Context, host string, port uint16) (domain.ServerStatus, error) {
	conn, err := p.dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
	if err != nil {
		return domain.ServerStatus{}, err
	}
	defer conn.Close()
	dl, _ := ctx.Deadline()
	if err := conn.SetDeadline(dl); err != nil {
		return domain.ServerStatus{}, err
	}
	// A cancel without deadline change must also unblock reads: move the
	// deadline into the past.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var req bytes.Buffer
	writeHandshake(&req, host, port)
	writePacket(&req, []byte{0x00}) // status request
	if _, err := conn.Write(req.Bytes()); err != nil {
		return domain.ServerStatus{}, err
	}
	body, err := readPacket(bufio.NewReader(conn))
	if err != nil {
		return domain.ServerStatus{}, err
	}
	raw, err := statusJSON(body)
	if err != nil {
		return domain.ServerStatus{}, err
	}
	return parseStatus(raw)
}

func writeHandshake(w *bytes.Buffer, host string, port uint16) {
	var b bytes.Buffer
	_ = proto.WriteVarInt(0x00, &b) // packet id
	_ = proto.WriteVarInt(protocolVersion, &b)
	_ = proto.WriteString(host, &b)
	_ = binary.Write(&b, binary.BigEndian, port)
	_ = proto.WriteVarInt(1, &b) // next state: status
	writePacket(w, b.Bytes())
}

func writePacket(w *bytes.Buffer, body []byte) {
	_ = proto.WriteVarInt(int32(len(body)), w)
	w.Write(body)
}

// readPacket reads one length-prefixed packet, refusing lengths the
// protocol cannot have before allocating anything.
func readPacket(r io.Reader) ([]byte, error) {
	n, err := proto.ReadVarInt(r)
	if err != nil {
		return nil, fmt.Errorf("packet length: %w", err)
	}
	if n <= 0 || n > maxPacket {
		return nil, fmt.Errorf("packet length %d out of range", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("packet body: %w", err)
	}
	return body, nil
}

// statusJSON takes the JSON string out of a status response packet.
func statusJSON(body []byte) ([]byte, error) {
	r := bytes.NewReader(body)
	id, err := proto.ReadVarInt(r)
	if err != nil {
		return nil, fmt.Errorf("packet id: %w", err)
	}
	if id != 0x00 {
		return nil, fmt.Errorf("packet id 0x%02x, want a status response (0x00)", id)
	}
	n, err := proto.ReadVarInt(r)
	if err != nil {
		return nil, fmt.Errorf("status length: %w", err)
	}
	if n < 0 || int(n) > r.Len() {
		return nil, fmt.Errorf("status length %d, %d bytes left in the packet", n, r.Len())
	}
	return body[len(body)-r.Len():][:n], nil
}

// rawStatus is the status JSON of a modern server: vanilla fields, FML1's
// modinfo and FML2+'s forgeData.
type rawStatus struct {
	Version struct {
		Name string `json:"name"`
	} `json:"version"`
	Players *struct {
		Max    int `json:"max"`
		Online int `json:"online"`
		Sample []struct {
			Name string          `json:"name"`
			ID   json.RawMessage `json:"id"`
		} `json:"sample"`
	} `json:"players"`
	Description any `json:"description"`
	ModInfo     *struct {
		List []struct {
			ID      string `json:"modid"`
			Version string `json:"version"`
		} `json:"modList"`
	} `json:"modinfo"`
	ForgeData *struct {
		Mods []struct {
			ID      string `json:"modId"`
			Version string `json:"modmarker"`
		} `json:"mods"`
	} `json:"forgeData"`
}

func parseStatus(data []byte) (domain.ServerStatus, error) {
	var raw rawStatus
	if err := json.Unmarshal(data, &raw); err != nil {
		return domain.ServerStatus{}, fmt.Errorf("status JSON: %w", err)
	}
	if raw.Players == nil {
		// Every status has players; without it this is some other JSON.
		return domain.ServerStatus{}, errors.New("status JSON without players")
	}
	st := domain.ServerStatus{
		Version:       plain(raw.Version.Name),
		MaxPlayers:    raw.Players.Max,
		OnlinePlayers: raw.Players.Online,
	}
	st.MOTD = motd(raw.Description)
	for _, p := range raw.Players.Sample {
		var id string
		_ = json.Unmarshal(p.ID, &id) // a non-string id stays empty
		st.Players = append(st.Players, domain.Player{Name: plain(p.Name), ID: id})
	}
	switch {
	case raw.ForgeData != nil && raw.ForgeData.Mods != nil:
		for _, m := range raw.ForgeData.Mods {
			st.Mods = append(st.Mods, domain.Mod{ID: m.ID, Version: m.Version})
		}
	case raw.ModInfo != nil:
		for _, m := range raw.ModInfo.List {
			st.Mods = append(st.Mods, domain.Mod{ID: m.ID, Version: m.Version})
		}
	}
	return st, nil
}

// motd is the description as one string with its § codes. A legacy text
// (a string, or {"text": ...} alone) is kept exactly as sent, as the
// original read description.text: the library's flattening drops a §r
// reset, which changes the colours. Chat components with "extra" are
// flattened by the library; one it cannot parse still gives its text.
func motd(desc any) string {
	switch d := desc.(type) {
	case nil:
		return ""
	case string:
		return d
	case map[string]any:
		if text, ok := d["text"].(string); ok && len(d) == 1 {
			return text
		}
	}
	if r, err := formatting.Parse(desc); err == nil {
		return r.Raw
	}
	if d, ok := desc.(map[string]any); ok {
		s, _ := d["text"].(string)
		return s
	}
	return ""
}

// plain drops § codes from a name: player names and version names are
// shown as text.
func plain(s string) string {
	r, err := formatting.Parse(s)
	if err != nil {
		return s
	}
	return r.Clean
}
