package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/app"
)

// instantCloud makes the in-process simulator's transitions instant and
// turns deploy on with the example script, so a whole lifecycle runs in
// milliseconds and each answer is exact.
func instantCloud(c *app.Config) {
	c.Sim.TransitionTime = 0
	c.ECS.PollInterval = time.Millisecond
	c.ECS.Retry.BaseDelay, c.ECS.Retry.MaxDelay = time.Millisecond, 5*time.Millisecond
	c.Deploy.Enabled = true
	c.Deploy.Script = "../testdata/deploy/run.sh"
}

// simInstances reads the simulator's admin listing over HTTP, as an
// operator would.
func simInstances(t *testing.T, sim *ecssim.Server) []ecssim.InstanceView {
	t.Helper()
	resp, err := http.Get(sim.URL + "/_sim/instances")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []ecssim.InstanceView
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list
}

// TestECSLifecycle drives new -> Running with an IP and the deploy output
// -> stop -> start -> delete through the v1 routes, the real SDK adapter and
// the simulator, comparing whole answers, then reads the history; on each
// database the service runs on.
func TestECSLifecycle(t *testing.T) {
	sqltest.EachDriver(t, testECSLifecycle)
}

func testECSLifecycle(t *testing.T, driver string) {
	s := startService(t, func(c *app.Config) {
		instantCloud(c)
		auto := true
		c.Database.Driver, c.Database.DSN, c.Database.AutoMigrate = driver, sqltest.DSN(t, driver), &auto
	})
	admin := s.login("admin", "admin-password")
	steve := s.login("steve", "steve-password")
	action := func(typ, tok string) string {
		_, body := s.do("POST", "/api/ecs/v1/action", m{"type": typ, "token": tok})
		return body
	}
	get := func(path string) string {
		_, body := s.do("GET", path, nil)
		return body
	}
	const none = "No instance id found in database."

	if got, want := get("/api/ecs/v1/describe/status"), ng(none); got != want {
		t.Fatalf("status before: %s", got)
	}
	if got, want := get("/api/ecs/v1/describe/last-invoke"), ng("No invocation history found."); got != want {
		t.Fatalf("last-invoke before: %s", got)
	}
	if got, want := get("/api/ecs/v1/describe/instance"), ok(`{"type": "ecs.g6.large", "bandwidth": 10, "systemdisk": {"size": 40, "type": "cloud_essd"}, "datadisk": {"size": 20, "type": "cloud_essd"}, "zone": "cn-hangzhou-h"}`); got != want {
		t.Errorf("instance: %s", got)
	}
	if got, want := get("/api/ecs/v1/describe/available"), ok("true"); got != want {
		t.Errorf("available: %s", got)
	}
	if got, want := action("new", steve), ok("null"); got != want {
		t.Fatalf("new: %s", got)
	}
	if got, want := action("new", admin), ng("There is already an instance recorded in the database."); got != want {
		t.Errorf("second new: %s", got)
	}
	s.app.Instances().Wait() // the background IP, start and deploy
	list := simInstances(t, s.app.Simulator())
	if len(list) != 1 {
		t.Fatalf("%d instances in the cloud, want 1", len(list))
	}
	id, ip := list[0].InstanceId, list[0].PublicIpAddress
	if ip == "" || list[0].Tags["managed-by"] != "seatide" {
		t.Fatalf("instance %+v", list[0])
	}
	status := func(st string) string {
		return ok(fmt.Sprintf(`{"status": "%s", "id": "%s", "created": true}`, st, id))
	}

	steps := []struct {
		name, method, path, typ, token, want string
	}{
		{"running", "GET", "/api/ecs/v1/describe/status", "", "", status("Running")},
		{"ip", "GET", "/api/server/v1/get/ip", "", "", ok(`"` + ip + `"`)},
		{"deploy output", "GET", "/api/ecs/v1/describe/last-invoke", "", "", ok(`{"status": "Success", "output": "seatide deploy: installing Java\nseatide deploy: fetching the Minecraft server\nseatide deploy: done\n", "error": ""}`)},
		{"start while running", "POST", "", "start", admin, ng("START Request error. Details: The instance is Running but must be Stopped to start.")},
		{"stop as member", "POST", "", "stop", steve, ng("Permission denied.")},
		{"stop", "POST", "", "stop", admin, ok("null")},
		{"stopped", "GET", "/api/ecs/v1/describe/status", "", "", status("Stopped")},
		{"stop while stopped", "POST", "", "stop", admin, ng("STOP Request error. Details: The instance is Stopped but must be Running to stop.")},
		{"start", "POST", "", "start", admin, ok("null")},
		{"running again", "GET", "/api/ecs/v1/describe/status", "", "", status("Running")},
		{"delete as member", "POST", "", "delete", steve, ng("Permission denied.")},
		{"delete", "POST", "", "delete", admin, ok("null")},
		{"gone", "GET", "/api/ecs/v1/describe/status", "", "", ng(none)},
		{"no ip", "GET", "/api/server/v1/get/ip", "", "", ok("null")},
		{"start with none", "POST", "", "start", admin, ng(none)},
	}
	for _, st := range steps {
		var got string
		if st.method == "POST" {
			got = action(st.typ, st.token)
			if st.typ == "delete" {
				s.app.Instances().Wait() // the backup, then the delete, run as an operation
			}
		} else {
			got = get(st.path)
		}
		if got != st.want {
			t.Fatalf("%s: got %s want %s", st.name, got, st.want)
		}
		if st.name == "running again" {
			// Stopped in economical mode (ecs.stopped_mode's default), it
			// came back with a new public IP, read back after the start.
			s.app.Instances().Wait()
			if got := get("/api/server/v1/get/ip"); got == ok(`"`+ip+`"`) || got == ok("null") {
				t.Fatalf("ip after a StopCharging stop and a start: %s, want a new one (was %s)", got, ip)
			}
		}
	}
	if left := simInstances(t, s.app.Simulator()); len(left) != 0 {
		t.Errorf("delete left %+v in the cloud", left)
	}

	// One row per action, newest first; a member's refused action and an
	// action with nothing recorded write none.
	_, body := s.do("GET", "/api/ecs/v1/history?limit=50", nil, "Authorization", "Bearer "+admin)
	var hist struct {
		Status string
		Data   []struct {
			CreatedBy string  `json:"created_by"`
			Action    string  `json:"action"`
			Instance  string  `json:"instance"`
			Result    string  `json:"result"`
			RequestID *string `json:"request_id"`
		}
	}
	if err := json.Unmarshal([]byte(body), &hist); err != nil || hist.Status != "ok" {
		t.Fatalf("history: %s", body)
	}
	var rows []string
	for i := len(hist.Data) - 1; i >= 0; i-- {
		h := hist.Data[i]
		if h.Instance != id {
			t.Errorf("row %+v names another instance", h)
		}
		rows = append(rows, h.CreatedBy+":"+h.Action+":"+h.Result)
	}
	want := "steve:create:ok steve:init:ok admin:start:failed_precondition admin:stop:ok " +
		"admin:stop:failed_precondition admin:start:ok admin:ip:ok admin:backup:ok admin:delete:ok"
	if got := strings.Join(rows, " "); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if r := hist.Data[len(hist.Data)-1]; r.RequestID == nil {
		t.Errorf("create row has no cloud request id")
	}
}

