package app_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/domain"
)

// replicaConfig is a service sharing the database dsn and the simulator sim
// with other replicas.
func replicaConfig(t *testing.T, driver, dsn string, sim *ecssim.Server) app.Config {
	t.Helper()
	cfg, err := app.LoadConfig("", []string{"SEATIDE_LISTEN=127.0.0.1:0", "SEATIDE_SECRET=" + testSecret})
	if err != nil {
		t.Fatal(err)
	}
	auto := true
	cfg.Database.Driver, cfg.Database.DSN, cfg.Database.AutoMigrate = driver, dsn, &auto
	id, secret := sim.Credentials()
	cfg.ECS.Simulated = false
	cfg.ECS.AccessKeyID, cfg.ECS.AccessKeySecret = id, secret
	cfg.ECS.Endpoint, cfg.ECS.Protocol = sim.Addr, "http"
	cfg.ECS.PollInterval = time.Millisecond
	cfg.ECS.Retry.BaseDelay, cfg.ECS.Retry.MaxDelay = time.Millisecond, 5*time.Millisecond
	cfg.Deploy.Enabled, cfg.Deploy.Script = true, "../testdata/deploy/run.sh"
	return cfg
}

// sharedCloud starts one simulator for several replicas.
func sharedCloud(t *testing.T) *ecssim.Server {
	t.Helper()
	return sharedCloudCalls(t, nil)
}

// sharedCloudCalls is sharedCloud telling onCall of every API call.
func sharedCloudCalls(t *testing.T, onCall func(action string)) *ecssim.Server {
	t.Helper()
	sim, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true, OnCall: onCall})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

func sharedDSN(t *testing.T, driver string) string {
	if driver == "sqlite" {
		return filepath.Join(t.TempDir(), "shared.db")
	}
	return sqltest.DSN(t, driver)
}

// TestReplicasMakeOneServer: 200 concurrent `new` requests spread over 3
// replicas sharing one database and one simulated cloud make exactly one
// server, and exactly one request is told ok; the others get the v1
// "already" answer, none an error.
func TestReplicasMakeOneServer(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		sim, dsn := sharedCloud(t), sharedDSN(t, driver)
		first := startServiceConfig(t, replicaConfig(t, driver, dsn, sim)) // migrates, creates the accounts
		replicas := []*service{first, runService(t, replicaConfig(t, driver, dsn, sim)), runService(t, replicaConfig(t, driver, dsn, sim))}
		steve := first.login("steve", "steve-password")

		const requests = 200
		answers := make(map[string]int)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, body := replicas[i%len(replicas)].do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve})
				mu.Lock()
				answers[body]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		for _, r := range replicas {
			r.app.Instances().Wait()
		}
		already := ng("There is already an instance recorded in the database.")
		if answers[ok("null")] != 1 || answers[already] != requests-1 {
			t.Errorf("answers: %v", answers)
		}
		if n := len(simInstances(t, sim)); n != 1 {
			t.Errorf("%d instances in the cloud, want 1", n)
		}
	})
}

