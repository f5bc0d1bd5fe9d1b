package ecssim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// A fake Minecraft (Java edition) server per instance, speaking the real
// status protocol on the instance's public IP. It listens from the moment
// the instance gets its IP until the IP goes (StopCharging, delete, Close),
// and answers only while serving() says so; otherwise it closes each
// connection without a word. Like the rest of the simulator it has no
// timers: whether it answers is decided when a connection arrives.

// MinecraftOptions turns the fake Minecraft servers on.
type MinecraftOptions struct {
	// Port every server listens on (default 25565).
	Port int
	// WaitForDeploy keeps a server down until a Cloud Assistant invocation
	// on its instance has finished with Success, as a server installed by
	// the deploy script would be.
	WaitForDeploy bool
	// Initial is the state each new instance's server starts in. Up is
	// ignored: a new server is up. Empty fields get DefaultMinecraftState's.
	Initial MinecraftState
}

// MinecraftPlayer is one entry of the status sample.
type MinecraftPlayer struct {
	Name string `json:"Name"`
	ID   string `json:"Id"` // UUID text
}

// MinecraftMod is one Forge mod: its id and version ("modmarker").
type MinecraftMod struct {
	ID      string `json:"Id"`
	Version string `json:"Version"`
}

// Fault values of MinecraftState.
const (
	FaultHang    = "hang"    // accept, read, never answer (a frozen server)
	FaultGarbage = "garbage" // answer the status request with a malformed packet
)

// MinecraftState is what one fake server says, as operators and tests set it.
type MinecraftState struct {
	// Up: false makes the server close every connection without an answer,
	// as a crashed server whose machine still runs.
	Up       bool   `json:"Up"`
	Version  string `json:"Version"`  // version.name, e.g. "1.20.1"
	Protocol int    `json:"Protocol"` // version.protocol
	// MOTD goes out as the description's text, § codes kept.
	MOTD       string `json:"MOTD"`
	MaxPlayers int    `json:"MaxPlayers"`
	// OnlinePlayers is players.online; 0 means len(Players).
	OnlinePlayers int               `json:"OnlinePlayers"`
	Players       []MinecraftPlayer `json:"Players"` // the sample
	// Mods, when not empty, go out as Forge's forgeData (minecraft and
	// forge are mods like the others: list them).
	Mods  []MinecraftMod `json:"Mods"`
	Fault string         `json:"Fault"` // "", FaultHang or FaultGarbage
	// World stands for the game's world: it lives on the instance's
	// first data disk, is copied into that disk's snapshots and comes back
	// on a disk made from one (disks.go). A new disk starts with "".
	World string `json:"World"`
}

// DefaultMinecraftState is a vanilla 1.20.1 server with nobody on it.
var DefaultMinecraftState = MinecraftState{
	Up: true, Version: "1.20.1", Protocol: 763, MOTD: "A Minecraft Server", MaxPlayers: 20,
}

func (m MinecraftState) withDefaults() MinecraftState {
	d := DefaultMinecraftState
	if m.Version == "" {
		m.Version = d.Version
	}
	if m.Protocol == 0 {
		m.Protocol = d.Protocol
	}
	if m.MOTD == "" {
		m.MOTD = d.MOTD
	}
	if m.MaxPlayers == 0 {
		m.MaxPlayers = d.MaxPlayers
	}
	return m
}

func (m MinecraftState) validate() error {
	switch {
	case m.MaxPlayers < 0 || m.OnlinePlayers < 0:
		return errors.New("MaxPlayers and OnlinePlayers must not be negative")
	case m.Fault != "" && m.Fault != FaultHang && m.Fault != FaultGarbage:
		return fmt.Errorf("Fault must be empty, %q or %q", FaultHang, FaultGarbage)
	}
	return nil
}

// clone gives the state slices of its own, so instances never share them.
func (m MinecraftState) clone() MinecraftState {
	m.Players = slices.Clone(m.Players)
	m.Mods = slices.Clone(m.Mods)
	return m
}

// MinecraftView is one instance's server as Minecraft and GET
// /_sim/minecraft report it.
type MinecraftView struct {
	InstanceId string `json:"InstanceId"`
	// Address is the IP:port it listens on; "" while the instance has no
	// public IP.
	Address string `json:"Address"`
	// Answering says whether a status request made now would be answered.
	Answering bool `json:"Answering"`
	MinecraftState
}

