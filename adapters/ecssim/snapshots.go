package ecssim

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Data disks and their snapshots (issue 16). Sources:
//   - CreateInstance/RunInstances DataDisk.N.* and DescribeDisks: the ECS
//     API reference and the SDK's request comments (ecs-20140526 v4.26.10,
//     CreateInstanceRequestDataDisk: "If the size of the snapshot specified
//     by SnapshotId is larger than the value of Size, the size of the
//     created disk is equal to the size of the snapshot").
//   - CreateSnapshot, API reference "Operation description": no snapshot of
//     a disk whose manual snapshots number 256, or while another snapshot of
//     it is being created, or whose instance has never been started or is
//     neither Running nor Stopped.
//   - DescribeSnapshots: Status progressing | accomplished | failed,
//     Progress "NN%" (SDK response comments).
//   - DeleteSnapshot: Force "specifies whether to force delete the snapshot
//     that has been used to create cloud disks" (SDK request comment).
//
// The disks themselves are disks.go's: made by the create call, released
// with their instance. The fake Minecraft server's World lives on the first
// data disk: a snapshot copies it, a disk made from the snapshot brings it
// back. An instance without a data disk keeps its World on the system disk,
// which dies with it.

// Snapshot statuses (DescribeSnapshots Status).
const (
	snapProgressing  = "progressing"
	snapAccomplished = "accomplished"
	snapFailed       = "failed"
)

// DefaultSnapshotQuota is the manual snapshots one disk may have
// (CreateSnapshot: "The number of manual snapshots of the disk has reached 256").
const DefaultSnapshotQuota = 256

// DefaultReclaimNotice is how long a reclaimed spot instance carries its
// Recycling lock before it is released: "about 5 minutes" (ECS spot
// instance documentation, "interruption notice").
const DefaultReclaimNotice = 5 * time.Minute

type snapshot struct {
	id, name, diskID string
	diskSize         int
	diskType         string
	created          time.Time
	done             time.Time // when it is accomplished (or failed)
	fail             bool      // ends failed (FailSnapshots)
	world            string    // the fake Minecraft World at the moment it was taken
	usedByDisks      bool      // a disk was made from it: deleting needs Force
}

