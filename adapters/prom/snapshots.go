package prom

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/ports"
)

// Snapshots returns s with every call counted and timed under its method's
// name, like Cloud.
func (m *Metrics) Snapshots(s ports.Snapshots) ports.Snapshots { return &snapshots{next: s, m: m} }

type snapshots struct {
	next ports.Snapshots
	m    *Metrics
}

var _ ports.Snapshots = (*snapshots)(nil)

func (s *snapshots) DataDisk(ctx context.Context, instanceID string) (d ports.DataDisk, err error) {
	defer s.m.done("DataDisk", time.Now(), &err)
	return s.next.DataDisk(ctx, instanceID)
}

func (s *snapshots) CreateSnapshot(ctx context.Context, diskID, name, clientToken string) (id, requestID string, err error) {
	defer s.m.done("CreateSnapshot", time.Now(), &err)
	return s.next.CreateSnapshot(ctx, diskID, name, clientToken)
}

func (s *snapshots) DescribeSnapshot(ctx context.Context, id string) (sn ports.Snapshot, err error) {
	defer s.m.done("DescribeSnapshot", time.Now(), &err)
	return s.next.DescribeSnapshot(ctx, id)
}

func (s *snapshots) DeleteSnapshot(ctx context.Context, id string) (requestID string, err error) {
	defer s.m.done("DeleteSnapshot", time.Now(), &err)
	return s.next.DeleteSnapshot(ctx, id)
}
