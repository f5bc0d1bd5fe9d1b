package frontdoor

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/mcstatus-io/mcutil/v4/proto"
)

// The Java edition's framing, read with a bound on everything a stranger
// sends: a packet is a VarInt length and that many bytes, and nothing is
// allocated before its length has been checked against the bound of the
// state the connection is in. mcutil's proto.ReadString and go-mc's
// packet.String both make([]byte, n) on an unchecked VarInt (a negative n
// panics, a large one allocates before a byte has arrived), and go-mc's
// Packet.UnPack allocates up to 2 MiB on a claimed length: fine for a
// client reading a server it chose, not for a listener on the internet.
// Writing is not exposed to strangers: mcutil's proto writers do it.

// Bounds of the packets the front door reads before it relays.
const (
	// maxHandshake: protocol, a host of at most 255 characters (up to 4
	// bytes each), the port and the next state, plus what Forge (\x00FML3\x00)
	// and BungeeCord-style forwarding append to the host.
	maxHandshake = 2048
	// maxLoginStart: a name of 16 characters and a UUID; 1.19's optional
	// signature data (a key, its expiry and signature) fits as well.
	maxLoginStart = 2048
	// maxStatusPacket: a status request is empty, a ping 8 bytes.
	maxStatusPacket = 16
)

var errMalformed = errors.New("malformed packet")

// readFrame reads one packet of at most limit bytes; raw is the packet as
// it came (length prefix included), for replaying it upstream.
func readFrame(r *bufio.Reader, limit int) (body, raw []byte, err error) {
	n, _, err := readVarIntFrom(r)
	if err != nil {
		return nil, nil, err
	}
	if n <= 0 || n > limit {
		return nil, nil, fmt.Errorf("%w: length %d (at most %d)", errMalformed, n, limit)
	}
	// The prefix is written anew in its shortest form: a padded VarInt
	// is legal, and the upstream gets the canonical one.
	prefix := len(putVarInt(nil, n))
	raw = make([]byte, prefix+n)
	putVarInt(raw[:0], n)
	if _, err := io.ReadFull(r, raw[prefix:]); err != nil {
		return nil, nil, err
	}
	return raw[prefix:], raw, nil
}

// readVarIntFrom reads a VarInt of at most 5 bytes, also saying how many
// bytes it took.
func readVarIntFrom(r io.ByteReader) (v, n int, err error) {
	var u uint32
	for i := range 5 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, 0, err
		}
		u |= uint32(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return int(int32(u)), i + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: VarInt longer than 5 bytes", errMalformed)
}

func putVarInt(b []byte, v int) []byte {
	u := uint32(int32(v))
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// fields reads the fields of one packet body that is already in memory.
type fields struct{ r *bytes.Reader }

func (f fields) varInt() (int, error) {
	v, _, err := readVarIntFrom(f.r)
	if err != nil {
		return 0, errMalformed
	}
	return v, nil
}

// str reads a string of at most maxChars characters; its byte length is
// checked against what is left of the packet before anything is copied.
func (f fields) str(maxChars int) (string, error) {
	n, err := f.varInt()
	if err != nil || n < 0 || n > maxChars*4 || n > f.r.Len() {
		return "", errMalformed
	}
	b := make([]byte, n)
	_, _ = f.r.Read(b)
	if !utf8.Valid(b) || utf8.RuneCount(b) > maxChars {
		return "", errMalformed
	}
	return string(b), nil
}

func (f fields) u16() (uint16, error) {
	var b [2]byte
	if _, err := io.ReadFull(f.r, b[:]); err != nil {
		return 0, errMalformed
	}
	return binary.BigEndian.Uint16(b[:]), nil
}

// Next states a handshake asks for.
const (
	nextStatus   = 1
	nextLogin    = 2
	nextTransfer = 3 // 1.20.5+: a login sent on by another server
)

// handshake is the first packet of every connection.
type handshake struct {
	Protocol int
	Host     string
	Port     uint16
	Next     int
}

func parseHandshake(body []byte) (handshake, error) {
	f := fields{bytes.NewReader(body)}
	var h handshake
	id, err := f.varInt()
	if err != nil || id != 0x00 {
		return h, errMalformed
	}
	if h.Protocol, err = f.varInt(); err != nil {
		return h, err
	}
	if h.Host, err = f.str(maxHandshake / 4); err != nil {
		return h, err
	}
	if h.Port, err = f.u16(); err != nil {
		return h, err
	}
	if h.Next, err = f.varInt(); err != nil || f.r.Len() != 0 {
		return h, errMalformed
	}
	if h.Next < nextStatus || h.Next > nextTransfer {
		return h, errMalformed
	}
	return h, nil
}

// parseLoginStart reads the player name of a login start (what follows it,
// a UUID or signature data by version, is relayed untouched).
func parseLoginStart(body []byte) (string, error) {
	f := fields{bytes.NewReader(body)}
	if id, err := f.varInt(); err != nil || id != 0x00 {
		return "", errMalformed
	}
	return f.str(16)
}

// packet frames id and payload for writing.
func packet(id int32, payload func(w io.Writer) error) ([]byte, error) {
	var body bytes.Buffer
	if err := proto.WriteVarInt(id, &body); err != nil {
		return nil, err
	}
	if err := payload(&body); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := proto.WriteVarInt(int32(body.Len()), &out); err != nil {
		return nil, err
	}
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

// stringPacket is a packet whose payload is one string (a status response,
// a login disconnect).
func stringPacket(id int32, s string) ([]byte, error) {
	return packet(id, func(w io.Writer) error { return proto.WriteString(s, w) })
}