// sizeFromSnapshot checks DataDisk.N.SnapshotId and returns the disk's
// size: the larger of Size and the snapshot's (CreateInstanceRequestDataDisk
// Size comment). The snapshot must exist and be accomplished.
func (s *Simulator) sizeFromSnapshot(id string, size int, now time.Time) (int, error) {
	sn := s.snapshots[id]
	if sn == nil {
		return 0, newErr(http.StatusNotFound, "InvalidSnapshotId.NotFound", "The specified snapshot does not exist. (%s)", id)
	}
	if sn.status(now) != snapAccomplished {
		return 0, newErr(http.StatusForbidden, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet. (%s)", id)
	}
	return max(size, sn.diskSize), nil
}

// restoreWorld gives a newly stored instance the World of the snapshot
// its first data disk was made from, or none: a new disk is empty.
func (s *Simulator) restoreWorld(in *instance) {
	in.mc.World = ""
	for i, d := range in.disks {
		sn := s.snapshots[d.snapshotID]
		if sn == nil {
			continue
		}
		sn.usedByDisks = true
		if i == 1 {
			in.mc.World = sn.world
		}
	}
}

// findDisk returns a disk and the instance it is attached to.
func (s *Simulator) findDisk(id string) (*instance, *disk) {
	for _, iid := range s.order {
		in := s.instances[iid]
		for i := range in.disks {
			if in.disks[i].id == id {
				return in, &in.disks[i]
			}
		}
	}
	return nil, nil
}

func (sn *snapshot) status(now time.Time) string {
	switch {
	case now.Before(sn.done):
		return snapProgressing
	case sn.fail:
		return snapFailed
	}
	return snapAccomplished
}

// progress is linear over SnapshotTime, as seen from outside.
func (sn *snapshot) progress(now time.Time) int {
	total := sn.done.Sub(sn.created)
	if total <= 0 || !now.Before(sn.done) {
		return 100
	}
	return int(100 * now.Sub(sn.created) / total)
}

// CreateSnapshot: DiskId (required), SnapshotName, Description,
// ClientToken (idempotent).
func actCreateSnapshot(s *Simulator, c *call) (map[string]any, error) {
	id, err := c.required("DiskId")
	if err != nil {
		return nil, err
	}
	in, d := s.findDisk(id)
	if d == nil {
		return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified disk does not exist. (%s)", id)
	}
	s.advance(in, c.now)
	if (in.status != StatusRunning && in.status != StatusStopped) || !in.everRan {
		return nil, errIncorrectStatus(in.id, in.status)
	}
	taken := 0
	for _, sn := range s.snapshots {
		if sn.diskID != id {
			continue
		}
		taken++
		if sn.status(c.now) == snapProgressing {
			return nil, newErr(http.StatusForbidden, "IncorrectDiskStatus.CreatingSnapshot",
				"A snapshot is being created for the specified disk. (%s)", id)
		}
	}
	if taken >= s.snapshotQuota {
		return nil, newErr(http.StatusForbidden, "QuotaExceed.Snapshot",
			"The maximum number of manual snapshots of the disk is exceeded. (%d)", s.snapshotQuota)
	}
	sn := &snapshot{id: s.newID("s"), name: c.str("SnapshotName"), diskID: id, diskSize: d.size, diskType: diskType(d),
		created: c.now, done: c.now.Add(s.opts.SnapshotTime)}
	if s.failSnapshots > 0 {
		s.failSnapshots--
		sn.fail = true
	}
	if len(in.disks) > 1 && &in.disks[1] == d {
		sn.world = in.mc.World // the first data disk holds the World
	}
	s.snapshots[sn.id] = sn
	s.snapOrder = append(s.snapOrder, sn.id)
	return map[string]any{"SnapshotId": sn.id}, nil
}

func (s *Simulator) snapshotJSON(sn *snapshot, now time.Time) map[string]any {
	return map[string]any{
		"SnapshotId":     sn.id,
		"SnapshotName":   sn.name,
		"SourceDiskId":   sn.diskID,
		"SourceDiskSize": strconv.Itoa(sn.diskSize), // a string on the wire (SDK: SourceDiskSize *string)
		"SourceDiskType": sn.diskType,
		"Status":         sn.status(now),
		"Progress":       strconv.Itoa(sn.progress(now)) + "%",
		"CreationTime":   sn.created.Format(isoSeconds),
		"Usage":          map[bool]string{true: "disk", false: "none"}[sn.usedByDisks],
		"RegionId":       s.opts.RegionID,
	}
}

// DescribeSnapshots: SnapshotIds (JSON list), DiskId, Status filters;
// paging as DescribeInstances.
func actDescribeSnapshots(s *Simulator, c *call) (map[string]any, error) {
	ids, set, err := c.jsonList("SnapshotIds")
	if err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, errInvalid("SnapshotIds", c.str("SnapshotIds"))
	}
	var all []*snapshot
	for _, id := range s.snapOrder {
		sn := s.snapshots[id]
		switch {
		case set && !slices.Contains(ids, id):
		case c.str("DiskId") != "" && c.str("DiskId") != sn.diskID:
		case c.str("Status") != "" && c.str("Status") != "all" && c.str("Status") != sn.status(c.now):
		default:
			all = append(all, sn)
		}
	}
	lo, hi, resp, err := c.page(len(all), 10, 100)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, sn := range all[lo:hi] {
		list = append(list, s.snapshotJSON(sn, c.now))
	}
	resp["Snapshots"] = map[string]any{"Snapshot": list}
	return resp, nil
}

// DeleteSnapshot: SnapshotId (required), Force.
func actDeleteSnapshot(s *Simulator, c *call) (map[string]any, error) {
	id, err := c.required("SnapshotId")
	if err != nil {
		return nil, err
	}
	force, err := c.boolean("Force")
	if err != nil {
		return nil, err
	}
	sn := s.snapshots[id]
	if sn == nil {
		return nil, newErr(http.StatusNotFound, "InvalidSnapshotId.NotFound", "The specified snapshot does not exist. (%s)", id)
	}
	if sn.usedByDisks && !force {
		return nil, newErr(http.StatusForbidden, "SnapshotCreatedDisk",
			"The snapshot has been used to create disks; set Force to delete it. (%s)", id)
	}
	delete(s.snapshots, id)
	s.snapOrder = slices.DeleteFunc(s.snapOrder, func(v string) bool { return v == id })
	return map[string]any{}, nil
}