// TestECSOperation reads the progress of new as the operation route
// reports it.
func TestECSOperation(t *testing.T) {
	s := startService(t, instantCloud)
	steve := s.login("steve", "steve-password")
	if _, body := s.do("GET", "/api/ecs/v1/operation", nil, "Authorization", "Bearer "+steve); body != ng("No operation found.") {
		t.Errorf("operation before any: %s", body)
	}
	s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve})
	s.app.Instances().Wait()
	_, body := s.do("GET", "/api/ecs/v1/operation", nil, "Authorization", "Bearer "+steve)
	for _, want := range []string{`"action": "new"`, `"step": "done"`, `"state": "succeeded"`, `"error": null`, `"started_by": "steve"`} {
		if !strings.Contains(body, want) {
			t.Errorf("operation %s lacks %s", body, want)
		}
	}
}

// TestECSCloudFailures: what the cloud refuses reaches the client as the
// documented v1 answer, never a 500 or the SDK's text.
func TestECSCloudFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(sim *ecssim.Simulator)
		want  string
	}{
		{"no stock anywhere", func(sim *ecssim.Simulator) {
			sim.SetStock("cn-hangzhou-h", "ecs.g6.large", false)
		}, ng("NEW Request error. Details: No capacity for this zone and type.")},
		{"throttled five times, then created", func(sim *ecssim.Simulator) {
			sim.ThrottleNext("RunInstances", 5)
		}, ok("null")},
		{"stock gone between the look and the create", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 403, Code: "OperationDenied.NoStock", Message: "Sold out."})
		}, ng("NEW Request error. Details: No capacity for this zone and type.")},
		{"throttled until the retries give up", func(sim *ecssim.Simulator) {
			sim.ThrottleNext("DescribeAvailableResource", 100)
		}, ng("NEW Request error. Details: The cloud is throttling requests.")},
		{"insufficient balance", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 403, Code: "InvalidAccountStatus.NotEnoughBalance", Message: "Your account does not have enough balance."})
		}, ng("NEW Request error. Details: The cloud account's balance is too low.")},
		{"account in arrears", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 403, Code: "Account.Arrearage", Message: "Your account has an outstanding payment."})
		}, ng("NEW Request error. Details: The cloud account's balance is too low.")},
		{"quota", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 403, Code: "QuotaExceeded.vCPU", Message: "vCPU quota exceeded."})
		}, ng("NEW Request error. Details: A cloud quota is exhausted.")},
		{"instance type offline", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 403, Code: "InstanceType.Offline", Message: "Offline."})
		}, ng("NEW Request error. Details: No capacity for this zone and type.")},
		{"spot limit below the public price", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 400, Code: "InvalidSpotPriceLimit.LowerThanPublicPrice", Message: "Too low."})
		}, ng("NEW Request error. Details: The spot price limit (ecs.spot_price_limit) is lower than the public pay-as-you-go price.")},
		{"vSwitch of another zone", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 400, Code: "InvalidParameter.Mismatch", Message: "Mismatch."})
		}, ng("NEW Request error. Details: The vSwitch is not in the zone or not in the security group's VPC (ecs.vswitch, ecs.zone, ecs.security_group).")},
		{"unknown image", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 404, Code: "InvalidImageId.NotFound", Message: "No such image."})
		}, ng("NEW Request error. Details: The cloud refused the configured instance (ecs.image, ecs.vswitch, ecs.security_group or ecs.password).")},
		{"the token still processing, then created", func(sim *ecssim.Simulator) {
			sim.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 3, Status: 400, Code: "LastTokenProcessing", Message: "Processing."})
		}, ok("null")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startService(t, instantCloud)
			tt.setup(s.app.Simulator().Simulator)
			steve := s.login("steve", "steve-password")
			code, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve})
			s.app.Instances().Wait()
			if code != http.StatusOK || body != tt.want {
				t.Errorf("got %d %s, want %s", code, body, tt.want)
			}
			if tt.want == ok("null") {
				// Retries re-sent the same ClientToken: one server, one row.
				if n := len(simInstances(t, s.app.Simulator())); n != 1 {
					t.Errorf("%d instances in the cloud, want 1", n)
				}
				admin := s.login("admin", "admin-password")
				_, body := s.do("GET", "/api/ecs/v1/history", nil, "Authorization", "Bearer "+admin)
				if n := strings.Count(body, `"action": "create"`); n != 1 {
					t.Errorf("%d create rows in %s", n, body)
				}
			}
			if strings.Contains(tt.want, `"ng"`) {
				if n := len(simInstances(t, s.app.Simulator())); n != 0 {
					t.Errorf("%d instances left in the cloud", n)
				}
				// The slot is free again: the refusal did not leave a record.
				if _, body := s.do("GET", "/api/ecs/v1/describe/status", nil); body != ng("No instance id found in database.") {
					t.Errorf("status after refusal: %s", body)
				}
			}
		})
	}
}

