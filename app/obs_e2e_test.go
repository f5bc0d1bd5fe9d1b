package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// scrape reads the Prometheus text at url.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// orphanBehindBack creates a managed instance in sim that seatide never
// recorded, as a crashed process or a console user could leave.
func orphanBehindBack(t *testing.T, cfg app.Config, sim *ecssim.Server) string {
	t.Helper()
	id, secret := sim.Credentials()
	c, err := aliyunecs.New(aliyunecs.Config{AccessKeyID: id, AccessKeySecret: secret, RegionID: cfg.ECS.Region,
		Endpoint: sim.Addr, Protocol: "http"})
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.ECS
	iid, _, err := c.RunInstance(context.Background(), ports.InstanceSpec{Zone: e.Zone[0], InstanceType: e.InstanceType[0],
		Image: e.Image, SecurityGroup: e.SecurityGroup, VSwitch: ecssim.DefaultVSwitch(e.Zone[0]), InternetChargeType: e.InternetChargeType,
		BandwidthOut: e.BandwidthOut, SystemDisk: ports.Disk{Category: "cloud_essd", Size: 40},
		Tags: map[string]string{"managed-by": "seatide"}}, "behind-the-back")
	if err != nil {
		t.Fatal(err)
	}
	return iid
}

// TestMetricsEndToEnd: after requests, a `new`, a throttled call and a
// reconciliation that finds an orphan, /metrics holds exactly the series
// an operator alerts on.
func TestMetricsEndToEnd(t *testing.T) {
	listed := make(chan struct{}, 1)
	sim := sharedCloudCalls(t, func(action string) {
		if action == "DescribeInstances" {
			select {
			case listed <- struct{}{}:
			default:
			}
		}
	})
	cfg := replicaConfig(t, "sqlite", sharedDSN(t, "sqlite"), sim)
	cfg.Deploy.Enabled = false
	// Only the start-up reconciliation runs by itself; the test runs the next.
	cfg.Reconcile.Interval, cfg.Reconcile.LeaseTTL = time.Hour, 3*time.Hour
	s := startServiceConfig(t, cfg)
	select {
	case <-listed: // the start-up reconciliation has listed the cloud
	case <-time.After(30 * time.Second):
		t.Fatal("no start-up reconciliation")
	}
	steve := s.login("steve", "steve-password")
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
		t.Fatalf("new: %s", body)
	}
	s.app.Instances().Wait()
	orphan := orphanBehindBack(t, cfg, sim)
	rep, err := s.app.Instances().Reconcile(context.Background())
	if err != nil || len(rep.Orphans) != 1 || rep.Orphans[0] != orphan {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	sim.ThrottleNext("DescribeInstances", 1)
	if _, body := s.do("GET", "/api/ecs/v1/describe/status", nil); !strings.Contains(body, "Running") {
		t.Fatalf("status: %s", body)
	}
	s.do("GET", "/api/no/such/route/4711", nil)
	s.do("GET", "/healthz", nil)

	body := scrape(t, s.base+"/metrics")
	lines := map[string]bool{}
	for _, l := range strings.Split(body, "\n") {
		lines[l] = true
	}
	for _, want := range []string{
		`seatide_reconcile_orphans 1`,
		`seatide_reconcile_results_total{kind="orphan"} 1`,
		`seatide_reconcile_results_total{kind="adopted"} 0`,
		`seatide_reconcile_results_total{kind="problem"} 0`,
		`seatide_reconciliations_total{outcome="ok"} 2`,
		`seatide_reconciliations_total{outcome="failed"} 0`,
		`seatide_instance_status{status="Running"} 1`,
		`seatide_instance_status{status="Stopped"} 0`,
		`seatide_cloud_calls_total{action="ListManaged",result="ok"} 2`,
		`seatide_cloud_calls_total{action="RunInstance",result="ok"} 1`,
		`seatide_cloud_retries_total{action="DescribeInstances",code="Throttling.User"} 1`,
		`seatide_http_requests_total{method="POST",outcome="ok",route="/api/user/v1/auth",status="200"} 1`,
		`seatide_http_requests_total{method="POST",outcome="ok",route="/api/ecs/v1/action",status="200"} 1`,
		`seatide_http_requests_total{method="GET",outcome="ok",route="/api/ecs/v1/describe/{name}",status="200"} 1`,
		`seatide_http_requests_total{method="GET",outcome="http-error",route="unmatched",status="200"} 1`,
		`seatide_http_requests_total{method="GET",outcome="2xx",route="/healthz",status="200"} 1`,
		`seatide_http_request_duration_seconds_count{method="GET",route="/healthz"} 1`,
	} {
		if !lines[want] {
			t.Errorf("no series %s", want)
		}
	}
	for _, bad := range []string{"/api/no/such/route/4711", `route="/api/ecs/v1/describe/status"`} {
		if strings.Contains(body, bad) {
			t.Errorf("a raw path became a label: %s", bad)
		}
	}
	for _, want := range []string{"go_goroutines ", "process_resident_memory_bytes "} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s", want)
		}
	}
}

