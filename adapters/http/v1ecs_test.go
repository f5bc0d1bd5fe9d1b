package http

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
)

// fakeInstances answers every action with err.
type fakeInstances struct {
	err    error
	server instances.ServerView
}

func (f fakeInstances) Create(context.Context, *domain.User) error { return f.err }
func (f fakeInstances) Start(context.Context, *domain.User) error  { return f.err }
func (f fakeInstances) Stop(context.Context, *domain.User) error   { return f.err }
func (f fakeInstances) Delete(context.Context, *domain.User) error { return f.err }
func (f fakeInstances) Status(context.Context) (instances.Status, error) {
	return instances.Status{Created: true, ID: "i-1", Status: domain.StatusRunning}, f.err
}
func (f fakeInstances) IP(context.Context) (string, error) { return "", f.err }
func (f fakeInstances) Server(context.Context) (instances.ServerView, error) {
	return f.server, f.err
}
func (f fakeInstances) Available(context.Context) (bool, error) { return true, f.err }
func (f fakeInstances) Price(context.Context) (ports.Price, error) {
	return ports.Price{Amount: "0.452", Currency: "CNY"}, f.err
}
func (f fakeInstances) Preferred() ports.InstanceSpec { return ports.InstanceSpec{} }
func (f fakeInstances) LastInvoke(context.Context) (ports.Invocation, error) {
	return ports.Invocation{}, f.err
}
func (f fakeInstances) LastOperation(context.Context) (domain.Operation, error) {
	return domain.Operation{}, f.err
}
func (f fakeInstances) History(context.Context, *domain.User, int64, int) ([]domain.HistoryEntry, error) {
	return nil, f.err
}
func (f fakeInstances) Permitted(context.Context, *domain.User) map[string]error {
	return map[string]error{"new": nil, "start": domain.ErrPermissionDenied}
}
func (f fakeInstances) Cost(_ context.Context, _ *domain.User, from, to time.Time) (instances.CostReport, error) {
	if from.IsZero() {
		from = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	if to.IsZero() {
		to = from.AddDate(0, 1, 0)
	}
	rep := instances.CostReport{From: from, To: to, Currency: "CNY", Total: 4_500_000}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		rep.Days = append(rep.Days, domain.DayCost{Date: d})
	}
	if f.err != nil {
		return instances.CostReport{}, f.err
	}
	rep.Days[0].Amount = 4_500_000
	return rep, nil
}

