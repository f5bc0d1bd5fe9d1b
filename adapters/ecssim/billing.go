package ecssim

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// What the simulated account bills, product by product, as Aliyun bills a
// pay-as-you-go VPC instance (sources: StopInstance's StoppedMode and
// DescribeInstances' StoppedMode in the ECS SDK ecs-20140526 v4.26.10;
// Aliyun's "Economical mode" page, help document 63353; "Public bandwidth
// billing", document 25411):
//   - "instance" (the instance type) while Running, and while stopped in
//     KeepCharging; not while stopped in StopCharging;
//   - "disk" (system and data disks) from creation until release, in every
//     stop mode;
//   - "bandwidth" (PayByBandwidth) as the instance;
//   - "traffic" (PayByTraffic): per GB out, only while Running; the
//     simulated server sends Options.TrafficGBPerHour.
//
// A meter runs while one product of one instance is billed. Every ended
// clock hour is settled (lazily): one account Expense per instance and hour
// (rounded to the cent, as before), and usage rows by instance and product
// kept unrounded for DescribeInstanceBill.

// Products of the simulated bill: DescribePrice's DetailInfo.Resource names
// (InstanceType, SystemDisk/DataDisk, bandwidth) and the traffic item.
const (
	billInstance  = "InstanceType"
	billDisk      = "SystemDisk"
	billBandwidth = "bandwidth"
	billTraffic   = "InternetTraffic"
)

// Simulated unit prices (CNY), of the order of Aliyun's China-site list
// prices: disks per GiB-hour by category, fixed bandwidth per Mbit/s-hour,
// traffic per GB (document 25411 lists 0.80 CNY/GB in the Chinese mainland).
var diskMicroPerGiBHour = map[string]int64{
	"cloud": 300, "cloud_efficiency": 500, "cloud_ssd": 1400, "cloud_essd": 1500,
	"cloud_auto": 1500, "cloud_essd_entry": 700,
}

const (
	bandwidthMicroPerMbpsHour = 63_000
	// DefaultTrafficPricePerGB is Options.TrafficPricePerGB's default.
	DefaultTrafficPricePerGB = "0.80"
	// DefaultBillLag is how long DescribeInstanceBill waits before an hour
	// shows: Aliyun's reference, "a delay of about one day may occur".
	DefaultBillLag = 24 * time.Hour
)

type meter struct {
	id, product string
	from, to    time.Time // to zero while it runs
	rate        int64     // micro-CNY per hour; unused when spot
	spot        *Offer    // SpotAsPriceGo instance: the market price of each hour
}

// usage is what one product of one instance cost in one clock hour.
type usage struct {
	id, product string
	hour        time.Time
	micro       int64
	tags        []Tag
}

// diskRate is the hourly price of an instance's disks.
func diskRate(ds []disk) int64 {
	var r int64
	for _, d := range ds {
		r += diskMicroPerGiBHour[d.category] * int64(d.size)
	}
	return r
}

// trafficRate is the hourly cost of the simulated server's traffic.
func (s *Simulator) trafficRate() int64 {
	gb, err1 := parseMoney(orDefault(s.opts.TrafficGBPerHour, "0"))
	price, err2 := parseMoney(orDefault(s.opts.TrafficPricePerGB, DefaultTrafficPricePerGB))
	if err1 != nil || err2 != nil {
		return 0
	}
	return gb * price / microPerYuan
}

// paysByTraffic: PayByTraffic is the default InternetChargeType.
func (in *instance) paysByTraffic() bool {
	return in.internetChargeType == "" || in.internetChargeType == "PayByTraffic"
}

func isSpotMarket(strategy string) bool {
	return strategy == "SpotAsPriceGo" || strategy == "SpotWithPriceLimit"
}

// startMeter opens a meter unless one runs for the product. Caller holds s.mu.
func (s *Simulator) startMeter(in *instance, product string, at time.Time, rate int64) {
	if rate <= 0 && product != billInstance {
		return
	}
	for _, m := range s.bss.meters {
		if m.id == in.id && m.product == product && m.to.IsZero() {
			return
		}
	}
	m := &meter{id: in.id, product: product, from: at, rate: rate}
	if product == billInstance && isSpotMarket(in.spotStrategy) {
		m.spot = &Offer{in.zone, in.instanceType}
	}
	s.bss.meters = append(s.bss.meters, m)
	s.bss.tags[in.id] = append([]Tag(nil), in.tags...)
}

