package domain

import (
	"fmt"
	"time"
)

// Product is what a cost interval pays for. Aliyun bills a pay-as-you-go
// ECS instance as separate billable items (DescribePrice's DetailInfos:
// InstanceType, SystemDisk, DataDisk, bandwidth; traffic per GB), each with
// its own rule for when it is charged.
type Product string

// The products of the ledger and when each is billed (Aliyun's
// "Economical mode" help page, document 63353, and StopInstance's
// StoppedMode in the ECS SDK).
const (
	// ProductInstance: vCPUs and memory, while Running and while stopped
	// in KeepCharging (standard) mode; not while stopped in StopCharging.
	ProductInstance Product = "instance"
	// ProductDisk: the system and data disks, from creation until released,
	// in every stop mode.
	ProductDisk Product = "disk"
	// ProductBandwidth: fixed public bandwidth (PayByBandwidth), billed as
	// the instance is (economical mode stops it too).
	ProductBandwidth Product = "bandwidth"
	// ProductTraffic: public outbound traffic (PayByTraffic), per GB, only
	// while it runs; the ledger holds an estimate (GB per hour times the
	// price per GB), the bill the truth.
	ProductTraffic Product = "traffic"
)

// Products lists every product in the order reports show them.
var Products = []Product{ProductInstance, ProductDisk, ProductBandwidth, ProductTraffic}

// CostInterval is a stretch of time one product of an instance cost money,
// at an hourly price quoted when it began (a spot price is re-quoted each
// hour by closing the interval and opening the next).
type CostInterval struct {
	ID         int64
	InstanceID string
	Product    Product // "" is ProductInstance (rows written before products)
	Start      time.Time
	End        time.Time // zero while it is still running
	Price      Money     // per hour
	Currency   string
}

// ProductOrInstance is iv's product, ProductInstance when unset.
func (iv CostInterval) ProductOrInstance() Product {
	if iv.Product == "" {
		return ProductInstance
	}
	return iv.Product
}

// HourlyRates is what an hour of one offer costs, product by product, as
// one price quote gives it.
type HourlyRates struct {
	Instance, Disk, Bandwidth, Traffic Money
	Currency                           string
}

// Total is the sum of every product's hourly price.
func (r HourlyRates) Total() Money { return r.Instance + r.Disk + r.Bandwidth + r.Traffic }

// Of is the hourly price of product p.
func (r HourlyRates) Of(p Product) Money {
	switch p {
	case ProductInstance:
		return r.Instance
	case ProductDisk:
		return r.Disk
	case ProductBandwidth:
		return r.Bandwidth
	case ProductTraffic:
		return r.Traffic
	}
	return 0
}

// DayCost is what one calendar day cost.
type DayCost struct {
	Date     time.Time // midnight of the day, in the ledger's location
	Amount   Money
	Products map[Product]Money // Amount split by product; every product present
}

// Spend splits intervals into the calendar days of loc between from and
// to (both midnights in loc, to exclusive) and sums each day, in total and
// by product; an interval still running counts up to now. Every piece is
// rounded on its own, so products add up to days and days to the total
// exactly.
func Spend(ivs []CostInterval, from, to, now time.Time, loc *time.Location) (days []DayCost, total Money) {
	from, to = from.In(loc), to.In(loc)
	for d := from; d.Before(to); {
		next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		day := DayCost{Date: d, Products: make(map[Product]Money, len(Products))}
		for _, p := range Products {
			day.Products[p] = 0
		}
		for _, iv := range ivs {
			end := iv.End
			if end.IsZero() {
				end = now
			}
			s, e := later(iv.Start, d), earlier(end, next)
			if e.After(s) {
				m := iv.Price.For(e.Sub(s))
				day.Amount += m
				day.Products[iv.ProductOrInstance()] += m
			}
		}
		days = append(days, day)
		total += day.Amount
		d = next
	}
	return days, total
}

// ByProduct sums the days' products.
func ByProduct(days []DayCost) map[Product]Money {
	out := make(map[Product]Money, len(Products))
	for _, p := range Products {
		out[p] = 0
	}
	for _, d := range days {
		for p, m := range d.Products {
			out[p] += m
		}
	}
	return out
}

// MonthStart is midnight of the first day of t's month in loc.
func MonthStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Ledger, budget and bill errors.
var (
	// ErrBillingNotApplicable: the billing API does not serve this account
	// where it was asked (Aliyun BSS "NotApplicable": an international-site
	// account asking the China endpoint, or the other way round).
	ErrBillingNotApplicable = Errorf(CodePrecondition, "the billing API does not serve this account at this endpoint; set info.site (china or international) or info.endpoint")
	// ErrBillingNotAuthorized: the credentials may not read the account's
	// money (Aliyun BSS "NotAuthorized": a RAM user without bss:Query*).
	ErrBillingNotAuthorized = Errorf(CodeUnavailable, "the credentials may not read billing; grant the bss actions in the README's RAM policy")

	ErrIntervalOpen   = Errorf(CodeConflict, "a cost interval is already open for this instance")
	ErrBudgetExceeded = Errorf(CodeForbidden, "the monthly budget would be exceeded")
)

// BudgetError says an action would take this month's spend past the
// budget. Its text is safe to show.
type BudgetError struct {
	Spent, Hour, Budget Money
	Currency            string
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("This month's spend of %s %s plus one more hour at %s %s would pass the monthly budget of %s %s.",
		e.Spent, e.Currency, e.Hour, e.Currency, e.Budget, e.Currency)
}

// Unwrap makes it match ErrBudgetExceeded and carry its code.
func (e *BudgetError) Unwrap() error { return ErrBudgetExceeded }
