package domain

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Money is an amount in millionths of a currency unit. Sums and products
// are integer arithmetic, exact for every price the cloud quotes (Aliyun
// writes at most a few decimals); floats never touch money.
type Money int64

// MoneyScale is how many Money make one unit of the currency.
const MoneyScale = 1_000_000

// ParseMoney reads decimal text such as "0.452", "-3" or "1234.5". More
// than six decimals, exponents and anything else are refused.
func ParseMoney(s string) (Money, error) {
	t := strings.TrimSpace(s)
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "-"), "+")
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" || len(frac) > 6 || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%q is not a decimal amount with at most 6 decimals", s)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<63-1)/MoneyScale-1 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	m := Money(w*MoneyScale + f)
	if neg {
		m = -m
	}
	return m, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String writes the amount with at least two decimals and no trailing
// zeros beyond them: "12.00", "0.452", "-3.10".
func (m Money) String() string {
	sign := ""
	u := uint64(m)
	if m < 0 {
		sign, u = "-", uint64(-m)
	}
	frac := strings.TrimRight(fmt.Sprintf("%06d", u%MoneyScale), "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return fmt.Sprintf("%s%d.%s", sign, u/MoneyScale, frac)
}

// For is the cost of running d at m per hour, rounded half away from zero
// to the nearest millionth.
func (m Money) For(d time.Duration) Money {
	p := new(big.Int).Mul(big.NewInt(int64(m)), big.NewInt(int64(d)))
	h := big.NewInt(int64(time.Hour))
	q, r := new(big.Int).QuoRem(p, h, new(big.Int))
	if r.Abs(r).Mul(r, big.NewInt(2)).Cmp(h) >= 0 {
		if p.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return Money(q.Int64())
}