// stopMeters ends the running meters of in's products at at.
func (s *Simulator) stopMeters(in *instance, at time.Time, products ...string) {
	for _, m := range s.bss.meters {
		if m.id == in.id && m.to.IsZero() && containsStr(products, m.product) {
			m.to = maxTime(at, m.from)
		}
	}
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// meterCreated starts billing a new instance's disks. Caller holds s.mu.
func (s *Simulator) meterCreated(in *instance) {
	s.startMeter(in, billDisk, in.created, diskRate(in.disks))
}

// beginRun starts billing what a Running instance costs. Caller holds s.mu.
func (s *Simulator) beginRun(in *instance, at time.Time) {
	s.startMeter(in, billInstance, at, s.hourlyMicro(in))
	if in.bandwidthOut > 0 {
		if in.paysByTraffic() {
			s.startMeter(in, billTraffic, at, s.trafficRate())
		} else {
			s.startMeter(in, billBandwidth, at, bandwidthMicroPerMbpsHour*int64(in.bandwidthOut))
		}
	}
}

// endRun ends what stops with Running: traffic always; the instance and
// its bandwidth unless it was stopped in KeepCharging. Caller holds s.mu.
func (s *Simulator) endRun(in *instance, at time.Time) {
	s.stopMeters(in, at, billTraffic)
	if in.stoppedMode != stopKeepCharging {
		s.stopMeters(in, at, billInstance, billBandwidth)
	}
}

// release ends every meter of a released instance. Caller holds s.mu.
func (s *Simulator) release(in *instance, at time.Time) {
	s.stopMeters(in, at, billInstance, billDisk, billBandwidth, billTraffic)
}

// hourlyMicro is in's price per hour now, in micro-CNY.
func (s *Simulator) hourlyMicro(in *instance) int64 {
	return toMicro(s.price(in.zone, in.instanceType, in.spotStrategy))
}

// spotAt is the market price of a spot offer at h: the last price set at
// or before h (SetSpotPrice), or the usual fifth of the pay-as-you-go
// price.
func (s *Simulator) spotAt(o Offer, h time.Time) int64 {
	var p int64 = -1
	for _, pt := range s.spotPrices[o] {
		if !pt.at.After(h) {
			p = pt.micro
		}
	}
	if p < 0 {
		return toMicro(s.price(o.ZoneID, o.InstanceType, "SpotAsPriceGo"))
	}
	return p
}

// toMicro turns a price table's float (4 decimals at most) into micro-CNY,
// once, where it is read.
func toMicro(p float64) int64 { return int64(math.Round(p * microPerYuan)) }

type pricePoint struct {
	at    time.Time
	micro int64
}

// SetSpotPrice moves the market price (CNY per hour, decimal text) of a
// spot offer from now on. A running SpotAsPriceGo instance pays it from
// the next clock hour: each hour is billed at the price of its start.
func (s *Simulator) SetSpotPrice(zone, typ, price string) error {
	m, err := parseMoney(price)
	if err != nil || m <= 0 {
		return ErrBadAmount
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	o := Offer{zone, typ}
	s.spotPrices[o] = append(s.spotPrices[o], pricePoint{now, m})
	return nil
}

// settle charges every clock hour that has ended by now. Caller holds s.mu.
func (s *Simulator) settle(now time.Time) {
	for _, id := range s.order {
		s.advance(s.instances[id], now)
	}
	l := &s.bss
	end := now.Truncate(time.Hour)
	for l.settled.Before(end) {
		first, any := time.Time{}, false
		for _, m := range l.meters {
			if (m.to.IsZero() || m.to.After(l.settled)) && (!any || m.from.Before(first)) {
				first, any = m.from, true
			}
		}
		if !any {
			l.settled = end
			break
		}
		if h := first.Truncate(time.Hour); h.After(l.settled) {
			l.settled = minTime(h, end)
			continue
		}
		s.chargeHour(l.settled)
		l.settled = l.settled.Add(time.Hour)
	}
	kept := l.meters[:0]
	for _, m := range l.meters {
		if m.to.IsZero() || m.to.After(l.settled) {
			kept = append(kept, m)
		}
	}
	l.meters = kept
}

// chargeHour bills every meter that ran in [h, h+1h): usage rows by
// instance and product, and one Expense per instance, at the hour's end.
func (s *Simulator) chargeHour(h time.Time) {
	hEnd := h.Add(time.Hour)
	var ids []string
	due := map[string]int64{}
	for _, m := range s.bss.meters {
		to := m.to
		if to.IsZero() {
			to = hEnd
		}
		from, to := maxTime(m.from, h), minTime(to, hEnd)
		if !to.After(from) {
			continue
		}
		rate := m.rate
		if m.spot != nil {
			// The market price when the hour (or the run, if later) began.
			rate = s.spotAt(*m.spot, from)
		}
		ms := int64(to.Sub(from) / time.Millisecond)
		micro := (rate*ms + msPerHour/2) / msPerHour
		if _, ok := due[m.id]; !ok {
			ids = append(ids, m.id)
		}
		due[m.id] += micro
		if micro > 0 {
			s.bss.usage = append(s.bss.usage, usage{id: m.id, product: m.product, hour: h, micro: micro, tags: s.bss.tags[m.id]})
		}
	}
	for _, id := range ids {
		if amount := roundCents(due[id]); amount > 0 {
			s.addTxn(hEnd, FlowExpense, "Payment",
				fmt.Sprintf("ECS pay-as-you-go %s %s", id, h.Format("2006-01-02 15:04")), amount, h)
		}
	}
}

// InstanceBillView is one row of the bill by instance and product.
type InstanceBillView struct {
	InstanceID string `json:"InstanceID"`
	Product    string `json:"BillingItemCode"`
	Amount     string `json:"PretaxAmount"`
}

// InstanceBills is the bill of a month (UTC) by instance and product, as
// DescribeInstanceBill would show it with every hour settled and no lag.
func (s *Simulator) InstanceBills(month time.Time) []InstanceBillView {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(s.now())
	var out []InstanceBillView
	for _, r := range s.instanceBill(month, time.Time{}) {
		out = append(out, InstanceBillView{r.id, r.product, formatMoney(r.micro)})
	}
	return out
}

// instanceBill sums usage of the month by instance and product; with a
// non-zero cutoff only hours ending by it. Caller holds s.mu.
func (s *Simulator) instanceBill(month, cutoff time.Time) []usage {
	end := month.AddDate(0, 1, 0)
	sum := map[[2]string]*usage{}
	var keys [][2]string
	for _, u := range s.bss.usage {
		if u.hour.Before(month) || !u.hour.Before(end) || (!cutoff.IsZero() && u.hour.Add(time.Hour).After(cutoff)) {
			continue
		}
		k := [2]string{u.id, u.product}
		if sum[k] == nil {
			sum[k] = &usage{id: u.id, product: u.product, tags: u.tags}
			keys = append(keys, k)
		}
		sum[k].micro += u.micro
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	out := make([]usage, 0, len(keys))
	for _, k := range keys {
		out = append(out, *sum[k])
	}
	return out
}

// DescribeInstanceBill (bssopenapi 2017-12-14): BillingCycle YYYY-MM
// required; Granularity MONTHLY (DAILY is refused here: seatide asks
// monthly); IsBillingItem splits an instance's row by billable item; paged
// by NextToken, MaxResults at most 300 (the SDK's documented maximum).
// Hours show only once BillLag has passed since they ended.
func actDescribeInstanceBill(s *Simulator, c *call) (map[string]any, error) {
	cycle, err := c.required("BillingCycle")
	if err != nil {
		return nil, err
	}
	month, err := time.Parse("2006-01", cycle)
	if err != nil {
		return nil, errInvalid("BillingCycle", cycle)
	}
	if g := strings.ToUpper(orDefault(c.str("Granularity"), "MONTHLY")); g != "MONTHLY" {
		return nil, errInvalid("Granularity", c.str("Granularity"))
	}
	size, err := c.integer("MaxResults", 20)
	if err != nil || size < 1 || size > maxTxnPage {
		return nil, errInvalid("MaxResults", c.str("MaxResults"))
	}
	start := 0
	if t := c.str("NextToken"); t != "" {
		if _, err := fmt.Sscanf(t, "next-%d", &start); err != nil || start < 0 {
			return nil, errInvalid("NextToken", t)
		}
	}
	byItem, _ := c.boolean("IsBillingItem")
	s.settle(c.now)
	lag := s.opts.BillLag
	if lag == 0 {
		lag = DefaultBillLag
	}
	rows := s.instanceBill(month, c.now.Add(-max(lag, 0)))
	if !byItem { // one row per instance
		merged := []usage{}
		for _, r := range rows {
			if n := len(merged); n > 0 && merged[n-1].id == r.id {
				merged[n-1].micro += r.micro
				continue
			}
			r.product = ""
			merged = append(merged, r)
		}
		rows = merged
	}
	items := []any{}
	next := ""
	for i := start; i < len(rows); i++ {
		if len(items) == size {
			next = fmt.Sprintf("next-%d", i)
			break
		}
		r := rows[i]
		amount := json4(r.micro)
		items = append(items, map[string]any{
			"InstanceID": r.id, "BillingItemCode": r.product, "BillingItem": r.product,
			"ProductCode": "ecs", "ProductName": "Elastic Compute Service", "SubscriptionType": "PayAsYouGo",
			"Item": "PayAsYouGoBill", "Currency": bssCurrency, "PretaxAmount": amount, "PretaxGrossAmount": amount,
			"PaymentAmount": amount, "CashAmount": amount, "Tag": billTags(r.tags), "BillingDate": "",
		})
	}
	return bssOK(map[string]any{
		"BillingCycle": cycle, "AccountID": "seatide-sim", "AccountName": "seatide-sim",
		"MaxResults": size, "NextToken": next, "TotalCount": len(rows), "Items": items,
	}), nil
}

// json4 writes micro-CNY with 4 decimals (rounded half up), a precision
// the SDK's float32 keeps for any bill below 1000.
func json4(micro int64) any {
	q := (micro + 50) / 100 * 100
	return json.Number(formatMoney(q))
}

// billTags writes tags as the SDK documents a bill's Tag:
// "key:k1 value:v1; key:k2 value:v2".
func billTags(ts []Tag) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, "key:"+t.Key+" value:"+t.Value)
	}
	return strings.Join(parts, "; ")
}
