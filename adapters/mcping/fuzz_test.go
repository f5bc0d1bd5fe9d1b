package mcping

import (
	"bytes"
	"testing"
)

// FuzzPacketReaders feeds arbitrary bytes from a "server" through the
// readers of a status answer: they must return an error or a status,
// never panic, and never allocate more than the protocol allows.
func FuzzPacketReaders(f *testing.F) {
	var pkt bytes.Buffer
	writePacket(&pkt, append([]byte{0x00, 0x1b}, `{"players":{"max":1,"online":0}}`[:27]...))
	f.Add(pkt.Bytes())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})       // the largest VarInt
	f.Add([]byte{0x05, 0x00, 0x80, 0x80, 0x80, 0x80}) // a string length that never ends
	f.Add([]byte{0x03, 0x00, 0x7f, 0x7b})             // a string longer than its packet
	f.Add([]byte(`{"players":{"max":20,"online":1,"sample":[{"name":"steve","id":"x"}]},"description":{"extra":[{"text":"hi"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := readPacket(bytes.NewReader(data))
		if err == nil {
			if len(body) > maxPacket {
				t.Fatalf("packet of %d bytes accepted", len(body))
			}
			if js, err := statusJSON(body); err == nil {
				_, _ = parseStatus(js)
			}
		}
		_, _ = parseStatus(data)
		if js, err := statusJSON(data); err == nil && len(js) > len(data) {
			t.Fatalf("status JSON longer than its packet")
		}
	})
}
