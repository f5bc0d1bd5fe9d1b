package app_test

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/app"
)

// TestSimulatorCommand runs `seatide ecs-sim` and configures a service with
// nothing but the environment block it prints: a replica set up that way
// must drive the shared simulated cloud.
func TestSimulatorCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- app.RunSimulator(ctx, app.SimulatorOptions{Listen: "127.0.0.1:0", Region: "cn-shanghai", AccessKeyID: "LTAIshared"}, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ecs-sim: %v", err)
		}
	})

	env := []string{"SEATIDE_LISTEN=127.0.0.1:0", "SEATIDE_SECRET=" + testSecret,
		"SEATIDE_DATABASE_DSN=" + filepath.Join(t.TempDir(), "seatide.db")}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "SEATIDE_ECS_") {
			env = append(env, line)
		}
		if strings.HasPrefix(line, "Instances:") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // keep the command from blocking on output
	if len(env) != 3+9 || !strings.Contains(strings.Join(env, " "), "SEATIDE_ECS_ACCESS_KEY_ID=LTAIshared") {
		t.Fatalf("printed environment: %q", env)
	}
	cfg, err := app.LoadConfig("", env)
	if err != nil {
		t.Fatalf("the printed block is not a valid configuration: %v", err)
	}
	if cfg.ECS.Simulated || cfg.ECS.Region != "cn-shanghai" {
		t.Fatalf("config %+v", cfg.ECS)
	}
	s := startServiceConfig(t, cfg)
	steve := s.login("steve", "steve-password")
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
		t.Errorf("new on the shared simulator: %s", body)
	}
	s.app.Instances().Close() // stop the background steps before the simulator goes
}
