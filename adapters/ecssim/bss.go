package ecssim

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BSSVersion is the x-acs-version of the BSS OpenAPI (account money).
const BSSVersion = "2017-12-14"

// bssProduct is the BSS action table: the account's balance, transactions
// and bills, following what the simulated instances cost.
func bssProduct() product {
	return product{
		version: BSSVersion,
		name:    "BssOpenApi",
		hostID:  "business.aliyuncs.com",
		actions: map[string]actionFunc{
			"QueryAccountBalance":      actQueryAccountBalance,
			"QueryAccountTransactions": actQueryAccountTransactions,
			"QueryAccountBill":         actQueryAccountBill,
			"DescribeInstanceBill":     actDescribeInstanceBill,
		},
	}
}

// Money is kept in integer millionths of a yuan (micro-CNY): no float
// arithmetic ever touches an amount. Hourly charges are rounded to the cent,
// as BSS bills them, so every amount shown has at most two decimals unless
// an operator sets a finer one through the admin API.
const (
	microPerYuan  = 1_000_000
	microPerCent  = 10_000
	msPerHour     = int64(time.Hour / time.Millisecond)
	bssCurrency   = "CNY"
	maxTxnPage    = 300
	defaultTxnPag = 20
	// DefaultInitialBalance is the balance a simulator starts with.
	DefaultInitialBalance = "1000.00"
)

// Transaction flows as BSS names them.
const (
	FlowIncome  = "Income"
	FlowExpense = "Expense"
)

type txn struct {
	number  string
	at      time.Time
	flow    string
	typ     string
	remarks string
	amount  int64 // micro-CNY, positive
	balance int64 // after this transaction
	// period is the start of the clock hour an ECS charge pays for (bills
	// count it there); for other transactions, at.
	period time.Time
}

// ledger is the simulated account. Charges are settled lazily: every call
// that looks at money first settles the clock hours that have ended.
type ledger struct {
	balance int64
	txns    []txn            // oldest first
	meters  []*meter         // running, or ended with unsettled hours (billing.go)
	usage   []usage          // settled hours by instance and product
	tags    map[string][]Tag // each billed instance's tags, kept after release
	settled time.Time
	seq     int
}

