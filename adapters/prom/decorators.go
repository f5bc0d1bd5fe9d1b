package prom

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/ports"
)

// Cloud returns c with every call counted and timed under its method's name.
func (m *Metrics) Cloud(c ports.Cloud) ports.Cloud { return &cloud{next: c, m: m} }

// Billing returns b with every call counted and timed under its method's name.
func (m *Metrics) Billing(b ports.Billing) ports.Billing { return &billing{next: b, m: m} }

// done is deferred with the call's start and its named error result.
func (m *Metrics) done(action string, start time.Time, err *error) { m.observe(action, start, *err) }

type cloud struct {
	next ports.Cloud
	m    *Metrics
}

var _ ports.Cloud = (*cloud)(nil)

func (c *cloud) RunInstance(ctx context.Context, spec ports.InstanceSpec, clientToken string) (id, requestID string, err error) {
	defer c.m.done("RunInstance", time.Now(), &err)
	return c.next.RunInstance(ctx, spec, clientToken)
}

func (c *cloud) CheckCreate(ctx context.Context, spec ports.InstanceSpec) (err error) {
	defer c.m.done("CheckCreate", time.Now(), &err)
	return c.next.CheckCreate(ctx, spec)
}

func (c *cloud) DescribeInstance(ctx context.Context, id string) (ci ports.CloudInstance, err error) {
	defer c.m.done("DescribeInstance", time.Now(), &err)
	return c.next.DescribeInstance(ctx, id)
}

func (c *cloud) ListManaged(ctx context.Context, tags map[string]string) (list []ports.CloudInstance, err error) {
	defer c.m.done("ListManaged", time.Now(), &err)
	return c.next.ListManaged(ctx, tags)
}

func (c *cloud) AllocatePublicIP(ctx context.Context, id string) (ip, requestID string, err error) {
	defer c.m.done("AllocatePublicIP", time.Now(), &err)
	return c.next.AllocatePublicIP(ctx, id)
}

func (c *cloud) StartInstance(ctx context.Context, id string) (requestID string, err error) {
	defer c.m.done("StartInstance", time.Now(), &err)
	return c.next.StartInstance(ctx, id)
}

func (c *cloud) StopInstance(ctx context.Context, id string, mode ports.StopMode) (requestID string, err error) {
	defer c.m.done("StopInstance", time.Now(), &err)
	return c.next.StopInstance(ctx, id, mode)
}

func (c *cloud) DeleteInstance(ctx context.Context, id string) (requestID string, err error) {
	defer c.m.done("DeleteInstance", time.Now(), &err)
	return c.next.DeleteInstance(ctx, id)
}

func (c *cloud) Available(ctx context.Context, zone, instanceType string) (ok bool, err error) {
	defer c.m.done("Available", time.Now(), &err)
	return c.next.Available(ctx, zone, instanceType)
}

func (c *cloud) Price(ctx context.Context, spec ports.InstanceSpec) (p ports.Price, err error) {
	defer c.m.done("Price", time.Now(), &err)
	return c.next.Price(ctx, spec)
}

func (c *cloud) AgentReady(ctx context.Context, id string) (ok bool, err error) {
	defer c.m.done("AgentReady", time.Now(), &err)
	return c.next.AgentReady(ctx, id)
}

func (c *cloud) RunCommand(ctx context.Context, id, script, clientToken string) (invokeID, requestID string, err error) {
	defer c.m.done("RunCommand", time.Now(), &err)
	return c.next.RunCommand(ctx, id, script, clientToken)
}

func (c *cloud) Invocation(ctx context.Context, invokeID string) (inv ports.Invocation, err error) {
	defer c.m.done("Invocation", time.Now(), &err)
	return c.next.Invocation(ctx, invokeID)
}

type billing struct {
	next ports.Billing
	m    *Metrics
}

var _ ports.Billing = (*billing)(nil)

func (b *billing) Balance(ctx context.Context) (bal ports.Balance, err error) {
	defer b.m.done("Balance", time.Now(), &err)
	return b.next.Balance(ctx)
}

func (b *billing) Transactions(ctx context.Context, q ports.TransactionQuery) (page ports.TransactionPage, err error) {
	defer b.m.done("Transactions", time.Now(), &err)
	return b.next.Transactions(ctx, q)
}

func (b *billing) Bill(ctx context.Context, year, month, day int) (amount string, err error) {
	defer b.m.done("Bill", time.Now(), &err)
	return b.next.Bill(ctx, year, month, day)
}
