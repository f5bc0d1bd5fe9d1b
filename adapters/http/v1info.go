package http

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/billing"
	"github.com/seatidemc/seatide/ports"
)

// BillingService is what the account routes need; *billing.Service
// provides it. A nil actor is a caller without a token.
type BillingService interface {
	Balance(ctx context.Context, actor *domain.User) (ports.Balance, error)
	Transactions(ctx context.Context, actor *domain.User, q ports.TransactionQuery) (ports.TransactionPage, error)
	Count(ctx context.Context, actor *domain.User, from, to time.Time) (int, error)
	MaxExpense(ctx context.Context, actor *domain.User, from, to time.Time) (ports.Transaction, error)
	MonthBill(ctx context.Context, actor *domain.User, year, month int) (string, error)
	DayBill(ctx context.Context, actor *domain.User, year, month, day int) (string, error)
}

var _ BillingService = (*billing.Service)(nil)

// v1DefaultStart is where the original began listing transactions when no
// startDate was given.
var v1DefaultStart = time.Date(2021, 2, 1, 0, 0, 0, 0, time.UTC)

func (s *Server) infoRoutes(r chi.Router) {
	r.Get("/describe/balance", s.infoBalance)
	r.Get("/describe/fund", s.infoFund)
	r.Get("/search/fund", s.infoSearch)
	r.Get("/describe/billing", s.infoBilling)
}

// infoCaller reads the parameters and the caller (nil without a token); a
// bad token is answered here.
func (s *Server) infoCaller(w http.ResponseWriter, r *http.Request, p params, notFound string) (*domain.User, bool) {
	actor, err := s.actor(r, p)
	if err != nil {
		s.fail(w, r, err, notFound)
		return nil, false
	}
	return actor, true
}

// v1Transaction is a transaction as the original answered it.
type v1Transaction struct {
	Amount string `json:"amount"`
	Type   string `json:"type"`
	Date   string `json:"date"`
	Flow   string `json:"flow"`
}

func toV1Transaction(t ports.Transaction) v1Transaction {
	return v1Transaction{Amount: t.Amount, Type: t.Remarks, Date: t.Time, Flow: t.Flow}
}

// dateParam reads startDate/endDate: RFC 3339 as BSS takes it, or a bare
// date (the start of that day, or its last second for an end). Absent:
// def.
func dateParam(p params, name string, end bool, def time.Time) (time.Time, error) {
	v := strings.TrimSpace(p.str(name))
	if v == "" {
		return def, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, domain.Invalid(name)
	}
	if end {
		d = d.Add(24*time.Hour - time.Second)
	}
	return d, nil
}

// dateRange reads startDate (default: the original's 2021-02-01) and
// endDate (default: none).
func dateRange(p params) (from, to time.Time, err error) {
	if from, err = dateParam(p, "startDate", false, v1DefaultStart); err != nil {
		return
	}
	to, err = dateParam(p, "endDate", true, time.Time{})
	return
}