// parseMoney reads decimal text ("12.34", "-0.5") into micro-CNY.
func parseMoney(s string) (int64, error) {
	bad := fmt.Errorf("ecssim: %q is not an amount (digits, at most 6 decimals)", s)
	t, neg := strings.CutPrefix(strings.TrimSpace(s), "-")
	units, frac, _ := strings.Cut(t, ".")
	if units == "" || len(units) > 12 || len(frac) > 6 {
		return 0, bad
	}
	var v int64
	for _, c := range units + frac + strings.Repeat("0", 6-len(frac)) {
		if c < '0' || c > '9' {
			return 0, bad
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// formatMoney writes micro-CNY as BSS writes amounts: "12.34", with more
// decimals only when the amount has them.
func formatMoney(m int64) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	frac := strings.TrimRight(fmt.Sprintf("%06d", m%microPerYuan), "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return fmt.Sprintf("%s%d.%s", sign, m/microPerYuan, frac)
}

// roundCents rounds micro-CNY half up to a whole cent.
func roundCents(m int64) int64 { return (m + microPerCent/2) / microPerCent * microPerCent }

// addTxn appends a transaction and moves the balance. Caller holds s.mu.
func (s *Simulator) addTxn(at time.Time, flow, typ, remarks string, amount int64, period time.Time) {
	l := &s.bss
	if flow == FlowIncome {
		l.balance += amount
	} else {
		l.balance -= amount
	}
	l.seq++
	l.txns = append(l.txns, txn{
		number: fmt.Sprintf("%s%08d", at.Format("20060102"), l.seq), at: at, flow: flow, typ: typ,
		remarks: remarks, amount: amount, balance: l.balance, period: period,
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// QueryAccountBalance: Data.AvailableCashAmount and friends.
func actQueryAccountBalance(s *Simulator, c *call) (map[string]any, error) {
	s.settle(c.now)
	b := formatMoney(s.bss.balance)
	return bssOK(map[string]any{
		"AvailableAmount": b, "AvailableCashAmount": b, "CreditAmount": "0.00",
		"MybankCreditAmount": "0.00", "QuotaLimit": "0.00", "Currency": bssCurrency,
	}), nil
}

func bssOK(data map[string]any) map[string]any {
	return map[string]any{"Code": "200", "Message": "Successful!", "Success": true, "Data": data}
}

// timeParam parses an optional RFC 3339 time parameter.
func (c *call) timeParam(k string) (time.Time, error) {
	v := c.str(k)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errInvalid(k, v)
	}
	return t, nil
}

// QueryAccountTransactions: newest first, CreateTimeStart <= time <=
// CreateTimeEnd, paged (PageSize capped at 300); without either bound,
// the last month only.
//
// Times are written as the SDK's examples write them, UTC with a Z
// ("2020-03-10T02:03:20Z"). The issue that asked for this simulator reports
// that the real service writes China time (UTC+8) with a Z; neither the
// SDK's comments nor the API reference we could read confirm or deny it,
// so the simulator keeps UTC and seatide passes the text on unchanged (v1
// shows it as the cloud wrote it). Verify on a real account before relying
// on the hour of a transaction.
func actQueryAccountTransactions(s *Simulator, c *call) (map[string]any, error) {
	from, err := c.timeParam("CreateTimeStart")
	if err != nil {
		return nil, err
	}
	to, err := c.timeParam("CreateTimeEnd")
	if err != nil {
		return nil, err
	}
	page, err := c.integer("PageNum", 1)
	if err != nil || page < 1 {
		return nil, errInvalid("PageNum", c.str("PageNum"))
	}
	size, err := c.integer("PageSize", defaultTxnPag)
	if err != nil || size < 1 {
		return nil, errInvalid("PageSize", c.str("PageSize"))
	}
	size = min(size, maxTxnPage)
	if from.IsZero() && to.IsZero() {
		// "By default, the transactions in the last month are queried"
		// (CreateTimeEnd's comment in bssopenapi-20171214 v6.1.1): an
		// unbounded query does not reach further back.
		from = c.now.AddDate(0, -1, 0)
	}
	s.settle(c.now)
	var match []txn
	for i := len(s.bss.txns) - 1; i >= 0; i-- {
		t := s.bss.txns[i]
		if (!from.IsZero() && t.at.Before(from)) || (!to.IsZero() && t.at.After(to)) {
			continue
		}
		match = append(match, t)
	}
	list := []any{}
	if start := (page - 1) * size; start < len(match) && page <= len(match) {
		for _, t := range match[start:min(start+size, len(match))] {
			list = append(list, map[string]any{
				"TransactionNumber": t.number, "TransactionTime": t.at.Format(isoSeconds),
				"TransactionFlow": t.flow, "TransactionType": t.typ, "TransactionChannel": "",
				"TransactionChannelSN": "", "FundType": "Cash", "RecordID": t.number,
				"Remarks": t.remarks, "BillingCycle": t.period.Format("2006-01"),
				"Amount": formatMoney(t.amount), "Balance": formatMoney(t.balance),
				"TransactionAccount": "seatide-sim",
			})
		}
	}
	return bssOK(map[string]any{
		"AccountName": "seatide-sim", "PageNum": page, "PageSize": size, "TotalCount": len(match),
		"AccountTransactionsList": map[string]any{"AccountTransactionsList": list},
	}), nil
}

// QueryAccountBill: the Expense of a month (BillingCycle "YYYY-MM") or, with
// Granularity DAILY, of a day (BillingDate "YYYY-MM-DD"), in UTC, as one
// item; no item when nothing was spent.
func actQueryAccountBill(s *Simulator, c *call) (map[string]any, error) {
	cycle, err := c.required("BillingCycle")
	if err != nil {
		return nil, err
	}
	start, err := time.Parse("2006-01", cycle)
	if err != nil {
		return nil, errInvalid("BillingCycle", cycle)
	}
	end := start.AddDate(0, 1, 0)
	date := ""
	switch g := strings.ToUpper(orDefault(c.str("Granularity"), "MONTHLY")); g {
	case "MONTHLY":
	case "DAILY":
		if date, err = c.required("BillingDate"); err != nil {
			return nil, err
		}
		d, err := time.Parse("2006-01-02", date)
		if err != nil || d.Before(start) || !d.Before(end) {
			return nil, errInvalid("BillingDate", date)
		}
		start, end = d, d.AddDate(0, 0, 1)
	default:
		return nil, errInvalid("Granularity", c.str("Granularity"))
	}
	s.settle(c.now)
	var sum int64
	for _, t := range s.bss.txns {
		if t.flow == FlowExpense && t.typ == "Payment" && !t.period.Before(start) && t.period.Before(end) {
			sum += t.amount
		}
	}
	items := []any{}
	if sum > 0 {
		amount := json.Number(formatMoney(sum))
		items = append(items, map[string]any{
			"BillingDate": date, "Currency": bssCurrency, "PaymentAmount": amount, "PretaxAmount": amount,
			"PretaxGrossAmount": amount, "CashAmount": amount, "OutstandingAmount": 0, "AdjustAmount": 0,
			"DeductedByCoupons": 0, "DeductedByCashCoupons": 0, "DeductedByPrepaidCard": 0, "InvoiceDiscount": 0,
			"OwnerID": "seatide-sim", "BillAccountID": "seatide-sim", "SubscriptionType": "PayAsYouGo",
		})
	}
	return bssOK(map[string]any{
		"BillingCycle": cycle, "AccountID": "seatide-sim", "AccountName": "seatide-sim",
		"PageNum": 1, "PageSize": 20, "TotalCount": len(items), "Items": map[string]any{"Item": items},
	}), nil
}

// TransactionView is one account transaction as the admin API shows it.
type TransactionView struct {
	Time    string `json:"Time"`
	Flow    string `json:"Flow"`
	Amount  string `json:"Amount"`
	Balance string `json:"Balance"`
	Remarks string `json:"Remarks"`
}

// Balance returns the available cash, every ended hour settled.
func (s *Simulator) Balance() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(s.now())
	return formatMoney(s.bss.balance)
}

// Transactions returns every transaction, oldest first, every ended hour
// settled.
func (s *Simulator) Transactions() []TransactionView {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(s.now())
	out := []TransactionView{}
	for _, t := range s.bss.txns {
		out = append(out, TransactionView{t.at.Format(isoSeconds), t.flow, formatMoney(t.amount), formatMoney(t.balance), t.remarks})
	}
	return out
}

// ErrBadAmount is returned for an amount that is not decimal text, or a
// flow that is neither Income nor Expense.
var ErrBadAmount = errors.New("ecssim: bad amount or flow")

// AddTransaction records a movement of money now: Income adds to the
// balance, Expense takes from it (an Expense counts in bills as well).
func (s *Simulator) AddTransaction(flow, amount, remarks string) error {
	m, err := parseMoney(amount)
	if err != nil || m <= 0 || (flow != FlowIncome && flow != FlowExpense) {
		return ErrBadAmount
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	typ := "Deposit"
	if flow == FlowExpense {
		typ = "Payment"
	}
	s.addTxn(now, flow, typ, remarks, m, now)
	return nil
}

// SetBalance makes the available cash amount, recording the difference as
// an "Adjustment" transaction so the list still adds up (adjustments are
// not consumption: bills leave them out).
func (s *Simulator) SetBalance(amount string) error {
	m, err := parseMoney(amount)
	if err != nil {
		return ErrBadAmount
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	switch d := m - s.bss.balance; {
	case d > 0:
		s.addTxn(now, FlowIncome, "Adjust", "Adjustment", d, now)
	case d < 0:
		s.addTxn(now, FlowExpense, "Adjust", "Adjustment", -d, now)
	}
	return nil
}