func diskType(d *disk) string {
	if d.system {
		return "system"
	}
	return "data"
}

func (s *Simulator) diskJSON(in *instance, d *disk) map[string]any {
	return map[string]any{
		"DiskId":             d.id,
		"Type":               diskType(d),
		"Category":           d.category,
		"Size":               d.size,
		"Status":             "In_use",
		"InstanceId":         in.id,
		"ZoneId":             in.zone,
		"RegionId":           s.opts.RegionID,
		"SourceSnapshotId":   d.snapshotID,
		"DeleteWithInstance": true,
		"Portable":           !d.system,
		"CreationTime":       in.created.Format(isoSeconds),
	}
}

// DescribeDisks: DiskIds (JSON list), InstanceId, DiskType (all, system,
// data), ZoneId filters; paging. Disks in instance creation order.
func actDescribeDisks(s *Simulator, c *call) (map[string]any, error) {
	ids, set, err := c.jsonList("DiskIds")
	if err != nil {
		return nil, err
	}
	typ := orDefault(c.str("DiskType"), "all")
	if typ != "all" && typ != "system" && typ != "data" {
		return nil, errInvalid("DiskType", typ)
	}
	type found struct {
		in *instance
		d  *disk
	}
	var all []found
	for _, iid := range s.order {
		in := s.instances[iid]
		for i := range in.disks {
			d := &in.disks[i]
			switch {
			case set && !slices.Contains(ids, d.id):
			case c.str("InstanceId") != "" && c.str("InstanceId") != in.id:
			case typ != "all" && typ != diskType(d):
			case c.str("ZoneId") != "" && c.str("ZoneId") != in.zone:
			default:
				all = append(all, found{in, d})
			}
		}
	}
	lo, hi, resp, err := c.page(len(all), 10, 100)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, f := range all[lo:hi] {
		list = append(list, s.diskJSON(f.in, f.d))
	}
	resp["Disks"] = map[string]any{"Disk": list}
	return resp, nil
}

// SnapshotView is a snapshot as GET /_sim/snapshots reports it.
type SnapshotView struct {
	SnapshotId   string `json:"SnapshotId"`
	SourceDiskId string `json:"SourceDiskId"`
	Status       string `json:"Status"`
	Progress     int    `json:"Progress"`
	SizeGiB      int    `json:"SizeGiB"`
	World        string `json:"World"` // what the fake Minecraft server's World was when it was taken
	CreationTime string `json:"CreationTime"`
}

// Snapshots returns every snapshot, oldest first.
func (s *Simulator) Snapshots() []SnapshotView {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := []SnapshotView{}
	for _, id := range s.snapOrder {
		sn := s.snapshots[id]
		out = append(out, SnapshotView{SnapshotId: sn.id, SourceDiskId: sn.diskID, Status: sn.status(now),
			Progress: sn.progress(now), SizeGiB: sn.diskSize, World: sn.world, CreationTime: sn.created.Format(isoSeconds)})
	}
	return out
}

// FailSnapshots makes the next n snapshots end failed instead of
// accomplished, as a snapshot that runs into a storage fault would.
func (s *Simulator) FailSnapshots(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failSnapshots = max(n, 0)
}

// SetSnapshotQuota sets how many manual snapshots one disk may have.
func (s *Simulator) SetSnapshotQuota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snapshotQuota = max(n, 0)
}

// diskAdmin adds the disk and snapshot admin routes.
func (s *Simulator) diskAdmin(mux *http.ServeMux) {
	mux.HandleFunc("GET /_sim/snapshots", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Snapshots())
	})
	mux.HandleFunc("POST /_sim/snapshots/fail", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Count int }
		if !readJSON(w, r, &req) {
			return
		}
		s.FailSnapshots(req.Count)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/snapshots/quota", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Quota int }
		if !readJSON(w, r, &req) {
			return
		}
		s.SetSnapshotQuota(req.Quota)
		w.WriteHeader(http.StatusNoContent)
	})
}
