package ports

import "context"

// Inspector reads how the cloud account is set up, for the preflight
// check (`seatide check`) and readiness. Errors are the Cloud sentinels;
// domain.ErrCloudNotFound when the thing asked for does not exist.
type Inspector interface {
	// Regions lists the region ids the account can use.
	Regions(ctx context.Context) ([]string, error)
	// ImageExists reports whether the image is usable in the region.
	ImageExists(ctx context.Context, id string) (bool, error)
	// SecurityGroupVPC returns the VPC a security group belongs to.
	SecurityGroupVPC(ctx context.Context, id string) (string, error)
	// VSwitch returns the VPC and zone of a vSwitch.
	VSwitch(ctx context.Context, id string) (vpc, zone string, err error)
}
