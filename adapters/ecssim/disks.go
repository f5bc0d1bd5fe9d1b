package ecssim

import (
	"net/http"
	"strconv"
)

// disk is one cloud disk created with an instance and released with it
// (DeleteWithInstance, the default for disks made by the create call).
type disk struct {
	id       string
	system   bool
	category string
	size     int // GiB
	// snapshotID is the snapshot a data disk was made from
	// (DataDisk.N.SnapshotId), "" for an empty one.
	snapshotID string
}

// Disk categories and sizes as the RunInstances/CreateInstance API
// reference lists them: SystemDisk.Category cloud_efficiency, cloud_ssd,
// cloud_essd, cloud, cloud_auto, cloud_essd_entry; SystemDisk.Size 20..2048
// GiB (and at least the image's size; default max(40, image size));
// DataDisk.N.Size 20..32768 GiB for cloud_efficiency/cloud_essd, 20..32768
// for cloud_ssd, 5..2000 for cloud; at most 16 data disks.
var diskCategories = map[string]bool{
	"cloud": true, "cloud_efficiency": true, "cloud_ssd": true, "cloud_essd": true,
	"cloud_auto": true, "cloud_essd_entry": true,
}

const maxDataDisks = 16

// disksOf reads SystemDisk.* and DataDisk.N.* of a create call; ids are
// given when the instance is stored.
func (s *Simulator) disksOf(c *call) ([]disk, error) {
	size, err := c.integer("SystemDisk.Size", 40)
	if err != nil {
		return nil, err
	}
	cat := orDefault(c.str("SystemDisk.Category"), "cloud_efficiency")
	if !diskCategories[cat] {
		return nil, newErr(http.StatusBadRequest, "InvalidSystemDiskCategory.ValueNotSupported",
			"The specified parameter SystemDisk.Category %q is not valid.", cat)
	}
	if size < 20 || size > 2048 {
		return nil, newErr(http.StatusBadRequest, "InvalidSystemDiskSize",
			"The specified parameter SystemDisk.Size %d is not valid (20..2048 GiB).", size)
	}
	out := []disk{{system: true, category: cat, size: size}}
	for i := 1; ; i++ {
		prefix := "DataDisk." + strconv.Itoa(i) + "."
		if !c.q.Has(prefix+"Size") && !c.q.Has(prefix+"Category") && !c.q.Has(prefix+"SnapshotId") {
			break
		}
		if i > maxDataDisks {
			return nil, newErr(http.StatusBadRequest, "InvalidDataDiskSize.ValueNotSupported",
				"At most %d data disks can be created with an instance.", maxDataDisks)
		}
		cat := orDefault(c.str(prefix+"Category"), "cloud_efficiency")
		if !diskCategories[cat] {
			return nil, newErr(http.StatusBadRequest, "InvalidDataDiskCategory.ValueNotSupported",
				"The specified parameter %sCategory %q is not valid.", prefix, cat)
		}
		size, err := c.integer(prefix+"Size", 0)
		if err != nil {
			return nil, err
		}
		snap := c.str(prefix + "SnapshotId")
		if snap != "" {
			if size, err = s.sizeFromSnapshot(snap, size, c.now); err != nil {
				return nil, err
			}
		}
		lo, hi := 20, 32768
		if cat == "cloud" {
			lo, hi = 5, 2000
		}
		if size < lo || size > hi {
			return nil, newErr(http.StatusBadRequest, "InvalidDataDiskSize.ValueNotSupported",
				"The specified parameter %sSize %d is not valid (%d..%d GiB for %s).", prefix, size, lo, hi, cat)
		}
		out = append(out, disk{category: cat, size: size, snapshotID: snap})
	}
	return out, nil
}

func diskViews(ds []disk) []DiskView {
	out := make([]DiskView, 0, len(ds))
	for _, d := range ds {
		typ := "data"
		if d.system {
			typ = "system"
		}
		out = append(out, DiskView{DiskId: d.id, Type: typ, Category: d.category, Size: d.size})
	}
	return out
}