// TestECSSharedSimulator runs the service against a standalone simulator,
// as replicas sharing one simulated cloud do: the right keys work, wrong
// ones get the v1 answer for refused credentials.
func TestECSSharedSimulator(t *testing.T) {
	sim, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	id, secret := sim.Credentials()
	tests := []struct {
		name, keyID, secret string
		wantPrice           string
		wantNew             string
	}{
		{"right keys", id, secret, `~{"status": "ok", "data": `, ok("null")},
		{"wrong secret", id, "not-the-secret", ng("Request error. Details: The cloud refused the credentials."),
			ng("NEW Request error. Details: The cloud refused the credentials.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startService(t, func(c *app.Config) {
				instantCloud(c)
				c.ECS.Simulated = false
				c.ECS.AccessKeyID, c.ECS.AccessKeySecret = tt.keyID, tt.secret
				c.ECS.Endpoint, c.ECS.Protocol = sim.Addr, "http"
				// Listed, not discovered: a wrong key would stop the
				// start-up at DescribeVSwitches; this is about run time.
				c.ECS.VPC, c.ECS.VSwitch = "", []string{ecssim.DefaultVSwitch(c.ECS.Zone[0])}
			})
			if s.app.Simulator() != nil {
				t.Fatal("an in-process simulator started although keys are configured")
			}
			_, price := s.do("GET", "/api/ecs/v1/describe/price", nil)
			if p, found := strings.CutPrefix(tt.wantPrice, "~"); found && !strings.HasPrefix(price, p) || !found && price != tt.wantPrice {
				t.Errorf("price: %s, want %s", price, tt.wantPrice)
			}
			steve := s.login("steve", "steve-password")
			_, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve})
			s.app.Instances().Wait()
			if body != tt.wantNew {
				t.Errorf("new: %s, want %s", body, tt.wantNew)
			}
			if body == ok("null") {
				admin := s.login("admin", "admin-password")
				if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "delete", "token": admin}); body != ok("null") {
					t.Errorf("delete: %s", body)
				}
			}
		})
	}
}

