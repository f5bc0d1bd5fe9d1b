package aliyunecs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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

// InternationalBillingEndpoint serves accounts of the international site
// (alibabacloud.com): bssopenapi-20171214 v6.1.1's endpoint map sends
// ap-southeast-1 and every other non-Chinese region there, and Aliyun's
// BSS reference says "for the international site, select Singapore".
const InternationalBillingEndpoint = "business.ap-southeast-1.aliyuncs.com"

// Billing sites (info.site).
const (
	SiteChina         = "china"
	SiteInternational = "international"
)

// BillingEndpoint is the BSS endpoint of an account site.
func BillingEndpoint(site string) (string, error) {
	switch site {
	case "", SiteChina:
		return DefaultBillingEndpoint, nil
	case SiteInternational:
		return InternationalBillingEndpoint, nil
	}
	return "", domain.Invalid("site")
}

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

// InstanceBills lists a month's pay-as-you-go bills by instance and
// billable item: DescribeInstanceBill with IsBillingItem (the maintained
// successor of QueryInstanceBill, which Aliyun's reference says no longer
// reads past its 50,000th row), MONTHLY, paged by NextToken, 300 a page
// (the SDK's documented maximum). Amounts are PretaxAmount (before vouchers
// and coupons: what the usage cost), which the SDK decodes as float32 (see
// Bill). Aliyun: "instance bills are generated from split billing data; a
// delay of about one day may occur".
func (b *Billing) InstanceBills(ctx context.Context, year, month int) ([]ports.InstanceBill, error) {
	const action = "DescribeInstanceBill"
	if year < 1 || year > 9999 || month < 1 || month > 12 {
		return nil, domain.Invalid("year", "month")
	}
	cycle := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	var out []ports.InstanceBill
	token := ""
	for page := 0; page < 1000; page++ {
		req := &bss.DescribeInstanceBillRequest{
			BillingCycle:     tea.String(cycle),
			Granularity:      tea.String("MONTHLY"),
			IsBillingItem:    tea.Bool(true),
			SubscriptionType: tea.String("PayAsYouGo"),
			ProductCode:      tea.String("ecs"),
			MaxResults:       tea.Int32(300),
		}
		if token != "" {
			req.NextToken = tea.String(token)
		}
		body, err := bssCall(ctx, b, action, func(e *bss.Client, rt *util.RuntimeOptions) (*bss.DescribeInstanceBillResponseBody, *string, error) {
			resp, err := e.DescribeInstanceBillWithOptions(req, rt)
			if err != nil {
				return nil, nil, err
			}
			return resp.Body, resp.Body.RequestId, nil
		})
		if err != nil {
			return nil, err
		}
		if err := b.refused(action, body.Success, body.Code, body.Message, body.RequestId); err != nil {
			return nil, err
		}
		if body.Data == nil {
			return nil, domain.Wrap(domain.ErrNoBillingData, &callError{Product: b.product, Action: action})
		}
		for _, it := range body.Data.Items {
			if it == nil || it.PretaxAmount == nil {
				continue
			}
			out = append(out, ports.InstanceBill{
				InstanceID: tea.StringValue(it.InstanceID),
				Product:    billingItemProduct(tea.StringValue(it.BillingItemCode), tea.StringValue(it.BillingItem)),
				Amount:     strconv.FormatFloat(float64(*it.PretaxAmount), 'f', -1, 32),
				Currency:   tea.StringValue(it.Currency),
				Tags:       parseBillTags(tea.StringValue(it.Tag)),
			})
		}
		token = tea.StringValue(body.Data.NextToken)
		if token == "" {
			break
		}
	}
	return out, nil
}

// billingItemProduct names the ledger product of an ECS billable item. The
// SDK documents the item code only by example ("disk"; item "Bandwidth");
// the codes are matched by what they contain, so DescribePrice's resource
// names (SystemDisk, DataDisk, bandwidth) and the console's ones alike land
// on the right product, and anything else is the instance's.
func billingItemProduct(code, name string) domain.Product {
	k := strings.ToLower(code + " " + name)
	switch {
	case strings.Contains(k, "disk"):
		return domain.ProductDisk
	case strings.Contains(k, "traffic") || strings.Contains(k, "flow"):
		return domain.ProductTraffic
	case strings.Contains(k, "bandwidth"):
		return domain.ProductBandwidth
	}
	return domain.ProductInstance
}

// parseBillTags reads a bill's Tag, which the SDK documents as
// "key:testKey value:testValue; key:testKey1 value:testValues1".
func parseBillTags(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), " value:")
		if k, found := strings.CutPrefix(k, "key:"); ok && found {
			out[k] = v
		}
	}
	return out
}