// positive reads an optional positive integer parameter.
func positive(p params, name string, def int) (int, error) {
	v := strings.TrimSpace(p.str(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, domain.Invalid(name)
	}
	return n, nil
}

// GET /api/info/v1/describe/balance
func (s *Server) infoBalance(w http.ResponseWriter, r *http.Request) {
	p, _ := readParams(r)
	actor, ok := s.infoCaller(w, r, p, msgBalanceNotFound)
	if !ok {
		return
	}
	b, err := s.billing.Balance(r.Context(), actor)
	if err != nil {
		s.fail(w, r, refused(actor, err), msgBalanceNotFound)
		return
	}
	writeOK(w, b.Available)
}

// GET /api/info/v1/describe/fund?pageNum=1&maxResult=10&startDate=&endDate=
func (s *Server) infoFund(w http.ResponseWriter, r *http.Request) {
	p, _ := readParams(r)
	page, err := positive(p, "pageNum", 1)
	if err != nil {
		s.fail(w, r, err, msgNoTransaction)
		return
	}
	size, err := positive(p, "maxResult", 10)
	if err != nil {
		s.fail(w, r, err, msgNoTransaction)
		return
	}
	from, to, err := dateRange(p)
	if err != nil {
		s.fail(w, r, err, msgNoTransaction)
		return
	}
	actor, ok := s.infoCaller(w, r, p, msgNoTransaction)
	if !ok {
		return
	}
	list, err := s.billing.Transactions(r.Context(), actor, ports.TransactionQuery{Page: page, PageSize: size, From: from, To: to})
	if err != nil {
		s.fail(w, r, refused(actor, err), msgNoTransaction)
		return
	}
	out := make([]v1Transaction, 0, len(list.Items))
	for _, t := range list.Items {
		out = append(out, toV1Transaction(t))
	}
	writeOK(w, struct {
		Result []v1Transaction `json:"result"`
		Total  int             `json:"total"`
	}{out, list.Total})
}

// GET /api/info/v1/search/fund?target=max-expense|amount&startDate=&endDate=
func (s *Server) infoSearch(w http.ResponseWriter, r *http.Request) {
	p, _ := readParams(r)
	target := p.str("target")
	switch {
	case target == "":
		s.fail(w, r, missingArgsNG("target"), msgNoSearchResult)
		return
	case target != "max-expense" && target != "amount":
		s.fail(w, r, domain.Invalid(), msgNoSearchResult)
		return
	case strings.TrimSpace(p.str("endDate")) == "":
		s.fail(w, r, missingArgsNG("endDate"), msgNoSearchResult)
		return
	}
	from, to, err := dateRange(p)
	if err != nil {
		s.fail(w, r, err, msgNoSearchResult)
		return
	}
	actor, ok := s.infoCaller(w, r, p, msgNoSearchResult)
	if !ok {
		return
	}
	var data any
	if target == "amount" {
		data, err = s.billing.Count(r.Context(), actor, from, to)
	} else {
		var t ports.Transaction
		if t, err = s.billing.MaxExpense(r.Context(), actor, from, to); err == nil {
			data = toV1Transaction(t)
		}
	}
	if err != nil {
		s.fail(w, r, refused(actor, err), msgNoSearchResult)
		return
	}
	writeOK(w, data)
}

// GET /api/info/v1/describe/billing?type=monthly|daily&year=&month=&day=
func (s *Server) infoBilling(w http.ResponseWriter, r *http.Request) {
	p, _ := readParams(r)
	typ := p.str("type")
	var need []string
	switch typ {
	case "":
		s.fail(w, r, missingArgsNG("type"), msgNoBilling)
		return
	case "monthly":
		need = []string{"year", "month"}
	case "daily":
		need = []string{"year", "month", "day"}
	default:
		s.fail(w, r, domain.Invalid(), msgNoBilling)
		return
	}
	if len(p.missing(need...)) > 0 {
		s.fail(w, r, missingArgsNG(need...), msgNoBilling)
		return
	}
	// Month and day arrive unpadded ("3"); anything not a number is not a
	// date (the UI sends day=0 on the 1st).
	nums := make([]int, len(need))
	for i, name := range need {
		n, err := strconv.Atoi(strings.TrimSpace(p.str(name)))
		if err != nil {
			s.fail(w, r, billing.ErrInvalidDate, msgNoBilling)
			return
		}
		nums[i] = n
	}
	actor, ok := s.infoCaller(w, r, p, msgNoBilling)
	if !ok {
		return
	}
	var amount string
	var err error
	if typ == "monthly" {
		amount, err = s.billing.MonthBill(r.Context(), actor, nums[0], nums[1])
	} else {
		amount, err = s.billing.DayBill(r.Context(), actor, nums[0], nums[1], nums[2])
	}
	if err != nil {
		s.fail(w, r, refused(actor, err), msgNoBilling)
		return
	}
	// The UI calls .toFixed(2) on it: a JSON number, never a string. The
	// service guarantees the text is one.
	writeOK(w, json.Number(amount))
}