// TestECSEconomicalStop: on each database, a server stopped in economical
// mode (the default) may not start again for lack of stock: the v1 answer
// says so and history records it; once stock is back it starts with a new
// public IP, read back and recorded.
func TestECSEconomicalStop(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		s := startService(t, func(c *app.Config) {
			instantCloud(c)
			auto := true
			c.Database.Driver, c.Database.DSN, c.Database.AutoMigrate = driver, sqltest.DSN(t, driver), &auto
		})
		admin, steve := s.login("admin", "admin-password"), s.login("steve", "steve-password")
		action := func(typ string) string {
			_, body := s.do("POST", "/api/ecs/v1/action", m{"type": typ, "token": admin})
			return body
		}
		if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
			t.Fatalf("new: %s", body)
		}
		s.app.Instances().Wait()
		sim := s.app.Simulator()
		id := simInstances(t, sim)[0].InstanceId
		_, before := s.do("GET", "/api/server/v1/get/ip", nil)
		if got := action("stop"); got != ok("null") {
			t.Fatalf("stop: %s", got)
		}
		if v, _ := sim.Instance(id); v.StoppedMode != "StopCharging" || v.PublicIpAddress != "" {
			t.Fatalf("after stop: %+v", v)
		}
		sim.SetStock(simZone(t, s), "ecs.g6.large", false)
		if got, want := action("start"), ng("START Request error. Details: No capacity for this zone and type."); got != want {
			t.Fatalf("start without stock: %s, want %s", got, want)
		}
		sim.SetStock(simZone(t, s), "ecs.g6.large", true)
		if got := action("start"); got != ok("null") {
			t.Fatalf("start: %s", got)
		}
		s.app.Instances().Wait()
		_, after := s.do("GET", "/api/server/v1/get/ip", nil)
		if after == before || !strings.Contains(after, `"data": "127.`) {
			t.Errorf("ip %s -> %s; want a new one", before, after)
		}
		_, hist := s.do("GET", "/api/ecs/v1/history?limit=3", nil, "Authorization", "Bearer "+admin)
		for _, want := range []string{`"action": "ip"`, `"action": "start", "instance": "` + id + `", "result": "ok"`,
			`"action": "start", "instance": "` + id + `", "result": "unavailable"`} {
			if !strings.Contains(hist, want) {
				t.Errorf("history lacks %s: %s", want, hist)
			}
		}
	})
}

func simZone(t *testing.T, s *service) string {
	t.Helper()
	return simInstances(t, s.app.Simulator())[0].ZoneId
}
