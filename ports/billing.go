package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Balance is the account's available cash as the cloud writes it: decimal
// text, never a float.
type Balance struct {
	Available string // e.g. "1234.56"
	Currency  string // e.g. "CNY"
}

// TransactionQuery selects one page of account transactions.
type TransactionQuery struct {
	Page     int       // 1-based
	PageSize int       // the cloud caps it (300 for Aliyun BSS)
	From, To time.Time // zero: unbounded on that side
}

// Transaction is one movement of money, with the cloud's own texts.
type Transaction struct {
	Amount  string // decimal text, always positive; Flow tells the sign
	Remarks string
	Time    string // as the cloud writes it, e.g. "2026-11-24T10:00:00Z"
	Flow    string // "Income" or "Expense"
}

// TransactionPage is one page and the total count over all pages.
type TransactionPage struct {
	Items []Transaction
	Total int
}

// Billing reads the cloud account's money (Aliyun BSS). Errors are the
// cloud sentinels of Cloud (ErrThrottled, ErrCloudUnavailable,
// ErrCloudAuth, ...) or domain.ErrNoBillingData when the cloud answered
// without the data asked for.
type Billing interface {
	Balance(ctx context.Context) (Balance, error)
	Transactions(ctx context.Context, q TransactionQuery) (TransactionPage, error)
	// Bill returns the payment amount (decimal text) of a month, or of one
	// day of it when day > 0.
	Bill(ctx context.Context, year, month, day int) (string, error)
	InstanceBilling
}

// InstanceBill is what one product of one instance cost in a billing
// cycle, as the cloud's bill says (decimal text).
type InstanceBill struct {
	InstanceID string
	Product    domain.Product // "" when the bill names an item seatide does not split out
	Amount     string
	Currency   string
	// Tags of the billed resource: disks carry the tags their instance was
	// created with (RunInstances' Tag.N applies to the instance, its disks
	// and its primary network interface, per the ECS SDK).
	Tags map[string]string
}

// InstanceBilling reads bills by instance and product (Aliyun BSS
// DescribeInstanceBill with IsBillingItem). Bills lag the spending: Aliyun
// says "a delay of about one day may occur".
type InstanceBilling interface {
	// InstanceBills lists the pay-as-you-go bills of a month (UTC+8 on
	// Aliyun's China site is the bill's own calendar), one row per
	// instance and product.
	InstanceBills(ctx context.Context, year, month int) ([]InstanceBill, error)
}
