package domain

import (
	"fmt"
	"time"
)

// CostInterval is a stretch of time an instance cost money: from the start
// that made it run to the stop or delete that ended it, at the hourly price
// quoted at that start (spot prices change between starts).
type CostInterval struct {
	ID         int64
	InstanceID string
	Start      time.Time
	End        time.Time // zero while it is still running
	Price      Money     // per hour
	Currency   string
}

// DayCost is what one calendar day cost.
type DayCost struct {
	Date   time.Time // midnight of the day, in the ledger's location
	Amount Money
}

// Spend splits intervals into the calendar days of loc between from and
// to (both midnights in loc, to exclusive) and sums each day; an interval
// still running counts up to now. Every piece is rounded on its own, so the
// days add up to the total exactly.
func Spend(ivs []CostInterval, from, to, now time.Time, loc *time.Location) (days []DayCost, total Money) {
	from, to = from.In(loc), to.In(loc)
	for d := from; d.Before(to); {
		next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		var day Money
		for _, iv := range ivs {
			end := iv.End
			if end.IsZero() {
				end = now
			}
			s, e := later(iv.Start, d), earlier(end, next)
			if e.After(s) {
				day += iv.Price.For(e.Sub(s))
			}
		}
		days = append(days, DayCost{Date: d, Amount: day})
		total += day
		d = next
	}
	return days, total
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

// Ledger and budget errors.
var (
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
