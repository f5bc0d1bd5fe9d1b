package http

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
)

// InstanceService is what the ECS routes need; *instances.Service provides it.
type InstanceService interface {
	Create(ctx context.Context, actor *domain.User) error
	Start(ctx context.Context, actor *domain.User) error
	Stop(ctx context.Context, actor *domain.User) error
	Delete(ctx context.Context, actor *domain.User) error
	Status(ctx context.Context) (instances.Status, error)
	IP(ctx context.Context) (string, error)
	Server(ctx context.Context) (instances.ServerView, error)
	Available(ctx context.Context) (bool, error)
	Price(ctx context.Context) (ports.Price, error)
	Preferred() ports.InstanceSpec
	LastInvoke(ctx context.Context) (ports.Invocation, error)
	LastOperation(ctx context.Context) (domain.Operation, error)
	History(ctx context.Context, actor *domain.User, before int64, limit int) ([]domain.HistoryEntry, error)
	Cost(ctx context.Context, actor *domain.User, from, to time.Time) (instances.CostReport, error)
	Permitted(ctx context.Context, actor *domain.User) map[string]error
}

var _ InstanceService = (*instances.Service)(nil)

func (s *Server) ecsRoutes(r chi.Router) {
	r.Post("/action", s.ecsAction)
	r.Get("/describe/{name}", s.ecsDescribe)
	r.Get("/operation", s.ecsOperation)
	r.Get("/history", s.ecsHistory)
	r.Get("/cost", s.ecsCost)
}

// POST /api/ecs/v1/action
func (s *Server) ecsAction(w http.ResponseWriter, r *http.Request) {
	p, ok := s.v1Params(w, r)
	if !ok {
		return
	}
	typ, tok := p.str("type"), p.token()
	switch {
	case typ == "" || tok == "":
		s.fail(w, r, missingArgsNG("type", "token"), msgRequestError)
		return
	case !slices.Contains(ecsActions, typ):
		s.fail(w, r, errInvalidAction, msgRequestError)
		return
	}
	actor, err := s.actor(r, p)
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return
	}
	if err := s.runECSAction(r.Context(), typ, actor); err != nil {
		s.fail(w, r, err, strings.ToUpper(typ)+" "+msgRequestError)
		return
	}
	writeOK(w, nil)
}

// ecsActions are the v1 action types; the service checks who may do which.
var ecsActions = []string{"new", "start", "stop", "delete"}

func (s *Server) runECSAction(ctx context.Context, typ string, actor *domain.User) error {
	switch typ {
	case "new":
		return s.instances.Create(ctx, actor)
	case "start":
		return s.instances.Start(ctx, actor)
	case "stop":
		return s.instances.Stop(ctx, actor)
	case "delete":
		return s.instances.Delete(ctx, actor)
	}
	return errInvalidAction
}

type v1Disk struct {
	Size int    `json:"size"`
	Type string `json:"type"`
}

// GET /api/ecs/v1/describe/{name}
func (s *Server) ecsDescribe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var data any
	var err error
	switch chi.URLParam(r, "name") {
	case "price":
		var p ports.Price
		if p, err = s.instances.Price(ctx); err == nil {
			data = json.Number(p.Amount)
		}
	case "instance":
		sp := s.instances.Preferred()
		// The original always had a data disk and the UI reads its fields:
		// no disk is size 0, never null.
		var data2 v1Disk
		if sp.DataDisk != nil {
			data2 = v1Disk{sp.DataDisk.Size, sp.DataDisk.Category}
		}
		data = struct {
			Type       string `json:"type"`
			Bandwidth  int    `json:"bandwidth"`
			SystemDisk v1Disk `json:"systemdisk"`
			DataDisk   v1Disk `json:"datadisk"`
			Zone       string `json:"zone"`
		}{sp.InstanceType, sp.BandwidthOut, v1Disk{sp.SystemDisk.Size, sp.SystemDisk.Category}, data2, sp.Zone}
	case "available":
		data, err = s.instances.Available(ctx)
	case "status":
		var st instances.Status
		if st, err = s.instances.Status(ctx); err == nil {
			if st.Created {
				data = struct {
					Status  string `json:"status"`
					ID      string `json:"id"`
					Created bool   `json:"created"`
				}{string(st.Status), st.ID, true}
			} else {
				data = struct {
					Created bool `json:"created"`
				}{false}
			}
		}
	case "last-invoke":
		var inv ports.Invocation
		if inv, err = s.instances.LastInvoke(ctx); err == nil {
			data = struct {
				Status string `json:"status"`
				Output string `json:"output"`
				Error  string `json:"error"`
			}{inv.Status, inv.Output, inv.Error}
		}
	default:
		s.fail(w, r, errInvalidAction, msgRequestError)
		return
	}
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return
	}
	writeOK(w, data)
}

func timeOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// GET /api/ecs/v1/operation (any signed-in user)
func (s *Server) ecsOperation(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.requireUser(w, r); !ok {
		return
	}
	op, err := s.instances.LastOperation(r.Context())
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return
	}
	writeOK(w, struct {
		ID         string  `json:"id"`
		Action     string  `json:"action"`
		Step       string  `json:"step"`
		State      string  `json:"state"`
		Error      *string `json:"error"`
		Reason     *string `json:"reason"` // the error in words (issue 18)
		InstanceID string  `json:"instance"`
		StartedBy  string  `json:"started_by"`
		StartedAt  *string `json:"started_at"`
		FinishedAt *string `json:"finished_at"`
	}{op.ID, op.Action, op.Step, op.State, nonEmpty(op.Error), nonEmpty(op.Reason), op.InstanceID, op.StartedBy,
		timeOrNil(op.StartedAt), timeOrNil(op.FinishedAt)})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// GET /api/ecs/v1/history?limit=&before= (admin)