// TestECSAnswers pins the v1 texts of the ECS routes, above all that cloud
// failures never carry SDK text and a wrong state says "is Running but".
func TestECSAnswers(t *testing.T) {
	users := &fakeUsers{AuthenticateFn: func(context.Context, string) (domain.User, error) {
		return domain.User{ID: 1, Username: "admin", Group: domain.GroupAdmin}, nil
	}}
	tests := []struct {
		name, method, path, body string
		err                      error
		want                     string
	}{
		{"missing type and token", "POST", "/api/ecs/v1/action", `{}`, nil, `{"status": "ng", "msg": "Not enough argument. Details: type, token"}`},
		{"unknown type", "POST", "/api/ecs/v1/action", `{"type":"boom","token":"t"}`, nil, `{"status": "error", "msg": "Invalid action."}`},
		{"new ok", "POST", "/api/ecs/v1/action", `{"type":"new","token":"t"}`, nil, `{"status": "ok", "data": null}`},
		{"new twice", "POST", "/api/ecs/v1/action", `{"type":"new","token":"t"}`, domain.ErrInstanceExists, `{"status": "ng", "msg": "There is already an instance recorded in the database."}`},
		{"start running", "POST", "/api/ecs/v1/action", `{"type":"start","token":"t"}`,
			&domain.StateError{Action: "start", Current: domain.StatusRunning, Required: domain.StatusStopped},
			`{"status": "ng", "msg": "START Request error. Details: The instance is Running but must be Stopped to start."}`},
		{"stop none", "POST", "/api/ecs/v1/action", `{"type":"stop","token":"t"}`, domain.ErrNoInstance, `{"status": "ng", "msg": "No instance id found in database."}`},
		{"no stock", "POST", "/api/ecs/v1/action", `{"type":"new","token":"t"}`, domain.Wrap(domain.ErrNoStock, fmt.Errorf("SDKError: OperationDenied.NoStock secret-ish text")),
			`{"status": "ng", "msg": "NEW Request error. Details: No capacity for this zone and type."}`},
		{"throttled", "POST", "/api/ecs/v1/action", `{"type":"delete","token":"t"}`, domain.Wrap(domain.ErrThrottled, fmt.Errorf("Throttling.User")),
			`{"status": "ng", "msg": "DELETE Request error. Details: The cloud is throttling requests."}`},
		{"bad credentials", "POST", "/api/ecs/v1/action", `{"type":"stop","token":"t"}`, domain.Wrap(domain.ErrCloudAuth, fmt.Errorf("InvalidAccessKeyId.NotFound")),
			`{"status": "ng", "msg": "STOP Request error. Details: The cloud refused the credentials."}`},
		{"internal", "POST", "/api/ecs/v1/action", `{"type":"stop","token":"t"}`, fmt.Errorf("driver: connection refused at 10.0.0.1"),
			`{"status": "error", "msg": "STOP Request error."}`},
		{"price is a number", "GET", "/api/ecs/v1/describe/price", "", nil, `{"status": "ok", "data": 0.452}`},
		{"status", "GET", "/api/ecs/v1/describe/status", "", nil, `{"status": "ok", "data": {"status": "Running", "id": "i-1", "created": true}}`},
		{"status none", "GET", "/api/ecs/v1/describe/status", "", domain.ErrNoInstance, `{"status": "ng", "msg": "No instance id found in database."}`},
		{"last-invoke none", "GET", "/api/ecs/v1/describe/last-invoke", "", domain.ErrNoInvocation, `{"status": "ng", "msg": "No invocation history found."}`},
		{"unknown describe", "GET", "/api/ecs/v1/describe/bogus", "", nil, `{"status": "error", "msg": "Invalid action."}`},
		{"history needs a token", "GET", "/api/ecs/v1/history", "", nil, `{"status": "error", "msg": "Not enough argument. Details: token"}`},
		{"over budget", "POST", "/api/ecs/v1/action", `{"type":"start","token":"t"}`, &domain.BudgetError{Spent: 12_500_000, Hour: 3_000_000, Budget: 14_500_000, Currency: "CNY"},
			`{"status": "ng", "msg": "START Request error. Details: This month's spend of 12.50 CNY plus one more hour at 3.00 CNY would pass the monthly budget of 14.50 CNY."}`},
		{"cost needs a token", "GET", "/api/ecs/v1/cost", "", nil, `{"status": "error", "msg": "Not enough argument. Details: token"}`},
		{"cost", "GET", "/api/ecs/v1/cost?from=2026-11-03&to=2026-11-04&token=t", "", nil,
			`{"status": "ok", "data": {"from": "2026-11-03", "to": "2026-11-04", "currency": "CNY", "total": "4.50", "days": [{"date": "2026-11-03", "amount": "4.50"}, {"date": "2026-11-04", "amount": "0.00"}]}}`},
		{"cost this month", "GET", "/api/ecs/v1/cost?token=t", "", nil, ""},
		{"cost bad date", "GET", "/api/ecs/v1/cost?from=3%20Nov&token=t", "", nil, `{"status": "error", "msg": "Invalid argument. Details: from"}`},
		{"cost bad span", "GET", "/api/ecs/v1/cost?from=2026-11-03&to=2026-11-01&token=t", "", domain.Invalid("from", "to"), `{"status": "error", "msg": "Invalid argument. Details: from, to"}`},
		{"ip null", "GET", "/api/server/v1/get/ip", "", nil, `{"status": "ok", "data": null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(Options{Users: users, Instances: fakeInstances{err: tt.err}})
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			checkOpenAPI(t, req, tt.body, rec)
			if tt.want == "" { // only its shape matters
				tt.want = strings.TrimSuffix(rec.Body.String(), "\n")
				if !strings.HasPrefix(tt.want, `{"status": "ok", "data": {"from": "2026-11-01", "to": "2026-11-30"`) {
					t.Errorf("got %q", tt.want)
				}
			}
			if rec.Code != http.StatusOK || rec.Body.String() != tt.want+"\n" {
				t.Errorf("got %d %q\nwant 200 %q", rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}

// TestServerAnswers pins get/server's object: the keys in the original's
// order, § codes escaped as Python did, minecraft and forge left out of the
// mods, and no sample as null.
func TestServerAnswers(t *testing.T) {
	tests := []struct {
		name   string
		want   string
		server instances.ServerView
	}{
		{"server none", `{"status": "ok", "data": {"created": false, "ip": null, "online": false}}`, instances.ServerView{}},
		{"server silent", `{"status": "ok", "data": {"created": true, "ip": "127.0.1.1", "online": false}}`, instances.ServerView{Created: true, IP: "127.0.1.1"}},
		{"server vanilla, nobody listed", `{"status": "ok", "data": {"created": true, "ip": "127.0.1.1", "online": true, "maxPlayers": 20, "onlinePlayers": 0, "motd": "\u00a76Sea\u00a7rTide", "onlinePlayersDetails": null, "rawMods": []}}`,
			instances.ServerView{Created: true, IP: "127.0.1.1", Online: true, Status: domain.ServerStatus{MaxPlayers: 20, MOTD: "§6Sea§rTide"}}},
		{"server forge with players", `{"status": "ok", "data": {"created": true, "ip": "127.0.1.1", "online": true, "maxPlayers": 10, "onlinePlayers": 2, "motd": "hi", "onlinePlayersDetails": [{"name": "Steve", "id": "8667ba71-b85a-4004-af54-457a9734eed7"}], "rawMods": [{"modId": "jei", "modmarker": "15.2.0"}]}}`,
			instances.ServerView{Created: true, IP: "127.0.1.1", Online: true, Status: domain.ServerStatus{MaxPlayers: 10, OnlinePlayers: 2, MOTD: "hi",
				Players: []domain.Player{{Name: "Steve", ID: "8667ba71-b85a-4004-af54-457a9734eed7"}},
				Mods:    []domain.Mod{{ID: "minecraft", Version: "1.20.1"}, {ID: "forge", Version: "47.2.0"}, {ID: "jei", Version: "15.2.0"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(Options{Users: &fakeUsers{}, Instances: fakeInstances{server: tt.server}})
			rec, req := httptest.NewRecorder(), httptest.NewRequest("GET", "/api/server/v1/get/server", nil)
			srv.ServeHTTP(rec, req)
			checkOpenAPI(t, req, "", rec)
			if rec.Code != http.StatusOK || rec.Body.String() != tt.want+"\n" {
				t.Errorf("got %d %q\nwant 200 %q", rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}
