package domain

import (
	"testing"
	"time"
)

func TestSpend(t *testing.T) {
	utc := time.UTC
	shanghai := time.FixedZone("CST", 8*3600)
	day := func(d int, loc *time.Location) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, loc) }
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, utc) }
	price := Money(2_000_000) // 2.00 an hour
	tests := []struct {
		name     string
		ivs      []CostInterval
		from, to time.Time
		now      time.Time
		loc      *time.Location
		want     []Money
		total    Money
	}{
		{"nothing ran", nil, day(1, utc), day(3, utc), at(5, 0, 0), utc, []Money{0, 0}, 0},
		{"one hour and a half", []CostInterval{{Start: at(1, 10, 0), End: at(1, 11, 30), Price: price}},
			day(1, utc), day(2, utc), at(5, 0, 0), utc, []Money{3_000_000}, 3_000_000},
		{"across midnight", []CostInterval{{Start: at(1, 23, 0), End: at(2, 2, 0), Price: price}},
			day(1, utc), day(3, utc), at(5, 0, 0), utc, []Money{2_000_000, 4_000_000}, 6_000_000},
		{"still running counts up to now", []CostInterval{{Start: at(2, 22, 0), Price: price}},
			day(1, utc), day(4, utc), at(3, 1, 15), utc, []Money{0, 4_000_000, 2_500_000}, 6_500_000},
		{"clipped to the window", []CostInterval{{Start: at(1, 0, 0), End: at(4, 0, 0), Price: price}},
			day(2, utc), day(3, utc), at(5, 0, 0), utc, []Money{48_000_000}, 48_000_000},
		{"two prices", []CostInterval{{Start: at(1, 1, 0), End: at(1, 2, 0), Price: price}, {Start: at(1, 5, 0), End: at(1, 5, 30), Price: 452_000}},
			day(1, utc), day(2, utc), at(5, 0, 0), utc, []Money{2_226_000}, 2_226_000},
		{"days of another zone", []CostInterval{{Start: at(1, 15, 0), End: at(1, 17, 0), Price: price}}, // 23:00-01:00 in +8
			day(1, shanghai), day(3, shanghai), at(5, 0, 0), shanghai, []Money{2_000_000, 2_000_000}, 4_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days, total := Spend(tt.ivs, tt.from, tt.to, tt.now, tt.loc)
			if len(days) != len(tt.want) || total != tt.total {
				t.Fatalf("days %v total %v, want %v total %v", days, total, tt.want, tt.total)
			}
			for i, d := range days {
				if d.Amount != tt.want[i] || !d.Date.Equal(tt.from.AddDate(0, 0, i)) {
					t.Errorf("day %d: %v %v, want %v", i, d.Date, d.Amount, tt.want[i])
				}
			}
		})
	}
}
