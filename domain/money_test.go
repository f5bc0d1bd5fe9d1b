package domain

import (
	"testing"
	"time"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		str  string
		bad  bool
	}{
		{in: "0.452", want: 452_000, str: "0.452"},
		{in: "12", want: 12_000_000, str: "12.00"},
		{in: "12.3", want: 12_300_000, str: "12.30"},
		{in: "-3.1", want: -3_100_000, str: "-3.10"},
		{in: ".5", want: 500_000, str: "0.50"},
		{in: "0.000001", want: 1, str: "0.000001"},
		{in: " 7.25 ", want: 7_250_000, str: "7.25"},
		{in: "1.2345678", bad: true},
		{in: "1e3", bad: true},
		{in: "", bad: true},
		{in: ".", bad: true},
		{in: "1,000.00", bad: true},
		{in: "NaN", bad: true},
		{in: "99999999999999999999", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMoney(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("accepted as %v", got)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.str {
				t.Fatalf("got %d %q %v, want %d %q", got, got.String(), err, tt.want, tt.str)
			}
		})
	}
}

func TestMoneyFor(t *testing.T) {
	tests := []struct {
		price Money
		d     time.Duration
		want  Money
	}{
		{1_500_000, time.Hour, 1_500_000},
		{1_500_000, 90 * time.Minute, 2_250_000},
		{452_000, time.Second, 126},                     // 125.55… rounds up
		{1_000_000, time.Hour / 3, 333_333},             // 333333.3… rounds down
		{1, time.Hour / 2, 1},                           // half rounds away from zero
		{-1, time.Hour / 2, -1},                         // also below zero
		{3_000_000, 31 * 24 * time.Hour, 2_232_000_000}, // a month of a 3/h server
		{0, time.Hour, 0},
	}
	for _, tt := range tests {
		if got := tt.price.For(tt.d); got != tt.want {
			t.Errorf("%v for %v = %v, want %v", tt.price, tt.d, got, tt.want)
		}
	}
}