// ErrMinecraftOff is returned by the Minecraft methods of a simulator
// started without Options.Minecraft.
var ErrMinecraftOff = errors.New("ecssim: the fake Minecraft servers are off (Options.Minecraft is nil)")

// Minecraft returns every instance's server, in creation order.
func (s *Simulator) Minecraft() ([]MinecraftView, error) {
	if s.opts.Minecraft == nil {
		return nil, ErrMinecraftOff
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.reclaimDue(now)
	out := []MinecraftView{}
	for _, id := range s.order {
		in := s.instances[id]
		v := MinecraftView{InstanceId: id, Answering: s.serving(in, now), MinecraftState: in.mc.clone()}
		if in.mcLn != nil {
			v.Address = in.mcLn.ln.Addr().String()
		}
		out = append(out, v)
	}
	return out, nil
}

// SetMinecraft replaces what the server of instanceID says. An empty
// instanceID sets every instance's server and the state later instances
// start in. ErrNotFound for an unknown instance.
func (s *Simulator) SetMinecraft(instanceID string, st MinecraftState) error {
	return s.UpdateMinecraft(instanceID, func(m *MinecraftState) error {
		*m = st
		return nil
	})
}

// UpdateMinecraft changes what the server of instanceID says (every
// instance's and later ones' when instanceID is empty, change being called
// once for each). Nothing changes when change or validation fails.
func (s *Simulator) UpdateMinecraft(instanceID string, change func(*MinecraftState) error) error {
	if s.opts.Minecraft == nil {
		return ErrMinecraftOff
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var targets []*MinecraftState
	if instanceID == "" {
		targets = append(targets, &s.mcTemplate)
		for _, id := range s.order {
			targets = append(targets, &s.instances[id].mc)
		}
	} else {
		in := s.instances[instanceID]
		if in == nil {
			return ErrNotFound
		}
		targets = append(targets, &in.mc)
	}
	next := make([]MinecraftState, len(targets))
	for i, t := range targets {
		next[i] = t.clone()
		if err := change(&next[i]); err != nil {
			return err
		}
		if err := next[i].validate(); err != nil {
			return err
		}
	}
	for i, t := range targets {
		*t = next[i].clone()
	}
	return nil
}

// serving says whether in's server answers at now: the instance is
// Running, deployed when that is required, and the operator has it up.
func (s *Simulator) serving(in *instance, now time.Time) bool {
	s.advance(in, now)
	return in.status == StatusRunning && in.mc.Up && in.mcLn != nil &&
		(!s.opts.Minecraft.WaitForDeploy || s.deployed(in.id, now))
}

// deployed: some invocation on the instance has finished with Success.
func (s *Simulator) deployed(id string, now time.Time) bool {
	for _, invID := range s.invOrder {
		inv := s.invocations[invID]
		for _, r := range inv.results {
			if r.instanceID == id && s.resultAt(inv, r, now).invocationStatus == "Success" {
				return true
			}
		}
	}
	return false
}

// maxBindTries bounds the search for a free IP:port, in case something
// (a real server on 0.0.0.0:port) makes every address busy.
const maxBindTries = 256

// assignIP gives in a new public IP and, with Minecraft on, starts its
// server there. Several simulators in one process (parallel tests) hand
// out the same addresses: an IP whose port is taken is skipped, so that
// the IP an instance reports is always the one its server listens on.
func (s *Simulator) assignIP(in *instance) {
	s.closeMinecraft(in)
	mc := s.opts.Minecraft
	if mc == nil || s.closed {
		in.publicIP = s.nextIP()
		return
	}
	for range maxBindTries {
		ip := s.nextIP()
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(mc.Port)))
		if errors.Is(err, syscall.EADDRINUSE) {
			continue
		}
		in.publicIP = ip
		if err != nil {
			s.log.Warn("ecssim: no Minecraft server for this instance", "instance", in.id, "ip", ip, "err", err)
			return
		}
		in.mcLn = s.serveMinecraft(ln, in.id)
		return
	}
	in.publicIP = s.nextIP()
	s.log.Warn("ecssim: no free address for a Minecraft server", "instance", in.id, "port", mc.Port)
}

