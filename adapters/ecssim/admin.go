package ecssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// InstanceView is an instance as the admin API and Instances report it.
type InstanceView struct {
	InstanceId              string            `json:"InstanceId"`
	InstanceName            string            `json:"InstanceName"`
	Status                  string            `json:"Status"`
	PublicIpAddress         string            `json:"PublicIpAddress"`
	ZoneId                  string            `json:"ZoneId"`
	InstanceType            string            `json:"InstanceType"`
	SpotStrategy            string            `json:"SpotStrategy"`
	InternetMaxBandwidthOut int               `json:"InternetMaxBandwidthOut"`
	CreationTime            string            `json:"CreationTime"`
	AgentReady              bool              `json:"AgentReady"`
	Tags                    map[string]string `json:"Tags"`
	// StoppedMode is how it was last stopped: KeepCharging (still billed),
	// StopCharging (compute and public IP released) or Not-applicable;
	// "" when it never was.
	StoppedMode string `json:"StoppedMode"`
	// SpotInterruptionBehavior is what a reclaim does: Terminate or Stop.
	SpotInterruptionBehavior string `json:"SpotInterruptionBehavior"`
	// Disks are its cloud disks, the system disk first: billed until
	// released, whatever the stop mode.
	Disks []DiskView `json:"Disks"`
}

// DiskView is one cloud disk of an instance.
type DiskView struct {
	DiskId   string `json:"DiskId"`
	Type     string `json:"Type"` // system or data, as DescribeDisks says
	Category string `json:"Category"`
	Size     int    `json:"Size"` // GiB
}

func (s *Simulator) view(in *instance, now time.Time) InstanceView {
	tags := map[string]string{}
	for _, t := range in.tags {
		tags[t.Key] = t.Value
	}
	return InstanceView{
		InstanceId: in.id, InstanceName: in.name, Status: in.status, PublicIpAddress: in.publicIP,
		ZoneId: in.zone, InstanceType: in.instanceType, SpotStrategy: in.spotStrategy,
		InternetMaxBandwidthOut: in.bandwidthOut, CreationTime: in.created.Format(isoSeconds),
		AgentReady: s.agentReady(in, now), Tags: tags, StoppedMode: in.stoppedMode, Disks: diskViews(in.disks),
		SpotInterruptionBehavior: in.spotInterruption,
	}
}

// Instances returns every instance in creation order.
func (s *Simulator) Instances() []InstanceView {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.reclaimDue(now)
	out := []InstanceView{}
	for _, id := range s.order {
		in := s.instances[id]
		s.advance(in, now)
		out = append(out, s.view(in, now))
	}
	return out
}

// Instance returns one instance.
func (s *Simulator) Instance(id string) (InstanceView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reclaimDue(s.now())
	in, err := s.lookup(id, s.now())
	if err != nil {
		return InstanceView{}, false
	}
	return s.view(in, s.now()), true
}

// ErrNotFound is returned by the out-of-band methods for an unknown instance.
var ErrNotFound = errors.New("ecssim: no such instance")

// ErrNotSpot is returned by ReclaimSpot for a pay-as-you-go instance.
var ErrNotSpot = errors.New("ecssim: not a spot instance")

// StopBehindBack stops an instance at once, as a guest shutdown or an
// operator in the console would, without the service's knowledge.
func (s *Simulator) StopBehindBack(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	in, err := s.lookup(id, now)
	if err != nil {
		return ErrNotFound
	}
	in.stoppedMode = stopKeepCharging // a guest shutdown keeps the resources
	s.transition(in, now, StatusStopped)
	return nil
}

// DeleteBehindBack releases an instance at once, whatever its state.
func (s *Simulator) DeleteBehindBack(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.instances[id] == nil {
		return ErrNotFound
	}
	s.remove(id, s.now())
	return nil
}

// InvocationView is one invocation as GET /_sim/invocations reports it.
type InvocationView struct {
	InvokeId       string   `json:"InvokeId"`
	CommandId      string   `json:"CommandId"`
	CommandContent string   `json:"CommandContent"` // plain text
	InstanceIds    []string `json:"InstanceIds"`
	Status         string   `json:"InvocationStatus"`
	CreationTime   string   `json:"CreationTime"`
}

// Invocations returns every Cloud Assistant invocation, oldest first.
func (s *Simulator) Invocations() []InvocationView {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := []InvocationView{}
	for _, id := range s.invOrder {
		inv := s.invocations[id]
		v := InvocationView{InvokeId: inv.id, CommandId: inv.cmd.id, CommandContent: inv.cmd.content,
			CreationTime: inv.created.Format(isoSeconds)}
		var states []resultState
		for _, r := range inv.results {
			v.InstanceIds = append(v.InstanceIds, r.instanceID)
			states = append(states, s.resultAt(inv, r, now))
		}
		v.Status, _ = overall(states)
		out = append(out, v)
	}
	return out
}

