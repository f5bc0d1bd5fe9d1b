package app_test

import (
	"github.com/seatidemc/seatide/ports/portstest"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/app"
)

// TestInfoRoutes runs the service against a simulator on a manual clock
// (as a shared `seatide ecs-sim` on loopback, which then serves BSS too):
// a server created through v1 runs two simulated hours, and every account
// route answers what it cost, through the real BSS SDK.
func TestInfoRoutes(t *testing.T) {
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC))
	sim, err := ecssim.Start("127.0.0.1:0", ecssim.Options{
		NoDelay: true, Now: clock.Now,
		Prices: map[ecssim.Offer]float64{{InstanceType: "ecs.g6.large"}: 0.85},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	id, secret := sim.Credentials()
	s := startService(t, func(c *app.Config) {
		instantCloud(c)
		c.World.Enabled = false // the bills below are priced without the world's data disk
		c.Deploy.Enabled = false
		c.ECS.Simulated = false
		c.ECS.AccessKeyID, c.ECS.AccessKeySecret = id, secret
		c.ECS.Endpoint, c.ECS.Protocol = sim.Addr, "http"
	})
	steve := s.login("steve", "steve-password")
	get := func(path, token string) string {
		t.Helper()
		if token == "" {
			_, body := s.do("GET", path, nil)
			return body
		}
		_, body := s.do("GET", path, nil, "Authorization", "Bearer "+token)
		return body
	}

	if got, want := get("/api/info/v1/describe/balance", steve), ok(`"1000.00"`); got != want {
		t.Fatalf("balance before: %s", got)
	}
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
		t.Fatalf("new: %s", body)
	}
	s.app.Instances().Wait()
	list := simInstances(t, sim)
	if len(list) != 1 || list[0].Status != "Running" {
		t.Fatalf("instances %+v", list)
	}
	inst := list[0].InstanceId
	clock.Add(2 * time.Hour) // 14:00-16:00: two hours at 0.85, and its 40 GiB cloud_essd disk at 0.06

	charge := func(hour string) string {
		return `{"amount": "0.91", "type": "ECS pay-as-you-go ` + inst + ` 2026-11-24 ` + hour + `:00", "date": "2026-11-24T` +
			map[string]string{"14": "15", "15": "16"}[hour] + `:00:00Z", "flow": "Expense"}`
	}
	recharge := `{"amount": "1000.00", "type": "Recharge", "date": "2026-11-24T14:00:00Z", "flow": "Income"}`
	tests := []struct {
		name, path, token, want string
	}{
		{"balance", "/api/info/v1/describe/balance", steve, ok(`"998.18"`)},
		{"balance needs a token", "/api/info/v1/describe/balance", "", fail("Not enough argument. Details: token")},
		{"balance, token in the query", "/api/info/v1/describe/balance?token=" + steve, "", ok(`"998.18"`)},
		{"fund", "/api/info/v1/describe/fund?pageNum=1&maxResult=10", steve,
			ok(`{"result": [` + charge("15") + `, ` + charge("14") + `, ` + recharge + `], "total": 3}`)},
		{"fund page 2 of 2", "/api/info/v1/describe/fund?pageNum=2&maxResult=2&startDate=&endDate=", steve,
			ok(`{"result": [` + recharge + `], "total": 3}`)},
		{"fund by dates", "/api/info/v1/describe/fund?startDate=2026-11-24T14:30:00Z&endDate=2026-11-24T15:00:00Z", steve,
			ok(`{"result": [` + charge("14") + `], "total": 1}`)},
		{"fund past the end", "/api/info/v1/describe/fund?pageNum=3&maxResult=2", steve, ng("No transaction found.")},
		{"search amount", "/api/info/v1/search/fund?target=amount&endDate=2026-11-30", steve, ok("3")},
		{"search max-expense", "/api/info/v1/search/fund?target=max-expense&startDate=2026-11-01&endDate=2026-11-30", steve, ok(charge("15"))},
		{"search max-expense, none", "/api/info/v1/search/fund?target=max-expense&endDate=2026-11-24T14:30:00Z", steve, ng("No search result.")},
		{"search without end", "/api/info/v1/search/fund?target=amount", steve, ng("Not enough argument. Details: endDate")},
		{"billing month", "/api/info/v1/describe/billing?type=monthly&year=2026&month=11", steve, ok("1.82")},
		{"billing day", "/api/info/v1/describe/billing?type=daily&year=2026&month=11&day=24", steve, ok("1.82")},
		{"billing other day", "/api/info/v1/describe/billing?type=daily&year=2026&month=11&day=23", steve, ng("No billing information found.")},
		{"billing day 0", "/api/info/v1/describe/billing?type=daily&year=2026&month=12&day=0", steve, ng("Invalid argument.")},
		{"billing no month", "/api/info/v1/describe/billing?type=monthly&year=2026", steve, ng("Not enough argument. Details: year, month")},
	}
	for _, tt := range tests {
		if got := get(tt.path, tt.token); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}

	// The cloud throttling for longer than the retries last: the route's
	// text and our description, nothing of the SDK's.
	sim.ThrottleNext("QueryAccountBalance", 100)
	if got, want := get("/api/info/v1/describe/balance", steve), ng("Balance not found. Details: The cloud is throttling requests."); got != want {
		t.Errorf("throttled: %s", got)
	}

	// BSS refusing the account (the other site's endpoint) or the key (no
	// bss actions): the route's v1 text with what to do, never a 500.
	for _, tt := range []struct{ code, detail string }{
		{"NotApplicable", "The billing API does not serve this account at this endpoint; set info.site (china or international) or info.endpoint."},
		{"NotAuthorized", "The credentials may not read billing; grant the bss actions in the README's RAM policy."},
	} {
		sim.ClearFaults()
		sim.InjectFault(ecssim.Fault{Action: "QueryAccountBalance", Count: 1, Code: tt.code, Message: "refused"})
		status, body := s.do("GET", "/api/info/v1/describe/balance?token="+steve, nil)
		if want := ng("Balance not found. Details: " + tt.detail); status != 200 || body != want {
			t.Errorf("%s: %d %s, want 200 %s", tt.code, status, body, want)
		}
	}
}

// TestInfoOpenReadsAndInProcessSimulator: the development simulator serves
// BSS as well, and v1.open_reads opens the routes as the original had them.
func TestInfoOpenReadsAndInProcessSimulator(t *testing.T) {
	s := startService(t, func(c *app.Config) { instantCloud(c); c.V1.OpenReads = true; c.World.Enabled = false })
	if s.app.Simulator() == nil {
		t.Fatal("no in-process simulator")
	}
	if _, body := s.do("GET", "/api/info/v1/describe/balance", nil); body != ok(`"1000.00"`) {
		t.Errorf("balance: %s", body)
	}
	if _, body := s.do("GET", "/api/info/v1/describe/fund", nil); body == "" || body[:30] != `{"status": "ok", "data": {"res` {
		t.Errorf("fund: %s", body)
	}
}
