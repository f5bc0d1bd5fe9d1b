// Package billing is the read side of the cloud account's money: balance,
// transactions, a search over all of them, and bills. It holds the rules
// (who may read, what a valid date is, how far a search may page); the
// cloud is behind ports.Billing.
package billing

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Defaults applied by New.
const (
	DefaultMaxPages = 20
	// MaxPageSize is the largest page the cloud serves (Aliyun BSS: 300).
	MaxPageSize = 300
)

// Options are the operator's switches for the money routes.
type Options struct {
	// OpenReads lets anyone read without a token (v1 did; it shows the
	// account's money to the world).
	OpenReads bool
	// MaxPages bounds how many pages of MaxPageSize a search reads
	// (default DefaultMaxPages).
	MaxPages int
}

var (
	// ErrInvalidDate: a bill was asked for a year, month or day that does
	// not exist (day 0 included).
	ErrInvalidDate = domain.Errorf(domain.CodeInvalid, "no such billing date")
	// ErrTooManyTransactions: a search would read more than MaxPages pages;
	// narrowing the dates helps.
	ErrTooManyTransactions = domain.Errorf(domain.CodePrecondition, "too many transactions to search")
)

// Service reads the account through a ports.Billing.
type Service struct {
	cloud ports.Billing
	opts  Options
}

// New returns a billing service.
func New(cloud ports.Billing, opts Options) *Service {
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultMaxPages
	}
	return &Service{cloud: cloud, opts: opts}
}

// allowed: approved members may read the account (with a credential of
// scope read or more); with OpenReads, anyone without a token too, as
// the original UI needs.
func (s *Service) allowed(actor *domain.User) error {
	if actor == nil && s.opts.OpenReads {
		return nil
	}
	return domain.Allowed(actor, domain.NeedMoney)
}

// Balance returns the available cash.
func (s *Service) Balance(ctx context.Context, actor *domain.User) (ports.Balance, error) {
	if err := s.allowed(actor); err != nil {
		return ports.Balance{}, err
	}
	b, err := s.cloud.Balance(ctx)
	if err != nil {
		return ports.Balance{}, err
	}
	if b.Available == "" {
		return ports.Balance{}, domain.ErrNoBillingData
	}
	return b, nil
}

// Transactions returns one page; a page without transactions is
// domain.ErrNoBillingData. PageSize above MaxPageSize is lowered to it.
func (s *Service) Transactions(ctx context.Context, actor *domain.User, q ports.TransactionQuery) (ports.TransactionPage, error) {
	if err := s.allowed(actor); err != nil {
		return ports.TransactionPage{}, err
	}
	switch {
	case q.Page < 1:
		return ports.TransactionPage{}, domain.Invalid("page")
	case q.PageSize < 1:
		return ports.TransactionPage{}, domain.Invalid("page_size")
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return ports.TransactionPage{}, domain.Invalid("from", "to")
	}
	q.PageSize = min(q.PageSize, MaxPageSize)
	p, err := s.cloud.Transactions(ctx, q)
	if err != nil {
		return ports.TransactionPage{}, err
	}
	if len(p.Items) == 0 {
		return ports.TransactionPage{}, domain.ErrNoBillingData
	}
	return p, nil
}

// Count returns how many transactions lie between from and to (zero: no
// bound), as the cloud counts them: one call, whatever the number.
func (s *Service) Count(ctx context.Context, actor *domain.User, from, to time.Time) (int, error) {
	if err := s.allowed(actor); err != nil {
		return 0, err
	}
	p, err := s.cloud.Transactions(ctx, ports.TransactionQuery{Page: 1, PageSize: 1, From: from, To: to})
	if err != nil {
		return 0, err
	}
	return p.Total, nil
}

// MaxExpense returns the largest Expense between from and to (the newest
// of equal ones), reading every page. It reads at most MaxPages pages of
// MaxPageSize: a longer list is ErrTooManyTransactions rather than an
// answer that may be wrong. No expense at all is domain.ErrNoBillingData.
// Amounts are compared as decimals, never as floats.
func (s *Service) MaxExpense(ctx context.Context, actor *domain.User, from, to time.Time) (ports.Transaction, error) {
	if err := s.allowed(actor); err != nil {
		return ports.Transaction{}, err
	}
	var best ports.Transaction
	var bestAmount *big.Rat
	seen := 0
	for page := 1; ; page++ {
		if page > s.opts.MaxPages {
			return ports.Transaction{}, domain.Wrap(ErrTooManyTransactions,
				fmt.Errorf("more than %d pages of %d", s.opts.MaxPages, MaxPageSize))
		}
		p, err := s.cloud.Transactions(ctx, ports.TransactionQuery{Page: page, PageSize: MaxPageSize, From: from, To: to})
		if err != nil {
			return ports.Transaction{}, err
		}
		for _, t := range p.Items {
			if t.Flow != "Expense" {
				continue
			}
			a, ok := decimal(t.Amount)
			if !ok {
				return ports.Transaction{}, domain.Internal(nil, fmt.Sprintf("billing: the cloud wrote an amount %q", t.Amount))
			}
			if bestAmount == nil || a.Cmp(bestAmount) > 0 {
				best, bestAmount = t, a
			}
		}
		seen += len(p.Items)
		if len(p.Items) < MaxPageSize || seen >= p.Total {
			break
		}
	}
	if bestAmount == nil {
		return ports.Transaction{}, domain.ErrNoBillingData
	}
	return best, nil
}

// MonthBill returns what was paid in a month, as decimal text that is also
// a valid JSON number (v1 answers it as one).
func (s *Service) MonthBill(ctx context.Context, actor *domain.User, year, month int) (string, error) {
	return s.bill(ctx, actor, year, month, 0)
}

// DayBill returns what was paid on a day, as MonthBill does.
func (s *Service) DayBill(ctx context.Context, actor *domain.User, year, month, day int) (string, error) {
	if day < 1 {
		return "", domain.Wrap(ErrInvalidDate, fmt.Errorf("day %d", day))
	}
	return s.bill(ctx, actor, year, month, day)
}

func (s *Service) bill(ctx context.Context, actor *domain.User, year, month, day int) (string, error) {
	if err := s.allowed(actor); err != nil {
		return "", err
	}
	if year < 1 || year > 9999 || month < 1 || month > 12 || day < 0 || day > 31 ||
		(day > 0 && time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() != day) {
		return "", domain.Wrap(ErrInvalidDate, fmt.Errorf("%04d-%02d-%02d", year, month, day))
	}
	amount, err := s.cloud.Bill(ctx, year, month, day)
	if err != nil {
		return "", err
	}
	if !plainDecimal(amount) {
		return "", domain.Internal(nil, fmt.Sprintf("billing: the cloud wrote an amount %q", amount))
	}
	return amount, nil
}

// plainDecimal reports whether s is decimal text that is also a JSON
// number: "12.34", "-0.5", "3"; not "1e3", "1/2", ".5", "01" or "1,234".
func plainDecimal(s string) bool {
	whole, frac, hasDot := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if whole == "" || (len(whole) > 1 && whole[0] == '0') || (hasDot && frac == "") {
		return false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// decimal parses an amount as the cloud writes it: plain decimal text,
// possibly with thousands commas ("1,234.56").
func decimal(s string) (*big.Rat, bool) {
	t := strings.ReplaceAll(s, ",", "")
	if !plainDecimal(t) {
		return nil, false
	}
	return new(big.Rat).SetString(t)
}
