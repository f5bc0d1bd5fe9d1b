package aliyunecs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	bss "github.com/alibabacloud-go/bssopenapi-20171214/v6/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// DefaultBillingEndpoint is Aliyun BSS's endpoint for accounts on the China
// site (the SDK's own map sends every Chinese region there).
const DefaultBillingEndpoint = "business.aliyuncs.com"

// MaxTransactionsPage is the largest QueryAccountTransactions page BSS
// serves; larger PageSize values are lowered to it.
const MaxTransactionsPage = 300

// Billing is a ports.Billing backed by Aliyun BSS OpenAPI
// (github.com/alibabacloud-go/bssopenapi-20171214/v6). It shares the ECS
// client's credentials handling, pooling, retries and error mapping.
type Billing struct{ conn }

var _ ports.Billing = (*Billing)(nil)

// NewBilling returns a Billing; cfg is the ECS one, except that an empty
// Endpoint means DefaultBillingEndpoint. It makes no call.
func NewBilling(cfg Config) (*Billing, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultBillingEndpoint
	}
	c, err := newConn("bss", cfg, func(oc *openapi.Config) (any, error) { return bss.NewClient(oc) })
	if err != nil {
		return nil, err
	}
	return &Billing{c}, nil
}

// bssCall runs one BSS action with retries (see call).
func bssCall[T any](ctx context.Context, b *Billing, action string, fn func(e *bss.Client, rt *util.RuntimeOptions) (T, *string, error)) (T, error) {
	v, _, err := call(ctx, &b.conn, action, fn)
	return v, err
}

// refused turns a BSS answer of HTTP 200 with Success false (BSS reports
// some failures that way) into the same error an HTTP error would give.
func (b *Billing) refused(action string, success *bool, code, msg, reqID *string) error {
	if success == nil || *success {
		return nil
	}
	err := &tea.SDKError{Code: code, Message: msg, StatusCode: tea.Int(200),
		Data: tea.String(fmt.Sprintf(`{"RequestId": %q}`, tea.StringValue(reqID)))}
	return mapError(b.product, action, err)
}

// Balance returns the available cash amount (QueryAccountBalance
// Data.AvailableCashAmount), as BSS writes it.
func (b *Billing) Balance(ctx context.Context) (ports.Balance, error) {
	const action = "QueryAccountBalance"
	body, err := bssCall(ctx, b, action, func(e *bss.Client, rt *util.RuntimeOptions) (*bss.QueryAccountBalanceResponseBody, *string, error) {
		resp, err := e.QueryAccountBalanceWithOptions(rt)
		if err != nil {
			return nil, nil, err
		}
		return resp.Body, resp.Body.RequestId, nil
	})
	if err != nil {
		return ports.Balance{}, err
	}
	if err := b.refused(action, body.Success, body.Code, body.Message, body.RequestId); err != nil {
		return ports.Balance{}, err
	}
	if body.Data == nil || tea.StringValue(body.Data.AvailableCashAmount) == "" {
		return ports.Balance{}, domain.Wrap(domain.ErrNoBillingData, &callError{Product: b.product, Action: action})
	}
	return ports.Balance{Available: *body.Data.AvailableCashAmount, Currency: tea.StringValue(body.Data.Currency)}, nil
}

// bssTime is the time format of BSS parameters (UTC, whole seconds).
const bssTime = "2006-01-02T15:04:05Z"

// Transactions returns one page of QueryAccountTransactions.
func (b *Billing) Transactions(ctx context.Context, q ports.TransactionQuery) (ports.TransactionPage, error) {
	const action = "QueryAccountTransactions"
	if q.Page < 1 {
		return ports.TransactionPage{}, domain.Invalid("page")
	}
	if q.PageSize < 1 {
		return ports.TransactionPage{}, domain.Invalid("page_size")
	}
	req := &bss.QueryAccountTransactionsRequest{
		PageNum:  tea.Int32(int32(min(q.Page, 1<<30))),
		PageSize: tea.Int32(int32(min(q.PageSize, MaxTransactionsPage))),
	}
	if !q.From.IsZero() {
		req.CreateTimeStart = tea.String(q.From.UTC().Format(bssTime))
	}
	if !q.To.IsZero() {
		req.CreateTimeEnd = tea.String(q.To.UTC().Format(bssTime))
	}
	body, err := bssCall(ctx, b, action, func(e *bss.Client, rt *util.RuntimeOptions) (*bss.QueryAccountTransactionsResponseBody, *string, error) {
		resp, err := e.QueryAccountTransactionsWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		return resp.Body, resp.Body.RequestId, nil
	})
	if err != nil {
		return ports.TransactionPage{}, err
	}
	if err := b.refused(action, body.Success, body.Code, body.Message, body.RequestId); err != nil {
		return ports.TransactionPage{}, err
	}
	page := ports.TransactionPage{Items: []ports.Transaction{}}
	if body.Data == nil {
		return ports.TransactionPage{}, domain.Wrap(domain.ErrNoBillingData, &callError{Product: b.product, Action: action})
	}
	page.Total = int(tea.Int32Value(body.Data.TotalCount))
	if l := body.Data.AccountTransactionsList; l != nil {
		for _, t := range l.AccountTransactionsList {
			if t == nil {
				continue
			}
			page.Items = append(page.Items, ports.Transaction{
				Amount:  tea.StringValue(t.Amount),
				Remarks: tea.StringValue(t.Remarks),
				Time:    tea.StringValue(t.TransactionTime),
				Flow:    tea.StringValue(t.TransactionFlow),
			})
		}
	}
	return page, nil
}

// Bill returns QueryAccountBill's first item's PaymentAmount for the month
// (day 0) or the day.
//
// The SDK decodes PaymentAmount into a float32, so the text is the shortest
// decimal that reads back as that float32: exact to the cent below 100000.00
// (float32 holds about 7 significant digits); larger amounts may be off by
// a few cents. That is the SDK's limit, not ours.
func (b *Billing) Bill(ctx context.Context, year, month, day int) (string, error) {
	const action = "QueryAccountBill"
	first := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
	if year < 1 || year > 9999 || month < 1 || month > 12 || day < 0 ||
		(day > 0 && first.AddDate(0, 0, day-1).Month() != first.Month()) {
		return "", domain.Invalid("year", "month", "day")
	}
	req := &bss.QueryAccountBillRequest{BillingCycle: tea.String(first.Format("2006-01"))}
	if day > 0 {
		req.Granularity = tea.String("DAILY")
		req.BillingDate = tea.String(first.AddDate(0, 0, day-1).Format("2006-01-02"))
	}
	body, err := bssCall(ctx, b, action, func(e *bss.Client, rt *util.RuntimeOptions) (*bss.QueryAccountBillResponseBody, *string, error) {
		resp, err := e.QueryAccountBillWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		return resp.Body, resp.Body.RequestId, nil
	})
	if err != nil {
		return "", err
	}
	if err := b.refused(action, body.Success, body.Code, body.Message, body.RequestId); err != nil {
		return "", err
	}
	if body.Data == nil || body.Data.Items == nil || len(body.Data.Items.Item) == 0 ||
		body.Data.Items.Item[0] == nil || body.Data.Items.Item[0].PaymentAmount == nil {
		return "", domain.Wrap(domain.ErrNoBillingData, &callError{Product: b.product, Action: action})
	}
	f := *body.Data.Items.Item[0].PaymentAmount
	return strconv.FormatFloat(float64(f), 'f', -1, 32), nil
}