func (s *Server) ecsHistory(w http.ResponseWriter, r *http.Request) {
	actor, p, ok := s.requireUser(w, r)
	if !ok {
		return
	}
	limit, before := 50, int64(0)
	var err error
	if v := p.str("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil {
			s.fail(w, r, domain.Invalid("limit"), msgRequestError)
			return
		}
	}
	if v := p.str("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.fail(w, r, domain.Invalid("before"), msgRequestError)
			return
		}
	}
	list, err := s.instances.History(r.Context(), actor, before, limit)
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return
	}
	type row struct {
		ID        int64   `json:"id"`
		CreatedBy string  `json:"created_by"`
		Action    string  `json:"action"`
		Instance  string  `json:"instance"`
		Result    string  `json:"result"`
		RequestID *string `json:"request_id"` // the cloud's
		// The X-Request-Id of the API request behind the action; null for monitors.
		APIRequestID *string `json:"api_request_id"`
		Detail       *string `json:"detail"`
		StartedAt    *string `json:"started_at"`
		FinishedAt   *string `json:"finished_at"`
	}
	out := make([]row, 0, len(list))
	for _, e := range list {
		out = append(out, row{e.ID, e.Actor, e.Action, e.InstanceID, e.Result, nonEmpty(e.RequestID), nonEmpty(e.APIRequestID), nonEmpty(e.Detail),
			timeOrNil(e.StartedAt), timeOrNil(e.FinishedAt)})
	}
	writeOK(w, out)
}

// GET /api/server/v1/get/ip
func (s *Server) serverIP(w http.ResponseWriter, r *http.Request) {
	ip, err := s.instances.IP(r.Context())
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return
	}
	writeOK(w, nonEmpty(ip))
}

// GET /api/server/v1/get/server: always ok with an object, as the UI reads
// data.online and data.motd without checking the status.
func (s *Server) serverStatus(w http.ResponseWriter, r *http.Request) {
	v, err := s.instances.Server(r.Context())
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return
	}
	if !v.Online {
		writeOK(w, struct {
			Created bool    `json:"created"`
			IP      *string `json:"ip"`
			Online  bool    `json:"online"`
		}{v.Created, nonEmpty(v.IP), false})
		return
	}
	type player struct {
		Name string `json:"name"`
		ID   string `json:"id"`
	}
	type mod struct {
		ID     string `json:"modId"`
		Marker string `json:"modmarker"`
	}
	var players []player // null when the server lists none, as the original passed it on
	if v.Status.Players != nil {
		players = make([]player, 0, len(v.Status.Players))
		for _, p := range v.Status.Players {
			players = append(players, player{p.Name, p.ID})
		}
	}
	mods := make([]mod, 0, len(v.Status.Mods))
	for _, m := range v.Status.Mods {
		if m.ID != "minecraft" && m.ID != "forge" { // the original showed only the added mods
			mods = append(mods, mod{m.ID, m.Version})
		}
	}
	writeOK(w, struct {
		Created       bool     `json:"created"`
		IP            *string  `json:"ip"`
		Online        bool     `json:"online"`
		MaxPlayers    int      `json:"maxPlayers"`
		OnlinePlayers int      `json:"onlinePlayers"`
		MOTD          string   `json:"motd"`
		Players       []player `json:"onlinePlayersDetails"`
		Mods          []mod    `json:"rawMods"`
	}{v.Created, nonEmpty(v.IP), true, v.Status.MaxPlayers, v.Status.OnlinePlayers, v.Status.MOTD, players, mods})
}

// GET /api/ecs/v1/cost?from=YYYY-MM-DD&to=YYYY-MM-DD (any user; to is the
// last day counted; both default to this month). Amounts are decimal
// strings, never floats.
func (s *Server) ecsCost(w http.ResponseWriter, r *http.Request) {
	actor, p, ok := s.requireUser(w, r)
	if !ok {
		return
	}
	var from, to time.Time
	for _, a := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := p.str(a.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				s.fail(w, r, domain.Invalid(a.name), msgRequestError)
				return
			}
			*a.t = t
		}
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // the service counts up to the day after
	}
	rep, err := s.instances.Cost(r.Context(), actor, from, to)
	if err != nil {
		s.fail(w, r, err, msgRequestError)
		return
	}
	type day struct {
		Date   string `json:"date"`
		Amount string `json:"amount"`
	}
	days := make([]day, 0, len(rep.Days))
	for _, d := range rep.Days {
		days = append(days, day{d.Date.Format(time.DateOnly), d.Amount.String()})
	}
	writeOK(w, struct {
		From     string `json:"from"`
		To       string `json:"to"`
		Currency string `json:"currency"`
		Total    string `json:"total"`
		Days     []day  `json:"days"`
	}{rep.From.Format(time.DateOnly), rep.To.AddDate(0, 0, -1).Format(time.DateOnly), rep.Currency, rep.Total.String(), days})
}
