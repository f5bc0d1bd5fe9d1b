package ecssim_test

import (
	"testing"
	"time"

	bss "github.com/alibabacloud-go/bssopenapi-20171214/v6/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

// instanceBill reads DescribeInstanceBill (by billing item) through the SDK:
// amount by item code for one instance.
func instanceBill(t *testing.T, b *bss.Client, id string) map[string]float32 {
	t.Helper()
	resp, err := b.DescribeInstanceBill(&bss.DescribeInstanceBillRequest{BillingCycle: tea.String("2026-11"),
		Granularity: tea.String("MONTHLY"), IsBillingItem: tea.Bool(true), MaxResults: tea.Int32(300)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float32{}
	for _, it := range resp.Body.Data.Items {
		if tea.StringValue(it.InstanceID) == id {
			out[tea.StringValue(it.BillingItemCode)] += tea.Float32Value(it.PretaxAmount)
		}
	}
	return out
}

// TestBillsWhatAliyunBills: 2 h running, 3 h stopped, released: the
// instance is billed while stopped only in KeepCharging, the disks
// (40 GiB cloud_essd, 0.06 an hour) in both modes until released, traffic
// (0.5 GB an hour at 0.80) only while running; nothing shows before the
// day of lag has passed.
func TestBillsWhatAliyunBills(t *testing.T) {
	for _, tt := range []struct {
		mode          string
		instanceHours float32
	}{{"StopCharging", 2}, {"KeepCharging", 5}} {
		t.Run(tt.mode, func(t *testing.T) {
			f := newFixture(t, ecssim.Options{NoDelay: true, TrafficGBPerHour: "0.5",
				Prices: map[ecssim.Offer]float64{{InstanceType: "ecs.g6.large"}: 1.00}})
			id, secret := f.sim.Credentials()
			b := newBSSClient(t, f.srv, id, secret)
			run := must(f.client.RunInstances(&ecs.RunInstancesRequest{
				RegionId: tea.String("cn-hangzhou"), InstanceType: tea.String("ecs.g6.large"), ZoneId: tea.String("cn-hangzhou-h"),
				ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"),
				InternetMaxBandwidthOut: tea.Int32(5), InternetChargeType: tea.String("PayByTraffic"),
				SystemDisk: &ecs.RunInstancesRequestSystemDisk{Category: tea.String("cloud_essd"), Size: tea.String("40")},
			}))
			inst := tea.StringValue(run.Body.InstanceIdSets.InstanceIdSet[0])
			f.clock.Add(2 * time.Hour)
			must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: tea.String(inst), StoppedMode: tea.String(tt.mode)}))
			f.clock.Add(3 * time.Hour)
			must(f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: tea.String(inst), Force: tea.Bool(true)}))
			f.clock.Add(2 * time.Hour)
			if got := instanceBill(t, b, inst); len(got) != 0 {
				t.Fatalf("within the day of lag: %v", got)
			}
			f.clock.Add(24 * time.Hour)
			got := instanceBill(t, b, inst)
			want := map[string]float32{"InstanceType": tt.instanceHours, "SystemDisk": 0.3, "InternetTraffic": 0.8}
			if len(got) != len(want) {
				t.Fatalf("bill %v, want %v", got, want)
			}
			for k, v := range want {
				if d := got[k] - v; d > 0.0001 || d < -0.0001 {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

// TestSpotBilledAtEachHoursPrice: a SpotAsPriceGo instance pays, each
// clock hour, the market price of that hour's start; a price set mid-hour
// applies from the next hour.
func TestSpotBilledAtEachHoursPrice(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true})
	id, secret := f.sim.Credentials()
	b := newBSSClient(t, f.srv, id, secret)
	if err := f.sim.SetSpotPrice("cn-hangzhou-h", "ecs.g6.large", "0.30"); err != nil { // 13:40
		t.Fatal(err)
	}
	run := must(f.client.RunInstances(&ecs.RunInstancesRequest{
		RegionId: tea.String("cn-hangzhou"), InstanceType: tea.String("ecs.g6.large"), ZoneId: tea.String("cn-hangzhou-h"),
		ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"),
		SpotStrategy: tea.String("SpotAsPriceGo"), SystemDisk: &ecs.RunInstancesRequestSystemDisk{Category: tea.String("cloud"), Size: tea.String("20")},
	}))
	inst := tea.StringValue(run.Body.InstanceIdSets.InstanceIdSet[0])
	price := func() float32 {
		p := must(f.client.DescribePrice(&ecs.DescribePriceRequest{RegionId: tea.String("cn-hangzhou"), ZoneId: tea.String("cn-hangzhou-h"),
			InstanceType: tea.String("ecs.g6.large"), SpotStrategy: tea.String("SpotAsPriceGo")}))
		for _, d := range p.Body.PriceInfo.Price.DetailInfos.DetailInfo {
			if tea.StringValue(d.Resource) == "InstanceType" {
				return tea.Float32Value(d.TradePrice)
			}
		}
		return -1
	}
	if p := price(); p != 0.30 {
		t.Fatalf("quoted %v, want 0.30", p)
	}
	f.clock.Add(50 * time.Minute) // 14:30
	if err := f.sim.SetSpotPrice("cn-hangzhou-h", "ecs.g6.large", "0.90"); err != nil {
		t.Fatal(err)
	}
	if p := price(); p != 0.90 {
		t.Fatalf("quoted %v after the move, want 0.90", p)
	}
	if err := f.sim.SetSpotPrice("cn-hangzhou-h", "ecs.g6.large", "-1"); err == nil {
		t.Error("a negative price was accepted")
	}
	f.clock.Add(90 * time.Minute) // 16:00
	must(f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: tea.String(inst), Force: tea.Bool(true)}))
	f.clock.Add(25 * time.Hour)
	// 13:40-15:00 at 0.30 (0.40), 15:00-16:00 at 0.90.
	if got := instanceBill(t, b, inst)["InstanceType"]; got < 1.2999 || got > 1.3001 {
		t.Errorf("instance %v, want 1.30", got)
	}
}
