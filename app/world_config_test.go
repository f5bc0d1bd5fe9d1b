package app_test

import (
	"strings"
	"testing"

	"github.com/seatidemc/seatide/app"
)

// The world's keys are checked at load, each error naming its key.
func TestWorldConfigErrors(t *testing.T) {
	tests := []struct {
		env  []string
		want string // "" for accepted
	}{
		{nil, ""},
		{[]string{"SEATIDE_WORLD_MOUNT=data"}, "world.mount"},
		{[]string{"SEATIDE_WORLD_MOUNT=/data;rm"}, "world.mount"},
		{[]string{"SEATIDE_WORLD_KEEP=0"}, "world.keep"},
		{[]string{"SEATIDE_WORLD_ON_RECLAIM=later"}, "world.on_reclaim"},
		{[]string{"SEATIDE_WORLD_BACKUP_EVERY=10m"}, "world.backup_every"},
		{[]string{"SEATIDE_WORLD_SNAPSHOT_PRICE_GB_MONTH=cheap"}, "world.snapshot_price_gb_month"},
		{[]string{"SEATIDE_IDLE_ACTION=delete"}, "idle.action"},
		{[]string{"SEATIDE_IDLE_ACTION=release", "SEATIDE_WORLD_ENABLED=false"}, "idle.action"},
		{[]string{"SEATIDE_ECS_SPOT_STRATEGY=SpotAsPriceGo", "SEATIDE_RECONCILE_INTERVAL=5m", "SEATIDE_RECONCILE_LEASE_TTL=15m"}, "reconcile.interval"},
		{[]string{"SEATIDE_ECS_SPOT_STRATEGY=SpotAsPriceGo"}, ""},
	}
	for _, tt := range tests {
		_, err := app.LoadConfig("", append([]string{"SEATIDE_SECRET=" + testSecret}, tt.env...))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.env, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want+": ")):
			t.Errorf("%v: %v, want an error naming %s", tt.env, err, tt.want)
		}
	}
}