// TestRestartDuringNew stops the process that runs `new` after each step
// (its operation left at that step), starts another on the same database
// and cloud, and checks that after its reconciliation the store matches the
// cloud: one Running server with its IP recorded, no orphan.
func TestRestartDuringNew(t *testing.T) {
	steps := []struct {
		name  string
		block string // the cloud call the first process is stopped in
	}{
		// RunInstances creates, assigns the IP and starts in one call: the
		// first process is stopped while it waits for Running, then in the
		// deploy's steps.
		{"after create", "DescribeInstances"},
		{"waiting for the agent", "DescribeCloudAssistantStatus"},
		{"sending the deploy", "RunCommand"},
		{"deploy sent", "DescribeInvocationResults"},
	}
	for _, driver := range sqltest.Drivers {
		for _, st := range steps {
			t.Run(driver+"/"+st.name, func(t *testing.T) {
				t.Parallel()
				sqltest.Require(t, driver)
				ctx := context.Background()
				reached := make(chan struct{})
				var once sync.Once
				sim := sharedCloudCalls(t, func(action string) {
					if action == st.block {
						once.Do(func() { close(reached) })
					}
				})
				dsn := sharedDSN(t, driver)
				a := startServiceConfig(t, replicaConfig(t, driver, dsn, sim))
				steve := a.login("steve", "steve-password")

				sim.SetLatency(st.block, time.Hour) // the call hangs: the process is stopped in it
				if _, body := a.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
					t.Fatalf("new: %s", body)
				}
				select {
				case <-reached:
				case <-time.After(2 * time.Minute): // a failure, not a synchronisation
					t.Fatalf("new never called %s", st.block)
				}
				a.stop()
				sim.ClearFaults()

				b := runService(t, replicaConfig(t, driver, dsn, sim))
				// Shutdown left the operation at its step, not failed (b may
				// already have taken it over).
				op, err := b.app.Instances().LastOperation(ctx)
				if err != nil || op.State == domain.OpFailed {
					t.Fatalf("the stopped process's operation: %+v %v", op, err)
				}
				if _, err := b.app.Instances().Reconcile(ctx); err != nil {
					t.Fatal(err)
				}
				b.app.Instances().Wait()
				rep, err := b.app.Instances().Reconcile(ctx)
				if err != nil || len(rep.Orphans) != 0 || rep.Resumed != "" || rep.Cleared != "" {
					t.Errorf("second reconciliation: %+v %v", rep, err)
				}

				cloud := simInstances(t, sim)
				if len(cloud) != 1 || cloud[0].Status != "Running" || cloud[0].PublicIpAddress == "" {
					t.Fatalf("cloud: %+v", cloud)
				}
				status, err := b.app.Instances().Status(ctx)
				if err != nil || status.ID != cloud[0].InstanceId || status.IP != cloud[0].PublicIpAddress || status.Status != domain.StatusRunning {
					t.Errorf("store %+v %v does not match the cloud %+v", status, err, cloud[0])
				}
				op, err = b.app.Instances().LastOperation(ctx)
				if err != nil || op.State != domain.OpSucceeded {
					t.Errorf("operation after take-over: %+v %v", op, err)
				}
				if inv, err := b.app.Instances().LastInvoke(ctx); err != nil || inv.Status != "Success" {
					t.Errorf("deploy after take-over: %+v %v", inv, err)
				}
			})
		}
	}
}

// TestBehindTheBack: a server stopped, then deleted, outside seatide (the
// console, a spot reclaim) is noticed by the reconciler through the SDK and
// recorded as history by _monitor; the record is cleared after deletion.
func TestBehindTheBack(t *testing.T) {
	ctx := context.Background()
	sim := sharedCloud(t)
	s := startServiceConfig(t, replicaConfig(t, "sqlite", sharedDSN(t, "sqlite"), sim))
	steve := s.login("steve", "steve-password")
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
		t.Fatalf("new: %s", body)
	}
	s.app.Instances().Wait()
	id := simInstances(t, sim)[0].InstanceId

	steps := []struct {
		name    string
		act     func() error
		want    string // the newest history row
		cleared bool
	}{
		{"stopped", func() error { return sim.StopBehindBack(id) }, "_monitor:ustop:" + id, false},
		{"deleted", func() error { return sim.DeleteBehindBack(id) }, "_monitor:udelete:" + id, true},
	}
	admin := s.login("admin", "admin-password")
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.Instances().Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		list, err := s.app.Instances().History(ctx, mustUser(t, s, admin), 0, 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: history %v %v", st.name, list, err)
		}
		if got := list[0].Actor + ":" + list[0].Action + ":" + list[0].InstanceID; got != st.want {
			t.Errorf("%s: newest history row %s, want %s", st.name, got, st.want)
		}
		_, body := s.do("GET", "/api/ecs/v1/describe/status", nil)
		if cleared := body == ng("No instance id found in database."); cleared != st.cleared {
			t.Errorf("%s: status %s", st.name, body)
		}
	}
}

func mustUser(t *testing.T, s *service, token string) *domain.User {
	t.Helper()
	u, err := s.app.Users().Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return &u
}
