package http

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/domain"
)

// The game server as v2 resources: what the console reads and presses.
// The rules (who may act, in which state) stay in the instance service.

type v2Operation struct {
	ID         string     `json:"id"`
	Action     string     `json:"action"`
	Step       string     `json:"step"`
	State      string     `json:"state"`
	Error      string     `json:"error,omitempty"`
	InstanceID string     `json:"instance_id,omitempty"`
	StartedBy  string     `json:"started_by"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

func toV2Operation(op domain.Operation) *v2Operation {
	out := &v2Operation{ID: op.ID, Action: op.Action, Step: op.Step, State: op.State, Error: op.Error,
		InstanceID: op.InstanceID, StartedBy: op.StartedBy, StartedAt: op.StartedAt.UTC()}
	if !op.FinishedAt.IsZero() {
		f := op.FinishedAt.UTC()
		out.FinishedAt = &f
	}
	return out
}

type v2InstanceView struct {
	// State is "none" when no instance is recorded, "creating" while the
	// first steps of new run, else the cloud's status (Running, Stopped...).
	State     string       `json:"state"`
	ID        string       `json:"id,omitempty"`
	IP        string       `json:"ip,omitempty"`
	Operation *v2Operation `json:"operation"`
	// Actions says, per action, whether the caller may press it now and
	// why not (permission, approval, budget); state rules are the state's.
	Actions map[string]v2Permission `json:"actions"`
}

type v2Permission struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
}

// GET /api/v2/instance
func (s *Server) v2Instance(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	view := v2InstanceView{State: "none"}
	st, err := s.instances.Status(ctx)
	switch {
	case errors.Is(err, domain.ErrNoInstance):
	case err != nil:
		s.v2Failure(w, r, err)
		return
	case !st.Created:
		view.State, view.ID = "creating", st.ID
	default:
		view.State, view.ID, view.IP = string(st.Status), st.ID, st.IP
	}
	op, err := s.instances.LastOperation(ctx)
	switch {
	case errors.Is(err, domain.ErrNoOperation):
	case err != nil:
		s.v2Failure(w, r, err)
		return
	default:
		view.Operation = toV2Operation(op)
	}
	view.Actions = map[string]v2Permission{}
	for action, err := range s.instances.Permitted(ctx, actorFrom(ctx)) {
		p := v2Permission{Allowed: err == nil}
		var de *domain.Error
		if errors.As(err, &de) && de.Code != domain.CodeInternal {
			p.Reason = sentence(de.Message)
		}
		view.Actions[action] = p
	}
	writeJSON(w, http.StatusOK, view)
}

// POST /api/v2/instance/{action}: new, start, stop or delete. Accepted
// actions run in the background: 202 with the operation to follow.
func (s *Server) v2InstanceAction(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), actorFrom(r.Context())
	var err error
	switch chi.URLParam(r, "action") {
	case "new":
		err = s.instances.Create(ctx, actor)
	case "start":
		err = s.instances.Start(ctx, actor)
	case "stop":
		err = s.instances.Stop(ctx, actor)
	case "delete":
		if r.URL.Query().Get("force") == "true" && s.backups != nil {
			err = s.backups.DeleteWorld(ctx, actor, true) // the world's backup may fail (issue 16)
		} else {
			err = s.instances.Delete(ctx, actor)
		}
	default:
		writeProblem(w, r, http.StatusNotFound, "not-found", "Not found.", "The actions are new, start, stop and delete.")
		return
	}
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	var view struct {
		Operation *v2Operation `json:"operation"`
	}
	if op, err := s.instances.LastOperation(ctx); err == nil {
		view.Operation = toV2Operation(op)
	}
	writeJSON(w, http.StatusAccepted, view)
}

type v2Player struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// GET /api/v2/server: the Minecraft server as its status ping shows it.
func (s *Server) v2Server(w http.ResponseWriter, r *http.Request) {
	v, err := s.instances.Server(r.Context())
	if err != nil && !errors.Is(err, domain.ErrNoInstance) {
		s.v2Failure(w, r, err)
		return
	}
	out := struct {
		Online     bool       `json:"online"`
		IP         string     `json:"ip,omitempty"`
		Version    string     `json:"version,omitempty"`
		MOTD       string     `json:"motd"`
		Online_    int        `json:"players_online"`
		MaxPlayers int        `json:"players_max"`
		Players    []v2Player `json:"players"`
	}{Online: v.Online, IP: v.IP, Version: v.Status.Version, MOTD: v.Status.MOTD, Online_: v.Status.OnlinePlayers,
		MaxPlayers: v.Status.MaxPlayers, Players: []v2Player{}}
	for _, p := range v.Status.Players {
		out.Players = append(out.Players, v2Player{p.Name, p.ID})
	}
	writeJSON(w, http.StatusOK, out)
}

type v2HistoryEntry struct {
	ID         int64      `json:"id"`
	Actor      string     `json:"actor"`
	Action     string     `json:"action"`
	InstanceID string     `json:"instance_id"`
	Result     string     `json:"result"`
	Detail     string     `json:"detail,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// historyScanLimit bounds the rows one filtered history page reads.
const historyScanLimit = 1000

// GET /api/v2/history?before=&limit=&action=&actor=: newest first. `next`
// is the `before` of the following page (0: no more).
func (s *Server) v2History(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	before, err1 := optInt(q.Get("before"), 0, 0, 1<<62)
	limit, err2 := optInt(q.Get("limit"), 20, 1, 100)
	if err1 != nil || err2 != nil {
		s.v2Failure(w, r, domain.Invalid("before", "limit"))
		return
	}
	action, actorName := q.Get("action"), q.Get("actor")
	out := struct {
		Items []v2HistoryEntry `json:"items"`
		Next  int64            `json:"next"`
	}{Items: []v2HistoryEntry{}}
	want, exhausted := int(limit), false
	for scanned := 0; len(out.Items) < want && scanned < historyScanLimit && !exhausted; {
		rows, err := s.instances.History(r.Context(), actorFrom(r.Context()), before, 100)
		if err != nil {
			s.v2Failure(w, r, err)
			return
		}
		exhausted = len(rows) < 100
		for i, e := range rows {
			before = e.ID
			if (action == "" || e.Action == action) && (actorName == "" || domain.FoldName(e.Actor) == domain.FoldName(actorName)) {
				out.Items = append(out.Items, toV2History(e))
				if len(out.Items) == want {
					exhausted = exhausted && i == len(rows)-1
					break
				}
			}
		}
		scanned += len(rows)
	}
	if !exhausted {
		out.Next = before
	}
	writeJSON(w, http.StatusOK, out)
}

func toV2History(e domain.HistoryEntry) v2HistoryEntry {
	h := v2HistoryEntry{ID: e.ID, Actor: e.Actor, Action: e.Action, InstanceID: e.InstanceID, Result: e.Result,
		Detail: e.Detail, StartedAt: e.StartedAt.UTC()}
	if !e.FinishedAt.IsZero() {
		f := e.FinishedAt.UTC()
		h.FinishedAt = &f
	}
	return h
}

// GET /api/v2/cost?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive): spend per
// day, amounts as decimal strings.
func (s *Server) v2Cost(w http.ResponseWriter, r *http.Request) {
	var from, to time.Time
	for _, a := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := r.URL.Query().Get(a.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				s.v2Failure(w, r, domain.Invalid(a.name))
				return
			}
			*a.t = t
		}
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	rep, err := s.instances.Cost(r.Context(), actorFrom(r.Context()), from, to)
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	type day struct {
		Date   string `json:"date"`
		Amount string `json:"amount"`
	}
	type products struct {
		Instance  string `json:"instance"`
		Disk      string `json:"disk"`
		Bandwidth string `json:"bandwidth"`
		Traffic   string `json:"traffic"`
	}
	var billed, billedAt *string
	if rep.Billed != nil {
		b, at := rep.Billed.String(), rep.BilledAt.UTC().Format(time.RFC3339)
		billed, billedAt = &b, &at
	}
	out := struct {
		From     string   `json:"from"`
		To       string   `json:"to"`
		Currency string   `json:"currency"`
		Total    string   `json:"total"`
		Days     []day    `json:"days"`
		Products products `json:"products"`
		Billed   *string  `json:"billed"`
		BilledAt *string  `json:"billed_at"`
	}{rep.From.Format(time.DateOnly), rep.To.AddDate(0, 0, -1).Format(time.DateOnly), rep.Currency, rep.Total.String(), []day{},
		products{rep.Products[domain.ProductInstance].String(), rep.Products[domain.ProductDisk].String(),
			rep.Products[domain.ProductBandwidth].String(), rep.Products[domain.ProductTraffic].String()},
		billed, billedAt}
	for _, d := range rep.Days {
		out.Days = append(out.Days, day{d.Date.Format(time.DateOnly), d.Amount.String()})
	}
	writeJSON(w, http.StatusOK, out)
}

// optInt parses an optional query integer within [min, max].
func optInt(s string, def, min, max int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < min || n > max {
		return 0, domain.ErrInvalid
	}
	return n, nil
}

// GET /api/v2/account: the cloud account's available balance.
func (s *Server) v2Account(w http.ResponseWriter, r *http.Request) {
	b, err := s.billing.Balance(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Balance  string `json:"balance"`
		Currency string `json:"currency"`
	}{b.Available, b.Currency})
}

// GET /api/v2/price: the hourly price of the preferred offer now.
func (s *Server) v2Price(w http.ResponseWriter, r *http.Request) {
	p, err := s.instances.Price(r.Context())
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Hourly   string `json:"hourly"`
		Currency string `json:"currency"`
	}{p.Amount, p.Currency})
}