func TestMetricsOwnListener(t *testing.T) {
	s := startService(t, func(c *app.Config) { c.Metrics.Listen = "127.0.0.1:0" })
	maddr := s.app.MetricsAddr()
	if maddr == "" || maddr == s.app.Addr() {
		t.Fatalf("metrics address %q (main %q)", maddr, s.app.Addr())
	}
	if code, _ := s.do("GET", "/metrics", nil); code != http.StatusNotFound {
		t.Errorf("main listener /metrics: %d, want 404", code)
	}
	if !strings.Contains(scrape(t, "http://"+maddr+"/metrics"), `seatide_http_requests_total{method="GET",outcome="http-error",route="unmatched",status="404"} 1`) {
		t.Error("the metrics listener does not count the main listener's requests")
	}
	s.stop()
	if _, err := http.Get("http://" + maddr + "/metrics"); err == nil {
		t.Error("the metrics listener outlived the service")
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name     string
		breakIt  func(t *testing.T, s *service, dsn string)
		wantCode int
		want     string
	}{
		{"ready", func(*testing.T, *service, string) {}, 200,
			`{"status":"ready","checks":{"cloud":"ok","database":"ok","migrations":"ok"}}`},
		{"migration rolled back", func(t *testing.T, s *service, dsn string) {
			db, err := sqlstore.Open(context.Background(), sqlstore.Config{Driver: "sqlite", DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateDown(context.Background()); err != nil {
				t.Fatal(err)
			}
		}, 503, `{"status":"not ready","checks":{"cloud":"ok","database":"ok","migrations":"schema version 7, want 8"}}`},
		{"database closed", func(t *testing.T, s *service, _ string) {
			if err := app.CloseDatabase(s.app); err != nil {
				t.Fatal(err)
			}
		}, 503, `{"status":"not ready","checks":{"cloud":"ok","database":"unreachable","migrations":"schema version unreadable"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := sqltest.DSN(t, "sqlite")
			s := startService(t, func(c *app.Config) { c.Database.DSN = dsn })
			tt.breakIt(t, s, dsn)
			code, body := s.do("GET", "/readyz", nil)
			if code != tt.wantCode || body != tt.want+"\n" {
				t.Errorf("got %d %s, want %d %s", code, body, tt.wantCode, tt.want)
			}
			if code, body := s.do("GET", "/healthz", nil); code != 200 || body != `{"status":"ok"}`+"\n" {
				t.Errorf("healthz %d %s", code, body)
			}
		})
	}
}

// The X-Request-Id sent with `new` names its history rows, the background
// init included, on every database; the history route shows it.
func TestHistoryCarriesRequestID(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		s := startService(t, func(c *app.Config) {
			instantCloud(c)
			c.Deploy.Enabled = false
			auto := true
			c.Database.Driver, c.Database.DSN, c.Database.AutoMigrate = driver, sqltest.DSN(t, driver), &auto
		})
		steve := s.login("steve", "steve-password")
		code, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}, "X-Request-Id", "new-from-ui-"+driver)
		if code != 200 || body != ok("null") {
			t.Fatalf("new: %d %s", code, body)
		}
		s.app.Instances().Wait()
		admin := s.login("admin", "admin-password")
		_, body = s.do("GET", "/api/ecs/v1/history?limit=10", nil, "Authorization", "Bearer "+admin)
		var env struct {
			Data []struct {
				Action       string  `json:"action"`
				APIRequestID *string `json:"api_request_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		got := map[string]string{}
		for _, r := range env.Data {
			if r.APIRequestID != nil {
				got[r.Action] = *r.APIRequestID
			}
		}
		want := "new-from-ui-" + driver
		if len(env.Data) != 2 || got[domain.ActionCreate] != want || got[domain.ActionInit] != want {
			t.Errorf("history %s: want create and init with api_request_id %q", body, want)
		}
	})
}
