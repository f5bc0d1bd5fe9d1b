package aliyunecs

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

var _ ports.Snapshots = (*Client)(nil)

// DataDisk returns the first data disk of the instance (DescribeDisks with
// InstanceId and DiskType data), or domain.ErrCloudNotFound.
func (c *Client) DataDisk(ctx context.Context, instanceID string) (ports.DataDisk, error) {
	if instanceID == "" {
		return ports.DataDisk{}, domain.Invalid("instance_id")
	}
	req := &ecs.DescribeDisksRequest{RegionId: tea.String(c.region), InstanceId: tea.String(instanceID),
		DiskType: tea.String("data"), MaxResults: tea.Int32(pageSize)}
	list, _, err := do(ctx, c, "DescribeDisks", func(e *ecs.Client, rt *util.RuntimeOptions) ([]*ecs.DescribeDisksResponseBodyDisksDisk, *string, error) {
		resp, err := e.DescribeDisksWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		if resp.Body.Disks == nil {
			return nil, resp.Body.RequestId, nil
		}
		return resp.Body.Disks.Disk, resp.Body.RequestId, nil
	})
	if err != nil {
		return ports.DataDisk{}, err
	}
	// The oldest data disk is the one created with the instance: disk ids
	// are not ordered, creation times are.
	var first *ecs.DescribeDisksResponseBodyDisksDisk
	for _, d := range list {
		if tea.StringValue(d.InstanceId) != instanceID || tea.StringValue(d.Type) != "data" {
			continue
		}
		if first == nil || tea.StringValue(d.CreationTime) < tea.StringValue(first.CreationTime) {
			first = d
		}
	}
	if first == nil {
		return ports.DataDisk{}, domain.Wrap(domain.ErrCloudNotFound, &callError{Action: "DescribeDisks"})
	}
	return ports.DataDisk{ID: tea.StringValue(first.DiskId), Category: tea.StringValue(first.Category),
		SizeGiB: int(tea.Int32Value(first.Size))}, nil
}

// CreateSnapshot snapshots a disk; the same clientToken returns the same
// snapshot (CreateSnapshot ClientToken, API reference).
func (c *Client) CreateSnapshot(ctx context.Context, diskID, name, clientToken string) (string, string, error) {
	if diskID == "" {
		return "", "", domain.Invalid("disk_id")
	}
	req := &ecs.CreateSnapshotRequest{DiskId: tea.String(diskID), SnapshotName: str(name), ClientToken: str(clientToken)}
	id, reqID, err := do(ctx, c, "CreateSnapshot", func(e *ecs.Client, rt *util.RuntimeOptions) (string, *string, error) {
		resp, err := e.CreateSnapshotWithOptions(req, rt)
		if err != nil {
			return "", nil, err
		}
		return tea.StringValue(resp.Body.SnapshotId), resp.Body.RequestId, nil
	})
	if err == nil && id == "" {
		return "", reqID, domain.Internal(nil, "aliyunecs: CreateSnapshot returned no SnapshotId")
	}
	return id, reqID, err
}

// DescribeSnapshot returns one snapshot, or domain.ErrCloudNotFound.
func (c *Client) DescribeSnapshot(ctx context.Context, id string) (ports.Snapshot, error) {
	if id == "" {
		return ports.Snapshot{}, domain.Invalid("snapshot_id")
	}
	ids, _ := json.Marshal([]string{id})
	req := &ecs.DescribeSnapshotsRequest{RegionId: tea.String(c.region), SnapshotIds: tea.String(string(ids))}
	list, _, err := do(ctx, c, "DescribeSnapshots", func(e *ecs.Client, rt *util.RuntimeOptions) ([]*ecs.DescribeSnapshotsResponseBodySnapshotsSnapshot, *string, error) {
		resp, err := e.DescribeSnapshotsWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		if resp.Body.Snapshots == nil {
			return nil, resp.Body.RequestId, nil
		}
		return resp.Body.Snapshots.Snapshot, resp.Body.RequestId, nil
	})
	if err != nil {
		return ports.Snapshot{}, err
	}
	for _, sn := range list {
		if tea.StringValue(sn.SnapshotId) == id {
			return toSnapshot(sn), nil
		}
	}
	return ports.Snapshot{}, domain.Wrap(domain.ErrCloudNotFound, &callError{Action: "DescribeSnapshots"})
}

func toSnapshot(sn *ecs.DescribeSnapshotsResponseBodySnapshotsSnapshot) ports.Snapshot {
	out := ports.Snapshot{ID: tea.StringValue(sn.SnapshotId), DiskID: tea.StringValue(sn.SourceDiskId),
		Status: tea.StringValue(sn.Status)}
	// Progress is text such as "100%"; SourceDiskSize is GiB as text
	// (SDK response comments).
	out.Progress, _ = strconv.Atoi(strings.TrimSuffix(tea.StringValue(sn.Progress), "%"))
	out.SizeGiB, _ = strconv.Atoi(tea.StringValue(sn.SourceDiskSize))
	for _, l := range creationLayouts {
		if t, err := time.Parse(l, tea.StringValue(sn.CreationTime)); err == nil {
			out.CreatedAt = t.UTC()
			break
		}
	}
	return out
}

// DeleteSnapshot releases a snapshot with Force: a snapshot a disk was made
// from is refused without it (DeleteSnapshot Force, SDK comment), and
// seatide's retention must be able to drop old ones whatever was restored.
func (c *Client) DeleteSnapshot(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", domain.Invalid("snapshot_id")
	}
	req := &ecs.DeleteSnapshotRequest{SnapshotId: tea.String(id), Force: tea.Bool(true)}
	_, reqID, err := do(ctx, c, "DeleteSnapshot", func(e *ecs.Client, rt *util.RuntimeOptions) (struct{}, *string, error) {
		resp, err := e.DeleteSnapshotWithOptions(req, rt)
		if err != nil {
			return struct{}{}, nil, err
		}
		return struct{}{}, resp.Body.RequestId, nil
	})
	return reqID, err
}
