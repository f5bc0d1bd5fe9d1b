package ecssim_test

import (
	"errors"
	"net"
	"strconv"
	"testing"

	"github.com/Tnze/go-mc/bot"
	"github.com/Tnze/go-mc/chat"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

// A login start gets a login disconnect greeting the player by name, so a
// relay can be proven end to end; go-mc's client is the independent check.
func TestMinecraftLoginGreets(t *testing.T) {
	f := newFixture(t, mcOn(ecssim.Options{NoDelay: true}))
	_, ip := f.runInstance(t)
	c := bot.NewClient()
	c.Auth.Name = "Steve"
	err := c.JoinServer(net.JoinHostPort(ip, strconv.Itoa(mcPort)))
	var kick bot.DisconnectErr
	if !errors.As(err, &kick) || chat.Message(kick).Text != "seatide-sim: hello Steve" {
		t.Fatalf("join: %v, want a disconnect greeting Steve", err)
	}
}
