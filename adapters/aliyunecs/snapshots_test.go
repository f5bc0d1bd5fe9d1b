package aliyunecs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// TestWorldSnapshots drives the disk and snapshot calls through the SDK
// against the simulator on a manual clock: a data disk made with the
// instance, a snapshot that takes time and carries the World, a disk in
// another zone made from it that brings the World back, the per-disk quota,
// a snapshot that fails, and deletion.
func TestWorldSnapshots(t *testing.T) {
	ctx := context.Background()
	s := startSim(t, ecssim.Options{TransitionTime: 2 * time.Second, SnapshotTime: 10 * time.Second,
		Minecraft: &ecssim.MinecraftOptions{}})
	c := newClient(t, clientConfig(s))
	zones := []string{s.RegionID() + "-h", s.RegionID() + "-i"}
	running := func(spec ports.InstanceSpec, token string) string {
		t.Helper()
		id, _, err := c.RunInstance(ctx, spec, token)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		s.clock.Add(10 * time.Second) // Pending -> Starting -> Running
		return id
	}
	spec := baseSpec(s.RegionID())
	spec.DataDisk = &ports.Disk{Category: "cloud_essd", Size: 20}
	first := running(spec, "tok-1")
	disk, err := c.DataDisk(ctx, first)
	if err != nil || disk.ID == "" || disk.SizeGiB != 20 || disk.Category != "cloud_essd" {
		t.Fatalf("data disk %+v %v", disk, err)
	}
	if err := s.UpdateMinecraft(first, func(m *ecssim.MinecraftState) error { m.World = "W1"; return nil }); err != nil {
		t.Fatal(err)
	}

	snapID, reqID, err := c.CreateSnapshot(ctx, disk.ID, "seatide-1", "snap-tok-1")
	if err != nil || snapID == "" || reqID == "" {
		t.Fatalf("snapshot %q %q %v", snapID, reqID, err)
	}
	if again, _, err := c.CreateSnapshot(ctx, disk.ID, "seatide-1", "snap-tok-1"); err != nil || again != snapID {
		t.Fatalf("same token: %q %v, want %q", again, err, snapID)
	}
	s.clock.Add(5 * time.Second)
	sn, err := c.DescribeSnapshot(ctx, snapID)
	if err != nil || sn.Status != ports.SnapshotProgressing || sn.Progress != 50 || sn.DiskID != disk.ID || sn.SizeGiB != 20 {
		t.Fatalf("halfway: %+v %v", sn, err)
	}
	// One snapshot of a disk at a time.
	if _, _, err := c.CreateSnapshot(ctx, disk.ID, "seatide-2", "snap-tok-2"); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("second snapshot while one is progressing: %v", err)
	}
	// A disk made from a snapshot that is not accomplished is refused.
	notYet := spec
	notYet.DataDisk = &ports.Disk{Category: "cloud_essd", Size: 20, Snapshot: snapID}
	if _, _, err := c.RunInstance(ctx, notYet, "tok-early"); err == nil {
		t.Fatal("a disk from a progressing snapshot was made")
	}
	s.clock.Add(5 * time.Second)
	if sn, err = c.DescribeSnapshot(ctx, snapID); err != nil || sn.Status != ports.SnapshotAccomplished || sn.Progress != 100 {
		t.Fatalf("done: %+v %v", sn, err)
	}

	// The first instance goes; its data disk with it; the snapshot stays.
	if _, err := c.DeleteInstance(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DataDisk(ctx, first); !errors.Is(err, domain.ErrCloudNotFound) {
		t.Fatalf("disk of a deleted instance: %v", err)
	}
	if left := s.Instances(); len(left) != 0 {
		t.Fatalf("left behind: %+v", left)
	}
	restored := spec
	restored.Zone, restored.VSwitch = zones[1], ecssim.DefaultVSwitch(zones[1]) // snapshots are regional
	restored.DataDisk = &ports.Disk{Category: "cloud_essd", Size: 20, Snapshot: snapID}
	second := running(restored, "tok-2")
	if v, _ := s.Instance(second); len(v.Disks) != 2 || v.Disks[1].Size != 20 {
		t.Fatalf("disks of the restored instance: %+v", v.Disks)
	}
	mc, err := s.Minecraft()
	if err != nil || len(mc) != 1 || mc[0].InstanceId != second || mc[0].World != "W1" {
		t.Fatalf("minecraft after restore: %+v %v", mc, err)
	}

	// A snapshot that fails.
	disk2, err := c.DataDisk(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	s.FailSnapshots(1)
	bad, _, err := c.CreateSnapshot(ctx, disk2.ID, "bad", "snap-tok-3")
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Add(10 * time.Second)
	if sn, err := c.DescribeSnapshot(ctx, bad); err != nil || sn.Status != ports.SnapshotFailed {
		t.Fatalf("failing snapshot: %+v %v", sn, err)
	}
	// The quota counts the disk's snapshots, failed ones too.
	s.SetSnapshotQuota(1)
	if _, _, err := c.CreateSnapshot(ctx, disk2.ID, "over", "snap-tok-4"); !errors.Is(err, domain.ErrQuota) {
		t.Fatalf("over quota: %v", err)
	}
	if _, err := c.DeleteSnapshot(ctx, bad); err != nil {
		t.Fatal(err)
	}
	// A snapshot a disk was made from goes too (Force).
	if _, err := c.DeleteSnapshot(ctx, snapID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeSnapshot(ctx, snapID); !errors.Is(err, domain.ErrCloudNotFound) {
		t.Fatalf("deleted snapshot: %v", err)
	}
	if _, err := c.DeleteSnapshot(ctx, snapID); !errors.Is(err, domain.ErrCloudNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

// TestSpotReclaimNotice: a reclaimed spot instance shows the Recycling
// lock for the notice, then is gone with its disks; with
// SpotInterruptionBehavior Stop it is stopped instead, its disk kept.
func TestSpotReclaimNotice(t *testing.T) {
	ctx := context.Background()
	s := startSim(t, ecssim.Options{TransitionTime: time.Second, ReclaimNotice: 5 * time.Minute})
	c := newClient(t, clientConfig(s))
	spec := baseSpec(s.RegionID())
	spec.SpotStrategy = "SpotAsPriceGo"
	spec.DataDisk = &ports.Disk{Category: "cloud_essd", Size: 20}
	id, _, err := c.RunInstance(ctx, spec, "tok")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReclaimSpot(id); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(5*time.Minute - time.Second)
	ci, err := c.DescribeInstance(ctx, id)
	if err != nil || !ci.Reclaiming {
		t.Fatalf("during the notice: %+v %v", ci, err)
	}
	s.clock.Add(time.Second)
	if _, err := c.DescribeInstance(ctx, id); !errors.Is(err, domain.ErrCloudNotFound) {
		t.Fatalf("after the notice: %v", err)
	}
	if left := s.Instances(); len(left) != 0 {
		t.Fatalf("left with its disks: %+v", left)
	}
}

// With SpotInterruptionBehavior Stop the reclaim stops the instance in
// economical mode after the notice: its disks, and the world, stay.
func TestSpotReclaimStops(t *testing.T) {
	ctx := context.Background()
	s := startSim(t, ecssim.Options{TransitionTime: time.Second, ReclaimNotice: 5 * time.Minute, Minecraft: &ecssim.MinecraftOptions{}})
	c := newClient(t, clientConfig(s))
	spec := baseSpec(s.RegionID())
	spec.SpotStrategy, spec.SpotInterruption = "SpotAsPriceGo", "Stop"
	spec.DataDisk = &ports.Disk{Category: "cloud_essd", Size: 20}
	id, _, err := c.RunInstance(ctx, spec, "tok")
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Add(5 * time.Second)
	if err := s.UpdateMinecraft(id, func(m *ecssim.MinecraftState) error { m.World = "W1"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ReclaimSpot(id); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(5 * time.Minute)
	ci, err := c.DescribeInstance(ctx, id)
	if err != nil || ci.Status != domain.StatusStopped || ci.Reclaiming || ci.StoppedMode != ports.StopCharging {
		t.Fatalf("after the notice: %+v %v", ci, err)
	}
	if d, err := c.DataDisk(ctx, id); err != nil || d.SizeGiB != 20 {
		t.Fatalf("data disk kept: %+v %v", d, err)
	}
	if mc, _ := s.Minecraft(); len(mc) != 1 || mc[0].World != "W1" {
		t.Fatalf("world kept: %+v", mc)
	}
}
