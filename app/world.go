package app

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
)

// WorldConfig keeps the game's world on a data disk with snapshots (issue
// 16): before every release seatide makes, after save_script, and on
// backup_every while running.
type WorldConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Mount is where the deploy script mounts the data disk; it is given
	// to the script as SEATIDE_WORLD_MOUNT.
	Mount string `mapstructure:"mount"`
	// SaveScript is the path of the script that flushes the game to the
	// disk before a snapshot; "" runs the built-in one (worldsave.sh).
	SaveScript      string        `mapstructure:"save_script"`
	SaveTimeout     time.Duration `mapstructure:"save_timeout"`
	SnapshotTimeout time.Duration `mapstructure:"snapshot_timeout"`
	// RequireBackup refuses a release whose backup failed.
	RequireBackup bool          `mapstructure:"require_backup"`
	BackupEvery   time.Duration `mapstructure:"backup_every"` // 0: only before releases
	Keep          int           `mapstructure:"keep"`         // ready backups kept (the newest always)
	OnReclaim     string        `mapstructure:"on_reclaim"`   // wait or hop
	HopSkip       time.Duration `mapstructure:"hop_skip"`     // a reclaimed offer is skipped this long
	// SnapshotPrice is snapshot storage per GiB and month, in the
	// account's currency; the default is Aliyun's published price for
	// standard snapshots in the Chinese mainland regions (0.12 CNY per
	// GB-month, "Snapshot billing", ECS documentation).
	SnapshotPrice string `mapstructure:"snapshot_price_gb_month"`

	snapshotPrice domain.Money
}

//go:embed worldsave.sh
var defaultSaveScript string

func (w *WorldConfig) finish(idleAction string) error {
	if idleAction != "stop" && idleAction != "release" {
		return fmt.Errorf("idle.action: %q is not stop or release", idleAction)
	}
	if idleAction == "release" && !w.Enabled {
		return errors.New("idle.action: release needs world.enabled, or the world would be deleted with the server")
	}
	if !w.Enabled {
		return nil
	}
	if !path.IsAbs(w.Mount) || strings.ContainsAny(w.Mount, " \t\n'\"$`\\;") {
		return fmt.Errorf("world.mount: %q must be an absolute path without spaces or shell characters", w.Mount)
	}
	for key, d := range map[string]time.Duration{"world.save_timeout": w.SaveTimeout, "world.snapshot_timeout": w.SnapshotTimeout} {
		if d <= 0 {
			return fmt.Errorf("%s: %v must be positive", key, d)
		}
	}
	if w.BackupEvery < 0 {
		return fmt.Errorf("world.backup_every: %v must not be negative (0 turns it off)", w.BackupEvery)
	}
	if w.BackupEvery > 0 && w.BackupEvery < time.Hour {
		return fmt.Errorf("world.backup_every: %v is less than 1h; every snapshot is kept and billed until retention drops it", w.BackupEvery)
	}
	if w.Keep < 1 {
		return fmt.Errorf("world.keep: %d must be at least 1", w.Keep)
	}
	if w.OnReclaim != instances.ReclaimWait && w.OnReclaim != instances.ReclaimHop {
		return fmt.Errorf("world.on_reclaim: %q is not wait or hop", w.OnReclaim)
	}
	if w.HopSkip <= 0 {
		return fmt.Errorf("world.hop_skip: %v must be positive", w.HopSkip)
	}
	p, err := domain.ParseMoney(w.SnapshotPrice)
	if err != nil || p < 0 {
		return fmt.Errorf("world.snapshot_price_gb_month: %q is not a non-negative amount such as 0.12", w.SnapshotPrice)
	}
	w.snapshotPrice = p
	return nil
}

// saveScript is the save script's text.
func (w WorldConfig) saveScript() (string, error) {
	if w.SaveScript == "" {
		return defaultSaveScript, nil
	}
	b, err := os.ReadFile(w.SaveScript)
	if err != nil {
		return "", fmt.Errorf("world.save_script: %w", err)
	}
	return string(b), nil
}

// withMount gives a script the data disk's mount point as
// SEATIDE_WORLD_MOUNT, after its #! line if it has one.
func withMount(script, mount string) string {
	env := "SEATIDE_WORLD_MOUNT='" + mount + "'; export SEATIDE_WORLD_MOUNT\n"
	if strings.HasPrefix(script, "#!") {
		first, rest, _ := strings.Cut(script, "\n")
		return first + "\n" + env + rest
	}
	return env + script
}

// instancesWorld is the service's view of the world settings.
func (w WorldConfig) instancesWorld(idleAction string) (instances.WorldConfig, error) {
	if !w.Enabled {
		return instances.WorldConfig{}, nil
	}
	save, err := w.saveScript()
	if err != nil {
		return instances.WorldConfig{}, err
	}
	return instances.WorldConfig{
		Enabled: true, SaveScript: withMount(save, w.Mount), SaveTimeout: w.SaveTimeout, SnapshotTimeout: w.SnapshotTimeout,
		BackupOptional: !w.RequireBackup, BackupEvery: w.BackupEvery, Keep: w.Keep, OnReclaim: w.OnReclaim,
		HopSkip: w.HopSkip, IdleRelease: idleAction == "release", SnapshotPrice: w.snapshotPrice,
	}, nil
}