// closeMinecraft stops in's server, if any: later connections are refused.
func (s *Simulator) closeMinecraft(in *instance) {
	if in.mcLn != nil {
		in.mcLn.close()
		in.mcLn = nil
	}
}

// mcListener is one server's listener and the connections it has open, so
// that closing it also ends connections held by a hanging server.
type mcListener struct {
	ln     net.Listener
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func (l *mcListener) close() {
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = nil
	l.mu.Unlock()
	_ = l.ln.Close()
	for c := range conns {
		_ = c.Close()
	}
}

func (l *mcListener) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.conns[c] = struct{}{}
	return true
}

func (l *mcListener) untrack(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, c)
}

// serveMinecraft accepts connections on ln until it is closed. Every
// goroutine is counted in s.mcWG, which Close waits for.
func (s *Simulator) serveMinecraft(ln net.Listener, id string) *mcListener {
	l := &mcListener{ln: ln, conns: map[net.Conn]struct{}{}}
	s.mcWG.Add(1)
	go func() {
		defer s.mcWG.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				if !errors.Is(err, net.ErrClosed) {
					s.log.Warn("ecssim: Minecraft accept", "instance", id, "err", err)
				}
				return
			}
			if !l.track(c) {
				_ = c.Close()
				return
			}
			s.mcWG.Add(1) // the accept loop's own count keeps the counter above zero
			go func() {
				defer s.mcWG.Done()
				defer l.untrack(c)
				defer c.Close()
				s.handleMinecraft(c, id)
			}()
		}
	}()
	return l
}

// mcIdle bounds how long a connection may sit idle (a client that never
// speaks); it is I/O hygiene, not simulated time.
const mcIdle = 30 * time.Second

// handleMinecraft serves one connection: handshake (next state 1), status
// request, status response, then ping/pong until the client leaves; or
// handshake (next state 2) and login start, answered by a greeting login
// disconnect.
func (s *Simulator) handleMinecraft(c net.Conn, id string) {
	s.mu.Lock()
	in := s.instances[id]
	var st MinecraftState
	ok := in != nil && s.serving(in, s.now())
	if ok {
		st = in.mc.clone()
	}
	s.mu.Unlock()
	if !ok {
		return // closed without a word
	}
	_ = c.SetDeadline(time.Now().Add(mcIdle))
	r := bufio.NewReader(c)
	hs, err := readMCPacket(r)
	if err != nil {
		return
	}
	switch handshakeNext(hs) {
	case 1: // status, below
	case 2:
		s.answerLogin(c, r)
		return
	default:
		return
	}
	if st.Fault == FaultHang {
		_ = c.SetDeadline(time.Time{})
		_, _ = io.Copy(io.Discard, r) // until the client or Close ends it
		return
	}
	for {
		_ = c.SetDeadline(time.Now().Add(mcIdle))
		p, err := readMCPacket(r)
		if err != nil || len(p) == 0 {
			return
		}
		switch {
		case len(p) == 1 && p[0] == 0x00: // status request
			if st.Fault == FaultGarbage {
				// A status response whose string length is -1.
				_, _ = c.Write([]byte{0x0a, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, '{', '}', 0xff, 0x00})
				return
			}
			body, _ := json.Marshal(statusJSON(st))
			var b bytes.Buffer
			b.WriteByte(0x00)
			putVarInt(&b, len(body))
			b.Write(body)
			if _, err := c.Write(framed(b.Bytes())); err != nil {
				return
			}
		case len(p) == 9 && p[0] == 0x01: // ping: pong with the same payload
			_, _ = c.Write(framed(p))
			return
		default:
			return
		}
	}
}

// handshakeNext checks a handshake packet (id 0x00, protocol version,
// server address, port, next state) and returns its next state: 1 status,
// 2 login; 0 for anything malformed.
func handshakeNext(p []byte) int {
	r := bytes.NewReader(p)
	if id, err := readVarInt(r); err != nil || id != 0x00 {
		return 0
	}
	if _, err := readVarInt(r); err != nil { // protocol version
		return 0
	}
	n, err := readVarInt(r) // server address
	if err != nil || n < 0 || n > 255*4 || n+2 > r.Len() {
		return 0
	}
	if _, err := r.Seek(int64(n)+2, io.SeekCurrent); err != nil { // address and port
		return 0
	}
	next, err := readVarInt(r)
	if err != nil || r.Len() != 0 {
		return 0
	}
	return next
}

