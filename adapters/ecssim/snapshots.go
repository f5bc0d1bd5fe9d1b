package ecssim

import (
	"fmt"
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
// The system disk is modelled as a disk too (Type "system"), so DescribeDisks
// lists what a real account shows. The fake Minecraft server's World lives
// on the data disk: a snapshot copies it, a disk made from the snapshot
// brings it back. An instance without a data disk keeps its World on the
// system disk, which dies with it.

// Disk categories and their size ranges in GiB (CreateInstance
// DataDisk.N.Size; cloud_essd at its default PL1).
var diskSizes = map[string][2]int{
	"cloud":            {5, 2000},
	"cloud_efficiency": {20, 32768},
	"cloud_ssd":        {20, 32768},
	"cloud_essd":       {20, 32768},
	"cloud_auto":       {1, 65536},
	"cloud_essd_entry": {10, 32768},
}

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

type disk struct {
	id, category, zone string
	typ                string // "system" or "data"
	size               int
	instanceID         string // "" once detached (never here: disks go with their instance)
	sourceSnapshot     string
	deleteWithInstance bool
	created            time.Time
}

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

// dataDiskSpec is one DataDisk.N of a create call, validated.
type dataDiskSpec struct {
	category, snapshotID string
	size                 int
	deleteWithInstance   bool
}

// dataDiskSpecs reads and checks DataDisk.1..16 of a create call.
func (s *Simulator) dataDiskSpecs(c *call) ([]dataDiskSpec, error) {
	var out []dataDiskSpec
	for n := 1; n <= 17; n++ {
		p := fmt.Sprintf("DataDisk.%d.", n)
		if c.str(p+"Category") == "" && c.str(p+"Size") == "" && c.str(p+"SnapshotId") == "" {
			break
		}
		if n == 17 {
			// Up to 16 data disks per instance (CreateInstance DataDisk.N).
			return nil, errInvalid("DataDisk.N", "more than 16")
		}
		d := dataDiskSpec{category: orDefault(c.str(p+"Category"), "cloud_efficiency"), snapshotID: c.str(p + "SnapshotId"),
			deleteWithInstance: true}
		rng, ok := diskSizes[d.category]
		if !ok {
			return nil, newErr(http.StatusBadRequest, "InvalidDataDiskCategory.ValueNotSupported",
				"The specified parameter %q is not valid: %q.", p+"Category", d.category)
		}
		size, err := c.integer(p+"Size", 0)
		if err != nil {
			return nil, err
		}
		if v := c.str(p + "DeleteWithInstance"); v != "" {
			if d.deleteWithInstance, err = strconv.ParseBool(v); err != nil {
				return nil, errInvalid(p+"DeleteWithInstance", v)
			}
		}
		if d.snapshotID != "" {
			sn := s.snapshots[d.snapshotID]
			if sn == nil {
				return nil, newErr(http.StatusNotFound, "InvalidSnapshotId.NotFound",
					"The specified snapshot does not exist. (%s)", d.snapshotID)
			}
			if sn.status(c.now) != snapAccomplished {
				return nil, newErr(http.StatusForbidden, "InvalidSnapshotId.NotReady",
					"The specified snapshot has not completed yet. (%s)", d.snapshotID)
			}
			size = max(size, sn.diskSize) // the larger of Size and the snapshot's size
		} else if size == 0 {
			return nil, errMissing(p + "Size")
		}
		if size < rng[0] || size > rng[1] {
			return nil, newErr(http.StatusBadRequest, "InvalidDataDiskSize.ValueNotSupported",
				"The specified parameter %q is not valid: %d is outside %d..%d for %s.", p+"Size", size, rng[0], rng[1], d.category)
		}
		d.size = size
		out = append(out, d)
	}
	return out, nil
}

// attachDisks creates the system disk and the data disks of a newly stored
// instance; the World comes back from the first data disk's snapshot.
func (s *Simulator) attachDisks(in *instance, specs []dataDiskSpec, now time.Time) {
	in.mc.World = ""
	sys := &disk{id: s.newID("d"), category: in.systemDiskCategory, zone: in.zone, typ: "system", size: in.systemDiskSize,
		instanceID: in.id, deleteWithInstance: true, created: now}
	s.disks[sys.id] = sys
	in.diskIDs = []string{sys.id}
	for i, sp := range specs {
		d := &disk{id: s.newID("d"), category: sp.category, zone: in.zone, typ: "data", size: sp.size, instanceID: in.id,
			sourceSnapshot: sp.snapshotID, deleteWithInstance: sp.deleteWithInstance, created: now}
		s.disks[d.id] = d
		in.diskIDs = append(in.diskIDs, d.id)
		if sn := s.snapshots[sp.snapshotID]; sn != nil {
			sn.usedByDisks = true
			if i == 0 {
				in.mc.World = sn.world
			}
		}
	}
}

// releaseDisks releases what goes with a released instance; a data disk
// with DeleteWithInstance false stays, detached (Available).
func (s *Simulator) releaseDisks(in *instance) {
	for _, id := range in.diskIDs {
		d := s.disks[id]
		if d == nil {
			continue
		}
		if d.deleteWithInstance {
			delete(s.disks, id)
			continue
		}
		d.instanceID = ""
	}
}

func (d *disk) status() string {
	if d.instanceID == "" {
		return "Available"
	}
	return "In_use"
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
	d := s.disks[id]
	if d == nil {
		return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified disk does not exist. (%s)", id)
	}
	if d.instanceID != "" {
		in, err := s.lookup(d.instanceID, c.now)
		if err != nil {
			return nil, err
		}
		if (in.status != StatusRunning && in.status != StatusStopped) || !in.everRan {
			return nil, errIncorrectStatus(in.id, in.status)
		}
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
	sn := &snapshot{id: s.newID("s"), name: c.str("SnapshotName"), diskID: id, diskSize: d.size, diskType: d.typ,
		created: c.now, done: c.now.Add(s.opts.SnapshotTime)}
	if s.failSnapshots > 0 {
		s.failSnapshots--
		sn.fail = true
	}
	if in := s.instances[d.instanceID]; in != nil && d.typ == "data" && in.diskIDs[1] == d.id {
		sn.world = in.mc.World
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

func (s *Simulator) diskJSON(d *disk) map[string]any {
	return map[string]any{
		"DiskId":             d.id,
		"Type":               d.typ,
		"Category":           d.category,
		"Size":               d.size,
		"Status":             d.status(),
		"InstanceId":         d.instanceID,
		"ZoneId":             d.zone,
		"RegionId":           s.opts.RegionID,
		"SourceSnapshotId":   d.sourceSnapshot,
		"DeleteWithInstance": d.deleteWithInstance,
		"Portable":           true,
		"CreationTime":       d.created.Format(isoSeconds),
	}
}

// DescribeDisks: DiskIds (JSON list), InstanceId, DiskType (all, system,
// data), ZoneId filters; paging.
func actDescribeDisks(s *Simulator, c *call) (map[string]any, error) {
	ids, set, err := c.jsonList("DiskIds")
	if err != nil {
		return nil, err
	}
	typ := orDefault(c.str("DiskType"), "all")
	if typ != "all" && typ != "system" && typ != "data" {
		return nil, errInvalid("DiskType", typ)
	}
	var keys []string
	for id := range s.disks {
		keys = append(keys, id)
	}
	slices.Sort(keys) // ids grow with creation: creation order
	var all []*disk
	for _, id := range keys {
		d := s.disks[id]
		switch {
		case set && !slices.Contains(ids, id):
		case c.str("InstanceId") != "" && c.str("InstanceId") != d.instanceID:
		case typ != "all" && typ != d.typ:
		case c.str("ZoneId") != "" && c.str("ZoneId") != d.zone:
		default:
			all = append(all, d)
		}
	}
	lo, hi, resp, err := c.page(len(all), 10, 100)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, d := range all[lo:hi] {
		list = append(list, s.diskJSON(d))
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

// DiskView is a disk as GET /_sim/disks reports it.
type DiskView struct {
	DiskId           string `json:"DiskId"`
	Type             string `json:"Type"`
	Category         string `json:"Category"`
	Size             int    `json:"Size"`
	InstanceId       string `json:"InstanceId"`
	ZoneId           string `json:"ZoneId"`
	SourceSnapshotId string `json:"SourceSnapshotId"`
}

// Disks returns every disk in creation order.
func (s *Simulator) Disks() []DiskView {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []DiskView{}
	var keys []string
	for id := range s.disks {
		keys = append(keys, id)
	}
	slices.Sort(keys)
	for _, id := range keys {
		d := s.disks[id]
		out = append(out, DiskView{DiskId: d.id, Type: d.typ, Category: d.category, Size: d.size, InstanceId: d.instanceID,
			ZoneId: d.zone, SourceSnapshotId: d.sourceSnapshot})
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
	mux.HandleFunc("GET /_sim/disks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Disks())
	})
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