// adminHandler serves the unauthenticated test/dev API documented in doc.go.
func (s *Simulator) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"AccessKeyId": s.opts.AccessKeyID, "RegionId": s.opts.RegionID, "Zones": s.opts.Zones,
			"Version": ECSVersion, "TransitionTime": s.opts.TransitionTime.String(),
			"AgentReadyAfter": s.opts.AgentReadyAfter.String(),
		})
	})
	mux.HandleFunc("GET /_sim/instances", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Instances())
	})
	mux.HandleFunc("GET /_sim/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := s.Instance(r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": ErrNotFound.Error()})
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	outOfBand := func(f func(string) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			err := f(r.PathValue("id"))
			switch {
			case errors.Is(err, ErrNotFound):
				writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			case err != nil:
				writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			default:
				w.WriteHeader(http.StatusNoContent)
			}
		}
	}
	mux.Handle("POST /_sim/instances/{id}/stop", outOfBand(s.StopBehindBack))
	mux.Handle("POST /_sim/instances/{id}/reclaim", outOfBand(s.ReclaimSpot))
	mux.Handle("DELETE /_sim/instances/{id}", outOfBand(s.DeleteBehindBack))
	mux.HandleFunc("GET /_sim/network", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.NetworkView())
	})
	mux.HandleFunc("POST /_sim/visibility", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Delay string }
		if !readJSON(w, r, &req) {
			return
		}
		d, err := time.ParseDuration(req.Delay)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("Delay: %q is not a non-negative duration", req.Delay)})
			return
		}
		s.SetVisibility(d)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/invocations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Invocations())
	})
	mux.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Fault
			Kind string `json:"Kind"`
		}
		if !readJSON(w, r, &req) {
			return
		}
		switch req.Kind {
		case "throttle":
			s.ThrottleNext(req.Action, req.Count)
		case "unavailable":
			s.FailNext(req.Action, req.Count)
		case "", "error":
			if req.Code == "" {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Code is required for Kind error"})
				return
			}
			s.InjectFault(req.Fault)
		default:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Kind must be throttle, unavailable or error"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/latency", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Action, Latency string }
		if !readJSON(w, r, &req) {
			return
		}
		d, err := time.ParseDuration(req.Latency)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("Latency: %v", err)})
			return
		}
		s.SetLatency(req.Action, d)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/stock", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Offer
			Available bool `json:"Available"`
		}
		if !readJSON(w, r, &req) {
			return
		}
		s.SetStock(req.ZoneID, req.InstanceType, req.Available)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/price", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Offer
			Price float64 `json:"Price"`
		}
		if !readJSON(w, r, &req) {
			return
		}
		s.SetPrice(req.ZoneID, req.InstanceType, req.Price)
		w.WriteHeader(http.StatusNoContent)
	})
	// The spot market price of an offer from now on (decimal text, CNY an
	// hour); running SpotAsPriceGo instances pay it from the next hour.
	mux.HandleFunc("POST /_sim/spot-price", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Offer
			Price string `json:"Price"`
		}
		if !readJSON(w, r, &req) {
			return
		}
		if err := s.SetSpotPrice(req.ZoneID, req.InstanceType, req.Price); err != nil {
			http.Error(w, "Price: a positive decimal amount, e.g. \"0.42\"", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	// The bill by instance and product of a month (?month=YYYY-MM, default
	// this one), every ended hour settled, without DescribeInstanceBill's lag.
	mux.HandleFunc("GET /_sim/bss/instance-bills", func(w http.ResponseWriter, r *http.Request) {
		month := time.Date(s.now().Year(), s.now().Month(), 1, 0, 0, 0, 0, time.UTC)
		if v := r.URL.Query().Get("month"); v != "" {
			m, err := time.Parse("2006-01", v)
			if err != nil {
				http.Error(w, "month: YYYY-MM", http.StatusBadRequest)
				return
			}
			month = m
		}
		writeJSON(w, http.StatusOK, s.InstanceBills(month))
	})
	mux.HandleFunc("POST /_sim/command-result", func(w http.ResponseWriter, r *http.Request) {
		var req CommandResult
		if !readJSON(w, r, &req) {
			return
		}
		s.SetCommandResult(req)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/minecraft", func(w http.ResponseWriter, r *http.Request) {
		list, err := s.Minecraft()
		if err != nil {
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, list)
	})
	mux.HandleFunc("POST /_sim/minecraft", s.postMinecraft)
	mux.HandleFunc("GET /_sim/dns", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.DNSRecords())
	})
	s.diskAdmin(mux)
	mux.HandleFunc("GET /_sim/bss/balance", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"Available": s.Balance(), "Currency": bssCurrency})
	})
	mux.HandleFunc("POST /_sim/bss/balance", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Available string }
		if !readJSON(w, r, &req) {
			return
		}
		if err := s.SetBalance(req.Available); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/bss/transactions", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Transactions())
	})
	mux.HandleFunc("POST /_sim/bss/transactions", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Flow, Amount, Remarks string }
		if !readJSON(w, r, &req) {
			return
		}
		if err := s.AddTransaction(req.Flow, req.Amount, req.Remarks); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// postMinecraft sets fake Minecraft servers from a JSON body: InstanceId
// ("" or absent: every instance and later ones) and any MinecraftState
// fields; fields left out keep their value.
func (s *Simulator) postMinecraft(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	type request struct {
		InstanceId string `json:"InstanceId"`
		MinecraftState
	}
	decode := func(v *request) error {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	var req request
	if err := decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	err = s.UpdateMinecraft(req.InstanceId, func(m *MinecraftState) error {
		patched := request{MinecraftState: *m}
		if err := decode(&patched); err != nil {
			return err
		}
		*m = patched.MinecraftState
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case errors.Is(err, ErrMinecraftOff):
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return false
	}
	return true
}