// answerLogin reads a login start (id 0x00, the player's name first, then
// a UUID or signature data by version) and answers a login disconnect
// whose reason greets the player: {"text": "seatide-sim: hello NAME"}.
// A real server would go on to encryption or compression; greeting is
// enough to prove that a relay reached this server with the name intact.
func (s *Simulator) answerLogin(c net.Conn, r *bufio.Reader) {
	p, err := readMCPacket(r)
	if err != nil {
		return
	}
	br := bytes.NewReader(p)
	if id, err := readVarInt(br); err != nil || id != 0x00 {
		return
	}
	n, err := readVarInt(br)
	if err != nil || n < 1 || n > 16 || n > br.Len() {
		return // names are 1-16 characters of ASCII on the wire
	}
	name := make([]byte, n)
	_, _ = br.Read(name)
	reason, _ := json.Marshal(mcText{Text: "seatide-sim: hello " + string(name)})
	var b bytes.Buffer
	b.WriteByte(0x00) // login disconnect
	putVarInt(&b, len(reason))
	b.Write(reason)
	_, _ = c.Write(framed(b.Bytes()))
}

type mcStatus struct {
	Version struct {
		Name     string `json:"name"`
		Protocol int    `json:"protocol"`
	} `json:"version"`
	Players struct {
		Max    int        `json:"max"`
		Online int        `json:"online"`
		Sample []mcSample `json:"sample,omitempty"`
	} `json:"players"`
	Description        mcText     `json:"description"`
	EnforcesSecureChat bool       `json:"enforcesSecureChat"`
	ForgeData          *forgeData `json:"forgeData,omitempty"`
}

type mcSample struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// mcText is a chat component carrying a legacy § string, as servers send
// a server.properties motd.
type mcText struct {
	Text string `json:"text"`
}

type forgeData struct {
	Channels          []any      `json:"channels"`
	Mods              []forgeMod `json:"mods"`
	FMLNetworkVersion int        `json:"fmlNetworkVersion"`
}

type forgeMod struct {
	ID        string `json:"modId"`
	ModMarker string `json:"modmarker"`
}

func statusJSON(st MinecraftState) mcStatus {
	var out mcStatus
	out.Version.Name, out.Version.Protocol = st.Version, st.Protocol
	out.Players.Max, out.Players.Online = st.MaxPlayers, st.OnlinePlayers
	if st.OnlinePlayers == 0 {
		out.Players.Online = len(st.Players)
	}
	for _, p := range st.Players {
		out.Players.Sample = append(out.Players.Sample, mcSample{Name: p.Name, ID: p.ID})
	}
	out.Description.Text = st.MOTD
	if len(st.Mods) > 0 {
		fd := &forgeData{Channels: []any{}, FMLNetworkVersion: 2}
		for _, m := range st.Mods {
			fd.Mods = append(fd.Mods, forgeMod{ID: m.ID, ModMarker: m.Version})
		}
		out.ForgeData = fd
	}
	return out
}

// maxServerbound bounds packets a status client sends (a handshake is
// under 300 bytes).
const maxServerbound = 1024

func readMCPacket(r io.ByteReader) ([]byte, error) {
	n, err := readVarInt(r)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > maxServerbound {
		return nil, fmt.Errorf("packet length %d", n)
	}
	p := make([]byte, n)
	for i := range p {
		if p[i], err = r.ReadByte(); err != nil {
			return nil, err
		}
	}
	return p, nil
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
	return 0, errors.New("VarInt too long")
}

func putVarInt(b *bytes.Buffer, v int) {
	u := uint32(int32(v))
	for u >= 0x80 {
		b.WriteByte(byte(u) | 0x80)
		u >>= 7
	}
	b.WriteByte(byte(u))
}

func framed(body []byte) []byte {
	var b bytes.Buffer
	putVarInt(&b, len(body))
	b.Write(body)
	return b.Bytes()
}
